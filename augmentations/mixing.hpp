// Batch mixers on float NCHW batches (after normalisation: mixing is linear, so mixing normalised
// images equals normalising mixed ones), producing the soft targets the loss consumes.
#pragma once

#include <cstdint>

#include "augmentations/mix_options.hpp"
#include "harness/core/rng.hpp"

namespace gauntlet {

enum class MixKind { kNone, kMixUp, kCutMix };

struct MixResult {
  MixKind kind = MixKind::kNone;
  double lam = 1.0;  ///< weight of each sample's own label in its target
  int box_x0 = 0, box_y0 = 0, box_x1 = 0, box_y1 = 0;  ///< CutMix: [x0, x1) x [y0, y1) pasted
};

/// Mixes `n` images of c x h x w floats in place (image i with image n - 1 - i) and writes
/// targets (n x num_classes, row i = lam onehot(labels[i]) + (1 - lam) onehot(labels[n - 1 - i])).
/// Unmixed batches get one-hot targets. Draws, in order: the mix Bernoulli, the switch (both
/// alphas > 0), lam, CutMix's box centre (y then x). Throws std::invalid_argument for a label
/// outside 0..num_classes-1.
MixResult mix_batch(const MixOptions& o, float* images, int64_t n, int64_t c, int64_t h, int64_t w,
                    const int64_t* labels, int64_t num_classes, float* targets, Rng& rng);

}  // namespace gauntlet
