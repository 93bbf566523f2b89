// MobileNetV2: Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks", CVPR 2018.
// MobileNetV3: Howard et al., "Searching for MobileNetV3", ICCV 2019 (Small and Large).
// Both exactly as torchvision 0.14 builds them (mobilenet_v2, mobilenet_v3_small/large without
// dilation or reduced tail): module names features.N / classifier.N, so a torchvision state_dict
// loads unchanged, the same width rounding and the same initialisation. The block rows are data
// (models/block_table.hpp); MobileNetV3's give their expanded widths directly (x tokens), as
// torchvision's table does.
#pragma once

#include <torch/torch.h>

#include <string>

#include "models/block_table.hpp"
#include "models/mbconv_blocks.hpp"
#include "models/mobilenet_options.hpp"

namespace gauntlet {

/// MobileNetV2's rows: ReLU6 throughout, expansion widths round(in * e).
StageTable mobilenet_v2_table();

class MobileNetV2Impl : public torch::nn::Cloneable<MobileNetV2Impl> {
 public:
  MobileNetV2Impl(int64_t in_channels, int64_t num_classes, MobileNetOptions options = {});
  void reset() override;
  /// x: (N, in_channels, H, W) float -> logits (N, num_classes).
  torch::Tensor forward(torch::Tensor x);

 private:
  int64_t in_channels_, num_classes_;
  MobileNetOptions options_;
  Stack features_{nullptr}, classifier_{nullptr};
};
TORCH_MODULE(MobileNetV2);

/// A MobileNetV3 variant: its rows, stem width and the classifier's hidden width (before scaling).
struct MobileNetV3Config {
  StageTable table;
  int64_t stem_channels = 16;
  int64_t last_channel = 1280;
};

/// "small" or "large"; throws std::invalid_argument otherwise.
MobileNetV3Config mobilenet_v3_config(const std::string& variant);

class MobileNetV3Impl : public torch::nn::Cloneable<MobileNetV3Impl> {
 public:
  MobileNetV3Impl(MobileNetV3Config config, int64_t in_channels, int64_t num_classes,
                  MobileNetOptions options = {});
  void reset() override;
  torch::Tensor forward(torch::Tensor x);

 private:
  MobileNetV3Config config_;
  int64_t in_channels_, num_classes_;
  MobileNetOptions options_;
  Stack features_{nullptr}, classifier_{nullptr};
};
TORCH_MODULE(MobileNetV3);

}  // namespace gauntlet
