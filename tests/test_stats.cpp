// Paired statistics of `gauntlet compare` (harness/stats): exact McNemar p-values against tables
// worked by hand, Holm against a worked example, and the paired bootstrap: deterministic per seed,
// averaging over seeds, and covering the true delta at its stated rate in a simulation.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "harness/core/rng.hpp"
#include "harness/stats.hpp"

using gauntlet::holm_adjust;
using gauntlet::Interval;
using gauntlet::log_binom_cdf_half;
using gauntlet::mcnemar_exact_p;
using gauntlet::paired_bootstrap_ci;
using gauntlet::quantile_sorted;

TEST_CASE("McNemar exact p-values match tables worked by hand", "[stats]") {
  // p = min(1, 2 * sum_{i <= min(b,c)} C(b+c, i) / 2^(b+c)).
  auto [b, c, expected] = GENERATE(table<int64_t, int64_t, double>({
      {0, 0, 1.0},              // no discordant pair: no evidence at all
      {0, 1, 1.0},              // 2 * 1/2
      {0, 5, 2.0 / 32.0},       // 2 * 1/32
      {5, 0, 2.0 / 32.0},       // symmetric in b and c
      {1, 5, 14.0 / 64.0},      // 2 * (1 + 6) / 64
      {2, 10, 158.0 / 4096.0},  // 2 * (1 + 12 + 66) / 4096
      {3, 3, 1.0},              // 2 * 42/64 > 1, clipped
      {4, 5, 1.0},              // 2 * 256/512 = 1
      {0, 10, 2.0 / 1024.0},
      {1, 9, 2.0 * 11.0 / 1024.0},
  }));
  CAPTURE(b, c);
  CHECK(mcnemar_exact_p(b, c) == Approx(expected).epsilon(1e-13));
}

TEST_CASE("the binomial CDF stays exact far in the tail", "[stats]") {
  // P(X <= 0) for n = 2000 is 2^-2000, far below the smallest double; its log is exact.
  CHECK(log_binom_cdf_half(0, 2000) == Approx(-2000.0 * std::log(2.0)).epsilon(1e-14));
  // P(X <= 1) = (1 + n) / 2^n.
  CHECK(log_binom_cdf_half(1, 1500) ==
        Approx(std::log(1501.0) - 1500.0 * std::log(2.0)).epsilon(1e-14));
  CHECK(log_binom_cdf_half(7, 7) == 0.0);
  CHECK(mcnemar_exact_p(0, 2000) == 0.0);  // underflows to 0, not NaN
  CHECK(mcnemar_exact_p(600, 600) == 1.0);
  CHECK(mcnemar_exact_p(2, 3) == 1.0);  // P(X <= 2) = 1/2 exactly for n = 5: p is 1, not 1 - ulp
  CHECK(mcnemar_exact_p(30, 31) == 1.0);
  CHECK_THROWS_AS(mcnemar_exact_p(-1, 3), std::invalid_argument);
}

TEST_CASE("Holm adjusts a worked example", "[stats]") {
  // Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04; running max
  // makes the last 0.06 (statsmodels' multipletests(method="holm") gives the same).
  const std::vector<double> adjusted = holm_adjust({0.01, 0.04, 0.03, 0.005});
  REQUIRE(adjusted.size() == 4);
  CHECK(adjusted[0] == Approx(0.03));
  CHECK(adjusted[1] == Approx(0.06));
  CHECK(adjusted[2] == Approx(0.06));
  CHECK(adjusted[3] == Approx(0.02));
  // Clipped at 1, monotone in p; a single test is unchanged.
  CHECK(holm_adjust({0.5, 0.6}) == std::vector<double>{1.0, 1.0});
  CHECK(holm_adjust({0.2}) == std::vector<double>{0.2});
  CHECK(holm_adjust({}).empty());
}

TEST_CASE("quantiles interpolate between order statistics like numpy", "[stats]") {
  const std::vector<double> v{1, 2, 3, 4};
  CHECK(quantile_sorted(v, 0.5) == Approx(2.5));
  CHECK(quantile_sorted(v, 0.025) == Approx(1.075));
  CHECK(quantile_sorted(v, 0.975) == Approx(3.925));
  CHECK(quantile_sorted(v, 0.0) == 1.0);
  CHECK(quantile_sorted(v, 1.0) == 4.0);
}

namespace {

// Paired correctness differences: P(base right, cand wrong) = p_b, P(base wrong, cand right) = p_c,
// so the true accuracy delta is p_c - p_b.
std::vector<int8_t> simulate_diffs(int64_t n, double p_b, double p_c, uint64_t key) {
  std::vector<int8_t> d(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    gauntlet::Rng rng{key, static_cast<uint64_t>(i)};
    const double u = rng.uniform();
    d[static_cast<size_t>(i)] = u < p_b ? -1 : u < p_b + p_c ? 1 : 0;
  }
  return d;
}

double mean(const std::vector<int8_t>& d) {
  double s = 0;
  for (int8_t x : d) s += x;
  return s / static_cast<double>(d.size());
}

}  // namespace

TEST_CASE("the paired bootstrap is deterministic per seed and holds the point estimate",
          "[stats]") {
  const std::vector<int8_t> d = simulate_diffs(500, 0.10, 0.04, 17);
  const Interval a = paired_bootstrap_ci({d}, 1000, 0, 42);
  const Interval b = paired_bootstrap_ci({d}, 1000, 0, 42);
  CHECK(a.lo == b.lo);
  CHECK(a.hi == b.hi);
  const Interval other_seed = paired_bootstrap_ci({d}, 1000, 1, 42);
  const Interval other_stream = paired_bootstrap_ci({d}, 1000, 0, 43);
  CHECK((other_seed.lo != a.lo || other_seed.hi != a.hi));
  CHECK((other_stream.lo != a.lo || other_stream.hi != a.hi));
  const double delta = mean(d);
  CHECK(a.lo < delta);
  CHECK(delta < a.hi);
  // Standard error sqrt((p_b + p_c - delta^2) / n) ~ 0.0166: a 95% CI is about 0.065 wide.
  CHECK(a.hi - a.lo > 0.04);
  CHECK(a.hi - a.lo < 0.09);
}

TEST_CASE("the bootstrap resamples seeds, then samples within each seed", "[stats]") {
  // Seed 1: every sample +1; seed 2: every sample 0. A resample draws two seeds with replacement:
  // (1,1) -> 1, (1,0) or (0,1) -> 0.5, (0,0) -> 0, each pair with probability 1/4. The spread
  // between the seeds must show: the 95% interval runs from 0 to 1.
  const std::vector<int8_t> ones(50, 1), zeros(80, 0);
  const Interval ci = paired_bootstrap_ci({ones, zeros}, 200, 3, 9);
  CHECK(ci.lo == 0.0);
  CHECK(ci.hi == 1.0);
  // Two seeds that agree exactly give the point value whatever is drawn.
  const Interval same = paired_bootstrap_ci({ones, std::vector<int8_t>(30, 1)}, 200, 3, 9);
  CHECK(same.lo == 1.0);
  CHECK(same.hi == 1.0);
  CHECK_THROWS_AS(paired_bootstrap_ci({ones}, 1, 0, 0), std::invalid_argument);
  CHECK_THROWS_AS(paired_bootstrap_ci({std::vector<int8_t>{}}, 100, 0, 0), std::invalid_argument);
}

TEST_CASE("the bootstrap 95% CI covers the true delta at its stated rate", "[stats][slow]") {
  // 400 data sets of 400 paired samples with a true delta of 0.05 - 0.08 = -0.03. If the CI has
  // its nominal 95% coverage, the number of data sets it covers is Binomial(400, 0.95): mean 380,
  // sd sqrt(400 * 0.95 * 0.05) = 4.36. We accept 380 +- 3 sd, i.e. [367, 393] (91.75%..98.25%),
  // which a correct CI misses with probability ~0.3%; the draws are seeded, so the outcome is
  // fixed. A 90% interval (about 360 covered) or one that ignores resampling noise falls outside.
  constexpr int kSets = 400;
  constexpr int64_t kSamples = 400;
  constexpr double kPb = 0.08, kPc = 0.05, kTrue = kPc - kPb;
  int covered = 0;
  for (int s = 0; s < kSets; ++s) {
    const std::vector<int8_t> d =
        simulate_diffs(kSamples, kPb, kPc, gauntlet::mix_key({2026, static_cast<uint64_t>(s)}));
    const Interval ci = paired_bootstrap_ci({d}, 1000, static_cast<uint64_t>(s), 7);
    covered += ci.lo <= kTrue && kTrue <= ci.hi;
  }
  CAPTURE(covered);
  CHECK(covered >= 367);
  CHECK(covered <= 393);
}
