// Options of the MobileNet family (V2 and V3), kept free of torch's heavy headers so the suite
// layer can include it.
#pragma once

#include <torch/arg.h>

namespace gauntlet {

struct MobileNetOptions {
  /// Width multiplier: every layer's channels scaled and rounded to a multiple of 8 (torchvision's
  /// width_mult).
  TORCH_ARG(double, width_mult) = 1.0;
  /// Dropout before the last Linear layer of the classifier (torchvision's default 0.2).
  TORCH_ARG(double, dropout) = 0.2;
};

}  // namespace gauntlet
