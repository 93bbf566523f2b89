// Options of the EfficientNet family (B0-B7, V2-S/M/L), kept free of torch's heavy headers so the
// suite layer can include it.
#pragma once

#include <torch/arg.h>

namespace gauntlet {

struct EfficientNetOptions {
  /// Dropout before the classifier's Linear layer; the registry fills each variant's torchvision
  /// value (0.2 for B0/B1/V2-S up to 0.5 for B6/B7).
  TORCH_ARG(double, drop_rate) = 0.2;
  /// Stochastic depth of the last block; block i of n drops its residual branch with probability
  /// stochastic_depth_prob * i / n in training (torchvision's default 0.2).
  TORCH_ARG(double, stochastic_depth_prob) = 0.2;
};

}  // namespace gauntlet
