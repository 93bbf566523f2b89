#include "harness/split.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "harness/core/rng.hpp"

namespace gauntlet {
namespace {

constexpr uint64_t kSplitOp = 0x73706c6974ull;   // "split"
constexpr uint64_t kSubsetOp = 0x737562736574ull;  // "subset"

std::vector<std::vector<int64_t>> shuffled_by_class(const std::vector<int64_t>& labels, int64_t k,
                                                    uint64_t seed, uint64_t op) {
  std::vector<std::vector<int64_t>> by_class(k);
  for (size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(static_cast<int64_t>(i));
  for (int64_t c = 0; c < k; ++c) {
    Rng rng{seed, op, static_cast<uint64_t>(c)};
    auto& v = by_class[c];
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
  }
  return by_class;
}

}  // namespace

Split stratified_split(const std::vector<int64_t>& labels, int64_t num_classes, double val_fraction,
                       double test_fraction, uint64_t seed) {
  Split s;
  const auto by_class = shuffled_by_class(labels, num_classes, seed, kSplitOp);
  for (const auto& v : by_class) {
    const auto n = static_cast<int64_t>(v.size());
    const auto n_test = std::min<int64_t>(n, std::llround(n * test_fraction));
    const auto n_val = std::min<int64_t>(n - n_test, std::llround(n * val_fraction));
    s.test.insert(s.test.end(), v.begin(), v.begin() + n_test);
    s.val.insert(s.val.end(), v.begin() + n_test, v.begin() + n_test + n_val);
    s.train.insert(s.train.end(), v.begin() + n_test + n_val, v.end());
  }
  std::sort(s.train.begin(), s.train.end());
  std::sort(s.val.begin(), s.val.end());
  std::sort(s.test.begin(), s.test.end());
  return s;
}

Split stratified_kfold(const std::vector<int64_t>& labels, int64_t num_classes, double test_fraction,
                       int64_t folds, int64_t fold, uint64_t seed) {
  Split s;
  const auto by_class = shuffled_by_class(labels, num_classes, seed, kSplitOp);
  for (const auto& v : by_class) {
    const auto n = static_cast<int64_t>(v.size());
    const auto n_test = std::min<int64_t>(n, std::llround(n * test_fraction));
    const int64_t m = n - n_test;
    const int64_t lo = n_test + m * fold / folds, hi = n_test + m * (fold + 1) / folds;
    s.test.insert(s.test.end(), v.begin(), v.begin() + n_test);
    s.train.insert(s.train.end(), v.begin() + n_test, v.begin() + lo);
    s.val.insert(s.val.end(), v.begin() + lo, v.begin() + hi);
    s.train.insert(s.train.end(), v.begin() + hi, v.end());
  }
  std::sort(s.train.begin(), s.train.end());
  std::sort(s.val.begin(), s.val.end());
  std::sort(s.test.begin(), s.test.end());
  return s;
}

std::vector<int64_t> stratified_subset(const std::vector<int64_t>& labels, int64_t num_classes,
                                       int64_t n, uint64_t seed) {
  const auto total = static_cast<int64_t>(labels.size());
  if (n >= total) {
    std::vector<int64_t> all(total);
    std::iota(all.begin(), all.end(), 0);
    return all;
  }
  const auto by_class = shuffled_by_class(labels, num_classes, seed, kSubsetOp);
  // Largest-remainder apportionment: exact total, ties broken by class index.
  std::vector<int64_t> take(num_classes);
  std::vector<std::pair<double, int64_t>> remainders;
  int64_t taken = 0;
  for (int64_t c = 0; c < num_classes; ++c) {
    const double exact = static_cast<double>(by_class[c].size()) * n / total;
    take[c] = static_cast<int64_t>(std::floor(exact));
    taken += take[c];
    remainders.emplace_back(-(exact - take[c]), c);
  }
  std::sort(remainders.begin(), remainders.end());
  for (size_t i = 0; taken < n && i < remainders.size(); ++i, ++taken) ++take[remainders[i].second];
  std::vector<int64_t> out;
  for (int64_t c = 0; c < num_classes; ++c) {
    out.insert(out.end(), by_class[c].begin(), by_class[c].begin() + take[c]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace gauntlet
