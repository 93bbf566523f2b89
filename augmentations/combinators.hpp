// Combinators: ops that hold ops. `sequence` applies its ops in order, `one_of` one of them,
// `some_of` n of them; each with its own probability p, so they nest (a one_of of sequences, a
// some_of inside a sequence). Children draw from streams keyed by the combinator's own stream and
// their index in its list, so a combinator's output is a pure function of the Rng it is handed.
#pragma once

#include <memory>
#include <vector>

#include "augmentations/transform.hpp"

namespace gauntlet {

/// Picks k distinct indices of `weights` (all > 0), each pick with probability proportional to
/// the weights of the indices not yet taken; returned in the order drawn. k is clipped to the
/// number of weights. Hold-out profiles and `some_of` share it.
std::vector<size_t> choose_weighted(Rng& rng, std::vector<double> weights, size_t k);

class Combinator : public Transform {
 protected:
  /// Builds the children; `what` names the op in messages. Throws std::invalid_argument for
  /// weights that are not one per op or not > 0.
  Combinator(const char* what, const std::vector<TransformOptions>& ops, std::vector<double> weights);
  /// Applies children `chosen` in that order, child j drawing from Rng{base, j}.
  void apply_children(const cv::Mat& src, cv::Mat& dst, const std::vector<size_t>& chosen,
                      uint64_t base) const;

  std::vector<std::shared_ptr<const Transform>> children_;
  std::vector<double> weights_;  ///< one per child, all 1 when none were given
};

class Sequence : public Combinator {
 public:
  explicit Sequence(const SequenceOptions& o);
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  double p_;
};

class OneOf : public Combinator {
 public:
  explicit OneOf(const OneOfOptions& o);
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  double p_;
};

class SomeOf : public Combinator {
 public:
  explicit SomeOf(const SomeOfOptions& o);
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  double p_;
  int n_min_, n_max_;
  bool random_order_;
};

}  // namespace gauntlet
