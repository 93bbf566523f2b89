// Learning-rate schedules against their formulas, and ReduceLROnPlateau / EarlyStopping on
// scripted metric sequences whose expected decisions are worked out by hand from Keras 2's
// callbacks.py, including a checkpoint (state save/restore) in the middle of a sequence.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "harness/schedules.hpp"

namespace gauntlet {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kEpochs = 30;

std::vector<double> sequence(const ScheduleOptions& o, double base) {
  std::vector<double> out;
  for (int e = 0; e < kEpochs; ++e) out.push_back(scheduled_lr(o, base, e));
  return out;
}

void check_sequence(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t e = 0; e < got.size(); ++e) {
    INFO("epoch " << e);
    CHECK(got[e] == Approx(want[e]).epsilon(1e-12).margin(1e-15));
  }
}

TEST_CASE("constant and step schedules", "[training]") {
  ScheduleOptions o;
  check_sequence(sequence(o, 0.3), std::vector<double>(kEpochs, 0.3));
  o.name = "step";
  o.step_size = 7;
  o.gamma = 0.5;
  std::vector<double> want;
  // Decays after epochs 6, 13, 20, 27 (0-based): 0.1 for 7 epochs, then halves.
  for (int e = 0; e < kEpochs; ++e) {
    double lr = 0.1;
    for (int k = 7; k <= e; k += 7) lr *= 0.5;
    want.push_back(lr);
  }
  check_sequence(sequence(o, 0.1), want);
  CHECK(scheduled_lr(o, 0.1, 6) == 0.1);
  CHECK(scheduled_lr(o, 0.1, 7) == 0.05);
}

TEST_CASE("exponential schedule, smooth and staircase", "[training]") {
  ScheduleOptions o;
  o.name = "exponential";
  o.gamma = 0.9;
  std::vector<double> per_epoch, smooth4, stairs4;
  double lr = 0.2;
  for (int e = 0; e < kEpochs; ++e) {
    per_epoch.push_back(lr);
    lr *= 0.9;
    smooth4.push_back(0.2 * std::exp(std::log(0.9) * e / 4.0));
    stairs4.push_back(0.2 * std::pow(0.9, e / 4));
  }
  check_sequence(sequence(o, 0.2), per_epoch);
  o.staircase = true;  // with decay_epochs 1 staircase changes nothing at epoch granularity
  check_sequence(sequence(o, 0.2), per_epoch);
  o.decay_epochs = 4;
  check_sequence(sequence(o, 0.2), stairs4);
  o.staircase = false;
  check_sequence(sequence(o, 0.2), smooth4);
  CHECK(scheduled_lr(o, 0.2, 2) < scheduled_lr(o, 0.2, 1));  // decays inside a 4-epoch period
}

TEST_CASE("cosine schedule with linear warm-up", "[training]") {
  ScheduleOptions o;
  o.name = "cosine";
  o.total_epochs = kEpochs;
  o.warmup_epochs = 5;
  o.warmup_start_factor = 0.2;
  o.min_lr = 1e-4;
  const double base = 0.1;
  std::vector<double> want;
  for (int e = 0; e < kEpochs; ++e) {
    if (e < 5) {
      // 0.02, 0.036, 0.052, 0.068, 0.084: from 0.2 base in equal steps towards base at epoch 5.
      want.push_back(base * (0.2 + 0.8 * e / 5.0));
    } else {
      const double x = static_cast<double>(e - 5) / 25.0;
      want.push_back(1e-4 + (base - 1e-4) * 0.5 * (1 + std::cos(kPi * x)));
    }
  }
  check_sequence(sequence(o, base), want);
  CHECK(scheduled_lr(o, base, 0) == Approx(0.02));
  CHECK(scheduled_lr(o, base, 5) == Approx(base));
  CHECK(scheduled_lr(o, base, 29) > 1e-4);  // the last epoch trains just above min_lr
  CHECK(scheduled_lr(o, base, 30) == Approx(1e-4));
  CHECK(scheduled_lr(o, base, 100) == Approx(1e-4));
  // Without warm-up it is torch's CosineAnnealingLR(T_max = total_epochs, eta_min = min_lr).
  o.warmup_epochs = 0;
  for (int e = 0; e < kEpochs; ++e) {
    CHECK(scheduled_lr(o, base, e) ==
          Approx(1e-4 + (base - 1e-4) * (1 + std::cos(kPi * e / kEpochs)) / 2).epsilon(1e-12));
  }
}

TEST_CASE("schedule options are validated", "[training]") {
  ScheduleOptions o;
  o.name = "poly";
  CHECK_THROWS_WITH(validate(o), Catch::Contains("unknown schedule \"poly\""));
  o = ScheduleOptions();
  o.name = "step";
  o.step_size = 0;
  CHECK_THROWS_WITH(validate(o), Catch::Contains("step_size must be >= 1"));
  o = ScheduleOptions();
  o.name = "cosine";
  o.total_epochs = 5;
  o.warmup_epochs = 5;
  CHECK_THROWS_WITH(scheduled_lr(o, 0.1, 0), Catch::Contains("must be greater than warmup_epochs"));
  o.total_epochs = 10;
  o.warmup_start_factor = 1.5;
  CHECK_THROWS_WITH(validate(o), Catch::Contains("warmup_start_factor must be in [0, 1]"));
  o = ScheduleOptions();
  CHECK_THROWS_WITH(scheduled_lr(o, 0.1, -1), Catch::Contains("epoch must be >= 0"));
}

// --- ReduceLROnPlateau
// ----------------------------------------------------------------------------

// Feeds `metrics` and returns the lr after each epoch.
std::vector<double> lrs_after(ReduceLROnPlateau& r, const std::vector<double>& metrics) {
  std::vector<double> out;
  for (double m : metrics) {
    r.update(m);
    out.push_back(r.lr());
  }
  return out;
}

TEST_CASE("ReduceLROnPlateau reduces after `patience` epochs without improvement", "[training]") {
  ReduceLROnPlateauOptions o;
  o.patience = 2;
  o.factor = 0.5;
  o.min_delta = 0.01;
  ReduceLROnPlateau r(o, 1.0);
  // e0 1.0 best; e1 0.995 not < 0.99 (smaller than min_delta): wait 1; e2 0.98 < 0.99: best,
  // wait 0; e3 0.975 (not < 0.97): wait 1; e4 0.98: wait 2 >= 2 -> lr 0.5, wait 0;
  // e5 0.972: not < 0.97, wait 1; e6 0.959 < 0.97: best; e7, e8: wait 1, 2 -> lr 0.25.
  const std::vector<double> metrics = {1.0, 0.995, 0.98, 0.975, 0.98, 0.972, 0.959, 0.96, 0.96};
  CHECK(lrs_after(r, metrics) == std::vector<double>{1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25});
  CHECK(r.state().best == 0.959);
}

TEST_CASE("ReduceLROnPlateau's cooldown counts as Keras does", "[training]") {
  ReduceLROnPlateauOptions o;
  o.patience = 1;
  o.factor = 0.1;
  o.min_delta = 0;
  o.cooldown = 2;
  ReduceLROnPlateau r(o, 1.0);
  // e0 best; e1 flat: wait 1 >= 1 -> 0.1, cooldown 2. e2: counter 2 -> 1, in cooldown, no wait.
  // e3: counter 1 -> 0, no longer in cooldown, so wait 1 >= 1 -> 0.01 (torch would still wait).
  // e4: counter 2 -> 1; e5: 1 -> 0, wait 1 -> 0.001.
  const std::vector<double> flat(6, 5.0);
  const auto got = lrs_after(r, flat);
  const std::vector<double> want = {1.0, 0.1, 0.1, 0.01, 0.01, 0.001};
  REQUIRE(got.size() == want.size());
  for (size_t e = 0; e < want.size(); ++e) {
    INFO("epoch " << e);
    CHECK(got[e] == Approx(want[e]).epsilon(1e-15));
  }
}

TEST_CASE("ReduceLROnPlateau floors at min_lr and stops reducing there", "[training]") {
  ReduceLROnPlateauOptions o;
  o.patience = 1;
  o.factor = 0.1;
  o.min_lr = 0.02;
  ReduceLROnPlateau r(o, 1.0);
  CHECK_FALSE(r.update(3.0));
  CHECK(r.update(3.0));
  CHECK(r.lr() == Approx(0.1));
  CHECK(r.update(3.0));
  CHECK(r.lr() == 0.02);       // max(0.01, 0.02)
  CHECK_FALSE(r.update(3.0));  // lr is not > min_lr: no reduction, wait keeps counting
  CHECK(r.lr() == 0.02);
  CHECK(r.state().wait == 1);
}

TEST_CASE("ReduceLROnPlateau on val_accuracy improves upwards", "[training]") {
  ReduceLROnPlateauOptions o;
  o.monitor = "val_accuracy";
  o.patience = 2;
  o.factor = 0.5;
  o.min_delta = 0.005;
  ReduceLROnPlateau r(o, 0.4);
  // e0 0.50 best; e1 0.504 (not > 0.505): wait 1; e2 0.52 best; e3 0.40: wait 1;
  // e4 0.524 (not > 0.525): wait 2 -> 0.2.
  CHECK(lrs_after(r, {0.50, 0.504, 0.52, 0.40, 0.524}) ==
        std::vector<double>{0.4, 0.4, 0.4, 0.4, 0.2});
  CHECK(r.state().best == 0.52);
  // A NaN never improves.
  CHECK(std::isinf(ReduceLROnPlateau(o, 0.4).state().best));
  ReduceLROnPlateau n(o, 0.4);
  n.update(std::nan(""));
  CHECK(n.state().wait == 1);
}

TEST_CASE("ReduceLROnPlateau restored mid-sequence continues identically", "[training]") {
  ReduceLROnPlateauOptions o;
  o.patience = 2;
  o.cooldown = 1;
  o.factor = 0.3;
  o.min_lr = 0.001;
  const std::vector<double> metrics = {0.9,  0.8,  0.85, 0.81, 0.82, 0.7, 0.75, 0.72,
                                       0.71, 0.73, 0.74, 0.75, 0.69, 0.7, 0.7,  0.7};
  ReduceLROnPlateau whole(o, 0.1);
  const auto want = lrs_after(whole, metrics);
  for (size_t cut = 1; cut < metrics.size(); ++cut) {
    INFO("checkpoint after epoch " << cut);
    ReduceLROnPlateau first(o, 0.1);
    auto got = lrs_after(first, {metrics.begin(), metrics.begin() + cut});
    const std::vector<double> saved = first.state().to_vector();
    ReduceLROnPlateau second(o, 0.1);
    second.set_state(ReduceLROnPlateauState::from_vector(saved));
    const auto rest = lrs_after(second, {metrics.begin() + cut, metrics.end()});
    got.insert(got.end(), rest.begin(), rest.end());
    CHECK(got == want);
    CHECK(second.state() == whole.state());
  }
  CHECK(want.back() < 0.1 * 0.3);  // the sequence does reduce, more than once
  CHECK_THROWS_WITH(ReduceLROnPlateauState::from_vector({1, 2}), Catch::Contains("expected 4"));
}

TEST_CASE("ReduceLROnPlateau and EarlyStopping check their options", "[training]") {
  ReduceLROnPlateauOptions o;
  o.factor = 1.0;
  CHECK_THROWS_WITH(ReduceLROnPlateau(o, 0.1), Catch::Contains("factor must be in [0, 1)"));
  o = ReduceLROnPlateauOptions();
  o.monitor = "loss";
  CHECK_THROWS_WITH(ReduceLROnPlateau(o, 0.1), Catch::Contains("unknown monitor \"loss\""));
  EarlyStoppingOptions e;
  e.patience = -1;
  CHECK_THROWS_WITH(EarlyStopping{e}, Catch::Contains("patience must be >= 0"));
  CHECK(monitor_mode("val_loss") == MonitorMode::min);
  CHECK(monitor_mode("val_accuracy") == MonitorMode::max);
}

// --- EarlyStopping
// --------------------------------------------------------------------------------

// Feeds metrics until a stop; returns the number of epochs run.
int64_t run_until_stop(EarlyStopping& es, const std::vector<double>& metrics) {
  for (size_t e = 0; e < metrics.size(); ++e) {
    if (es.update(metrics[e]).stop) return static_cast<int64_t>(e) + 1;
  }
  return static_cast<int64_t>(metrics.size());
}

TEST_CASE("EarlyStopping stops after `patience` epochs without improvement", "[training]") {
  EarlyStoppingOptions o;
  o.patience = 3;
  o.min_delta = 0.01;
  EarlyStopping es(o);
  // e0 1.0 best; e1 0.9 best; e2 0.895 (not < 0.89): wait 1; e3 0.85 best;
  // e4 0.845, e5 0.846, e6 0.841: improvements smaller than min_delta: wait 1, 2, 3 -> stop at e6.
  const std::vector<double> m = {1.0, 0.9, 0.895, 0.85, 0.845, 0.846, 0.841, 0.5};
  CHECK(run_until_stop(es, m) == 7);
  CHECK(es.stopped());
  CHECK(es.state().stopped_epoch == 6);
  CHECK(es.best_epoch() == 3);
  CHECK(es.best() == 0.85);
}

TEST_CASE("EarlyStopping decisions: improvements, kept weights, restore", "[training]") {
  EarlyStoppingOptions o;
  o.monitor = "val_accuracy";
  o.patience = 2;
  o.restore_best_weights = true;
  EarlyStopping es(o);
  auto d = es.update(0.5);  // first epoch: improves on -inf, weights kept
  CHECK(d.improved);
  CHECK(d.keep_weights);
  CHECK_FALSE(d.stop);
  d = es.update(0.6);
  CHECK(d.improved);
  d = es.update(0.6);  // equal is no improvement (min_delta 0)
  CHECK_FALSE(d.improved);
  CHECK_FALSE(d.keep_weights);
  CHECK_FALSE(d.stop);
  d = es.update(0.55);
  CHECK(d.stop);
  CHECK(d.restore_best);
  CHECK(es.best_epoch() == 1);
  // Without restore_best_weights the stop does not ask for a restore.
  o.restore_best_weights = false;
  EarlyStopping plain(o);
  for (double m : {0.5, 0.4}) plain.update(m);
  d = plain.update(0.4);
  CHECK(d.stop);
  CHECK_FALSE(d.restore_best);
}

TEST_CASE("EarlyStopping never stops after the first epoch; patience 0 stops after the second",
          "[training]") {
  EarlyStoppingOptions o;
  o.patience = 0;
  EarlyStopping es(o);
  CHECK_FALSE(es.update(1.0).stop);
  CHECK(es.update(0.5).stop);  // wait reset to 0 by the improvement, 0 >= 0 and epoch > 0
}

TEST_CASE("EarlyStopping's first epoch keeps weights even when its metric is NaN", "[training]") {
  EarlyStoppingOptions o;
  o.patience = 2;
  o.restore_best_weights = true;
  EarlyStopping es(o);
  auto d = es.update(std::nan(""));
  CHECK_FALSE(d.improved);
  CHECK(d.keep_weights);
  CHECK(es.best_epoch() == 0);
  d = es.update(std::nan(""));  // wait 2 >= patience
  CHECK_FALSE(d.keep_weights);
  CHECK(d.stop);
  CHECK(d.restore_best);
  CHECK(es.best_epoch() == 0);
}

TEST_CASE("EarlyStopping's baseline: improvements must also beat it to reset patience",
          "[training]") {
  EarlyStoppingOptions o;
  o.patience = 3;
  o.baseline = 0.5;
  EarlyStopping es(o);
  // Losses improve every epoch but stay above the baseline 0.5: wait is never reset, so the run
  // stops after 3 epochs, with best and best_epoch following the improvements.
  CHECK(run_until_stop(es, {0.9, 0.8, 0.7, 0.6}) == 3);
  CHECK(es.best() == 0.7);
  CHECK(es.best_epoch() == 2);
  // Beating the baseline resets patience.
  EarlyStopping beat(o);
  CHECK(run_until_stop(beat, {0.9, 0.8, 0.45, 0.46, 0.47, 0.48, 0.49}) == 6);
  CHECK(beat.best_epoch() == 2);
}

TEST_CASE("EarlyStopping restored mid-sequence continues identically", "[training]") {
  EarlyStoppingOptions o;
  o.patience = 3;
  o.min_delta = 0.002;
  o.baseline = 0.92;
  const std::vector<double> metrics = {0.95, 0.9,  0.85,  0.79,   0.8,  0.785, 0.7889,
                                       0.75, 0.76, 0.751, 0.7495, 0.76, 0.77};
  auto decisions = [](EarlyStopping& es, const std::vector<double>& ms) {
    std::vector<int> out;
    for (double m : ms) {
      const auto d = es.update(m);
      out.push_back(d.improved + 2 * d.keep_weights + 4 * d.stop);
    }
    return out;
  };
  EarlyStopping whole(o);
  const auto want = decisions(whole, metrics);
  CHECK(whole.stopped());
  for (size_t cut = 1; cut < metrics.size(); ++cut) {
    INFO("checkpoint after epoch " << cut);
    EarlyStopping first(o);
    auto got = decisions(first, {metrics.begin(), metrics.begin() + cut});
    EarlyStopping second(o);
    second.set_state(EarlyStoppingState::from_vector(first.state().to_vector()));
    const auto rest = decisions(second, {metrics.begin() + cut, metrics.end()});
    got.insert(got.end(), rest.begin(), rest.end());
    CHECK(got == want);
    CHECK(second.state() == whole.state());
  }
}

}  // namespace
}  // namespace gauntlet
