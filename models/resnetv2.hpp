// Pre-activation ResNet: He et al., "Identity Mappings in Deep Residual Networks", ECCV 2016, as
// timm builds resnetv2_50 (plain Conv2d, BatchNorm + ReLU before each conv, stride on the 3x3, a
// 7x7 stride-2 stem conv + 3x3 max pool, a final norm, a 1x1-conv classifier): timm's module
// names (stem.conv, stages.0.blocks.0.downsample.conv, ...norm1, conv1, ..., norm, head.fc) and
// initialisation, so that a timm state_dict loads unchanged.
#pragma once

#include <torch/torch.h>

#include <array>

#include "models/layers.hpp"
#include "models/resnetv2_options.hpp"

namespace gauntlet {

/// timm's PreActBottleneck: x + conv3(relu(bn3(conv2(relu(bn2(conv1(relu(bn1(x))))))))), the
/// shortcut (when present, a 1x1 conv) taken from relu(bn1(x)).
class PreActBottleneckImpl : public torch::nn::Cloneable<PreActBottleneckImpl> {
 public:
  PreActBottleneckImpl(int64_t in_channels, int64_t out_channels, int64_t stride, bool project,
                       double drop_path);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Conv2d& last_conv() { return conv3_; }

 private:
  int64_t in_, out_, stride_;
  bool project_;
  double drop_path_;
  Chain downsample_{nullptr};
  torch::nn::BatchNorm2d norm1_{nullptr}, norm2_{nullptr}, norm3_{nullptr};
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
};
TORCH_MODULE(PreActBottleneck);

class ResNetV2Impl : public torch::nn::Cloneable<ResNetV2Impl> {
 public:
  /// layers: bottleneck blocks per stage ({3, 4, 6, 3} for resnetv2_50). num_classes 0 builds
  /// no head: forward returns the pooled features (N, 2048), timm's reset_classifier(0).
  ResNetV2Impl(std::array<int64_t, 4> layers, int64_t in_channels, int64_t num_classes,
               ResNetV2Options options = {});
  void reset() override;
  /// x: (N, in_channels, H, W) float -> logits (N, num_classes).
  torch::Tensor forward(torch::Tensor x);

 private:
  std::array<int64_t, 4> layers_;
  int64_t in_channels_;
  int64_t num_classes_;
  ResNetV2Options options_;
  Chain stem_{nullptr}, stages_{nullptr}, head_{nullptr};
  torch::nn::BatchNorm2d norm_{nullptr};
};
TORCH_MODULE(ResNetV2);

}  // namespace gauntlet
