// Phases, callbacks, EMA and checkpoints around LibTorch's forward/backward. What a checkpoint holds
// is everything the next epoch reads: the weights (and EMA and best-so-far weights), the
// optimizer's state, the callbacks' states, LibTorch's CPU generator (dropout draws from it), the
// history, and where in which phase training stands. The data pipeline needs nothing: its draws
// are keyed by the epoch number. So a resumed cell continues with the bytes an uninterrupted one
// would have had.
#include "harness/trainer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <stdexcept>

#include "harness/compute.hpp"
#include "harness/core/atomic_file.hpp"
#include "harness/interrupt.hpp"
#include "harness/losses.hpp"
#include "harness/optimizers.hpp"
#include "harness/schedules.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;

// --- weights -------------------------------------------------------------------------------------

// Parameters then buffers, in registration order: the module's whole state.
std::vector<torch::Tensor> state_tensors(const torch::nn::Module& m) {
  std::vector<torch::Tensor> out;
  for (const auto& p : m.parameters()) out.push_back(p);
  for (const auto& b : m.buffers()) out.push_back(b);
  return out;
}

std::vector<torch::Tensor> snapshot(const torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> out;
  for (const auto& t : state_tensors(m)) out.push_back(t.detach().clone());
  return out;
}

void restore(torch::nn::Module& m, const std::vector<torch::Tensor>& saved) {
  torch::NoGradGuard no_grad;
  const auto dst = state_tensors(m);
  if (dst.size() != saved.size()) throw std::runtime_error("restore: the saved weights are of another model");
  for (size_t i = 0; i < dst.size(); ++i) dst[i].copy_(saved[i]);
}

// ema = decay ema + (1 - decay) model over floating-point state (timm's ModelEmaV3 with
// parameters and buffers); integer buffers (BatchNorm's batch count) are copied.
void ema_update(torch::nn::Module& ema, const torch::nn::Module& model, double decay) {
  torch::NoGradGuard no_grad;
  const auto e = state_tensors(ema), m = state_tensors(model);
  for (size_t i = 0; i < e.size(); ++i) {
    if (e[i].is_floating_point()) {
      e[i].mul_(decay).add_(m[i].detach(), 1.0 - decay);
    } else {
      e[i].copy_(m[i]);
    }
  }
}

void set_dropout(torch::nn::Module& m, double p) {
  for (const auto& child : m.modules()) {
    if (auto* d = child->as<torch::nn::Dropout>()) d->options.p(p);
    if (auto* d = child->as<torch::nn::Dropout2d>()) d->options.p(p);
  }
}

// --- freezing ------------------------------------------------------------------------------------

// Sets requires_grad by the phase's freeze and returns the BatchNorm layers left without a
// trainable parameter (kept in inference mode while training, as Keras does).
std::vector<std::shared_ptr<torch::nn::Module>> apply_freeze(torch::nn::Module& m, const FreezeConfig& f,
                                                             const std::string& head_prefix) {
  const auto named = m.named_parameters(/*recurse=*/true);
  std::set<std::string> frozen;
  if (f.mode == FreezeConfig::Mode::kBackbone) {
    for (const auto& p : named) {
      if (p.key().rfind(head_prefix, 0) != 0) frozen.insert(p.key());
    }
  } else if (f.mode == FreezeConfig::Mode::kFraction) {
    const auto count = static_cast<size_t>(std::floor(f.fraction * static_cast<double>(named.size())));
    for (size_t i = 0; i < count; ++i) frozen.insert(named[i].key());
  } else if (f.mode == FreezeConfig::Mode::kBlocks) {
    int64_t block = 0;
    for (const auto& child : m.named_children()) {
      if (block++ >= f.blocks) break;
      for (const auto& p : child.value()->named_parameters(/*recurse=*/true)) {
        frozen.insert(child.key() + "." + p.key());
      }
    }
  }
  for (auto& p : named) {
    const bool train = frozen.count(p.key()) == 0;
    p.value().set_requires_grad(train);
    // A gradient left from an earlier phase would count in clipping and the fp16 overflow check.
    if (!train) p.value().mutable_grad() = torch::Tensor();
  }
  std::vector<std::shared_ptr<torch::nn::Module>> frozen_bn;
  for (const auto& item : m.named_modules()) {
    const auto& mod = item.value();
    if (!mod->as<torch::nn::BatchNorm2d>() && !mod->as<torch::nn::BatchNorm1d>()) continue;
    const auto params = mod->parameters();
    const bool frozen_layer = !params.empty() && std::none_of(params.begin(), params.end(), [](const torch::Tensor& p) {
      return p.requires_grad();
    });
    if (frozen_layer) frozen_bn.push_back(mod);
  }
  return frozen_bn;
}

// Keras kernel regularizers: l1 sum|W| + l2 sum W^2 over the trainable kernels named.
torch::Tensor weight_penalty(const torch::nn::Module& m, const RegularizationConfig& r) {
  torch::Tensor total;
  if (r.l1 <= 0 && r.l2 <= 0) return total;
  for (const auto& p : m.named_parameters(/*recurse=*/true)) {
    const torch::Tensor& w = p.value();
    if (w.dim() <= 1 || !w.requires_grad()) continue;
    if (!r.layers.empty() && std::none_of(r.layers.begin(), r.layers.end(), [&](const std::string& prefix) {
          return p.key().rfind(prefix, 0) == 0;
        })) {
      continue;
    }
    torch::Tensor term = torch::zeros({}, w.options());
    if (r.l1 > 0) term = term + r.l1 * w.abs().sum();
    if (r.l2 > 0) term = term + r.l2 * w.pow(2).sum();
    total = total.defined() ? total + term : term;
  }
  return total;
}

double monitored(const std::string& monitor, const EpochStats& s) {
  return monitor == "val_accuracy" ? s.val_accuracy : s.val_loss;
}

// --- history as JSON (result.json and checkpoints) -------------------------------------------------

json epoch_json(const EpochStats& e) {
  json j = {{"epoch", e.epoch},
            {"phase", e.phase},
            {"train_loss", e.train_loss},
            {"train_accuracy", e.train_accuracy},
            {"val_loss", e.val_loss},
            {"val_accuracy", e.val_accuracy},
            {"lr", e.lr},
            {"group_lrs", e.group_lrs},
            {"images_per_second", e.images_per_second},
            {"seconds", e.seconds}};
  if (e.has_ema) {
    j["ema_val_loss"] = e.ema_val_loss;
    j["ema_val_accuracy"] = e.ema_val_accuracy;
  }
  return j;
}

EpochStats epoch_from_json(const json& j) {
  EpochStats e;
  e.epoch = j.at("epoch");
  e.phase = j.at("phase");
  e.train_loss = j.at("train_loss");
  e.train_accuracy = j.at("train_accuracy");
  e.val_loss = j.at("val_loss");
  e.val_accuracy = j.at("val_accuracy");
  e.lr = j.at("lr");
  e.group_lrs = j.at("group_lrs").get<std::vector<double>>();
  e.images_per_second = j.at("images_per_second");
  e.seconds = j.at("seconds");
  e.has_ema = j.contains("ema_val_loss");
  if (e.has_ema) {
    e.ema_val_loss = j.at("ema_val_loss");
    e.ema_val_accuracy = j.at("ema_val_accuracy");
  }
  return e;
}

// --- checkpoints ---------------------------------------------------------------------------------

torch::Tensor bytes_tensor(const std::string& s) {
  return torch::from_blob(const_cast<char*>(s.data()), {static_cast<int64_t>(s.size())}, torch::kUInt8).clone();
}

std::string tensor_bytes(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return std::string(reinterpret_cast<const char*>(c.data_ptr<uint8_t>()), static_cast<size_t>(c.numel()));
}

torch::Tensor doubles_tensor(const std::vector<double>& v) {
  return torch::tensor(v, torch::TensorOptions().dtype(torch::kFloat64));
}

std::vector<double> tensor_doubles(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous().to(torch::kFloat64);
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

torch::Tensor generator_state() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state();
}

void set_generator_state(const torch::Tensor& state) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
}

// Where training stands after an epoch, and the state of its phase.
struct Position {
  int64_t phase = 0;           ///< 0-based index of the phase the checkpoint is in
  int64_t epoch_in_phase = 0;  ///< epochs of that phase done
  bool phase_done = false;     ///< it ended (all epochs, or early stopping)
  int64_t best_epoch = 0;      ///< global epoch of `best` weights (early stopping)
};

struct PhaseState {
  torch::optim::Optimizer* optimizer = nullptr;
  const ReduceLROnPlateau* plateau = nullptr;
  const EarlyStopping* stopper = nullptr;
  const std::vector<torch::Tensor>* best = nullptr;
};

void save_checkpoint(const TrainSetup& setup, const torch::nn::Module& model, const torch::nn::Module* ema,
                     const Position& pos, const PhaseState& st, const LossScaler& scaler, const TrainOutcome& out) {
  torch::serialize::OutputArchive a;
  a.write("tag", bytes_tensor(setup.checkpoint_tag));
  a.write("position", torch::tensor({pos.phase, pos.epoch_in_phase, int64_t{pos.phase_done}, pos.best_epoch}));
  json hist = json::array();
  for (const auto& e : out.history) hist.push_back(epoch_json(e));
  json stops = json::array();
  for (const auto& s : out.early_stops) stops.push_back({s.first, s.second});
  a.write("history", bytes_tensor(json{{"history", hist}, {"early_stops", stops}}.dump()));
  torch::serialize::OutputArchive m;
  model.save(m);
  a.write("model", m);
  if (ema != nullptr) {
    torch::serialize::OutputArchive e;
    ema->save(e);
    a.write("ema", e);
  }
  if (!pos.phase_done) {  // a finished phase's optimizer and callbacks are never needed again
    torch::serialize::OutputArchive o;
    st.optimizer->save(o);
    a.write("optimizer", o);
    if (st.plateau) a.write("plateau", doubles_tensor(st.plateau->state().to_vector()));
    if (st.stopper) a.write("early_stopping", doubles_tensor(st.stopper->state().to_vector()));
    if (st.best && !st.best->empty()) {
      torch::serialize::OutputArchive b;
      for (size_t i = 0; i < st.best->size(); ++i) b.write(std::to_string(i), (*st.best)[i], /*is_buffer=*/true);
      a.write("best", b);
    }
  }
  a.write("scaler", doubles_tensor({scaler.state().scale, static_cast<double>(scaler.state().good_steps)}));
  a.write("generator", generator_state());
  if (setup.compute.device.is_cuda()) {
    a.write("cuda_generator", at::globalContext().defaultGenerator(setup.compute.device).get_state());
  }
  const std::filesystem::path target(setup.checkpoint);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  const std::string tmp = temp_path_for(setup.checkpoint);
  try {
    a.save_to(tmp);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw;
  }
  commit_temp_file(tmp, setup.checkpoint);
}

// A fresh tensor for each read (InputArchive::read copies into a defined tensor, keeping its
// dtype), on the CPU whatever device the archive was mapped to.
torch::Tensor read_tensor(torch::serialize::InputArchive& a, const std::string& key) {
  torch::Tensor t;
  a.read(key, t);
  return t.to(torch::kCPU);
}

std::string message_of(const std::exception& e) {
  const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
  return c10_error ? c10_error->what_without_backtrace() : e.what();
}

// A checkpoint read back: loads the weights into the models at once; the phase state is applied
// when that phase's optimizer and callbacks exist.
struct Resume {
  Position pos;
  torch::serialize::InputArchive archive;
  bool has_optimizer = false;
};

std::optional<Resume> load_checkpoint(const TrainSetup& setup, torch::nn::Module& model, torch::nn::Module* ema,
                                      LossScaler& scaler, TrainOutcome& out, Progress& progress) {
  if (setup.checkpoint.empty() || !std::filesystem::exists(setup.checkpoint)) return std::nullopt;
  // A checkpoint that fails half-way must not leave half its weights behind.
  const std::vector<torch::Tensor> model_before = snapshot(model);
  const std::vector<torch::Tensor> ema_before = ema ? snapshot(*ema) : std::vector<torch::Tensor>{};
  const LossScaler::State scaler_before = scaler.state();
  try {
    Resume r;
    r.archive.load_from(setup.checkpoint, setup.compute.device);
    if (tensor_bytes(read_tensor(r.archive, "tag")) != setup.checkpoint_tag) {
      progress.message(fmt::format("{}: ignoring a checkpoint of other code or settings; starting over", setup.title));
      return std::nullopt;
    }
    const torch::Tensor position = read_tensor(r.archive, "position").to(torch::kInt64);
    const auto* p = position.data_ptr<int64_t>();
    r.pos = {p[0], p[1], p[2] != 0, p[3]};
    const json h = json::parse(tensor_bytes(read_tensor(r.archive, "history")));
    TrainOutcome loaded;
    for (const auto& e : h.at("history")) loaded.history.push_back(epoch_from_json(e));
    for (const auto& s : h.at("early_stops")) loaded.early_stops.emplace_back(s.at(0), s.at(1));
    torch::serialize::InputArchive m;
    r.archive.read("model", m);
    model.load(m);
    if (ema != nullptr) {
      torch::serialize::InputArchive e;
      r.archive.read("ema", e);
      ema->load(e);
    }
    const std::vector<double> sc = tensor_doubles(read_tensor(r.archive, "scaler"));
    scaler.set_state({sc.at(0), static_cast<int64_t>(sc.at(1))});
    set_generator_state(read_tensor(r.archive, "generator"));
    if (setup.compute.device.is_cuda()) {
      torch::Tensor cuda_state;
      r.archive.read("cuda_generator", cuda_state);
      auto gen = at::globalContext().defaultGenerator(setup.compute.device);
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(cuda_state.to(torch::kCPU));
    }
    r.has_optimizer = !r.pos.phase_done;
    out = std::move(loaded);
    out.resumed_after_epoch = static_cast<int64_t>(out.history.size());
    return r;
  } catch (const std::exception& e) {
    // A checkpoint only saves time: one that cannot be read is not trusted, the cell starts over.
    restore(model, model_before);
    if (ema) restore(*ema, ema_before);
    scaler.set_state(scaler_before);
    progress.message(
        fmt::format("{}: ignoring a damaged checkpoint ({}); starting over", setup.title, message_of(e)));
    return std::nullopt;
  }
}

}  // namespace

TrainOutcome train_model(torch::nn::AnyModule& model, torch::nn::AnyModule* ema, const PreparedSet& train,
                         const PreparedSet& val, const TrainSetup& setup, Progress& progress) {
  auto module = model.ptr();
  std::shared_ptr<torch::nn::Module> ema_module = setup.ema_decay > 0 && ema ? ema->ptr() : nullptr;
  const ComputeOptions& compute = setup.compute;
  place_module(*module, compute);
  if (ema_module) place_module(*ema_module, compute);
  if (setup.dropout) set_dropout(*module, *setup.dropout);
  if (ema_module) {
    if (setup.dropout) set_dropout(*ema_module, *setup.dropout);
    restore(*ema_module, snapshot(*module));
    ema_module->eval();
  }
  for (const auto& ph : setup.phases) {
    if ((ph.early_stopping || ph.reduce_on_plateau) && val.n == 0) {
      throw std::invalid_argument("early_stopping and reduce_on_plateau need a validation split");
    }
  }
  LoaderOptions lo;
  lo.batch_size = setup.batch_size;
  lo.shuffle = true;
  // A last batch of one sample would make BatchNorm fail in training mode.
  lo.sampler = setup.sampler;
  lo.drop_last = sampled_length(train.labels, setup.sampler) % setup.batch_size == 1;
  lo.key = setup.key;
  lo.threads = setup.loader_threads;
  lo.pipeline = setup.pipeline;
  lo.norm = setup.norm;
  lo.mix = setup.mix;
  lo.num_classes = setup.num_classes;
  lo.pin_memory = compute.device.is_cuda();
  Loader loader(train, lo);
  LossScaler scaler(compute.precision == Precision::kFloat16);
  constexpr int kMaxSkippedSteps = 50;
  int skipped_in_a_row = 0;

  TrainOutcome out;
  std::optional<Resume> resume = load_checkpoint(setup, *module, ema_module.get(), scaler, out, progress);
  size_t first_phase = 0;
  if (resume) {
    progress.message(fmt::format("{}: resuming after epoch {} from {}", setup.title, out.resumed_after_epoch,
                                 setup.checkpoint));
    first_phase = static_cast<size_t>(resume->pos.phase) + (resume->pos.phase_done ? 1 : 0);
  }
  int64_t total_epochs = 0;
  for (const auto& ph : setup.phases) total_epochs += ph.epochs;
  int64_t global_epoch = static_cast<int64_t>(out.history.size());

  for (size_t pi = first_phase; pi < setup.phases.size(); ++pi) {
    const PhaseSetup& ph = setup.phases[pi];
    const auto frozen_bn = apply_freeze(*module, ph.freeze, setup.head_prefix);
    const OptimizerConfig& oc = ph.optimizer;
    const NamedParameters trainable = trainable_parameters(*module);
    if (trainable.empty()) {
      throw std::invalid_argument(fmt::format("phase {} freezes every parameter: nothing to train", pi + 1));
    }
    const auto is_head = [&](const auto& p) { return p.first.rfind(setup.head_prefix, 0) == 0; };
    const bool head = std::any_of(trainable.begin(), trainable.end(), is_head);
    const bool backbone = !std::all_of(trainable.begin(), trainable.end(), is_head);
    GroupingOptions grouping;
    grouping.no_decay_for_1d = oc.no_decay_norm_bias;
    if (oc.head_lr_scale != oc.backbone_lr_scale && head && backbone) {
      grouping.head_prefix = setup.head_prefix;
      grouping.head_lr_scale = oc.head_lr_scale;
      grouping.backbone_lr_scale = oc.backbone_lr_scale;
    }
    std::vector<ParamGroupSpec> groups = group_parameters(*module, grouping);
    if (grouping.head_prefix.empty()) {  // one scale for everything that trains
      for (auto& g : groups) g.lr_scale = backbone ? oc.backbone_lr_scale : oc.head_lr_scale;
    }
    auto optimizer = make_optimizer(oc.options, groups);
    std::optional<ReduceLROnPlateau> plateau;
    if (ph.reduce_on_plateau) plateau.emplace(*ph.reduce_on_plateau, oc.options.lr);
    std::optional<EarlyStopping> stopper;
    if (ph.early_stopping) stopper.emplace(*ph.early_stopping);
    std::vector<torch::Tensor> best;
    int64_t best_epoch = 0;
    int64_t start = 0;
    if (resume && static_cast<int64_t>(pi) == resume->pos.phase && resume->has_optimizer) {
      torch::serialize::InputArchive o;
      resume->archive.read("optimizer", o);
      optimizer->load(o);
      if (plateau) {
        plateau->set_state(ReduceLROnPlateauState::from_vector(tensor_doubles(read_tensor(resume->archive, "plateau"))));
      }
      if (stopper) {
        stopper->set_state(
            EarlyStoppingState::from_vector(tensor_doubles(read_tensor(resume->archive, "early_stopping"))));
        torch::serialize::InputArchive b;
        if (resume->archive.try_read("best", b)) {
          best = snapshot(*module);
          for (size_t i = 0; i < best.size(); ++i) b.read(std::to_string(i), best[i], /*is_buffer=*/true);
          best_epoch = resume->pos.best_epoch;
        }
      }
      start = resume->pos.epoch_in_phase;
    }
    ScheduleOptions schedule = oc.schedule;
    if (schedule.total_epochs == 0) schedule.total_epochs = ph.epochs;
    const double base_lr = oc.options.lr;

    for (int64_t e = start; e < ph.epochs; ++e) {
      ++global_epoch;
      const auto t0 = std::chrono::steady_clock::now();
      double lr = scheduled_lr(schedule, base_lr, e);
      if (plateau) lr *= plateau->lr() / base_lr;
      set_lr(*optimizer, lr);
      module->train();
      for (const auto& bn : frozen_bn) bn->eval();
      loader.start_epoch(global_epoch);
      const int64_t total = std::min(train.n, loader.batches_per_epoch() * setup.batch_size);
      const std::string label = setup.phases.size() > 1
                                    ? fmt::format("{} phase {}/{} epoch {}/{}", setup.title, pi + 1,
                                                  setup.phases.size(), global_epoch, total_epochs)
                                    : fmt::format("{} epoch {}/{}", setup.title, global_epoch, total_epochs);
      progress.begin(label, total);
      double loss_sum = 0;
      int64_t correct = 0, seen = 0, step = 0;
      Batch batch;
      while (loader.next(batch)) {
        throw_if_interrupted(fmt::format("{} stopped in epoch {}", setup.title, global_epoch));
        ++step;
        optimizer->zero_grad();
        const torch::Tensor labels = place_input(batch.labels, compute);
        torch::Tensor logits;
        {
          AutocastScope autocast(compute);  // the forward pass only; the loss is taken in fp32
          logits = model.forward(place_input(batch.images, compute));
        }
        logits = logits.to(torch::kFloat32);
        torch::Tensor loss =
            compute_loss(setup.loss, logits, batch.targets.defined() ? place_input(batch.targets, compute) : labels);
        const torch::Tensor penalty = weight_penalty(*module, setup.regularization);
        if (penalty.defined()) loss = loss + penalty;
        const double l = loss.item<double>();
        if (!std::isfinite(l)) {
          // fp16: an overflow in the forward pass is what the loss scaler is for: skip the step and
          // lower the scale, as GradScaler does, unless it keeps happening.
          if (scaler.enabled() && ++skipped_in_a_row < kMaxSkippedSteps) {
            scaler.update(false);
            continue;
          }
          throw std::runtime_error(fmt::format("non-finite loss ({}) at epoch {}, step {}", l, global_epoch, step));
        }
        skipped_in_a_row = 0;
        scaler.scale(loss).backward();
        std::vector<torch::Tensor> with_grad;
        for (const auto& p : module->parameters()) {
          if (p.requires_grad() && p.grad().defined()) with_grad.push_back(p);
        }
        const bool finite = scaler.unscale(with_grad);
        if (setup.grad_clip_norm > 0) torch::nn::utils::clip_grad_norm_(with_grad, setup.grad_clip_norm);
        // fp16: a step whose gradients overflowed is skipped and the scale halved (GradScaler's rule).
        if (finite) {
          optimizer->step();
          if (ema_module) ema_update(*ema_module, *module, setup.ema_decay);
        }
        scaler.update(finite);
        const int64_t b = batch.labels.size(0);
        loss_sum += l * b;
        // For a mixed batch: agreement with each sample's own label (the one weighted lam).
        correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
        seen += b;
        progress.update(seen, loss_sum / seen);
      }
      const double train_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      EpochStats s;
      s.epoch = global_epoch;
      s.phase = static_cast<int64_t>(pi) + 1;
      s.train_loss = loss_sum / std::max<int64_t>(seen, 1);
      s.train_accuracy = static_cast<double>(correct) / std::max<int64_t>(seen, 1);
      s.images_per_second = seen / std::max(train_secs, 1e-9);
      std::tie(s.val_loss, s.val_accuracy) = evaluate_loss(model, val, setup);
      if (ema_module) {
        s.has_ema = true;
        std::tie(s.ema_val_loss, s.ema_val_accuracy) = evaluate_loss(*ema, val, setup);
      }
      s.lr = lr;
      s.group_lrs = group_lrs(*optimizer);

      bool stop = false;
      if (plateau) plateau->update(monitored(plateau->options().monitor, s));
      if (stopper) {
        const EarlyStoppingDecision d = stopper->update(monitored(ph.early_stopping->monitor, s));
        if (d.keep_weights) {
          best = snapshot(*module);
          best_epoch = global_epoch;
        }
        if (d.stop) {
          stop = true;
          if (d.restore_best) restore(*module, best);
          out.early_stops.emplace_back(global_epoch, d.restore_best ? best_epoch : 0);
        }
      }
      s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      out.history.push_back(s);
      std::string line = fmt::format("{}  loss {:.4f}  acc {:.4f}  val_loss {:.4f}  val_acc {:.4f}  lr {:.3g}  "
                                     "{:.0f} img/s  {:.1f}s",
                                     label, s.train_loss, s.train_accuracy, s.val_loss, s.val_accuracy, lr,
                                     s.images_per_second, s.seconds);
      if (s.has_ema) line += fmt::format("  ema_val_acc {:.4f}", s.ema_val_accuracy);
      if (stop) line += fmt::format("  early stop{}", best_epoch > 0 && ph.early_stopping->restore_best_weights
                                                           ? fmt::format(" (weights of epoch {})", best_epoch)
                                                           : "");
      progress.finish(line);
      if (!setup.checkpoint.empty()) {
        const Position pos{static_cast<int64_t>(pi), e + 1, stop || e + 1 == ph.epochs, best_epoch};
        try {
          save_checkpoint(setup, *module, ema_module.get(), pos,
                          {optimizer.get(), plateau ? &*plateau : nullptr, stopper ? &*stopper : nullptr, &best},
                          scaler, out);
        } catch (const std::exception& e) {
          // A checkpoint only saves time after a crash: a full disk costs a warning, not the cell.
          progress.message(fmt::format("{}: warning: no checkpoint after epoch {}: {}", setup.title, global_epoch,
                                       message_of(e)));
        }
      }
      if (stop) break;
    }
  }
  return out;
}

json history_json(const std::vector<EpochStats>& history) {
  json out = json::array();
  for (const auto& e : history) out.push_back(epoch_json(e));
  return out;
}

std::pair<double, double> evaluate_loss(torch::nn::AnyModule& model, const PreparedSet& data,
                                        const TrainSetup& setup) {
  if (data.n == 0) return {0.0, 0.0};
  const torch::Tensor logits =
      predict_logits(model, data, setup.norm, setup.eval_batch_size, setup.loader_threads, setup.compute);
  const torch::Tensor y = torch::from_blob(const_cast<int64_t*>(data.labels.data()), {data.n},
                                           torch::kInt64);
  torch::NoGradGuard no_grad;
  LossOptions plain = setup.loss;
  plain.class_weights.clear();
  const double loss = compute_loss(plain, logits, y).item<double>();
  const double acc = logits.argmax(1).eq(y).sum().item<int64_t>() / static_cast<double>(data.n);
  return {loss, acc};
}

torch::Tensor predict_logits(torch::nn::AnyModule& model, const PreparedSet& data,
                             const Normalization& norm, int64_t batch_size, int loader_threads,
                             const ComputeOptions& compute) {
  torch::NoGradGuard no_grad;
  auto module = model.ptr();
  const bool was_training = module->is_training();
  module->eval();
  LoaderOptions lo;
  lo.batch_size = batch_size;
  lo.threads = loader_threads;
  lo.norm = norm;
  lo.pin_memory = compute.device.is_cuda();
  Loader loader(data, lo);
  loader.start_epoch(0);
  std::vector<torch::Tensor> parts;
  Batch batch;
  while (loader.next(batch)) parts.push_back(model.forward(place_input(batch.images, compute)).to(torch::kCPU));
  if (was_training) module->train();
  return torch::cat(parts, 0);
}

}  // namespace gauntlet
