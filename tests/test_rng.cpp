// Unit tests of harness/core/rng: Philox4x32-10 against Random123's known-answer vectors, how Rng
// walks its counter, determinism per key, and the distributions (below, uniform, normal) checked
// with fixed keys against statistical bounds.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "harness/core/rng.hpp"

namespace gauntlet {
namespace {

using Block = std::array<uint32_t, 4>;
using Key = std::array<uint32_t, 2>;

std::vector<uint32_t> first_u32s(Rng rng, int n) {
  std::vector<uint32_t> out;
  for (int i = 0; i < n; ++i) out.push_back(rng.next_u32());
  return out;
}

TEST_CASE("philox4x32_10 matches Random123's known-answer vectors", "[rng]") {
  // Random123 tests/kat_vectors, the three "philox4x32 10" lines: counter, key, expected output.
  auto [counter, key, expected] = GENERATE(table<Block, Key, Block>({
      {{0u, 0u, 0u, 0u}, {0u, 0u}, {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
      {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
       {0xffffffffu, 0xffffffffu},
       {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
      {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
       {0xa4093822u, 0x299f31d0u},
       {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
  }));
  const Block got = philox4x32_10(counter, key);
  CHECK(got[0] == expected[0]);
  CHECK(got[1] == expected[1]);
  CHECK(got[2] == expected[2]);
  CHECK(got[3] == expected[3]);
}

TEST_CASE("Rng draws Philox blocks of counter 0, 1, ... under its 64-bit key", "[rng]") {
  // Key 0 gives the first known-answer block: {0,0,0,0} under key {0,0}.
  CHECK(first_u32s(Rng(uint64_t{0}), 4) ==
        std::vector<uint32_t>{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u});

  // The key's low word is Philox key[0], the high word key[1]; the counter's low word counts.
  const uint64_t key = 0x0123456789abcdefull;
  const Key k{0x89abcdefu, 0x01234567u};
  std::vector<uint32_t> expected;
  for (uint32_t c = 0; c < 3; ++c) {
    const Block b = philox4x32_10({c, 0u, 0u, 0u}, k);
    expected.insert(expected.end(), b.begin(), b.end());
  }
  CHECK(first_u32s(Rng(key), 12) == expected);

  // next_u64 puts the first 32-bit draw in the high half.
  Rng rng(key);
  CHECK(rng.next_u64() == ((uint64_t{expected[0]} << 32) | expected[1]));
  CHECK(rng.next_u64() == ((uint64_t{expected[2]} << 32) | expected[3]));
  CHECK(rng.next_u32() == expected[4]);
}

TEST_CASE("Rng keyed by parts is mix_key of those parts", "[rng]") {
  CHECK(first_u32s(Rng{3, 1, 4, 1, 5}, 8) == first_u32s(Rng(mix_key({3, 1, 4, 1, 5})), 8));
}

TEST_CASE("mix_key chains the SplitMix64 finaliser over the parts", "[rng]") {
  // Pinned values (computed outside C++ from the construction in rng.hpp's comment): every
  // split, hold-out and augmentation of a recorded result depends on them.
  CHECK(mix_key({}) == 0x9e3779b97f4a7c15ull);
  CHECK(mix_key({0}) == 0xac2148d9c5bb8f75ull);
  CHECK(mix_key({1, 2, 3}) == 0x7136b9a56507c163ull);
}

TEST_CASE("equal keys give equal streams of every kind of draw", "[rng]") {
  Rng a{42, 7, 1000, 3};
  Rng b{42, 7, 1000, 3};
  for (int i = 0; i < 1000; ++i) {
    INFO("draw " << i);
    REQUIRE(a.next_u32() == b.next_u32());
    REQUIRE(a.uniform() == b.uniform());
    REQUIRE(a.normal() == b.normal());
    REQUIRE(a.below(1000003) == b.below(1000003));
    REQUIRE(a.bernoulli(0.3) == b.bernoulli(0.3));
  }
}

TEST_CASE("each key part, its position and the number of parts select a different stream",
          "[rng]") {
  const std::vector<uint64_t> keys = {mix_key({1, 2, 3}),
                                      mix_key({1, 2, 4}),
                                      mix_key({1, 3, 3}),
                                      mix_key({2, 2, 3}),
                                      mix_key({3, 2, 1}),
                                      mix_key({1, 2}),
                                      mix_key({1, 2, 3, 0}),
                                      mix_key({0}),
                                      mix_key({0, 0}),
                                      mix_key({}),
                                      mix_key({1, 2, uint64_t{3} << 32})};
  std::set<uint64_t> distinct_keys(keys.begin(), keys.end());
  std::set<std::vector<uint32_t>> streams;
  for (uint64_t key : keys) streams.insert(first_u32s(Rng(key), 8));
  CHECK(distinct_keys.size() == keys.size());
  CHECK(streams.size() == keys.size());
  // Keys that differ only in the high word still give different streams.
  CHECK(first_u32s(Rng(uint64_t{1}), 8) != first_u32s(Rng((uint64_t{1} << 32) | 1), 8));
}

TEST_CASE("below(n) stays below n", "[rng]") {
  const uint64_t n =
      GENERATE(uint64_t{2}, uint64_t{3}, uint64_t{7}, uint64_t{10}, uint64_t{1000003},
               (uint64_t{1} << 32) + 1, (uint64_t{1} << 63) + 1, ~uint64_t{0});
  Rng rng{17, n};
  uint64_t largest = 0;
  for (int i = 0; i < 20000; ++i) largest = std::max(largest, rng.below(n));
  CHECK(largest < n);
  // The draws reach the top part of the range, not just a corner of it.
  CHECK(largest >= n - n / 100 - 1);
}

TEST_CASE("below(0) and below(1) are 0", "[rng]") {
  Rng rng{5};
  for (int i = 0; i < 10; ++i) {
    CHECK(rng.below(0) == 0);
    CHECK(rng.below(1) == 0);
  }
}

TEST_CASE("below(n) is uniform by a chi-square test", "[rng]") {
  // 100k draws; the bound is the 0.9999 quantile of chi-square with n - 1 degrees of freedom, so
  // a sound generator fails only for a one-in-ten-thousand key, while a modulo-biased or stuck
  // one lands far above it.
  auto [n, bound] = GENERATE(table<uint64_t, double>({
      {2, 15.14},   // chi2(1).ppf(0.9999)
      {6, 25.74},   // chi2(5)
      {10, 33.72},  // chi2(9)
      {37, 74.74},  // chi2(36)
  }));
  const int draws = 100000;
  Rng rng{2024, n};
  std::vector<int64_t> counts(n, 0);
  for (int i = 0; i < draws; ++i) ++counts[rng.below(n)];
  const double expected = static_cast<double>(draws) / n;
  double chi2 = 0;
  for (int64_t c : counts) chi2 += (c - expected) * (c - expected) / expected;
  INFO("n = " << n << ", chi-square = " << chi2);
  CHECK(chi2 < bound);
}

TEST_CASE("below(n) has no modulo bias for n near two thirds of 2^64", "[rng]") {
  // x % n over 64-bit x would put two thirds of the draws in the lower half of [0, n).
  const uint64_t n = 0xAAAAAAAAAAAAAAABull;
  const int draws = 100000;
  Rng rng{31337};
  int lower = 0;
  for (int i = 0; i < draws; ++i) lower += rng.below(n) < n / 2;
  const double fraction = static_cast<double>(lower) / draws;
  INFO("fraction in the lower half: " << fraction);
  CHECK(std::abs(fraction - 0.5) < 4 * std::sqrt(0.25 / draws));
}

TEST_CASE("uniform() lies in 0 <= u < 1 with mean 1/2 and variance 1/12", "[rng]") {
  const int n = 100000;
  Rng rng{99};
  double lo = 1, hi = 0, sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
    sum_sq += u * u;
  }
  const double mean = sum / n;
  const double var = sum_sq / n - mean * mean;
  // Standard errors: sqrt(1/12 / n) for the mean, sqrt((1/80 - 1/144) / n) for the variance.
  CHECK(std::abs(mean - 0.5) < 4 * std::sqrt(1.0 / 12 / n));
  CHECK(std::abs(var - 1.0 / 12) < 4 * std::sqrt((1.0 / 80 - 1.0 / 144) / n));
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
  CHECK(lo < 1e-3);
  CHECK(hi > 1 - 1e-3);
}

TEST_CASE("uniform(lo, hi) lies in lo <= u < hi", "[rng]") {
  Rng rng{8};
  double lo = 15, hi = -15;
  for (int i = 0; i < 10000; ++i) {
    const double u = rng.uniform(-15.0, 15.0);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  CHECK(lo >= -15.0);
  CHECK(lo < -14.9);
  CHECK(hi < 15.0);
  CHECK(hi > 14.9);
}

TEST_CASE("bernoulli(0) is never true, bernoulli(1) always", "[rng]") {
  Rng rng{11};
  for (int i = 0; i < 1000; ++i) {
    REQUIRE_FALSE(rng.bernoulli(0.0));
    REQUIRE(rng.bernoulli(1.0));
  }
}

TEST_CASE("normal() has mean 0 and variance 1 within 4 standard errors on 100k draws", "[rng]") {
  const int n = 100000;
  const uint64_t seed = GENERATE(uint64_t{1}, uint64_t{123456789});
  Rng rng{seed, 0x6e6f726dull};
  double sum = 0, sum_sq = 0, sum_4 = 0, sum_lag = 0, previous = 0;
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal();
    sum += z;
    sum_sq += z * z;
    sum_4 += z * z * z * z;
    sum_lag += z * previous;
    previous = z;
  }
  const double mean = sum / n;
  const double var = sum_sq / n - mean * mean;
  INFO("mean " << mean << ", variance " << var);
  REQUIRE(std::isfinite(sum_4));
  // Standard errors: 1/sqrt(n) for the mean, sqrt(2/n) for the variance of a standard normal.
  CHECK(std::abs(mean) < 4 / std::sqrt(n));
  CHECK(std::abs(var - 1) < 4 * std::sqrt(2.0 / n));
  // The fourth moment is 3 for a normal (2.2 for a uniform of the same variance); its standard
  // error is sqrt((105 - 9) / n).
  CHECK(std::abs(sum_4 / n - 3) < 4 * std::sqrt(96.0 / n));
  // Both values of each Box-Muller pair are used, and independent: consecutive draws are
  // uncorrelated (standard error 1/sqrt(n)).
  CHECK(std::abs(sum_lag / (n - 1)) < 4 / std::sqrt(n));
}

}  // namespace
}  // namespace gauntlet
