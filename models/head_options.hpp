// Options of a replacement classifier head ("head" of a backbone in a suite), kept free of torch's
// heavy headers so the suite layer can include it.
#pragma once

#include <torch/arg.h>

#include <cstdint>
#include <variant>
#include <vector>

namespace gauntlet {

enum class HeadActivation { kRelu, kGelu, kSilu };

/// A dense stack on the pooled features: [Dropout, Linear(hidden[i]), activation] per hidden
/// width, then Dropout, Linear(num_classes).
struct DenseHeadOptions {
  /// Widths of the hidden layers, in order; empty: one Linear on the features.
  TORCH_ARG(std::vector<int64_t>, hidden) = {};
  TORCH_ARG(HeadActivation, activation) = HeadActivation::kRelu;
  /// Probability of every dropout layer of the head.
  TORCH_ARG(double, dropout) = 0.0;
};

/// Random Fourier features (Rahimi & Recht 2007) approximating a Gaussian kernel of width
/// `scale` on the pooled features, then Linear(num_classes): a quasi-SVM head.
struct RffHeadOptions {
  /// Number D of random features.
  TORCH_ARG(int64_t, features) = 1024;
  /// Kernel width sigma of exp(-|x - y|^2 / (2 sigma^2)).
  TORCH_ARG(double, scale) = 1.0;
  /// Train log(scale) as a parameter instead of keeping it fixed.
  TORCH_ARG(bool, learn_scale) = false;
};

/// No head (monostate): the backbone keeps its own classifier under its own names.
using HeadOptions = std::variant<std::monostate, DenseHeadOptions, RffHeadOptions>;

}  // namespace gauntlet
