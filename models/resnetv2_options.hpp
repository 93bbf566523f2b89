// Options of the pre-activation ResNet family, kept free of torch's heavy headers so the suite
// layer can include it.
#pragma once

#include <torch/arg.h>

namespace gauntlet {

struct ResNetV2Options {
  /// Stochastic depth of the last block, increasing linearly from 0 over all blocks (timm's
  /// drop_path_rate; default 0).
  TORCH_ARG(double, drop_path_rate) = 0.0;
  /// Zero the last conv of every residual branch, so each block starts as the identity (timm's
  /// zero_init_last; default false).
  TORCH_ARG(bool, zero_init_last) = false;
};

}  // namespace gauntlet
