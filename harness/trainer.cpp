#include "harness/trainer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace gauntlet {
namespace {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimizerConfig& o,
                                                        std::vector<torch::Tensor> params) {
  if (o.name == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        params, torch::optim::SGDOptions(o.lr).momentum(o.momentum).nesterov(o.nesterov).weight_decay(
                    o.weight_decay));
  }
  if (o.name == "adam") {
    return std::make_unique<torch::optim::Adam>(
        params, torch::optim::AdamOptions(o.lr).betas({o.beta1, o.beta2}).eps(o.eps).weight_decay(
                    o.weight_decay));
  }
  throw std::invalid_argument("unknown optimizer \"" + o.name + "\"");
}

// `targets`: int64 class indices (N), or float soft targets (N, K) from MixUp / CutMix, smoothed
// as (1 - s) t + s / K, which is what label smoothing does to a one-hot target.
torch::Tensor loss_of(const LossConfig& l, const torch::Tensor& logits, const torch::Tensor& targets) {
  if (l.name != "cross_entropy") throw std::invalid_argument("unknown loss \"" + l.name + "\"");
  if (targets.scalar_type() == torch::kFloat32) {
    const torch::Tensor t = targets * (1.0 - l.label_smoothing) + l.label_smoothing / logits.size(1);
    return -(t * torch::log_softmax(logits, 1)).sum(1).mean();
  }
  return torch::nn::functional::cross_entropy(
      logits, targets, torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(l.label_smoothing));
}

}  // namespace

std::vector<EpochStats> train_model(torch::nn::AnyModule& model, const PreparedSet& train,
                                    const PreparedSet& val, const TrainSetup& setup,
                                    Progress& progress) {
  auto module = model.ptr();
  auto optimizer = make_optimizer(setup.optimizer, module->parameters());
  LoaderOptions lo;
  lo.batch_size = setup.batch_size;
  lo.shuffle = true;
  // A last batch of one sample would make BatchNorm fail in training mode.
  lo.drop_last = train.n % setup.batch_size == 1;
  lo.key = setup.key;
  lo.threads = setup.loader_threads;
  lo.pipeline = setup.pipeline;
  lo.norm = setup.norm;
  lo.mix = setup.mix;
  lo.num_classes = setup.num_classes;
  Loader loader(train, lo);

  std::vector<EpochStats> history;
  for (int64_t epoch = 1; epoch <= setup.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    module->train();
    loader.start_epoch(epoch);
    const int64_t total = std::min(train.n, loader.batches_per_epoch() * setup.batch_size);
    progress.begin(fmt::format("{} epoch {}/{}", setup.title, epoch, setup.epochs), total);
    double loss_sum = 0;
    int64_t correct = 0, seen = 0, step = 0;
    Batch batch;
    while (loader.next(batch)) {
      ++step;
      optimizer->zero_grad();
      const torch::Tensor logits = model.forward(batch.images);
      const torch::Tensor loss =
          loss_of(setup.loss, logits, batch.targets.defined() ? batch.targets : batch.labels);
      const double l = loss.item<double>();
      if (!std::isfinite(l)) {
        throw std::runtime_error(fmt::format("non-finite loss ({}) at epoch {}, step {}", l, epoch, step));
      }
      loss.backward();
      optimizer->step();
      const int64_t b = batch.labels.size(0);
      loss_sum += l * b;
      // For a mixed batch: agreement with each sample's own label (the one weighted lam).
      correct += logits.argmax(1).eq(batch.labels).sum().item<int64_t>();
      seen += b;
      progress.update(seen, loss_sum / seen);
    }
    const double train_secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EpochStats s;
    s.epoch = epoch;
    s.train_loss = loss_sum / std::max<int64_t>(seen, 1);
    s.train_accuracy = static_cast<double>(correct) / std::max<int64_t>(seen, 1);
    s.images_per_second = seen / std::max(train_secs, 1e-9);
    std::tie(s.val_loss, s.val_accuracy) = evaluate_loss(model, val, setup);
    s.lr = setup.optimizer.lr;
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    history.push_back(s);
    progress.finish(fmt::format("{} epoch {}/{}  loss {:.4f}  acc {:.4f}  val_loss {:.4f}  val_acc {:.4f}  "
                                "{:.0f} img/s  {:.1f}s",
                                setup.title, epoch, setup.epochs, s.train_loss, s.train_accuracy,
                                s.val_loss, s.val_accuracy, s.images_per_second, s.seconds));
  }
  return history;
}

std::pair<double, double> evaluate_loss(torch::nn::AnyModule& model, const PreparedSet& data,
                                        const TrainSetup& setup) {
  if (data.n == 0) return {0.0, 0.0};
  const torch::Tensor logits =
      predict_logits(model, data, setup.norm, setup.eval_batch_size, setup.loader_threads);
  const torch::Tensor y = torch::from_blob(const_cast<int64_t*>(data.labels.data()), {data.n},
                                           torch::kInt64);
  torch::NoGradGuard no_grad;
  const double loss = loss_of(setup.loss, logits, y).item<double>();
  const double acc = logits.argmax(1).eq(y).sum().item<int64_t>() / static_cast<double>(data.n);
  return {loss, acc};
}

torch::Tensor predict_logits(torch::nn::AnyModule& model, const PreparedSet& data,
                             const Normalization& norm, int64_t batch_size, int loader_threads) {
  torch::NoGradGuard no_grad;
  auto module = model.ptr();
  const bool was_training = module->is_training();
  module->eval();
  LoaderOptions lo;
  lo.batch_size = batch_size;
  lo.threads = loader_threads;
  lo.norm = norm;
  Loader loader(data, lo);
  loader.start_epoch(0);
  std::vector<torch::Tensor> parts;
  Batch batch;
  while (loader.next(batch)) parts.push_back(model.forward(batch.images));
  if (was_training) module->train();
  return torch::cat(parts, 0);
}

}  // namespace gauntlet
