#include "models/inception.hpp"

#include "models/layers.hpp"

namespace gauntlet {
namespace {

namespace nn = torch::nn;

// Channel placeholders of a ConvSpec: the block's input channels, and its width (pool_features of
// InceptionA, channels_7x7 of InceptionC).
constexpr int64_t kIn = 0;
constexpr int64_t kWidth = -1;

// One BasicConv2d of a block: name, in, out, kernel (kh, kw), stride, padding (ph, pw).
struct ConvSpec {
  const char* name;
  int64_t in, out, kh, kw, stride, ph, pw;
};

// torchvision's InceptionA ... InceptionE, their convs in registration order.
const std::vector<ConvSpec>& conv_specs(char kind) {
  static const std::map<char, std::vector<ConvSpec>> specs = {
      {'A',
       {{"branch1x1", kIn, 64, 1, 1, 1, 0, 0},
        {"branch5x5_1", kIn, 48, 1, 1, 1, 0, 0},
        {"branch5x5_2", 48, 64, 5, 5, 1, 2, 2},
        {"branch3x3dbl_1", kIn, 64, 1, 1, 1, 0, 0},
        {"branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1},
        {"branch3x3dbl_3", 96, 96, 3, 3, 1, 1, 1},
        {"branch_pool", kIn, kWidth, 1, 1, 1, 0, 0}}},
      {'B',
       {{"branch3x3", kIn, 384, 3, 3, 2, 0, 0},
        {"branch3x3dbl_1", kIn, 64, 1, 1, 1, 0, 0},
        {"branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1},
        {"branch3x3dbl_3", 96, 96, 3, 3, 2, 0, 0}}},
      {'C',
       {{"branch1x1", kIn, 192, 1, 1, 1, 0, 0},
        {"branch7x7_1", kIn, kWidth, 1, 1, 1, 0, 0},
        {"branch7x7_2", kWidth, kWidth, 1, 7, 1, 0, 3},
        {"branch7x7_3", kWidth, 192, 7, 1, 1, 3, 0},
        {"branch7x7dbl_1", kIn, kWidth, 1, 1, 1, 0, 0},
        {"branch7x7dbl_2", kWidth, kWidth, 7, 1, 1, 3, 0},
        {"branch7x7dbl_3", kWidth, kWidth, 1, 7, 1, 0, 3},
        {"branch7x7dbl_4", kWidth, kWidth, 7, 1, 1, 3, 0},
        {"branch7x7dbl_5", kWidth, 192, 1, 7, 1, 0, 3},
        {"branch_pool", kIn, 192, 1, 1, 1, 0, 0}}},
      {'D',
       {{"branch3x3_1", kIn, 192, 1, 1, 1, 0, 0},
        {"branch3x3_2", 192, 320, 3, 3, 2, 0, 0},
        {"branch7x7x3_1", kIn, 192, 1, 1, 1, 0, 0},
        {"branch7x7x3_2", 192, 192, 1, 7, 1, 0, 3},
        {"branch7x7x3_3", 192, 192, 7, 1, 1, 3, 0},
        {"branch7x7x3_4", 192, 192, 3, 3, 2, 0, 0}}},
      {'E',
       {{"branch1x1", kIn, 320, 1, 1, 1, 0, 0},
        {"branch3x3_1", kIn, 384, 1, 1, 1, 0, 0},
        {"branch3x3_2a", 384, 384, 1, 3, 1, 0, 1},
        {"branch3x3_2b", 384, 384, 3, 1, 1, 1, 0},
        {"branch3x3dbl_1", kIn, 448, 1, 1, 1, 0, 0},
        {"branch3x3dbl_2", 448, 384, 3, 3, 1, 1, 1},
        {"branch3x3dbl_3a", 384, 384, 1, 3, 1, 0, 1},
        {"branch3x3dbl_3b", 384, 384, 3, 1, 1, 1, 0},
        {"branch_pool", kIn, 192, 1, 1, 1, 0, 0}}},
  };
  return specs.at(kind);
}

// Their forward passes: the branches whose outputs are concatenated, in torchvision's order.
const std::vector<InceptionBranch>& branch_specs(char kind) {
  static const std::map<char, std::vector<InceptionBranch>> specs = {
      {'A',
       {{"", {"branch1x1"}, {}},
        {"", {"branch5x5_1", "branch5x5_2"}, {}},
        {"", {"branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"}, {}},
        {"avg", {"branch_pool"}, {}}}},
      {'B',
       {{"", {"branch3x3"}, {}},
        {"", {"branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"}, {}},
        {"max", {}, {}}}},
      {'C',
       {{"", {"branch1x1"}, {}},
        {"", {"branch7x7_1", "branch7x7_2", "branch7x7_3"}, {}},
        {"",
         {"branch7x7dbl_1", "branch7x7dbl_2", "branch7x7dbl_3", "branch7x7dbl_4", "branch7x7dbl_5"},
         {}},
        {"avg", {"branch_pool"}, {}}}},
      {'D',
       {{"", {"branch3x3_1", "branch3x3_2"}, {}},
        {"", {"branch7x7x3_1", "branch7x7x3_2", "branch7x7x3_3", "branch7x7x3_4"}, {}},
        {"max", {}, {}}}},
      {'E',
       {{"", {"branch1x1"}, {}},
        {"", {"branch3x3_1"}, {"branch3x3_2a", "branch3x3_2b"}},
        {"", {"branch3x3dbl_1", "branch3x3dbl_2"}, {"branch3x3dbl_3a", "branch3x3dbl_3b"}},
        {"avg", {"branch_pool"}, {}}}},
  };
  return specs.at(kind);
}

nn::Conv2dOptions conv_options(int64_t in, int64_t out, int64_t k, int64_t stride = 1,
                               int64_t padding = 0) {
  return nn::Conv2dOptions(in, out, k).stride(stride).padding(padding);
}

}  // namespace

BasicConv2dImpl::BasicConv2dImpl(nn::Conv2dOptions options) : options_(std::move(options)) {
  reset();
}

void BasicConv2dImpl::reset() {
  conv_ = register_module("conv", nn::Conv2d(nn::Conv2dOptions(options_).bias(false)));
  bn_ = register_module("bn",
                        nn::BatchNorm2d(nn::BatchNormOptions(options_.out_channels()).eps(0.001)));
}

torch::Tensor BasicConv2dImpl::forward(const torch::Tensor& x) {
  return bn_->forward(conv_->forward(x)).relu_();
}

InceptionBlockImpl::InceptionBlockImpl(char kind, int64_t in_channels, int64_t width)
    : kind_(kind), in_channels_(in_channels), width_(width) {
  TORCH_CHECK(std::string("ABCDE").find(kind) != std::string::npos, "inception: no block kind '",
              kind, "'");
  reset();
}

void InceptionBlockImpl::reset() {
  convs_.clear();
  const auto resolve = [this](int64_t c) {
    return c == kIn ? in_channels_ : c == kWidth ? width_ : c;
  };
  for (const ConvSpec& s : conv_specs(kind_)) {
    const auto options = nn::Conv2dOptions(resolve(s.in), resolve(s.out), {s.kh, s.kw})
                             .stride(s.stride)
                             .padding(torch::ExpandingArray<2>({s.ph, s.pw}));
    convs_.emplace(s.name, register_module(s.name, BasicConv2d(options)));
  }
  branches_ = branch_specs(kind_);
}

torch::Tensor InceptionBlockImpl::forward(const torch::Tensor& x) {
  std::vector<torch::Tensor> outputs;
  for (const InceptionBranch& b : branches_) {
    torch::Tensor y = x;
    if (b.pool == "avg") y = torch::avg_pool2d(y, 3, 1, 1);
    if (b.pool == "max") y = torch::max_pool2d(y, 3, 2);
    for (const auto& name : b.chain) y = convs_.at(name)->forward(y);
    if (!b.split.empty()) {
      std::vector<torch::Tensor> parts;
      for (const auto& name : b.split) parts.push_back(convs_.at(name)->forward(y));
      y = torch::cat(parts, 1);
    }
    outputs.push_back(y);
  }
  return torch::cat(outputs, 1);
}

InceptionAuxImpl::InceptionAuxImpl(int64_t in_channels, int64_t num_classes)
    : in_channels_(in_channels), num_classes_(num_classes) {
  reset();
}

void InceptionAuxImpl::reset() {
  conv0_ = register_module("conv0", BasicConv2d(conv_options(in_channels_, 128, 1)));
  conv1_ = register_module("conv1", BasicConv2d(conv_options(128, 768, 5)));
  fc_ = register_module("fc", nn::Linear(768, num_classes_));
}

void InceptionAuxImpl::init_weights() {
  trunc_normal_(conv1_->conv()->weight, 0.0, 0.01, -2.0, 2.0);
  trunc_normal_(fc_->weight, 0.0, 0.001, -2.0, 2.0);
}

torch::Tensor InceptionAuxImpl::forward(torch::Tensor x) {
  x = torch::avg_pool2d(x, 5, 3);
  x = conv1_->forward(conv0_->forward(x));
  x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  return fc_->forward(x);
}

Inception3Impl::Inception3Impl(int64_t in_channels, int64_t num_classes, InceptionOptions options)
    : in_channels_(in_channels), num_classes_(num_classes), options_(options) {
  TORCH_CHECK(in_channels > 0, "inception_v3: in_channels must be positive, got ", in_channels);
  TORCH_CHECK(num_classes == 0 || num_classes > 1,
              "inception_v3: need at least 2 classes (or 0 for no classifier), got ", num_classes);
  TORCH_CHECK(num_classes > 0 || !options_.aux_logits(),
              "inception_v3: aux_logits needs the built-in classifier (not with a replaced head)");
  TORCH_CHECK(!options_.transform_input() || in_channels == 3,
              "inception_v3: transform_input needs 3 input channels, got ", in_channels);
  TORCH_CHECK(options_.dropout() >= 0 && options_.dropout() < 1,
              "inception_v3: dropout must be in [0, 1), got ", options_.dropout());
  reset();
}

void Inception3Impl::reset() {
  trunk_.clear();
  aux_head_ = nullptr;
  const auto add = [this](const std::string& name, auto module) {
    trunk_.emplace_back(register_module(name, module));
    // torchvision assigns AuxLogits between Mixed_6e and Mixed_7a: its state_dict order.
    if (name == "Mixed_6e" && options_.aux_logits()) {
      aux_after_ = trunk_.size() - 1;
      aux_head_ = register_module("AuxLogits", InceptionAux(768, num_classes_));
    }
  };
  add("Conv2d_1a_3x3", BasicConv2d(conv_options(in_channels_, 32, 3, 2)));
  add("Conv2d_2a_3x3", BasicConv2d(conv_options(32, 32, 3)));
  add("Conv2d_2b_3x3", BasicConv2d(conv_options(32, 64, 3, 1, 1)));
  add("maxpool1", nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2)));
  add("Conv2d_3b_1x1", BasicConv2d(conv_options(64, 80, 1)));
  add("Conv2d_4a_3x3", BasicConv2d(conv_options(80, 192, 3)));
  add("maxpool2", nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2)));
  add("Mixed_5b", InceptionBlock('A', 192, 32));
  add("Mixed_5c", InceptionBlock('A', 256, 64));
  add("Mixed_5d", InceptionBlock('A', 288, 64));
  add("Mixed_6a", InceptionBlock('B', 288));
  add("Mixed_6b", InceptionBlock('C', 768, 128));
  add("Mixed_6c", InceptionBlock('C', 768, 160));
  add("Mixed_6d", InceptionBlock('C', 768, 160));
  add("Mixed_6e", InceptionBlock('C', 768, 192));
  add("Mixed_7a", InceptionBlock('D', 768));
  add("Mixed_7b", InceptionBlock('E', 1280));
  add("Mixed_7c", InceptionBlock('E', 2048));
  // avgpool and dropout carry no tensors; registered under torchvision's names all the same.
  dropout_ = register_module("dropout", nn::Dropout(options_.dropout()));
  fc_ = nullptr;
  if (num_classes_ > 0) fc_ = register_module("fc", nn::Linear(2048, num_classes_));

  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      trunc_normal_(conv->weight, 0.0, 0.1, -2.0, 2.0);
    } else if (auto* fc = m->as<nn::Linear>()) {
      trunc_normal_(fc->weight, 0.0, 0.1, -2.0, 2.0);
    } else if (auto* bn = m->as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    }
  }
  if (aux_head_) aux_head_->init_weights();
}

torch::Tensor Inception3Impl::forward(torch::Tensor x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == in_channels_ && x.size(2) >= 75 && x.size(3) >= 75,
              "inception_v3: expected (N, ", in_channels_, ", H >= 75, W >= 75) input, got ",
              x.sizes());
  if (options_.transform_input()) {
    // From ImageNet's mean/std normalisation to (x - 0.5) / 0.5 per channel.
    const auto mean = torch::tensor({0.485, 0.456, 0.406}, x.options()).view({1, 3, 1, 1});
    const auto std = torch::tensor({0.229, 0.224, 0.225}, x.options()).view({1, 3, 1, 1});
    x = x * (std / 0.5) + (mean - 0.5) / 0.5;
  }
  aux_ = torch::Tensor();
  for (size_t i = 0; i < trunk_.size(); ++i) {
    x = trunk_[i].forward(x);
    if (aux_head_ && i == aux_after_ && is_training()) aux_ = aux_head_->forward(x);
  }
  x = torch::adaptive_avg_pool2d(x, {1, 1});
  if (!fc_) return x.flatten(1);
  return fc_->forward(dropout_->forward(x).flatten(1));
}

}  // namespace gauntlet
