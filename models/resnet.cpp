#include "models/resnet.hpp"

#include <stdexcept>
#include <string>

namespace gauntlet {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

nn::Conv2d conv1x1(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false));
}

// torchvision's _make_layer: a 1x1 projection when the shape of the identity changes.
nn::Sequential downsample_if_needed(int64_t inplanes, int64_t outplanes, int64_t stride) {
  if (stride == 1 && inplanes == outplanes) return nn::Sequential(nullptr);
  return nn::Sequential(conv1x1(inplanes, outplanes, stride), nn::BatchNorm2d(outplanes));
}

template <typename Block>
nn::Sequential make_layer(int64_t& inplanes, int64_t planes, int64_t blocks, int64_t stride) {
  nn::Sequential layer;
  layer->push_back(Block(inplanes, planes, stride));
  inplanes = planes * Block::ContainedType::kExpansion;
  for (int64_t i = 1; i < blocks; ++i) layer->push_back(Block(inplanes, planes, 1));
  return layer;
}

}  // namespace

ResNetArch resnet_arch(int depth) {
  switch (depth) {
    case 18:
      return {false, {2, 2, 2, 2}};
    case 34:
      return {false, {3, 4, 6, 3}};
    case 50:
      return {true, {3, 4, 6, 3}};
    case 101:
      return {true, {3, 4, 23, 3}};
    case 152:
      return {true, {3, 8, 36, 3}};
    default:
      throw std::invalid_argument("resnet: no depth " + std::to_string(depth));
  }
}

BasicBlockImpl::BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride)
    : inplanes_(inplanes), planes_(planes), stride_(stride) {
  reset();
}

void BasicBlockImpl::reset() {
  conv1_ = register_module("conv1", conv3x3(inplanes_, planes_, stride_));
  bn1_ = register_module("bn1", nn::BatchNorm2d(planes_));
  conv2_ = register_module("conv2", conv3x3(planes_, planes_, 1));
  bn2_ = register_module("bn2", nn::BatchNorm2d(planes_));
  downsample_ = downsample_if_needed(inplanes_, planes_ * kExpansion, stride_);
  if (downsample_) register_module("downsample", downsample_);
}

torch::Tensor BasicBlockImpl::forward(torch::Tensor x) {
  torch::Tensor out = bn1_->forward(conv1_->forward(x)).relu_();
  out = bn2_->forward(conv2_->forward(out));
  out += downsample_ ? downsample_->forward(x) : x;
  return out.relu_();
}

BottleneckImpl::BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride)
    : inplanes_(inplanes), planes_(planes), stride_(stride) {
  reset();
}

void BottleneckImpl::reset() {
  // v1.5: the stride sits on the 3x3 conv (the paper's v1 puts it on the first 1x1).
  conv1_ = register_module("conv1", conv1x1(inplanes_, planes_, 1));
  bn1_ = register_module("bn1", nn::BatchNorm2d(planes_));
  conv2_ = register_module("conv2", conv3x3(planes_, planes_, stride_));
  bn2_ = register_module("bn2", nn::BatchNorm2d(planes_));
  conv3_ = register_module("conv3", conv1x1(planes_, planes_ * kExpansion, 1));
  bn3_ = register_module("bn3", nn::BatchNorm2d(planes_ * kExpansion));
  downsample_ = downsample_if_needed(inplanes_, planes_ * kExpansion, stride_);
  if (downsample_) register_module("downsample", downsample_);
}

torch::Tensor BottleneckImpl::forward(torch::Tensor x) {
  torch::Tensor out = bn1_->forward(conv1_->forward(x)).relu_();
  out = bn2_->forward(conv2_->forward(out)).relu_();
  out = bn3_->forward(conv3_->forward(out));
  out += downsample_ ? downsample_->forward(x) : x;
  return out.relu_();
}

ResNetImpl::ResNetImpl(ResNetArch arch, int64_t in_channels, int64_t num_classes,
                       ResNetOptions options)
    : arch_(arch), in_channels_(in_channels), num_classes_(num_classes), options_(options) {
  TORCH_CHECK(in_channels > 0, "resnet: in_channels must be positive, got ", in_channels);
  TORCH_CHECK(num_classes == 0 || num_classes > 1,
              "resnet: need at least 2 classes (or 0 for no classifier), got ", num_classes);
  reset();
}

void ResNetImpl::reset() {
  conv1_ = register_module(
      "conv1", nn::Conv2d(nn::Conv2dOptions(in_channels_, 64, 7).stride(2).padding(3).bias(false)));
  bn1_ = register_module("bn1", nn::BatchNorm2d(64));
  int64_t inplanes = 64;
  const int64_t planes[4] = {64, 128, 256, 512};
  for (size_t i = 0; i < 4; ++i) {
    const int64_t stride = i == 0 ? 1 : 2;
    layers_[i] = arch_.bottleneck
                     ? make_layer<Bottleneck>(inplanes, planes[i], arch_.layers[i], stride)
                     : make_layer<BasicBlock>(inplanes, planes[i], arch_.layers[i], stride);
    register_module("layer" + std::to_string(i + 1), layers_[i]);
  }
  fc_ = nullptr;
  if (num_classes_ > 0) fc_ = register_module("fc", nn::Linear(inplanes, num_classes_));

  // torchvision's init; the Linear keeps its default (the same formula in LibTorch and PyTorch).
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0, torch::kFanOut, torch::kReLU);
    } else if (auto* bn = m->as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    }
  }
  if (options_.zero_init_residual()) {
    for (auto& m : modules(/*include_self=*/false)) {
      if (auto* b = m->as<Bottleneck>()) nn::init::zeros_(b->last_bn()->weight);
      if (auto* b = m->as<BasicBlock>()) nn::init::zeros_(b->last_bn()->weight);
    }
  }
}

torch::Tensor ResNetImpl::forward(torch::Tensor x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == in_channels_, "resnet: expected (N, ", in_channels_,
              ", H, W) input, got ", x.sizes());
  x = bn1_->forward(conv1_->forward(x)).relu_();
  x = torch::max_pool2d(x, 3, 2, 1);
  for (auto& layer : layers_) x = layer->forward(x);
  x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  return fc_ ? fc_->forward(x) : x;
}

}  // namespace gauntlet
