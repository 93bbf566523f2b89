// From prepared images (harness/preprocess.hpp: `prepare` crops and resizes once to the model's
// input side and channel count, uint8, kept small) to model-ready batches. The Loader draws
// batches per epoch: shuffled order, augmentation and normalisation, spread over loader threads
// and prefetched one batch ahead.
// Every draw is keyed by (key, epoch, sample index, op), so batches are identical for any number
// of loader threads.
#pragma once

#include <torch/torch.h>

#include <array>
#include <future>

#include "augmentations/mix_options.hpp"
#include "augmentations/transform.hpp"
#include "harness/core/dataset.hpp"
#include "harness/preprocess.hpp"
#include "harness/sampler.hpp"

namespace gauntlet {

struct LoaderOptions {
  int64_t batch_size = 64;
  bool shuffle = false;
  bool drop_last = false;
  uint64_t key = 0;          ///< keys the shuffle and the augmentation draws
  int threads = 1;           ///< data-pipeline threads (results do not depend on it)
  const Pipeline* pipeline = nullptr;  ///< nullptr or empty: no augmentation
  Normalization norm;
  /// Batch mixing (MixUp / CutMix) after normalisation; batch b of epoch e draws from
  /// Rng{key, "mix", e, b}. nullptr or disabled: none. Needs num_classes.
  const MixOptions* mix = nullptr;
  int64_t num_classes = 0;
  bool pin_memory = false;  ///< page-locked batches, for non-blocking copies to a CUDA device
  /// Class-imbalance sampling of each epoch's indices, drawn from Rng{key, "sample", epoch}.
  Sampler sampler = Sampler::kNone;
};

/// Samples one epoch visits with this sampler: labels.size() for none, else the number of
/// classes present times the largest (oversample) or smallest (undersample) class count.
int64_t sampled_length(const std::vector<int64_t>& labels, Sampler sampler);

struct Batch {
  torch::Tensor images;  ///< float (B, C, side, side), normalised
  torch::Tensor labels;  ///< int64 (B)
  torch::Tensor targets;  ///< float (B, K) soft targets when the batch was mixed; else undefined
};

class Loader {
 public:
  Loader(const PreparedSet& data, LoaderOptions options);
  ~Loader();
  /// Starts an epoch: fixes its order and begins producing the first batch.
  void start_epoch(int64_t epoch);
  /// The next batch of the epoch; false when the epoch is done.
  bool next(Batch& out);
  int64_t batches_per_epoch() const;
  /// Samples one epoch visits: n without a sampler, else classes x (max or min class count).
  int64_t samples_per_epoch() const { return length_; }

 private:
  Batch make_batch(int64_t b) const;
  void fill_order(int64_t epoch);  ///< the epoch's indices before the shuffle

  const PreparedSet& data_;
  LoaderOptions o_;
  int64_t epoch_ = 0;
  int64_t next_batch_ = 0;
  std::vector<int64_t> order_;
  std::vector<std::vector<int64_t>> by_class_;  ///< indices per present class, for the sampler
  int64_t length_ = 0;
  std::future<Batch> pending_;
};

}  // namespace gauntlet
