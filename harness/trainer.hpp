// The training loop of one cell: one or more phases (each with its epochs, frozen part, optimizer,
// lr schedule and callbacks) over the train split, validation after every epoch, optional model
// EMA, and a checkpoint after every epoch from which an interrupted cell resumes to the same bytes.
#pragma once

#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "harness/compute.hpp"
#include "harness/config.hpp"
#include "harness/loader.hpp"
#include "harness/progress.hpp"

namespace gauntlet {

struct EpochStats {
  int64_t epoch = 0;  ///< 1-based, counted over all phases
  int64_t phase = 1;  ///< 1-based
  double train_loss = 0, train_accuracy = 0;  ///< train_loss includes the weight penalties
  double val_loss = 0, val_accuracy = 0;      ///< val_loss: the loss without class weights
  double lr = 0;                              ///< base lr of the epoch
  std::vector<double> group_lrs;              ///< each parameter group's lr
  double images_per_second = 0;
  double seconds = 0;
  bool has_ema = false;
  double ema_val_loss = 0, ema_val_accuracy = 0;
};

struct PhaseSetup {
  int64_t epochs = 1;
  OptimizerConfig optimizer;
  FreezeConfig freeze;
  std::optional<EarlyStoppingOptions> early_stopping;
  std::optional<ReduceLROnPlateauOptions> reduce_on_plateau;
};

struct TrainSetup {
  std::vector<PhaseSetup> phases;
  int64_t batch_size = 64;
  int64_t eval_batch_size = 256;
  LossOptions loss;
  RegularizationConfig regularization;
  double grad_clip_norm = 0.0;
  double ema_decay = 0.0;
  std::optional<double> dropout;
  std::string head_prefix = "classifier.";  ///< parameters of the head (lr scale, freeze "backbone")
  uint64_t key = 0;  ///< keys shuffling and augmentation
  int loader_threads = 1;
  const Pipeline* pipeline = nullptr;
  Sampler sampler = Sampler::kNone;  ///< class-imbalance sampling of the training epochs
  const MixOptions* mix = nullptr;  ///< MixUp / CutMix; nullptr: none
  int64_t num_classes = 0;
  Normalization norm;
  ComputeOptions compute;  ///< device, mixed precision, channels-last
  std::string title;  ///< shown in progress lines
  /// Where the checkpoint after every epoch goes ("": none). A checkpoint there whose `tag`
  /// matches is resumed from; one with another tag, or damaged, is ignored (with a warning).
  std::string checkpoint;
  std::string checkpoint_tag;
};

struct TrainOutcome {
  std::vector<EpochStats> history;
  int64_t resumed_after_epoch = 0;  ///< 0: trained from the start
  /// Per phase that early stopping ended: the global epoch it stopped after, and the epoch whose
  /// weights it restored (0 when it did not restore).
  std::vector<std::pair<int64_t, int64_t>> early_stops;
};

/// Trains `model` in place (and `ema`, a model of the same architecture, when setup.ema_decay > 0).
/// Throws std::runtime_error naming epoch and step on a non-finite loss, std::invalid_argument for
/// a phase that leaves nothing to train.
TrainOutcome train_model(torch::nn::AnyModule& model, torch::nn::AnyModule* ema, const PreparedSet& train,
                         const PreparedSet& val, const TrainSetup& setup, Progress& progress);

/// The history as result.json records it: one object per epoch.
nlohmann::json history_json(const std::vector<EpochStats>& history);

/// Mean loss (without class weights) and accuracy of `model` (eval mode) on `data`.
std::pair<double, double> evaluate_loss(torch::nn::AnyModule& model, const PreparedSet& data,
                                        const TrainSetup& setup);

/// Logits (N, K) of `model` in eval mode, in the order of `data`, on the CPU (the model and its
/// batches on compute.device; evaluation is in fp32).
torch::Tensor predict_logits(torch::nn::AnyModule& model, const PreparedSet& data,
                             const Normalization& norm, int64_t batch_size, int loader_threads,
                             const ComputeOptions& compute = {});

}  // namespace gauntlet
