// Stratified subsets and train/val/test splits, keyed by the suite seed: the same seed gives the
// same split on any machine, and every class keeps its share in every part.
#pragma once

#include <cstdint>
#include <vector>

namespace gauntlet {

struct Split {
  std::vector<int64_t> train, val, test;  ///< indices into the source, each sorted ascending
};

/// Per class: round(count * test) to test, round(count * val) to val, the rest to train.
Split stratified_split(const std::vector<int64_t>& labels, int64_t num_classes, double val_fraction,
                       double test_fraction, uint64_t seed);

/// Stratified k-fold: per class, the test part is exactly stratified_split's (same seed and test
/// fraction); the rest, in the same shuffled order, is cut into `folds` contiguous runs of sizes
/// floor(m*(f+1)/folds) - floor(m*f/folds); run `fold` is val, the others train. Over fold =
/// 0..folds-1 every non-test sample is in val exactly once. Requires 2 <= folds, 0 <= fold < folds.
Split stratified_kfold(const std::vector<int64_t>& labels, int64_t num_classes, double test_fraction,
                       int64_t folds, int64_t fold, uint64_t seed);

/// `n` indices (sorted) with class shares as in `labels`, apportioned by largest remainder.
std::vector<int64_t> stratified_subset(const std::vector<int64_t>& labels, int64_t num_classes,
                                       int64_t n, uint64_t seed);

}  // namespace gauntlet
