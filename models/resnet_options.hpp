// Options of the ResNet family, kept free of torch's heavy headers so the suite layer can include
// it.
#pragma once

#include <torch/arg.h>

namespace gauntlet {

struct ResNetOptions {
  /// Zero the last BatchNorm weight of every residual branch, so each block starts as the identity
  /// (Goyal et al. 2017); torchvision's default is off.
  TORCH_ARG(bool, zero_init_residual) = false;
};

}  // namespace gauntlet
