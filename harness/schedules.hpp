// Learning-rate schedules and the two metric-driven callbacks of Keras (ReduceLROnPlateau,
// EarlyStopping), each with its state as a small struct a checkpoint can save and restore.
//
// Granularity is the epoch: a schedule is a pure function of the 0-based index of the epoch about
// to be trained (the lr is set once before each epoch). Per-step warm-up would need the step count
// of an epoch, which depends on the data set size and batch size; the runs this harness compares
// last tens of epochs, where a per-epoch ramp is what torch's LinearLR and timm's warmup_t give.
//
// The callbacks follow the keras/callbacks.py of late Keras 2 releases (the tf.keras that
// TensorFlow 2.x ships) step by step; where that differs from torch.optim.lr_scheduler's
// ReduceLROnPlateau or from older Keras the comments below say so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet {

// --- schedules -----------------------------------------------------------------------------------

struct ScheduleOptions {
  std::string name = "constant";  ///< constant | step | exponential | cosine
  /// step: epochs between decays (lr = base gamma^floor(e / step_size)), torch's StepLR.
  int64_t step_size = 30;
  /// step: factor per step_size epochs; exponential: factor per decay_epochs epochs.
  double gamma = 0.1;
  /// exponential: Keras ExponentialDecay's decay_steps, in epochs:
  /// lr = base gamma^(e / decay_epochs), with floor(e / decay_epochs) when staircase. Evaluated
  /// once per epoch, so staircase with decay_epochs 1 and plain decay give the same sequence
  /// (torch's ExponentialLR), and staircase with decay_epochs d is "step" with step_size d.
  int64_t decay_epochs = 1;
  bool staircase = false;
  /// cosine: linear warm-up over the first warmup_epochs epochs from warmup_start_factor * base
  /// (torch's LinearLR start_factor), then cosine annealing from base to min_lr over the rest of
  /// total_epochs.
  int64_t warmup_epochs = 0;
  double warmup_start_factor = 0.1;
  double min_lr = 0.0;
  int64_t total_epochs = 0;  ///< cosine: the run's epoch count, > warmup_epochs
};

/// The names scheduled_lr() accepts.
const std::vector<std::string>& schedule_names();

/// Throws std::invalid_argument for an unknown name or values the schedule cannot use
/// (step_size or decay_epochs < 1, gamma <= 0, a warm-up factor outside [0, 1], total_epochs
/// <= warmup_epochs, a negative min_lr, ...).
void validate(const ScheduleOptions& options);

/// The lr of epoch `epoch` (0-based; >= 0) for base lr `base_lr`:
///   constant:    base
///   step:        base * gamma^floor(e / step_size)
///   exponential: base * gamma^(e / decay_epochs)        (floor(e / decay_epochs) if staircase)
///   cosine, W = warmup_epochs, T = total_epochs, f = warmup_start_factor:
///     e <  W:    base * (f + (1 - f) * e / W)
///     e >= W:    min_lr + (base - min_lr) * (1 + cos(pi * min(1, (e - W) / (T - W)))) / 2
/// The cosine part is torch's CosineAnnealingLR with T_max = T - W started after the warm-up:
/// epoch W trains at base, and min_lr is where the curve would be after the last epoch, so the
/// last epoch trains just above it; epochs past T stay at min_lr.
/// Throws std::invalid_argument as validate() does, and for a negative epoch.
double scheduled_lr(const ScheduleOptions& options, double base_lr, int64_t epoch);

// --- metric-driven callbacks ---------------------------------------------------------------------

/// Whether a monitored metric improves downwards (val_loss) or upwards (val_accuracy).
enum class MonitorMode { min, max };

/// val_loss -> min, val_accuracy -> max (Keras's "auto" mode for these names). Throws
/// std::invalid_argument for any other name.
MonitorMode monitor_mode(const std::string& monitor);

struct ReduceLROnPlateauOptions {
  std::string monitor = "val_loss";  ///< val_loss | val_accuracy; the mode follows from it
  double factor = 0.1;               ///< new lr = max(lr * factor, min_lr); in [0, 1)
  int64_t patience = 10;             ///< epochs without improvement before a reduction
  /// An epoch improves when current < best - min_delta (min) or current > best + min_delta (max),
  /// absolute as Keras (torch's default threshold is relative).
  double min_delta = 1e-4;
  int64_t cooldown = 0;  ///< epochs after a reduction during which no patience is counted
  double min_lr = 0.0;
};

/// Everything ReduceLROnPlateau remembers between epochs.
struct ReduceLROnPlateauState {
  double lr = 0;
  double best = 0;  ///< +inf (min) or -inf (max) before the first finite metric
  int64_t wait = 0;
  int64_t cooldown_counter = 0;

  std::vector<double> to_vector() const;  ///< {lr, best, wait, cooldown_counter}
  static ReduceLROnPlateauState from_vector(const std::vector<double>& v);  ///< throws on size
  bool operator==(const ReduceLROnPlateauState& o) const;
};

/// Keras 2.x ReduceLROnPlateau. It owns the lr it reduces (start it with the base lr, read lr()
/// after each update). Per epoch, in Keras's order:
///   1. in cooldown (counter > 0): counter -= 1, wait = 0;
///   2. improved: best = current, wait = 0;
///      else if not in cooldown (after step 1's decrement): wait += 1, and when wait >= patience
///      and lr > min_lr: lr = max(lr * factor, min_lr), counter = cooldown, wait = 0.
/// So with cooldown c the c-1 epochs after a reduction count no patience and the c-th already
/// does; torch ignores all c epochs and reduces when bad epochs exceed (>) patience, Keras when
/// they reach (>=) it. A NaN metric is never an improvement. Keras compares lr against
/// float32(min_lr) because its lr is a float32 variable; here both are doubles.
class ReduceLROnPlateau {
 public:
  ReduceLROnPlateau(const ReduceLROnPlateauOptions& options, double initial_lr);

  /// Feeds one epoch's metric; returns true when it lowered the lr.
  bool update(double current);
  double lr() const { return state_.lr; }
  const ReduceLROnPlateauOptions& options() const { return options_; }

  const ReduceLROnPlateauState& state() const { return state_; }
  void set_state(const ReduceLROnPlateauState& state) { state_ = state; }

 private:
  bool improved(double current) const;

  ReduceLROnPlateauOptions options_;
  MonitorMode mode_;
  ReduceLROnPlateauState state_;
};

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";  ///< val_loss | val_accuracy; the mode follows from it
  /// An epoch improves when current < best - |min_delta| (min) or current > best + |min_delta|
  /// (max); Keras takes the absolute value too.
  double min_delta = 0.0;
  int64_t patience = 0;  ///< epochs without improvement before stopping
  /// Late Keras 2 semantics: an improvement on best resets the patience count only if it also
  /// improves on the baseline; best is tracked either way (older Keras initialised best to the
  /// baseline instead). Training that never beats the baseline stops after `patience` epochs.
  std::optional<double> baseline;
  /// Recorded for the trainer: stop() decisions carry restore_best when this is set.
  bool restore_best_weights = false;
};

/// Everything EarlyStopping remembers between epochs.
struct EarlyStoppingState {
  double best = 0;  ///< +inf (min) or -inf (max) before the first finite metric
  int64_t wait = 0;
  int64_t epochs_seen = 0;     ///< updates so far; the next update is epoch index epochs_seen
  int64_t best_epoch = 0;      ///< 0-based epoch index of best (0 until one improves, as Keras)
  int64_t stopped_epoch = -1;  ///< 0-based index of the epoch that decided to stop, -1 if none

  /// {best, wait, epochs_seen, best_epoch, stopped_epoch}
  std::vector<double> to_vector() const;
  static EarlyStoppingState from_vector(const std::vector<double>& v);  ///< throws on size
  bool operator==(const EarlyStoppingState& o) const;
};

/// What EarlyStopping::update() tells the trainer about the epoch just finished.
struct EarlyStoppingDecision {
  bool improved = false;  ///< the metric improved on best (by more than min_delta)
  /// Keep this epoch's weights as the ones to restore: on an improvement, and on the first epoch
  /// (Keras keeps the first epoch's weights when nothing ever improves).
  bool keep_weights = false;
  bool stop = false;          ///< stop training after this epoch
  bool restore_best = false;  ///< stop && restore_best_weights: load the kept weights now
};

/// Keras 2.x EarlyStopping. The class only decides; saving and restoring weights is the
/// trainer's job. Per epoch (0-based index e), in Keras's order:
///   wait += 1; if improved: best = current, best_epoch = e, and wait = 0 if there is no baseline
///   or current also improves on it; then stop when wait >= patience and e > 0.
/// So patience p stops after p epochs in a row without improvement, never after the first epoch
/// (patience 0 stops after the second). Keras restores the best weights only when it stops the
/// run, not when the last epoch ends first; restore_best follows that. A NaN metric is never an
/// improvement. Keras 2.11's start_from_epoch is not supported.
class EarlyStopping {
 public:
  explicit EarlyStopping(const EarlyStoppingOptions& options);

  EarlyStoppingDecision update(double current);
  bool stopped() const { return state_.stopped_epoch >= 0; }
  int64_t best_epoch() const { return state_.best_epoch; }
  double best() const { return state_.best; }
  const EarlyStoppingOptions& options() const { return options_; }

  const EarlyStoppingState& state() const { return state_; }
  void set_state(const EarlyStoppingState& state) { state_ = state; }

 private:
  bool improves(double current, double reference) const;

  EarlyStoppingOptions options_;
  MonitorMode mode_;
  EarlyStoppingState state_;
};

}  // namespace gauntlet
