// Options of the ConvNeXt family, kept free of torch's heavy headers so the suite layer can
// include it.
#pragma once

#include <torch/arg.h>

namespace gauntlet {

struct ConvNeXtOptions {
  /// Stochastic depth of the last block; block i of n drops its branch with probability
  /// stochastic_depth_prob * i / (n - 1). torchvision's defaults: tiny 0.1, small 0.4, base and
  /// large 0.5 (the registry's default options carry them).
  TORCH_ARG(double, stochastic_depth_prob) = 0.1;
  /// Initial value of every block's per-channel layer scale (torchvision's 1e-6).
  TORCH_ARG(double, layer_scale) = 1e-6;
};

}  // namespace gauntlet
