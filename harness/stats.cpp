#include "harness/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "harness/core/rng.hpp"

namespace gauntlet {

double log_binom_cdf_half(int64_t k, int64_t n) {
  if (k < 0 || n < 0) {
    throw std::invalid_argument("log_binom_cdf_half: k = " + std::to_string(k) +
                                " and n = " + std::to_string(n) + " must be >= 0");
  }
  if (k >= n) return 0.0;
  // Terms log C(n, i) - n log 2 grow with i up to n/2, so the last one bounds the sum: factoring
  // it out keeps every exponent <= 0 and the sum in [1, k + 1].
  const double log_half_n = -static_cast<double>(n) * std::log(2.0);
  const double lg_n1 = std::lgamma(static_cast<double>(n) + 1.0);
  auto log_term = [&](int64_t i) {
    return lg_n1 - std::lgamma(static_cast<double>(i) + 1.0) -
           std::lgamma(static_cast<double>(n - i) + 1.0) + log_half_n;
  };
  double top = log_term(0);
  for (int64_t i = 1; i <= k; ++i) top = std::max(top, log_term(i));
  double sum = 0.0;
  for (int64_t i = 0; i <= k; ++i) sum += std::exp(log_term(i) - top);
  return std::min(0.0, top + std::log(sum));
}

double mcnemar_exact_p(int64_t b, int64_t c) {
  if (b < 0 || c < 0) {
    throw std::invalid_argument("mcnemar_exact_p: b = " + std::to_string(b) +
                                " and c = " + std::to_string(c) + " must be >= 0");
  }
  const int64_t n = b + c;
  // min(b, c) >= (n - 1) / 2 means P(X <= min) >= 1/2 exactly (n odd: exactly 1/2), so p = 1;
  // say so exactly rather than through exp(log(...)) rounding just below 1.
  if (2 * std::min(b, c) + 1 >= n) return 1.0;
  const double log_p = std::log(2.0) + log_binom_cdf_half(std::min(b, c), n);
  return log_p >= 0.0 ? 1.0 : std::exp(log_p);
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  const size_t m = p.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> adjusted(m);
  double running = 0.0;
  for (size_t j = 0; j < m; ++j) {
    running = std::max(running, std::min(1.0, static_cast<double>(m - j) * p[order[j]]));
    adjusted[order[j]] = running;
  }
  return adjusted;
}

double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) throw std::invalid_argument("quantile_sorted: no values");
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

Interval paired_bootstrap_ci(const std::vector<std::vector<int8_t>>& diffs, int64_t resamples,
                             uint64_t seed, uint64_t stream, double level) {
  if (resamples < 2) {
    throw std::invalid_argument("paired_bootstrap_ci: resamples = " + std::to_string(resamples) +
                                " must be at least 2");
  }
  if (!(level > 0.0 && level < 1.0)) {
    throw std::invalid_argument("paired_bootstrap_ci: level must be in (0, 1)");
  }
  if (diffs.empty()) throw std::invalid_argument("paired_bootstrap_ci: no seeds");
  for (const auto& d : diffs) {
    if (d.empty()) throw std::invalid_argument("paired_bootstrap_ci: a seed has no samples");
  }
  std::vector<double> stats(static_cast<size_t>(resamples));
  for (int64_t r = 0; r < resamples; ++r) {
    Rng rng{seed, stream, static_cast<uint64_t>(r)};
    double mean_of_means = 0.0;
    // Two levels: seeds with replacement (so the spread between seeds widens the interval), then
    // samples with replacement within each drawn seed. One seed draws nothing at the first level.
    for (size_t j = 0; j < diffs.size(); ++j) {
      const auto& d = diffs[rng.below(diffs.size())];
      int64_t sum = 0;
      for (size_t i = 0; i < d.size(); ++i) sum += d[rng.below(d.size())];
      mean_of_means += static_cast<double>(sum) / static_cast<double>(d.size());
    }
    stats[static_cast<size_t>(r)] = mean_of_means / static_cast<double>(diffs.size());
  }
  std::sort(stats.begin(), stats.end());
  return {quantile_sorted(stats, (1.0 - level) / 2.0), quantile_sorted(stats, (1.0 + level) / 2.0)};
}

}  // namespace gauntlet
