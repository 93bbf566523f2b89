// ResNet: He et al., "Deep Residual Learning for Image Recognition", CVPR 2016, exactly as
// torchvision 0.14 builds it: BasicBlock for 18/34, Bottleneck "v1.5" (stride on the 3x3 conv)
// for 50/101/152, the same module names (conv1, bn1, layer1.0.downsample.0, fc, ...) so that a
// torchvision state_dict loads unchanged, and the same initialisation.
#pragma once

#include <torch/torch.h>

#include <array>

#include "models/resnet_options.hpp"

namespace gauntlet {

/// The architecture of one depth: block kind and blocks per stage.
struct ResNetArch {
  bool bottleneck = false;
  std::array<int64_t, 4> layers{2, 2, 2, 2};
};

/// 18, 34, 50, 101 or 152; throws std::invalid_argument for any other depth.
ResNetArch resnet_arch(int depth);

class BasicBlockImpl : public torch::nn::Cloneable<BasicBlockImpl> {
 public:
  static constexpr int64_t kExpansion = 1;
  BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride);
  void reset() override;
  torch::Tensor forward(torch::Tensor x);
  /// The BatchNorm closing the residual branch (zeroed by zero_init_residual).
  torch::nn::BatchNorm2d& last_bn() { return bn2_; }

 private:
  int64_t inplanes_, planes_, stride_;
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  torch::nn::Sequential downsample_{nullptr};
};
TORCH_MODULE(BasicBlock);

class BottleneckImpl : public torch::nn::Cloneable<BottleneckImpl> {
 public:
  static constexpr int64_t kExpansion = 4;
  BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride);
  void reset() override;
  torch::Tensor forward(torch::Tensor x);
  torch::nn::BatchNorm2d& last_bn() { return bn3_; }

 private:
  int64_t inplanes_, planes_, stride_;
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr}, bn3_{nullptr};
  torch::nn::Sequential downsample_{nullptr};
};
TORCH_MODULE(Bottleneck);

class ResNetImpl : public torch::nn::Cloneable<ResNetImpl> {
 public:
  /// num_classes 0 builds no fc: forward returns the pooled features (N, 512 or 2048).
  ResNetImpl(ResNetArch arch, int64_t in_channels, int64_t num_classes, ResNetOptions options = {});
  void reset() override;
  /// x: (N, in_channels, H, W) float -> logits (N, num_classes).
  torch::Tensor forward(torch::Tensor x);

 private:
  ResNetArch arch_;
  int64_t in_channels_;
  int64_t num_classes_;
  ResNetOptions options_;
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr};
  std::array<torch::nn::Sequential, 4> layers_;
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(ResNet);

}  // namespace gauntlet
