// Offline expansion of a training set (the augmentation's "expand"): copies of every image drawn
// once per cell instead of anew each epoch, as the seeds grew their sets x2-x6 before training.
// The result is a pure function of the training images, the expansion and the key, so it is cached
// content-addressed under <out>/cache/ (harness/image_cache.hpp) and a second cell or run with the
// same ingredients reads it instead of drawing it again.
#pragma once

#include <cstdint>
#include <string>

#include "harness/config.hpp"
#include "harness/loader.hpp"

namespace gauntlet {

struct ExpandStats {
  bool cache_hit = false;
  double seconds = 0;
};

/// The expanded set: the originals (when keep_original), then copy 1 of every image, copy 2, ...;
/// copy c (1-based) of image i is e.ops applied with the draws of Pipeline::apply(key, epoch c,
/// sample i). `cache_dir` "" disables the cache; `threads` only changes the speed. Throws
/// std::invalid_argument when the expanded set would not fit `max_bytes`.
PreparedSet expand_training_set(const PreparedSet& train, const ExpandConfig& e, uint64_t key,
                                const std::string& cache_dir, int threads, ExpandStats* stats = nullptr,
                                uint64_t max_bytes = uint64_t{16} << 30);

}  // namespace gauntlet
