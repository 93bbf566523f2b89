#include "harness/losses.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace gauntlet {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

std::string shape_of(const torch::Tensor& t) {
  std::string s = "(";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + ")";
}

// Per-class values (alpha or weights) as a (1, K) row of the logits' dtype and device.
torch::Tensor class_row(const std::vector<double>& values, const torch::Tensor& logits) {
  return torch::tensor(values, torch::kFloat64).to(logits.options()).view({1, -1});
}

void check_per_class(const std::vector<double>& values, int64_t k, const std::string& what,
                     bool allow_one) {
  require(values.empty() || static_cast<int64_t>(values.size()) == k ||
              (allow_one && values.size() == 1),
          what + " has " + std::to_string(values.size()) + " values for " + std::to_string(k) +
              " classes");
  for (double v : values) {
    require(std::isfinite(v) && v >= 0,
            what + " values must be finite and >= 0, got " + std::to_string(v));
  }
}

// The unsmoothed target distribution (N, K) in the logits' dtype.
torch::Tensor target_distribution(const torch::Tensor& logits, const torch::Tensor& targets) {
  const int64_t n = logits.size(0), k = logits.size(1);
  if (targets.scalar_type() == torch::kInt64) {
    require(targets.dim() == 1 && targets.size(0) == n, "class-index targets must have shape (" +
                                                            std::to_string(n) + "), got " +
                                                            shape_of(targets));
    if (n > 0) {
      const int64_t lo = targets.min().item<int64_t>(), hi = targets.max().item<int64_t>();
      require(lo >= 0 && hi < k, "class index " + std::to_string(lo < 0 ? lo : hi) +
                                     " outside [0, " + std::to_string(k) + ")");
    }
    return torch::one_hot(targets, k).to(logits.options());
  }
  require(targets.is_floating_point(),
          "targets must be int64 class indices or floating-point distributions");
  require(targets.dim() == 2 && targets.size(0) == n && targets.size(1) == k,
          "soft targets must have the logits' shape " + shape_of(logits) + ", got " +
              shape_of(targets));
  return targets.to(logits.options());
}

}  // namespace

const std::vector<std::string>& loss_names() {
  static const std::vector<std::string> names = {"cross_entropy", "focal"};
  return names;
}

torch::Tensor compute_loss(const LossOptions& o, const torch::Tensor& logits,
                           const torch::Tensor& targets) {
  require(o.name == "cross_entropy" || o.name == "focal", "unknown loss \"" + o.name + "\"");
  require(logits.dim() == 2 && logits.size(1) > 0,
          "logits must have shape (N, K) with K >= 1, got " + shape_of(logits));
  require(logits.is_floating_point(), "logits must be floating point");
  const int64_t n = logits.size(0), k = logits.size(1);
  const double s = o.label_smoothing;
  require(s >= 0 && s <= 1, "label_smoothing must be in [0, 1], got " + std::to_string(s));
  check_per_class(o.class_weights, k, "class_weights", false);
  const bool focal = o.name == "focal";
  if (focal) {
    require(std::isfinite(o.focal_gamma) && o.focal_gamma >= 0,
            "focal gamma must be finite and >= 0, got " + std::to_string(o.focal_gamma));
    check_per_class(o.focal_alpha, k, "focal alpha", true);
  }

  const torch::Tensor t = target_distribution(logits, targets);
  const torch::Tensor smoothed = s > 0 ? t * (1 - s) + s / static_cast<double>(k) : t;
  const torch::Tensor log_p = torch::log_softmax(logits, 1);
  torch::Tensor terms = -smoothed * log_p;  // (N, K)
  if (focal) {
    if (o.focal_gamma != 0) {
      // 1 - p floored at the smallest normal float: (1 - p)^gamma for gamma < 1 has an infinite
      // derivative at p = 1, and 0 * inf would make the gradient NaN.
      const torch::Tensor one_minus_p =
          (-torch::expm1(log_p)).clamp_min(std::numeric_limits<float>::min());
      terms = terms * one_minus_p.pow(o.focal_gamma);
    }
    if (o.focal_alpha.size() == 1) {
      terms = terms * o.focal_alpha[0];
    } else if (!o.focal_alpha.empty()) {
      terms = terms * class_row(o.focal_alpha, logits);
    }
  }
  if (o.class_weights.empty()) return terms.sum() / static_cast<double>(n);
  const torch::Tensor w = class_row(o.class_weights, logits);
  return (terms * w).sum() / (t * w).sum();
}

std::vector<double> balanced_class_weights(const std::vector<int64_t>& labels, int num_classes) {
  require(num_classes >= 1,
          "balanced_class_weights: num_classes must be >= 1, got " + std::to_string(num_classes));
  std::vector<int64_t> counts(num_classes, 0);
  for (int64_t y : labels) {
    require(y >= 0 && y < num_classes, "balanced_class_weights: label " + std::to_string(y) +
                                           " outside [0, " + std::to_string(num_classes) + ")");
    ++counts[y];
  }
  std::vector<double> w(num_classes, 0.0);
  const double n = static_cast<double>(labels.size());
  for (int c = 0; c < num_classes; ++c) {
    if (counts[c] > 0) w[c] = n / (static_cast<double>(num_classes) * counts[c]);
  }
  return w;
}

}  // namespace gauntlet
