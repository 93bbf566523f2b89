#include "harness/schedules.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace gauntlet {
namespace {

constexpr double kPi = 3.14159265358979323846;

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

double worst(MonitorMode mode) {
  return mode == MonitorMode::min ? std::numeric_limits<double>::infinity()
                                  : -std::numeric_limits<double>::infinity();
}

void check_size(const std::vector<double>& v, size_t n, const std::string& what) {
  require(v.size() == n,
          what + ": expected " + std::to_string(n) + " numbers, got " + std::to_string(v.size()));
}

}  // namespace

const std::vector<std::string>& schedule_names() {
  static const std::vector<std::string> names = {"constant", "step", "exponential", "cosine"};
  return names;
}

void validate(const ScheduleOptions& o) {
  const auto& names = schedule_names();
  require(std::find(names.begin(), names.end(), o.name) != names.end(),
          "unknown schedule \"" + o.name + "\"");
  if (o.name == "step") {
    require(o.step_size >= 1,
            "step schedule: step_size must be >= 1, got " + std::to_string(o.step_size));
    require(std::isfinite(o.gamma) && o.gamma > 0,
            "step schedule: gamma must be > 0, got " + num(o.gamma));
  } else if (o.name == "exponential") {
    require(o.decay_epochs >= 1, "exponential schedule: decay_epochs must be >= 1, got " +
                                     std::to_string(o.decay_epochs));
    require(std::isfinite(o.gamma) && o.gamma > 0,
            "exponential schedule: gamma must be > 0, got " + num(o.gamma));
  } else if (o.name == "cosine") {
    require(o.warmup_epochs >= 0,
            "cosine schedule: warmup_epochs must be >= 0, got " + std::to_string(o.warmup_epochs));
    require(o.total_epochs > o.warmup_epochs,
            "cosine schedule: total_epochs (" + std::to_string(o.total_epochs) +
                ") must be greater than warmup_epochs (" + std::to_string(o.warmup_epochs) + ")");
    require(o.warmup_start_factor >= 0 && o.warmup_start_factor <= 1,
            "cosine schedule: warmup_start_factor must be in [0, 1], got " +
                num(o.warmup_start_factor));
    require(std::isfinite(o.min_lr) && o.min_lr >= 0,
            "cosine schedule: min_lr must be >= 0, got " + num(o.min_lr));
  }
}

double scheduled_lr(const ScheduleOptions& o, double base_lr, int64_t epoch) {
  validate(o);
  require(epoch >= 0, "schedule: epoch must be >= 0, got " + std::to_string(epoch));
  const double e = static_cast<double>(epoch);
  if (o.name == "step")
    return base_lr * std::pow(o.gamma, static_cast<double>(epoch / o.step_size));
  if (o.name == "exponential") {
    const double p = o.staircase ? static_cast<double>(epoch / o.decay_epochs)
                                 : e / static_cast<double>(o.decay_epochs);
    return base_lr * std::pow(o.gamma, p);
  }
  if (o.name == "cosine") {
    const double w = static_cast<double>(o.warmup_epochs);
    if (epoch < o.warmup_epochs) {
      return base_lr * (o.warmup_start_factor + (1 - o.warmup_start_factor) * e / w);
    }
    const double progress = std::min(1.0, (e - w) / (static_cast<double>(o.total_epochs) - w));
    return o.min_lr + (base_lr - o.min_lr) * (1 + std::cos(kPi * progress)) / 2;
  }
  return base_lr;
}

MonitorMode monitor_mode(const std::string& monitor) {
  if (monitor == "val_loss") return MonitorMode::min;
  if (monitor == "val_accuracy") return MonitorMode::max;
  throw std::invalid_argument("unknown monitor \"" + monitor +
                              "\" (expected val_loss or val_accuracy)");
}

// --- ReduceLROnPlateau ---------------------------------------------------------------------------

std::vector<double> ReduceLROnPlateauState::to_vector() const {
  return {lr, best, static_cast<double>(wait), static_cast<double>(cooldown_counter)};
}

ReduceLROnPlateauState ReduceLROnPlateauState::from_vector(const std::vector<double>& v) {
  check_size(v, 4, "ReduceLROnPlateau state");
  ReduceLROnPlateauState s;
  s.lr = v[0];
  s.best = v[1];
  s.wait = static_cast<int64_t>(v[2]);
  s.cooldown_counter = static_cast<int64_t>(v[3]);
  return s;
}

bool ReduceLROnPlateauState::operator==(const ReduceLROnPlateauState& o) const {
  return lr == o.lr && best == o.best && wait == o.wait && cooldown_counter == o.cooldown_counter;
}

ReduceLROnPlateau::ReduceLROnPlateau(const ReduceLROnPlateauOptions& options, double initial_lr)
    : options_(options), mode_(monitor_mode(options.monitor)) {
  require(options.factor >= 0 && options.factor < 1,
          "ReduceLROnPlateau: factor must be in [0, 1), got " + num(options.factor));
  require(options.patience >= 0,
          "ReduceLROnPlateau: patience must be >= 0, got " + std::to_string(options.patience));
  require(options.cooldown >= 0,
          "ReduceLROnPlateau: cooldown must be >= 0, got " + std::to_string(options.cooldown));
  require(std::isfinite(options.min_delta), "ReduceLROnPlateau: min_delta must be finite");
  require(std::isfinite(options.min_lr) && options.min_lr >= 0,
          "ReduceLROnPlateau: min_lr must be >= 0, got " + num(options.min_lr));
  require(std::isfinite(initial_lr) && initial_lr >= 0,
          "ReduceLROnPlateau: initial lr must be >= 0, got " + num(initial_lr));
  state_.lr = initial_lr;
  state_.best = worst(mode_);
}

bool ReduceLROnPlateau::improved(double current) const {
  return mode_ == MonitorMode::min ? current < state_.best - options_.min_delta
                                   : current > state_.best + options_.min_delta;
}

bool ReduceLROnPlateau::update(double current) {
  auto& s = state_;
  if (s.cooldown_counter > 0) {
    --s.cooldown_counter;
    s.wait = 0;
  }
  if (improved(current)) {
    s.best = current;
    s.wait = 0;
    return false;
  }
  if (s.cooldown_counter > 0) return false;
  ++s.wait;
  if (s.wait < options_.patience || !(s.lr > options_.min_lr)) return false;
  s.lr = std::max(s.lr * options_.factor, options_.min_lr);
  s.cooldown_counter = options_.cooldown;
  s.wait = 0;
  return true;
}

// --- EarlyStopping -------------------------------------------------------------------------------

std::vector<double> EarlyStoppingState::to_vector() const {
  return {best, static_cast<double>(wait), static_cast<double>(epochs_seen),
          static_cast<double>(best_epoch), static_cast<double>(stopped_epoch)};
}

EarlyStoppingState EarlyStoppingState::from_vector(const std::vector<double>& v) {
  check_size(v, 5, "EarlyStopping state");
  EarlyStoppingState s;
  s.best = v[0];
  s.wait = static_cast<int64_t>(v[1]);
  s.epochs_seen = static_cast<int64_t>(v[2]);
  s.best_epoch = static_cast<int64_t>(v[3]);
  s.stopped_epoch = static_cast<int64_t>(v[4]);
  return s;
}

bool EarlyStoppingState::operator==(const EarlyStoppingState& o) const {
  return best == o.best && wait == o.wait && epochs_seen == o.epochs_seen &&
         best_epoch == o.best_epoch && stopped_epoch == o.stopped_epoch;
}

EarlyStopping::EarlyStopping(const EarlyStoppingOptions& options)
    : options_(options), mode_(monitor_mode(options.monitor)) {
  require(options.patience >= 0,
          "EarlyStopping: patience must be >= 0, got " + std::to_string(options.patience));
  require(std::isfinite(options.min_delta), "EarlyStopping: min_delta must be finite");
  require(!options.baseline || std::isfinite(*options.baseline),
          "EarlyStopping: baseline must be finite");
  options_.min_delta = std::fabs(options.min_delta);
  state_.best = worst(mode_);
}

bool EarlyStopping::improves(double current, double reference) const {
  return mode_ == MonitorMode::min ? current + options_.min_delta < reference
                                   : current - options_.min_delta > reference;
}

EarlyStoppingDecision EarlyStopping::update(double current) {
  auto& s = state_;
  const int64_t epoch = s.epochs_seen++;
  EarlyStoppingDecision d;
  d.keep_weights = epoch == 0;
  ++s.wait;
  if (improves(current, s.best)) {
    s.best = current;
    s.best_epoch = epoch;
    d.improved = d.keep_weights = true;
    if (!options_.baseline || improves(current, *options_.baseline)) s.wait = 0;
  }
  if (s.wait >= options_.patience && epoch > 0) {
    s.stopped_epoch = epoch;
    d.stop = true;
    d.restore_best = options_.restore_best_weights;
  }
  return d;
}

}  // namespace gauntlet
