// Paired statistics for comparing two models on the same samples (`gauntlet compare`):
// McNemar's exact test on per-sample correctness, Holm's step-down correction over a family of
// tests, and a paired percentile bootstrap of an accuracy difference. Plain numbers in, no torch.
// Definitions are in docs/compare.md; tests/test_stats.cpp and tests/parity/mcnemar_parity.py
// (against scipy.stats.binomtest) check them.
#pragma once

#include <cstdint>
#include <vector>

namespace gauntlet {

/// log P(X <= k) for X ~ Binomial(n, 1/2), summed in log space (log-sum-exp over lgamma terms)
/// so that tails far below the smallest double stay exact to a few ulps. k >= n gives 0.
/// Throws std::invalid_argument when k < 0 or n < 0.
double log_binom_cdf_half(int64_t k, int64_t n);

/// Two-sided exact McNemar p-value from the discordant counts: b = samples only the first model
/// gets right, c = samples only the second gets right. p = min(1, 2 * P(X <= min(b, c))),
/// X ~ Binomial(b + c, 1/2); p = 1 when b + c = 0. Throws std::invalid_argument on b or c < 0.
double mcnemar_exact_p(int64_t b, int64_t c);

/// Holm-Bonferroni adjusted p-values, in the order given: sort ascending, the i-th smallest
/// (0-based) becomes max over j <= i of min(1, (m - j) * p_(j)). Rejecting where adjusted < alpha
/// controls the family-wise error rate at alpha. Ties keep their input order.
std::vector<double> holm_adjust(const std::vector<double>& p);

/// Percentile confidence interval.
struct Interval {
  double lo;
  double hi;
};

/// Paired bootstrap of a difference in accuracy. `diffs[s][i]` is cand_correct - base_correct
/// (-1, 0 or +1) of sample i under seed s. Each resample is two-level: it draws S = diffs.size()
/// seeds with replacement, then for each drawn seed s diffs[s].size() indices with replacement,
/// and takes the mean of the per-seed means, so that the spread between seeds widens the
/// interval (with one seed this is the plain paired bootstrap); the interval holds the
/// (1 - level) / 2 and (1 + level) / 2 quantiles of `resamples` such statistics (linear
/// interpolation between order statistics, numpy's default). Resample r draws from
/// Rng{seed, stream, r}, so the result depends on nothing else (not threads, not call order).
/// Throws std::invalid_argument when resamples < 2, a seed has no samples or level not in (0, 1).
Interval paired_bootstrap_ci(const std::vector<std::vector<int8_t>>& diffs, int64_t resamples,
                             uint64_t seed, uint64_t stream, double level = 0.95);

/// The q-quantile (0 <= q <= 1) of `sorted` (ascending), interpolating linearly between order
/// statistics at position q * (n - 1).
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace gauntlet
