// The trainer on a tiny model and data set: a frozen backbone does not move (BatchNorm statistics
// included) while the head does; EMA after one step is decay * start + (1 - decay) * weights;
// early stopping stops after patience epochs without improvement and restores the best epoch's
// weights; a weight penalty adds to the loss; a non-finite loss names its epoch and step; a phase
// that freezes everything is refused; a checkpoint of another tag is ignored.
#include <catch2/catch.hpp>

#include <filesystem>

#include "harness/trainer.hpp"
#include "models/registry.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

PreparedSet tiny_set(int64_t n, uint64_t seed) {
  PreparedSet p;
  p.n = n;
  p.side = 8;
  p.channels = 3;
  Rng rng{seed};
  p.images.resize(n * p.image_bytes());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t label = i % 3;
    p.labels.push_back(label);
    // Class-dependent brightness plus noise: learnable, not trivial.
    for (size_t b = 0; b < p.image_bytes(); ++b) {
      p.images[i * p.image_bytes() + b] = static_cast<uint8_t>(40 + 60 * label + rng.below(60));
    }
  }
  return p;
}

torch::nn::AnyModule tiny_model() {
  torch::manual_seed(3);
  return make_backbone("simple_cnn", SimpleCnnOptions().channels({4, 8}).convs_per_block(1).hidden(8), 3);
}

TrainSetup tiny_setup(int64_t epochs, const std::string& optimizer = "sgd", double lr = 0.05) {
  TrainSetup s;
  PhaseSetup ph;
  ph.epochs = epochs;
  ph.optimizer.options = default_optimizer_options(optimizer);
  ph.optimizer.options.lr = lr;
  s.phases = {ph};
  s.batch_size = 16;
  s.eval_batch_size = 32;
  s.num_classes = 3;
  s.key = 7;
  return s;
}

std::vector<torch::Tensor> copy_of(const std::vector<torch::Tensor>& ts) {
  std::vector<torch::Tensor> out;
  for (const auto& t : ts) out.push_back(t.detach().clone());
  return out;
}

TEST_CASE("a frozen backbone stays as it was, BatchNorm statistics included, while the head trains", "[training]") {
  const PreparedSet train = tiny_set(64, 1), val = tiny_set(16, 2);
  auto model = tiny_model();
  auto features = model.ptr()->named_children()["features"];
  auto classifier = model.ptr()->named_children()["classifier"];
  const auto before_params = copy_of(features->parameters());
  const auto before_buffers = copy_of(features->buffers());
  const auto head_before = copy_of(classifier->parameters());
  TrainSetup s = tiny_setup(2);
  s.phases[0].freeze.mode = FreezeConfig::Mode::kBackbone;
  Progress quiet(stderr, false);
  train_model(model, nullptr, train, val, s, quiet);
  const auto after_params = features->parameters();
  const auto after_buffers = features->buffers();
  for (size_t i = 0; i < after_params.size(); ++i) CHECK(torch::equal(after_params[i], before_params[i]));
  for (size_t i = 0; i < after_buffers.size(); ++i) CHECK(torch::equal(after_buffers[i], before_buffers[i]));
  bool head_moved = false;
  const auto head_after = classifier->parameters();
  for (size_t i = 0; i < head_after.size(); ++i) head_moved |= !torch::equal(head_after[i], head_before[i]);
  CHECK(head_moved);

  // A second phase without freezing trains the backbone too.
  PhaseSetup all = s.phases[0];
  all.freeze = FreezeConfig{};
  s.phases.push_back(all);
  auto model2 = tiny_model();
  const auto b2 = copy_of(model2.ptr()->named_children()["features"]->parameters());
  const TrainOutcome out = train_model(model2, nullptr, train, val, s, quiet);
  REQUIRE(out.history.size() == 4);
  CHECK(out.history[1].phase == 1);
  CHECK(out.history[2].phase == 2);
  CHECK_FALSE(torch::equal(model2.ptr()->named_children()["features"]->parameters()[0], b2[0]));

  // Frozen after a phase that trained them: no gradient of theirs is left to count in clipping.
  TrainSetup later = tiny_setup(1);
  later.grad_clip_norm = 1.0;
  PhaseSetup frozen = later.phases[0];
  frozen.freeze.mode = FreezeConfig::Mode::kBackbone;
  later.phases.push_back(frozen);
  auto model4 = tiny_model();
  train_model(model4, nullptr, train, val, later, quiet);
  for (const auto& p : model4.ptr()->named_children()["features"]->parameters()) CHECK_FALSE(p.grad().defined());
  for (const auto& p : model4.ptr()->named_children()["classifier"]->parameters()) CHECK(p.grad().defined());

  // Freezing every parameter leaves nothing to train.
  TrainSetup none = tiny_setup(1);
  none.phases[0].freeze.mode = FreezeConfig::Mode::kFraction;
  none.phases[0].freeze.fraction = 1.0;
  auto model3 = tiny_model();
  CHECK_THROWS_WITH(train_model(model3, nullptr, train, val, none, quiet),
                    Catch::Contains("phase 1 freezes every parameter"));
}

TEST_CASE("EMA after one step is decay * start + (1 - decay) * the stepped weights", "[training]") {
  const PreparedSet train = tiny_set(16, 3), val = tiny_set(8, 4);  // one batch: one step
  auto model = tiny_model();
  auto ema = tiny_model();
  const auto start = copy_of(model.ptr()->parameters());
  TrainSetup s = tiny_setup(1);
  s.ema_decay = 0.75;
  Progress quiet(stderr, false);
  const TrainOutcome out = train_model(model, &ema, train, val, s, quiet);
  REQUIRE(out.history.size() == 1);
  CHECK(out.history[0].has_ema);
  const auto stepped = model.ptr()->parameters();
  const auto averaged = ema.ptr()->parameters();
  for (size_t i = 0; i < stepped.size(); ++i) {
    const torch::Tensor want = 0.75 * start[i] + 0.25 * stepped[i];
    CHECK(torch::allclose(averaged[i], want, 1e-6, 1e-7));
  }
}

TEST_CASE("early stopping stops after patience epochs without improvement and restores the best weights", "[training]") {
  const PreparedSet train = tiny_set(64, 5), val = tiny_set(32, 6);
  auto model = tiny_model();
  TrainSetup s = tiny_setup(10, "adam", 0.01);
  EarlyStoppingOptions es;
  es.monitor = "val_accuracy";
  es.min_delta = 2.0;  // no epoch can improve by more than 2: the first epoch stays the best
  es.patience = 2;
  es.restore_best_weights = true;
  s.phases[0].early_stopping = es;
  Progress quiet(stderr, false);
  const TrainOutcome out = train_model(model, nullptr, train, val, s, quiet);
  // Keras: the wait reaches patience after epoch 3 (0-based 2).
  REQUIRE(out.history.size() == 3);
  REQUIRE(out.early_stops.size() == 1);
  CHECK(out.early_stops[0].first == 3);
  CHECK(out.early_stops[0].second == 1);
  const auto [loss, acc] = evaluate_loss(model, val, s);
  CHECK(loss == out.history[0].val_loss);
  CHECK(acc == out.history[0].val_accuracy);
}

TEST_CASE("a weight penalty adds to the training loss; a non-finite loss names epoch and step", "[training]") {
  const PreparedSet train = tiny_set(32, 7), val = tiny_set(8, 8);
  Progress quiet(stderr, false);
  auto plain = tiny_model();
  const TrainOutcome a = train_model(plain, nullptr, train, val, tiny_setup(1), quiet);
  auto penalised = tiny_model();
  TrainSetup s = tiny_setup(1);
  s.regularization.l2 = 0.5;
  const TrainOutcome b = train_model(penalised, nullptr, train, val, s, quiet);
  CHECK(b.history[0].train_loss > a.history[0].train_loss + 0.1);

  auto exploding = tiny_model();
  TrainSetup boom = tiny_setup(3, "sgd", 1e30);
  CHECK_THROWS_WITH(train_model(exploding, nullptr, train, val, boom, quiet),
                    Catch::Contains("non-finite loss") && Catch::Contains("at epoch 1, step 2"));
}

TEST_CASE("a checkpoint resumes training only under its own tag", "[training]") {
  const PreparedSet train = tiny_set(32, 9), val = tiny_set(8, 10);
  testing::TempDir dir;
  const std::string path = dir.file("checkpoint.pt");
  Progress quiet(stderr, false);
  TrainSetup s = tiny_setup(2);
  s.checkpoint = path;
  s.checkpoint_tag = "A";
  auto model = tiny_model();
  const TrainOutcome first = train_model(model, nullptr, train, val, s, quiet);
  REQUIRE(std::filesystem::exists(path));
  // The finished run's checkpoint says every phase is done: resuming trains nothing more.
  auto again = tiny_model();
  const TrainOutcome resumed = train_model(again, nullptr, train, val, s, quiet);
  CHECK(resumed.resumed_after_epoch == 2);
  CHECK(resumed.history.size() == 2);
  for (size_t i = 0; i < model.ptr()->parameters().size(); ++i) {
    CHECK(torch::equal(model.ptr()->parameters()[i], again.ptr()->parameters()[i]));
  }
  // Another tag: trained from the start.
  s.checkpoint_tag = "B";
  auto other = tiny_model();
  const TrainOutcome fresh = train_model(other, nullptr, train, val, s, quiet);
  CHECK(fresh.resumed_after_epoch == 0);
  CHECK(fresh.history.size() == 2);
}

}  // namespace
}  // namespace gauntlet
