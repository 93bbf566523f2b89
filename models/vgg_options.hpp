// Options of the VGG family, kept free of torch's heavy headers so the suite layer can include it.
#pragma once

#include <torch/arg.h>

namespace gauntlet {

struct VggOptions {
  /// Probability of the two dropout layers of the classifier (torchvision's default 0.5).
  TORCH_ARG(double, dropout) = 0.5;
};

}  // namespace gauntlet
