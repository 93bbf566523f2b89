// Unit tests of harness/split: stratified train/val/test splits are partitions with per-class
// counts round(count * fraction), fixed by the seed; stratified subsets have the exact size and
// per-class shares by largest remainder.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "harness/core/rng.hpp"
#include "harness/split.hpp"

namespace gauntlet {
namespace {

// `counts[c]` samples of class c, interleaved in a seeded random order.
std::vector<int64_t> shuffled_labels(const std::vector<int64_t>& counts, uint64_t seed) {
  std::vector<int64_t> labels;
  for (size_t c = 0; c < counts.size(); ++c) labels.insert(labels.end(), counts[c], c);
  Rng rng{seed};
  for (size_t i = labels.size(); i > 1; --i) std::swap(labels[i - 1], labels[rng.below(i)]);
  return labels;
}

std::vector<int64_t> class_counts(const std::vector<int64_t>& indices,
                                  const std::vector<int64_t>& labels, int64_t k) {
  std::vector<int64_t> out(k, 0);
  for (int64_t i : indices) ++out[labels[i]];
  return out;
}

bool strictly_increasing(const std::vector<int64_t>& v) {
  return std::adjacent_find(v.begin(), v.end(), std::greater_equal<int64_t>()) == v.end();
}

TEST_CASE("stratified_split is a partition into sorted parts", "[split]") {
  const auto labels = shuffled_labels({100, 37, 5, 1, 0, 12}, 1);
  const Split s = stratified_split(labels, 6, 0.15, 0.2, 7);
  CHECK(strictly_increasing(s.train));
  CHECK(strictly_increasing(s.val));
  CHECK(strictly_increasing(s.test));
  std::vector<int64_t> all;
  for (const auto* part : {&s.train, &s.val, &s.test})
    all.insert(all.end(), part->begin(), part->end());
  std::sort(all.begin(), all.end());
  // Disjoint and covering: the union, sorted, is exactly 0..n-1 with no repeats.
  std::vector<int64_t> expected(labels.size());
  for (size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<int64_t>(i);
  CHECK(all == expected);
}

TEST_CASE("stratified_split gives each class round(count * fraction) to val and test", "[split]") {
  // Counts worked out by hand: round half away from zero, test taken first, val from the rest.
  auto [counts, val, test, want_val, want_test] = GENERATE(
      table<std::vector<int64_t>, double, double, std::vector<int64_t>, std::vector<int64_t>>({
          // 100: 15, 20; 37: 5.55 -> 6, 7.4 -> 7; 5: 0.75 -> 1, 1; 1: 0.15 -> 0, 0.2 -> 0.
          {{100, 37, 5, 1}, 0.15, 0.2, {15, 6, 1, 0}, {20, 7, 1, 0}},
          // Exact halves round up: 10 * 0.25 = 2.5 -> 3; 6 * 0.25 = 1.5 -> 2.
          {{10, 6, 2}, 0.25, 0.25, {3, 2, 1}, {3, 2, 1}},
          // No test part: everything not in val trains.
          {{50, 49, 3}, 0.1, 0.0, {5, 5, 0}, {0, 0, 0}},
          // A class with no samples gets nothing anywhere.
          {{0, 20}, 0.1, 0.3, {0, 2}, {0, 6}},
      }));
  const auto labels = shuffled_labels(counts, 3);
  const auto k = static_cast<int64_t>(counts.size());
  const Split s = stratified_split(labels, k, val, test, 11);
  CHECK(class_counts(s.val, labels, k) == want_val);
  CHECK(class_counts(s.test, labels, k) == want_test);
  std::vector<int64_t> want_train(k);
  for (int64_t c = 0; c < k; ++c) want_train[c] = counts[c] - want_val[c] - want_test[c];
  CHECK(class_counts(s.train, labels, k) == want_train);
}

TEST_CASE("stratified_split is fixed by its seed", "[split]") {
  const auto labels = shuffled_labels({200, 150, 90}, 5);
  const Split a = stratified_split(labels, 3, 0.1, 0.2, 42);
  const Split b = stratified_split(labels, 3, 0.1, 0.2, 42);
  CHECK(a.train == b.train);
  CHECK(a.val == b.val);
  CHECK(a.test == b.test);

  const Split c = stratified_split(labels, 3, 0.1, 0.2, 43);
  CHECK(c.val != a.val);
  CHECK(c.test != a.test);
  // Another seed moves samples, not the per-class counts.
  CHECK(class_counts(c.val, labels, 3) == class_counts(a.val, labels, 3));
  CHECK(class_counts(c.test, labels, 3) == class_counts(a.test, labels, 3));
}

TEST_CASE("over seeds, every sample of a class is equally likely to be held out", "[split]") {
  // One class of 10 samples, 1 to test, 1 to val: over 5000 seeds each sample should be the test
  // one about 500 times. Chi-square with 9 degrees of freedom, bound at its 0.9999 quantile; a
  // shuffle that is not uniform (Sattolo's cycle, say, which never leaves sample 0 first) fails.
  const std::vector<int64_t> labels(10, 0);
  std::vector<int64_t> test_counts(10, 0), val_counts(10, 0), subset_counts(10, 0);
  const int seeds = 5000;
  for (int seed = 0; seed < seeds; ++seed) {
    const Split s = stratified_split(labels, 1, 0.1, 0.1, seed);
    REQUIRE(s.test.size() == 1);
    REQUIRE(s.val.size() == 1);
    ++test_counts[s.test[0]];
    ++val_counts[s.val[0]];
    const auto subset = stratified_subset(labels, 1, 1, seed);
    REQUIRE(subset.size() == 1);
    ++subset_counts[subset[0]];
  }
  for (const auto* counts : {&test_counts, &val_counts, &subset_counts}) {
    double chi2 = 0;
    for (int64_t c : *counts) chi2 += (c - 500.0) * (c - 500.0) / 500.0;
    INFO("chi-square " << chi2);
    CHECK(chi2 < 33.72);
  }
}

TEST_CASE("stratified_subset has the exact size and per-class shares within 1", "[split]") {
  const std::vector<int64_t> counts = {500, 333, 101, 50, 16};
  const auto labels = shuffled_labels(counts, 9);
  const auto total = static_cast<int64_t>(labels.size());
  const int64_t n = GENERATE(1, 7, 100, 999, 1000 - 1);
  const auto subset = stratified_subset(labels, 5, n, 21);
  REQUIRE(static_cast<int64_t>(subset.size()) == n);
  CHECK(strictly_increasing(subset));
  CHECK(subset.front() >= 0);
  CHECK(subset.back() < total);
  const auto got = class_counts(subset, labels, 5);
  for (size_t c = 0; c < counts.size(); ++c) {
    const double share = static_cast<double>(counts[c]) * n / total;
    INFO("class " << c << ": " << got[c] << " of " << n << ", exact share " << share);
    CHECK(std::abs(got[c] - share) < 1.0);
  }
}

TEST_CASE("stratified_subset apportions by largest remainder", "[split]") {
  auto [counts, n, want] = GENERATE(table<std::vector<int64_t>, int64_t, std::vector<int64_t>>({
      {{50, 30, 20}, 10, {5, 3, 2}},
      // Shares 2, 1.2, 0.8: floors 2, 1, 0 and the one left over goes to the largest remainder.
      {{5, 3, 2}, 4, {2, 1, 1}},
      // Shares 1/3 each: equal remainders go to the lower class index first.
      {{4, 4, 4}, 2, {1, 1, 0}},
  }));
  const auto labels = shuffled_labels(counts, 4);
  const auto k = static_cast<int64_t>(counts.size());
  CHECK(class_counts(stratified_subset(labels, k, n, 8), labels, k) == want);
}

TEST_CASE("stratified_subset is fixed by its seed", "[split]") {
  const auto labels = shuffled_labels({300, 200, 100}, 2);
  CHECK(stratified_subset(labels, 3, 60, 1) == stratified_subset(labels, 3, 60, 1));
  CHECK(stratified_subset(labels, 3, 60, 1) != stratified_subset(labels, 3, 60, 2));
}

TEST_CASE("stratified_subset with n >= total returns every index", "[split]") {
  const auto labels = shuffled_labels({7, 3, 2}, 6);
  const int64_t n = GENERATE(12, 13, 1000);
  CHECK(stratified_subset(labels, 3, n, 5) ==
        std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
}

}  // namespace
}  // namespace gauntlet

namespace gauntlet {
namespace {

TEST_CASE("stratified_kfold: one test part for all folds, every other sample validates exactly once", "[split]") {
  const auto labels = shuffled_labels({53, 20, 7, 1}, 4);
  const int64_t folds = 5;
  const Split plain = stratified_split(labels, 4, 0.1, 0.2, 9);
  std::vector<int> in_val(labels.size(), 0);
  for (int64_t f = 0; f < folds; ++f) {
    const Split s = stratified_kfold(labels, 4, 0.2, folds, f, 9);
    CHECK(s.test == plain.test);
    CHECK(strictly_increasing(s.train));
    CHECK(strictly_increasing(s.val));
    CHECK(s.train.size() + s.val.size() + s.test.size() == labels.size());
    for (int64_t i : s.val) ++in_val[i];
    // Per class, fold sizes differ by at most one: 53 - round(10.6) = 42 -> 8 or 9 per fold.
    const auto val_counts = class_counts(s.val, labels, 4);
    CHECK((val_counts[0] == 8 || val_counts[0] == 9));
    CHECK((val_counts[1] == 3 || val_counts[1] == 4));  // 20 - 4 = 16
  }
  for (int64_t i : plain.test) {
    CHECK(in_val[i] == 0);  // never in val
    in_val[i] = 1;
  }
  CHECK(std::all_of(in_val.begin(), in_val.end(), [](int v) { return v == 1; }));
}

}  // namespace
}  // namespace gauntlet
