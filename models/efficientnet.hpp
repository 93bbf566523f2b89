// EfficientNet: Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural
// Networks", ICML 2019 (B0-B7), and "EfficientNetV2: Smaller Models and Faster Training", ICML 2021
// (S, M, L), exactly as torchvision 0.14 builds them: MBConv and FusedMBConv blocks with SiLU,
// squeeze-excitation (SiLU, sigmoid) on a quarter of the block's input width, stochastic depth
// ("row" mode) rising linearly over the blocks, per-variant BatchNorm eps/momentum and classifier
// dropout; module names features.S.B.block.N / classifier.1, so a torchvision state_dict loads
// unchanged, and the same initialisation. The stage rows are data (models/block_table.hpp).
#pragma once

#include <torch/torch.h>

#include <string>

#include "models/block_table.hpp"
#include "models/efficientnet_options.hpp"
#include "models/mbconv_blocks.hpp"

namespace gauntlet {

/// One variant: its B0 / V2 rows and the scaling and settings torchvision gives it.
struct EfficientNetConfig {
  StageTable table;
  int64_t stem_channels = 32;  ///< before width scaling
  double width_mult = 1.0;
  double depth_mult = 1.0;
  NormSpec norm;
  int64_t last_channel = 0;  ///< width of the head conv; 0: 4x the last stage's width
  double drop_rate = 0.2;    ///< torchvision's classifier dropout for the variant
  int64_t input_size = 224;  ///< torchvision's evaluation crop for the variant
};

/// "b0" ... "b7", "v2_s", "v2_m" or "v2_l"; throws std::invalid_argument otherwise.
EfficientNetConfig efficientnet_config(const std::string& variant);

class EfficientNetImpl : public torch::nn::Cloneable<EfficientNetImpl> {
 public:
  EfficientNetImpl(EfficientNetConfig config, int64_t in_channels, int64_t num_classes,
                   EfficientNetOptions options = {});
  void reset() override;
  /// x: (N, in_channels, H, W) float -> logits (N, num_classes).
  torch::Tensor forward(torch::Tensor x);

 private:
  EfficientNetConfig config_;
  int64_t in_channels_, num_classes_;
  EfficientNetOptions options_;
  Stack features_{nullptr}, classifier_{nullptr};
};
TORCH_MODULE(EfficientNet);

}  // namespace gauntlet
