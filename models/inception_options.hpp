// Options of Inception v3, kept free of torch's heavy headers so the suite layer can include it.
#pragma once

#include <torch/arg.h>

namespace gauntlet {

struct InceptionOptions {
  /// Build the auxiliary classifier on Mixed_6e ("AuxLogits.*"). Its logits are computed only in
  /// training mode and kept aside (Inception3Impl::aux_logits()): forward always returns the
  /// main logits, so a trainer may ignore them or add a weighted loss. torchvision's default is
  /// true; ours is false.
  TORCH_ARG(bool, aux_logits) = false;
  /// Re-normalise ImageNet-normalised input to the [-1, 1] scaling Google's weights expect
  /// (torchvision's transform_input).
  TORCH_ARG(bool, transform_input) = false;
  /// Dropout before the final Linear (torchvision's 0.5).
  TORCH_ARG(double, dropout) = 0.5;
};

}  // namespace gauntlet
