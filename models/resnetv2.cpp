#include "models/resnetv2.hpp"

#include <string>

#include "models/layers.hpp"

namespace gauntlet {
namespace {

namespace nn = torch::nn;

// timm's create_conv2d: no bias, symmetric "same"-ish padding ((stride - 1) + (k - 1)) / 2.
nn::Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride = 1) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, k)
                        .stride(stride)
                        .padding(((stride - 1) + (k - 1)) / 2)
                        .bias(false));
}

// A module with one named child, like timm's ResNetStage ("blocks") or DownsampleConv ("conv").
Chain named(const std::string& name, nn::AnyModule child) {
  Chain c;
  c->push_back(name, std::move(child));
  return c;
}

}  // namespace

PreActBottleneckImpl::PreActBottleneckImpl(int64_t in_channels, int64_t out_channels,
                                           int64_t stride, bool project, double drop_path)
    : in_(in_channels),
      out_(out_channels),
      stride_(stride),
      project_(project),
      drop_path_(drop_path) {
  reset();
}

void PreActBottleneckImpl::reset() {
  const int64_t mid = out_ / 4;  // timm's bottle_ratio 0.25 (make_divisible keeps these widths)
  // timm registers the shortcut first: state_dict order.
  downsample_ = nullptr;
  if (project_) {
    downsample_ =
        register_module("downsample", named("conv", nn::AnyModule(conv(in_, out_, 1, stride_))));
  }
  norm1_ = register_module("norm1", nn::BatchNorm2d(in_));
  conv1_ = register_module("conv1", conv(in_, mid, 1));
  norm2_ = register_module("norm2", nn::BatchNorm2d(mid));
  conv2_ = register_module("conv2", conv(mid, mid, 3, stride_));
  norm3_ = register_module("norm3", nn::BatchNorm2d(mid));
  conv3_ = register_module("conv3", conv(mid, out_, 1));
}

torch::Tensor PreActBottleneckImpl::forward(const torch::Tensor& x) {
  const torch::Tensor preact = norm1_->forward(x).relu();
  const torch::Tensor shortcut = downsample_ ? downsample_->forward(preact) : x;
  torch::Tensor y = conv1_->forward(preact);
  y = conv2_->forward(norm2_->forward(y).relu_());
  y = conv3_->forward(norm3_->forward(y).relu_());
  return stochastic_depth(y, drop_path_, is_training()) + shortcut;
}

ResNetV2Impl::ResNetV2Impl(std::array<int64_t, 4> layers, int64_t in_channels, int64_t num_classes,
                           ResNetV2Options options)
    : layers_(layers), in_channels_(in_channels), num_classes_(num_classes), options_(options) {
  TORCH_CHECK(in_channels > 0, "resnetv2: in_channels must be positive, got ", in_channels);
  TORCH_CHECK(num_classes == 0 || num_classes > 1,
              "resnetv2: need at least 2 classes (or 0 for no classifier), got ", num_classes);
  TORCH_CHECK(options_.drop_path_rate() >= 0 && options_.drop_path_rate() < 1,
              "resnetv2: drop_path_rate must be in [0, 1), got ", options_.drop_path_rate());
  reset();
}

void ResNetV2Impl::reset() {
  stem_ = Chain();
  stem_->push_back("conv", conv(in_channels_, 64, 7, 2));
  stem_->push_back("pool", nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1)));
  register_module("stem", stem_);

  int64_t total = 0;
  for (int64_t d : layers_) total += d;
  const int64_t widths[4] = {256, 512, 1024, 2048};
  stages_ = Chain();
  int64_t in = 64;
  int64_t block_id = 0;
  for (size_t s = 0; s < 4; ++s) {
    Chain blocks;
    for (int64_t b = 0; b < layers_[s]; ++b, ++block_id) {
      // torch.linspace(0, drop_path_rate, total)
      const double dpr = total > 1 ? options_.drop_path_rate() * static_cast<double>(block_id) /
                                         static_cast<double>(total - 1)
                                   : 0.0;
      const int64_t stride = (b == 0 && s > 0) ? 2 : 1;
      // timm gives every stage's first block a projection shortcut.
      blocks->push_back(PreActBottleneck(in, widths[s], stride, b == 0, dpr));
      in = widths[s];
    }
    stages_->push_back(named("blocks", nn::AnyModule(blocks)));
  }
  register_module("stages", stages_);
  norm_ = register_module("norm", nn::BatchNorm2d(in));
  head_ = nullptr;
  if (num_classes_ > 0) {
    auto fc = nn::Conv2d(nn::Conv2dOptions(in, num_classes_, 1).bias(true));
    head_ = register_module("head", named("fc", nn::AnyModule(fc)));
  }

  // timm's _init_weights: head.fc ~ N(0, 0.01) with zero bias, other convs Kaiming (fan_out),
  // norms 1 and 0.
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* c = m->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(c->weight, 0, torch::kFanOut, torch::kReLU);
    } else if (auto* bn = m->as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    }
  }
  if (head_) {
    auto* fc = head_[0]->as<nn::Conv2d>();  // head.fc
    nn::init::normal_(fc->weight, 0, 0.01);
    nn::init::zeros_(fc->bias);
  }
  if (options_.zero_init_last()) {
    for (auto& m : modules(/*include_self=*/false)) {
      if (auto* b = m->as<PreActBottleneck>()) nn::init::zeros_(b->last_conv()->weight);
    }
  }
}

torch::Tensor ResNetV2Impl::forward(torch::Tensor x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == in_channels_, "resnetv2: expected (N, ", in_channels_,
              ", H, W) input, got ", x.sizes());
  x = stages_->forward(stem_->forward(x));
  x = torch::adaptive_avg_pool2d(norm_->forward(x).relu_(), {1, 1});
  if (!head_) return x.flatten(1);
  return head_->forward(x).flatten(1);
}

}  // namespace gauntlet
