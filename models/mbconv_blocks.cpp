#include "models/mbconv_blocks.hpp"

#include <cmath>
#include <utility>

namespace gauntlet {

namespace nn = torch::nn;

std::shared_ptr<nn::Module> StackImpl::clone(const torch::optional<torch::Device>& device) const {
  auto copy = std::make_shared<StackImpl>();
  for (const auto& m : *this) copy->push_back(m.clone(device));
  return copy;
}

ActivationLayerImpl::ActivationLayerImpl(Activation kind) : kind_(kind) {
  TORCH_CHECK(kind != Activation::kDefault, "activation: kDefault must be resolved by the family");
}

torch::Tensor ActivationLayerImpl::forward(torch::Tensor x) {
  switch (kind_) {
    case Activation::kReLU:
      return torch::relu(x);
    case Activation::kReLU6:
      return torch::hardtanh(x, 0.0, 6.0);
    case Activation::kHardSwish:
      return torch::hardswish(x);
    case Activation::kSiLU:
      return torch::silu(x);
    case Activation::kSigmoid:
      return torch::sigmoid(x);
    case Activation::kHardSigmoid:
      return torch::hardsigmoid(x);
    default:
      return x;
  }
}

Stack conv_norm_act(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups,
                    const NormSpec& norm, Activation act) {
  Stack s(nn::Conv2d(nn::Conv2dOptions(in, out, kernel)
                         .stride(stride)
                         .padding((kernel - 1) / 2)
                         .groups(groups)
                         .bias(false)),
          nn::BatchNorm2d(nn::BatchNorm2dOptions(out).eps(norm.eps).momentum(norm.momentum)));
  if (act != Activation::kNone) s->push_back(ActivationLayer(act));
  return s;
}

SqueezeExcitationImpl::SqueezeExcitationImpl(int64_t channels, int64_t squeeze, Activation act,
                                             Activation gate)
    : channels_(channels), squeeze_(squeeze), act_kind_(act), gate_kind_(gate) {
  reset();
}

void SqueezeExcitationImpl::reset() {
  fc1_ = register_module("fc1", nn::Conv2d(nn::Conv2dOptions(channels_, squeeze_, 1)));
  fc2_ = register_module("fc2", nn::Conv2d(nn::Conv2dOptions(squeeze_, channels_, 1)));
  act_ = register_module("activation", ActivationLayer(act_kind_));
  gate_ = register_module("scale_activation", ActivationLayer(gate_kind_));
}

torch::Tensor SqueezeExcitationImpl::forward(torch::Tensor x) {
  torch::Tensor scale = torch::adaptive_avg_pool2d(x, {1, 1});
  scale = gate_->forward(fc2_->forward(act_->forward(fc1_->forward(scale))));
  return scale * x;
}

StochasticDepthImpl::StochasticDepthImpl(double p) : p_(p) {
  TORCH_CHECK(p >= 0.0 && p <= 1.0, "stochastic depth: p must be in [0, 1], got ", p);
}

torch::Tensor StochasticDepthImpl::forward(torch::Tensor x) {
  if (!is_training() || p_ == 0.0) return x;
  const double survival = 1.0 - p_;
  std::vector<int64_t> size(static_cast<size_t>(x.dim()), 1);
  size[0] = x.size(0);
  torch::Tensor noise = torch::empty(size, x.options()).bernoulli_(survival);
  if (survival > 0.0) noise.div_(survival);
  return x * noise;
}

InvertedResidualConfig block_config(const UnrolledBlock& b, InvertedResidualConfig::Layout layout,
                                    Activation family_act, const NormSpec& norm) {
  InvertedResidualConfig c;
  c.layout = layout;
  c.in = b.in_channels;
  c.out = b.spec.out_channels;
  c.kernel = b.spec.kernel;
  c.stride = b.stride;
  c.act = b.spec.activation == Activation::kDefault ? family_act : b.spec.activation;
  c.norm = norm;
  return c;
}

InvertedResidualImpl::InvertedResidualImpl(InvertedResidualConfig config)
    : config_(std::move(config)) {
  TORCH_CHECK(config_.stride == 1 || config_.stride == 2,
              "inverted residual: stride must be 1 or 2, got ", config_.stride);
  reset();
}

void InvertedResidualImpl::reset() {
  using Layout = InvertedResidualConfig::Layout;
  const auto& c = config_;
  residual_ = c.stride == 1 && c.in == c.out;
  const bool expands = c.expanded != c.in;
  branch_ = Stack();
  if (c.layout == Layout::kFusedMBConv) {
    // Without expansion the single kxk conv maps in -> out and keeps its activation.
    branch_->push_back(
        conv_norm_act(c.in, expands ? c.expanded : c.out, c.kernel, c.stride, 1, c.norm, c.act));
    if (expands) {
      branch_->push_back(conv_norm_act(c.expanded, c.out, 1, 1, 1, c.norm, Activation::kNone));
    }
  } else {
    if (expands) branch_->push_back(conv_norm_act(c.in, c.expanded, 1, 1, 1, c.norm, c.act));
    branch_->push_back(
        conv_norm_act(c.expanded, c.expanded, c.kernel, c.stride, c.expanded, c.norm, c.act));
    if (c.se_channels > 0) {
      branch_->push_back(SqueezeExcitation(c.expanded, c.se_channels, c.se_act, c.se_gate));
    }
    if (c.layout == Layout::kMobileNetV2) {  // projection conv and BN as two entries
      const Stack project = conv_norm_act(c.expanded, c.out, 1, 1, 1, c.norm, Activation::kNone);
      for (const auto& m : *project) branch_->push_back(m);
    } else {
      branch_->push_back(conv_norm_act(c.expanded, c.out, 1, 1, 1, c.norm, Activation::kNone));
    }
  }
  register_module(c.layout == Layout::kMobileNetV2 ? "conv" : "block", branch_);
  drop_path_ = register_module("stochastic_depth", StochasticDepth(c.drop_path));
}

torch::Tensor InvertedResidualImpl::forward(torch::Tensor x) {
  torch::Tensor y = branch_->forward(x);
  if (!residual_) return y;
  return drop_path_->forward(y) + x;
}

void init_mbconv_family(nn::Module& model, bool efficientnet_linear) {
  for (auto& m : model.modules(/*include_self=*/false)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      // torchvision: kaiming_normal_(mode="fan_out"), leaky_relu with a = 0, i.e. gain sqrt(2).
      nn::init::kaiming_normal_(conv->weight, 0, torch::kFanOut, torch::kReLU);
      if (conv->bias.defined()) nn::init::zeros_(conv->bias);
    } else if (auto* bn = m->as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    } else if (auto* fc = m->as<nn::Linear>()) {
      if (efficientnet_linear) {
        const double range = 1.0 / std::sqrt(static_cast<double>(fc->weight.size(0)));
        nn::init::uniform_(fc->weight, -range, range);
      } else {
        nn::init::normal_(fc->weight, 0, 0.01);
      }
      nn::init::zeros_(fc->bias);
    }
  }
}

torch::Tensor pool_and_classify(Stack& features, Stack& classifier, int64_t in_channels,
                                const char* family, torch::Tensor x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == in_channels, family, ": expected (N, ", in_channels,
              ", H, W) input, got ", x.sizes());
  x = features->forward(x);
  x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  // An empty classifier (num_classes 0): the pooled features, for a head (models/heads.hpp).
  return classifier->is_empty() ? x : classifier->forward(x);
}

}  // namespace gauntlet
