// The options of a loss as data (no LibTorch): light enough for the suite layer. losses.hpp
// computes the loss they describe.
#pragma once

#include <string>
#include <vector>

namespace gauntlet {

struct LossOptions {
  std::string name = "cross_entropy";  ///< cross_entropy | focal
  double label_smoothing = 0.0;        ///< s in [0, 1]: t' = (1 - s) t + s / K
  double focal_gamma = 2.0;            ///< focal: the (1 - p)^gamma focusing exponent, >= 0
  /// focal: empty -> 1 for every class; one value -> that value for every class; K values ->
  /// alpha_k per class.
  std::vector<double> focal_alpha;
  /// Empty: no class weights; else K values >= 0, w_k multiplying class k's terms (see above).
  std::vector<double> class_weights;
};

}  // namespace gauntlet
