// simple_cnn: the VGG-like baseline the seed reports started from (stacks of 3x3 conv + BN + ReLU,
// max pooling per block, global average pooling, a small dense head). Simonyan & Zisserman, "Very
// Deep Convolutional Networks for Large-Scale Image Recognition", ICLR 2015, scaled down.
#pragma once

#include <torch/torch.h>

#include "models/simple_cnn_options.hpp"

namespace gauntlet {

class SimpleCnnImpl : public torch::nn::Cloneable<SimpleCnnImpl> {
 public:
  /// num_classes 0 builds no classifier (no hidden layer either): forward returns the pooled
  /// features (N, channels.back()).
  SimpleCnnImpl(int64_t in_channels, int64_t num_classes, SimpleCnnOptions options = {});
  void reset() override;
  /// x: (N, in_channels, H, W) float -> logits (N, num_classes).
  torch::Tensor forward(torch::Tensor x);

 private:
  int64_t in_channels_;
  int64_t num_classes_;
  SimpleCnnOptions options_;
  torch::nn::Sequential features_{nullptr};
  torch::nn::Sequential classifier_{nullptr};
};
TORCH_MODULE(SimpleCnn);

}  // namespace gauntlet
