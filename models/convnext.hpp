// ConvNeXt: Liu et al., "A ConvNet for the 2020s", CVPR 2022, exactly as torchvision 0.14 builds
// it: a 4x4 stride-4 patchify stem, four stages of CNBlocks (depthwise 7x7 conv, LayerNorm over
// channels, 4x inverted MLP with GELU, layer scale, stochastic depth) joined by LayerNorm2d + 2x2
// stride-2 conv downsamplers, and classifier = (LayerNorm2d, Flatten, Linear); the same module
// names (features.1.0.block.0, features.1.0.layer_scale, classifier.2, ...) so that a torchvision
// state_dict loads unchanged, and the same initialisation (truncated normal, std 0.02).
#pragma once

#include <torch/torch.h>

#include <array>
#include <string>

#include "models/convnext_options.hpp"
#include "models/layers.hpp"

namespace gauntlet {

/// Blocks and channels of each of the four stages.
struct ConvNeXtArch {
  std::array<int64_t, 4> depths{3, 3, 9, 3};
  std::array<int64_t, 4> dims{96, 192, 384, 768};
};

/// "tiny", "small", "base" or "large"; throws std::invalid_argument for any other size.
ConvNeXtArch convnext_arch(const std::string& size);

class CNBlockImpl : public torch::nn::Cloneable<CNBlockImpl> {
 public:
  CNBlockImpl(int64_t dim, double layer_scale, double stochastic_depth_prob);
  void reset() override;
  torch::Tensor forward(torch::Tensor x);

 private:
  int64_t dim_;
  double layer_scale_init_, stochastic_depth_prob_;
  torch::Tensor layer_scale_;
  torch::nn::Sequential block_{nullptr};
};
TORCH_MODULE(CNBlock);

class ConvNeXtImpl : public torch::nn::Cloneable<ConvNeXtImpl> {
 public:
  /// num_classes 0 builds no Linear (classifier = LayerNorm2d, Flatten): forward then returns
  /// the normalised pooled features (N, dims[3]), timm's convention for a replaced head.
  ConvNeXtImpl(ConvNeXtArch arch, int64_t in_channels, int64_t num_classes,
               ConvNeXtOptions options = {});
  void reset() override;
  /// x: (N, in_channels, H, W) float, H and W >= 32 -> logits (N, num_classes).
  torch::Tensor forward(torch::Tensor x);

 private:
  ConvNeXtArch arch_;
  int64_t in_channels_;
  int64_t num_classes_;
  ConvNeXtOptions options_;
  Chain features_{nullptr};
  torch::nn::Sequential classifier_{nullptr};
};
TORCH_MODULE(ConvNeXt);

}  // namespace gauntlet
