// VGG: Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
// Recognition", ICLR 2015, exactly as torchvision 0.14 builds it (configurations A, B, D, E =
// VGG 11, 13, 16, 19, with or without BatchNorm): module names features.N / classifier.N, so a
// torchvision state_dict loads unchanged, adaptive average pooling to 7x7, and the same
// initialisation.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "models/vgg_options.hpp"

namespace gauntlet {

/// The conv widths of VGG-`depth` (11, 13, 16 or 19) in order, 0 standing for a 2x2 max pool;
/// throws std::invalid_argument for any other depth.
std::vector<int64_t> vgg_config(int depth);

class VggImpl : public torch::nn::Cloneable<VggImpl> {
 public:
  /// num_classes 0 builds no classifier: forward returns the globally average-pooled features
  /// (N, 512).
  VggImpl(std::vector<int64_t> config, bool batch_norm, int64_t in_channels, int64_t num_classes,
          VggOptions options = {});
  void reset() override;
  /// x: (N, in_channels, H, W) float, H and W >= 32 -> logits (N, num_classes).
  torch::Tensor forward(torch::Tensor x);

 private:
  std::vector<int64_t> config_;
  bool batch_norm_;
  int64_t in_channels_;
  int64_t num_classes_;
  VggOptions options_;
  torch::nn::Sequential features_{nullptr};
  torch::nn::Sequential classifier_{nullptr};
};
TORCH_MODULE(Vgg);

}  // namespace gauntlet
