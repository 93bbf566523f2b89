// The training loop of one cell: a fixed number of epochs over the train split with the cell's
// optimizer and loss, validation after each epoch, and the per-epoch history result.json records.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "harness/config.hpp"
#include "harness/loader.hpp"
#include "harness/progress.hpp"

namespace gauntlet {

struct EpochStats {
  int64_t epoch = 0;  ///< 1-based
  double train_loss = 0, train_accuracy = 0;
  double val_loss = 0, val_accuracy = 0;
  double lr = 0;
  double images_per_second = 0;
  double seconds = 0;
};

struct TrainSetup {
  int64_t epochs = 1;
  int64_t batch_size = 64;
  int64_t eval_batch_size = 256;
  OptimizerConfig optimizer;
  LossConfig loss;
  uint64_t key = 0;  ///< keys shuffling and augmentation
  int loader_threads = 1;
  const Pipeline* pipeline = nullptr;
  const MixOptions* mix = nullptr;  ///< MixUp / CutMix; nullptr: none
  int64_t num_classes = 0;          ///< needed by mix
  Normalization norm;
  std::string title;  ///< shown in progress lines
};

/// Trains `model` in place. Throws std::runtime_error naming epoch and step on a non-finite loss.
std::vector<EpochStats> train_model(torch::nn::AnyModule& model, const PreparedSet& train,
                                    const PreparedSet& val, const TrainSetup& setup,
                                    Progress& progress);

/// Mean loss and accuracy of `model` (eval mode) on `data` under the setup's loss.
std::pair<double, double> evaluate_loss(torch::nn::AnyModule& model, const PreparedSet& data,
                                        const TrainSetup& setup);

/// Logits (N, K) of `model` in eval mode, in the order of `data`.
torch::Tensor predict_logits(torch::nn::AnyModule& model, const PreparedSet& data,
                             const Normalization& norm, int64_t batch_size, int loader_threads);

}  // namespace gauntlet
