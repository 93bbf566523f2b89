// sequence, one_of and some_of. Draw order inside one combinator's stream: the Bernoulli for p,
// then the choice (one_of: one uniform; some_of: n, then the picks, then the order when
// random_order), then one 64-bit base from which every child's stream is keyed. A skipped
// combinator (p failed) draws nothing more.
#include "augmentations/combinators.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace gauntlet {

std::vector<size_t> choose_weighted(Rng& rng, std::vector<double> weights, size_t k) {
  k = std::min(k, weights.size());
  std::vector<size_t> chosen;
  for (size_t pick = 0; pick < k; ++pick) {
    double total = 0;
    for (double x : weights) total += x;
    double u = rng.uniform() * total;
    size_t j = 0;
    // Walk to the index whose weight interval holds u; skip taken ones (weight 0), and fall back
    // to the last untaken one if rounding leaves u at the very end.
    size_t last_free = weights.size();
    for (; j < weights.size(); ++j) {
      if (weights[j] == 0.0) continue;
      last_free = j;
      if (u < weights[j]) break;
      u -= weights[j];
    }
    if (j == weights.size()) j = last_free;
    chosen.push_back(j);
    weights[j] = 0.0;
  }
  return chosen;
}

Combinator::Combinator(const char* what, const std::vector<TransformOptions>& ops,
                       std::vector<double> weights)
    : weights_(std::move(weights)) {
  if (weights_.empty()) weights_.assign(ops.size(), 1.0);
  if (weights_.size() != ops.size()) {
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(weights_.size()) +
                                " weights for " + std::to_string(ops.size()) + " ops");
  }
  for (double w : weights_) {
    if (!(w > 0.0)) throw std::invalid_argument(std::string(what) + ": weights must be > 0");
  }
  for (const auto& o : ops) children_.push_back(make_transform(o));
}

void Combinator::apply_children(const cv::Mat& src, cv::Mat& dst, const std::vector<size_t>& chosen,
                                uint64_t base) const {
  cv::Mat cur = src;
  for (size_t j : chosen) {
    Rng rng{base, j};
    cv::Mat next;
    children_[j]->apply(cur, next, rng);
    cur = next;
  }
  // A Transform's dst never shares the caller's src buffer unless the caller passed it as dst.
  dst = cur.data == src.data && dst.data != src.data ? src.clone() : cur;
}

Sequence::Sequence(const SequenceOptions& o) : Combinator(o.kName, o.ops, {}), p_(o.p) {}

void Sequence::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  std::vector<size_t> all;
  if (rng.bernoulli(p_)) {
    for (size_t j = 0; j < children_.size(); ++j) all.push_back(j);
  }
  apply_children(src, dst, all, all.empty() ? 0 : rng.next_u64());
}

OneOf::OneOf(const OneOfOptions& o) : Combinator(o.kName, o.ops, o.weights), p_(o.p) {}

void OneOf::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  std::vector<size_t> chosen;
  if (rng.bernoulli(p_)) chosen = choose_weighted(rng, weights_, 1);
  apply_children(src, dst, chosen, chosen.empty() ? 0 : rng.next_u64());
}

SomeOf::SomeOf(const SomeOfOptions& o)
    : Combinator(o.kName, o.ops, o.weights), p_(o.p), n_min_(o.n_min), n_max_(o.n_max),
      random_order_(o.random_order) {
  if (n_min_ < 0 || n_min_ > n_max_) {
    throw std::invalid_argument("some_of: n must satisfy 0 <= min <= max, got [" +
                                std::to_string(n_min_) + ", " + std::to_string(n_max_) + "]");
  }
}

void SomeOf::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  std::vector<size_t> chosen;
  if (rng.bernoulli(p_)) {
    const auto n = static_cast<size_t>(n_min_ + static_cast<int>(rng.below(n_max_ - n_min_ + 1)));
    chosen = choose_weighted(rng, weights_, n);
    if (random_order_) {
      for (size_t i = chosen.size(); i > 1; --i) std::swap(chosen[i - 1], chosen[rng.below(i)]);
    } else {
      std::sort(chosen.begin(), chosen.end());
    }
  }
  apply_children(src, dst, chosen, chosen.empty() ? 0 : rng.next_u64());
}

}  // namespace gauntlet
