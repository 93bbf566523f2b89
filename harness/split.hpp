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

/// `n` indices (sorted) with class shares as in `labels`, apportioned by largest remainder.
std::vector<int64_t> stratified_subset(const std::vector<int64_t>& labels, int64_t num_classes,
                                       int64_t n, uint64_t seed);

}  // namespace gauntlet
