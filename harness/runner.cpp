#include "harness/runner.hpp"

#include <fmt/format.h>
#include <opencv2/core/version.hpp>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <tuple>

#include "harness/audit.hpp"
#include "harness/build_info.hpp"
#include "harness/cell_lock.hpp"
#include "harness/config.hpp"
#include "harness/core/atomic_file.hpp"
#include "harness/core/memory_limit.hpp"
#include "harness/core/error.hpp"
#include "harness/core/hash.hpp"
#include "harness/data_source.hpp"
#include "harness/expand.hpp"
#include "harness/explain.hpp"
#include "harness/holdouts.hpp"
#include "harness/interrupt.hpp"
#include "harness/losses.hpp"
#include "harness/loader.hpp"
#include "harness/metrics.hpp"
#include "harness/preprocess.hpp"
#include "harness/previews.hpp"
#include "harness/progress.hpp"
#include "harness/result_store.hpp"
#include "harness/robustness.hpp"
#include "harness/shard.hpp"
#include "harness/split.hpp"
#include "harness/trainer.hpp"
#include "models/registry.hpp"
#include "models/flops.hpp"
#include "models/torchscript.hpp"
#include "models/weights.hpp"
#include "reports/report.hpp"
#include "reports/summary.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;

constexpr uint64_t kInitOp = 0x696e6974ull;       // "init"
constexpr uint64_t kTrainOp = 0x747261696eull;    // "train"
constexpr uint64_t kExpandOp = 0x657870616e64ull;  // "expand"

struct Splits {
  Dataset train, val, test;
  std::string fingerprint;  ///< of everything the cell sees
  json info;                ///< result.json "dataset"
};

json counts_json(const Dataset& d) {
  return {{"n", d.n}, {"per_class", class_counts(d)}};
}

Splits load_splits(const Suite& s) {
  Dataset source = load_dataset(s.data.source);
  json cleaning{{"removed", 0}};
  if (s.data.clean.any()) {
    const CleanResult c = clean_dataset(source, s.data.clean);
    cleaning = {{"removed", source.n - static_cast<int64_t>(c.kept.size())},
                {"kept", static_cast<int64_t>(c.kept.size())},
                {"duplicates", c.duplicates},
                {"conflicts", c.conflicts},
                {"outliers", c.outliers}};
    source = select(source, c.kept);
  }
  if (s.data.subset > 0) {
    if (s.data.subset > source.n) {
      throw InputError(s.path, fmt::format("/data/subset: {} asked, but {} has only {} images",
                                           s.data.subset, source.source, source.n));
    }
    source = select(source, stratified_subset(source.labels, source.num_classes(), s.data.subset, s.seed));
  }
  if (source.num_classes() < 2) {
    throw InputError(source.source, "a classifier needs at least 2 classes, the labels hold " +
                                        std::to_string(source.num_classes()));
  }
  Splits out;
  const Split sp = s.data.folds > 0 ? stratified_kfold(source.labels, source.num_classes(), s.data.test_fraction,
                                                       s.data.folds, s.data.fold, s.seed)
                                    : stratified_split(source.labels, source.num_classes(), s.data.val_fraction,
                                                       s.data.test_fraction, s.seed);
  out.train = select(source, sp.train);
  out.val = select(source, sp.val);
  if (s.data.has_test) {
    Dataset test = load_dataset(s.data.test);
    if (test.height != source.height || test.width != source.width || test.channels != source.channels) {
      throw InputError(test.source, fmt::format("test images are {}x{}x{} but training images are {}x{}x{}",
                                                test.height, test.width, test.channels, source.height,
                                                source.width, source.channels));
    }
    if (test.num_classes() > source.num_classes()) {
      throw InputError(test.source, "the test set has labels the training set lacks");
    }
    test.class_names = source.class_names;
    if (s.data.test_subset > 0 && s.data.test_subset < test.n) {
      test = select(test, stratified_subset(test.labels, test.num_classes(), s.data.test_subset, s.seed));
    }
    out.test = std::move(test);
  } else {
    out.test = select(source, sp.test);
  }
  for (const Dataset* d : {&out.train, &out.val, &out.test}) {
    if (d->n == 0) throw InputError(s.path, "/data: a split came out empty; use more data or larger fractions");
  }
  Hasher h;
  h.update(fingerprint(out.train)).update(fingerprint(out.val)).update(fingerprint(out.test));
  out.fingerprint = h.hex();
  out.info = {{"fingerprint", out.fingerprint},
              {"source", s.data.source.path},
              {"image_shape", {source.height, source.width, source.channels}},
              {"classes", source.class_names},
              {"counts", {{"train", counts_json(out.train)}, {"val", counts_json(out.val)},
                          {"test", counts_json(out.test)}}},
              {"cleaning", cleaning}};
  return out;
}

std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

json environment(const RunOptions& o, const ComputeOptions& compute) {
  return {{"gauntlet", gauntlet_version()},
          {"git_sha", gauntlet_git_sha()},
          {"source_hash", gauntlet_source_hash()},
          {"libtorch", TORCH_VERSION},
          {"opencv", CV_VERSION},
          {"compiler", compiler_id()},
          {"cpu", cpu_name()},
          {"cores", std::thread::hardware_concurrency()},
          {"gpu", compute.device.is_cuda() ? json(compute.device.str()) : json(nullptr)},
          {"device", compute.device.is_cuda() ? "cuda" : "cpu"},
          {"precision", precision_name(compute.precision)},
          {"channels_last", compute.channels_last},
          {"threads", torch::get_num_threads()},
          {"loader_threads", o.loader_threads}};
}

// The hold-outs of a run: the specs, the test split they are built from, the external sets (loaded
// once, before any training, so bad data fails early), the cache, and the prepared (resized) sets
// kept in memory while they fit a budget; beyond it they are made (or read from the cache) again
// for each cell.
struct HoldoutSet {
  std::vector<HoldoutSpec> specs;
  const Dataset* test = nullptr;
  std::map<std::string, Dataset> external;  ///< by hold-out id
  uint64_t seed = 0;
  std::string cache_dir;
  int threads = 1;
  PreprocessOptions preprocess;  ///< the suite's: the same for every cell
  size_t keep_budget = size_t{1} << 30;  ///< bytes of prepared sets kept in memory
  size_t kept = 0;
  std::map<std::tuple<std::string, int64_t, int64_t>, std::shared_ptr<const PreparedSet>> prepared;
  HoldoutCacheStats stats;
  double seconds_preparing = 0;

  // The model-ready images of hold-out h at side x side x channels.
  std::shared_ptr<const PreparedSet> get(const HoldoutSpec& h, int64_t side, int64_t channels) {
    const auto key = std::make_tuple(h.id, side, channels);
    if (auto it = prepared.find(key); it != prepared.end()) return it->second;
    std::shared_ptr<const PreparedSet> ps;
    if (h.kind == HoldoutSpec::Kind::kExternal) {
      ps = timed_prepare(external.at(h.id), side, channels);
    } else if (h.kind == HoldoutSpec::Kind::kClean) {
      ps = timed_prepare(*test, side, channels);
    } else {
      ps = timed_prepare(perturbed_holdout(h, *test, seed, cache_dir, threads, &stats), side, channels);
    }
    if (kept + ps->images.size() <= keep_budget) {
      kept += ps->images.size();
      prepared[key] = ps;
    }
    return ps;
  }

 private:
  std::shared_ptr<const PreparedSet> timed_prepare(const Dataset& d, int64_t side, int64_t channels) {
    const auto t0 = std::chrono::steady_clock::now();
    auto ps = std::make_shared<const PreparedSet>(prepare(d, side, channels, preprocess));
    seconds_preparing += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return ps;
  }
};

// Weights as torch::save writes them, atomically (a temporary file renamed into place).
void save_weights(torch::nn::AnyModule& model, const std::string& dir) {
  const auto path = std::filesystem::path(dir) / "model.pt";
  const std::string tmp = temp_path_for(path.string());
  std::filesystem::create_directories(dir);
  const std::shared_ptr<torch::nn::Module> module = model.ptr();
  torch::save(module, tmp);
  std::filesystem::rename(tmp, path);
}

// Predicts hold-out `id` and writes its predictions file; returns its metrics. Adds the time spent
// in the model to `inference_seconds`.
Metrics evaluate_holdout(torch::nn::AnyModule& model, const PreparedSet& data, const Normalization& norm,
                         int64_t batch_size, int loader_threads, int64_t k, const std::string& dir,
                         const std::string& id, double& inference_seconds, const ComputeOptions& compute = {}) {
  const auto t0 = std::chrono::steady_clock::now();
  const torch::Tensor logits = predict_logits(model, data, norm, batch_size, loader_threads, compute);
  inference_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const torch::Tensor probs = torch::softmax(logits, 1).contiguous();
  const torch::Tensor pred = logits.argmax(1).contiguous();
  const std::vector<int64_t> preds(pred.data_ptr<int64_t>(), pred.data_ptr<int64_t>() + pred.numel());
  const std::vector<float> p(probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
  write_predictions(dir, id, data.labels, preds, p, k);
  return compute_metrics(data.labels, preds, k);
}

// The module name of the classifier: the backbone's own, or "head" when the suite gives a head.
std::string classifier_name(const BackboneSpec& bb) {
  return std::holds_alternative<std::monostate>(bb.head) ? backbone_info(bb.name).defaults.classifier : "head";
}

// The cell's model: the registered backbone, or the TorchScript module standing in for it (only
// with the user's opt-in: loading one runs its code).

torch::nn::AnyModule build_model(const BackboneSpec& bb, int64_t k, const RunOptions& o) {
  if (bb.torchscript.empty()) return make_backbone(bb.name, bb.options, k, bb.head);
  if (!o.allow_torchscript) {
    throw InputError(bb.torchscript, std::string("refused: ") + kTorchScriptWarning + " (a flag of run and eval)");
  }
  return torch::nn::AnyModule(load_torchscript(bb.torchscript));
}

// Loads the backbone's weights file into `model`; a classifier of another class count stays as
// initialised. Returns what result.json records; InputError names the file.
json load_backbone_weights(torch::nn::AnyModule& model, const BackboneSpec& bb) {
  const StateDictReport r =
      load_weights_into(*model.ptr(), load_weights(bb.weights), classifier_name(bb), bb.weights);
  return {{"file", bb.weights}, {"xxh3", bb.weights_xxh3}, {"skipped", r.mismatched}};
}

// Runs one cell; returns its result document (status ok) or throws.
json run_cell(const Suite& s, const Cell& cell, const json& config, const Splits& splits,
              HoldoutSet& holdouts, const PreparedSet& train, const PreparedSet& val,
              const BackboneInfo& info, const RunOptions& o, const std::string& dir,
              Progress& progress) {
  const BackboneSpec bb = backbone_from_json(config.at("backbone"));
  const AugmentationConfig aug = augmentation_from_json(config.at("augmentation"));
  const Pipeline pipeline(aug.ops);
  const int64_t k = splits.train.num_classes();

  // The EMA copy (its weights are overwritten by the model's) is built before seeding, so that
  // cells with and without EMA draw the same initial weights and dropout masks.
  std::optional<torch::nn::AnyModule> ema;
  const TrainConfig tc = train_from_json(config.at("train"));
  if (tc.ema_decay > 0) ema = build_model(bb, k, o);
  // Cells sharing a seed start from the same weights and see the same batches: paired comparisons.
  torch::manual_seed(mix_key({s.seed, static_cast<uint64_t>(cell.seed), kInitOp}));
  torch::nn::AnyModule model = build_model(bb, k, o);
  const json weights = bb.weights.empty() ? json() : load_backbone_weights(model, bb);

  TrainSetup setup;
  std::vector<PhaseConfig> phases = tc.phases;
  if (phases.empty()) phases.push_back(PhaseConfig{tc.epochs, {}, nullptr, tc.early_stopping, tc.reduce_on_plateau});
  for (const auto& ph : phases) {
    setup.phases.push_back(PhaseSetup{ph.epochs, phase_optimizer(config.at("optimizer"), ph.optimizer), ph.freeze,
                                      ph.early_stopping, ph.reduce_on_plateau});
  }
  setup.batch_size = tc.batch_size;
  setup.eval_batch_size = s.evaluate.batch_size;
  const LossConfig loss = loss_from_json(config.at("loss"));
  setup.loss = loss.options;
  if (loss.balanced) setup.loss.class_weights = balanced_class_weights(train.labels, static_cast<int>(k));
  setup.regularization = tc.regularization;
  setup.grad_clip_norm = tc.grad_clip_norm;
  setup.ema_decay = tc.ema_decay;
  setup.dropout = tc.dropout;
  // A replaced head is "head.*" (models/heads.hpp); the backbone's own classifier has its name.
  setup.head_prefix = classifier_name(bb) + ".";
  setup.compute = make_compute_options(o.device, o.precision, o.channels_last);
  setup.checkpoint = (std::filesystem::path(dir) / "checkpoint.pt").string();
  // A checkpoint continues only the same training: config, code, and where and how it computes.
  setup.checkpoint_tag = fmt::format("{} {} {} {} {}", config.dump(), gauntlet_source_hash(), setup.compute.device.str(),
                                     precision_name(setup.compute.precision), setup.compute.channels_last);
  setup.key = mix_key({s.seed, static_cast<uint64_t>(cell.seed), kTrainOp});
  setup.loader_threads = o.loader_threads;
  setup.pipeline = &pipeline;
  setup.sampler = tc.sampler;
  setup.mix = &aug.mix;
  setup.num_classes = k;
  setup.norm = resolve_normalization(s.data.preprocess, {info.defaults.mean, info.defaults.std}, train);
  setup.title = cell_title(cell);

  // Offline expansion, when the augmentation asks for it: the cell trains on the expanded set.
  ExpandStats expand_stats;
  PreparedSet expanded;
  if (aug.expand.copies > 0) {
    progress.message(fmt::format("{}: expanding {} training images x{}", setup.title, train.n,
                              aug.expand.copies + (aug.expand.keep_original ? 1 : 0)));
    expanded = expand_training_set(train, aug.expand, mix_key({setup.key, kExpandOp}), holdouts.cache_dir,
                                   o.loader_threads, &expand_stats);
  }
  const PreparedSet& train_set = aug.expand.copies > 0 ? expanded : train;


  const auto t0 = std::chrono::steady_clock::now();
  const TrainOutcome trained = train_model(model, ema ? &*ema : nullptr, train_set, val, setup, progress);
  const double train_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  save_weights(model, dir);

  json eval = json::object(), eval_ema = json::object();
  json holdout_info = json::object();
  const auto t1 = std::chrono::steady_clock::now();
  const HoldoutCacheStats before = holdouts.stats;
  const double preparing_before = holdouts.seconds_preparing;
  double inference_secs = 0;
  const int previews = static_cast<int>(s.evaluate.explain_previews);
  HoldoutPreview holdout_preview(previews);
  for (const auto& h : holdouts.specs) {
    throw_if_interrupted(setup.title + " stopped while evaluating");
    const auto data = holdouts.get(h, train.side, train.channels);
    if (previews > 0) holdout_preview.add(h, *data);
    eval[h.id] = to_json(evaluate_holdout(model, *data, setup.norm, s.evaluate.batch_size,
                                          o.loader_threads, k, dir, h.id, inference_secs, setup.compute));
    if (ema) {
      eval_ema[h.id] = to_json(evaluate_holdout(*ema, *data, setup.norm, s.evaluate.batch_size, o.loader_threads,
                                                k, (std::filesystem::path(dir) / "ema").string(), h.id,
                                                inference_secs, setup.compute));
    }
    if (!h.info.empty()) holdout_info[h.id] = h.info;
  }
  const double eval_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  json explain = nullptr;
  if (!holdouts.specs.empty() && holdouts.specs.front().kind == HoldoutSpec::Kind::kClean &&
      (s.evaluate.explain_per_class > 0 || s.evaluate.explain_pca_images > 0)) {
    throw_if_interrupted(setup.title + " stopped while explaining");
    const auto clean = holdouts.get(holdouts.specs.front(), train.side, train.channels);
    explain = explain_model(model, *clean, setup.norm, splits.train.class_names, dir,
                            {s.evaluate.explain_per_class, s.evaluate.explain_pca_images}, setup.compute);
  }
  if (previews > 0) {
    // What the model trained on (the loader's draws: same key, epochs and indices) and was tested on.
    constexpr int kDraws = 6;
    const std::vector<GridRow> augmented =
        pipeline.empty() ? std::vector<GridRow>{}
                         : augmentation_preview(train_set, splits.train.class_names, pipeline, setup.key, previews, kDraws);
    const auto written = write_preview_grids((std::filesystem::path(dir) / "explain").string(), augmented, kDraws,
                                             holdout_preview);
    if (!written.empty()) {
      if (!explain.is_object()) explain = json::object();
      explain["previews"] = written;
    }
  }
  const json robustness = robustness_scores(eval, holdout_info, {}, s.evaluate.mce_measure);

  int64_t params = 0;
  for (const auto& t : model.ptr()->parameters()) params += t.numel();
  json result = {{"status", "ok"},
          {"eval", eval},
          {"holdouts", holdout_info},
          {"robustness", robustness},
          {"explain", explain},
          {"history", history_json(trained.history)},
          {"preprocess", preprocess_record(s.data.preprocess, setup.norm, train.channels)},
          {"model", {{"parameters", params}, {"flops", forward_cost(model, train.channels, train.side).flops()},
                     {"input_size", train.side}, {"in_channels", train.channels}}},
          {"timing",
           {{"train_seconds", train_secs},
            {"eval_seconds", eval_secs},
            {"inference_seconds", inference_secs},
            {"holdout_seconds",
             {{"making", holdouts.stats.seconds_making - before.seconds_making},
              {"reading_cache", holdouts.stats.seconds_reading - before.seconds_reading},
              {"preparing", holdouts.seconds_preparing - preparing_before}}},
            {"holdout_cache", {{"hits", holdouts.stats.hits - before.hits},
                               {"misses", holdouts.stats.misses - before.misses}}}}}};
  if (ema) {
    result["eval_ema"] = eval_ema;
    result["robustness_ema"] = robustness_scores(eval_ema, holdout_info, {}, s.evaluate.mce_measure);
  }
  json training = {{"resumed_after_epoch", trained.resumed_after_epoch}, {"early_stops", json::array()}};
  for (const auto& [stopped, restored] : trained.early_stops) {
    training["early_stops"].push_back({{"stopped_after_epoch", stopped}, {"restored_epoch", restored}});
  }
  if (tc.sampler != Sampler::kNone) training["samples_per_epoch"] = sampled_length(train_set.labels, tc.sampler);
  result["training"] = training;
  if (!weights.is_null()) result["weights"] = weights;
  if (aug.expand.copies > 0) {
    result["expand"] = {{"train_images", train_set.n},
                        {"seconds", expand_stats.seconds},
                        {"cache_hit", expand_stats.cache_hit}};
  }
  return result;
}

}  // namespace

// CE, mCE and relative mCE need the baseline cell's errors, so they are filled in once every cell
// has run (or gained a hold-out). Returns the indices of the ok results whose robustness changed;
// the caller writes them. `baseline` is "backbone/augmentation/loss/optimizer" labels, or "".
std::vector<size_t> rescore(std::vector<json>& results, const std::string& baseline,
                            const std::string& measure, Progress& progress) {
  std::vector<json> base;
  if (!baseline.empty()) {
    for (const auto& r : results) {
      if (axes_title(r.at("config").at("labels")) == baseline && r.value("status", "") == "ok") {
        base.push_back(r.at("eval"));
      }
    }
    if (base.empty()) progress.message("baseline " + baseline + " has no successful cell: no CE/mCE");
  }
  std::vector<size_t> changed;
  for (size_t i = 0; i < results.size(); ++i) {
    json& r = results[i];
    if (r.value("status", "") != "ok") continue;
    json scores = robustness_scores(r.at("eval"), r.value("holdouts", json::object()), base, measure,
                                    base.empty() ? "" : baseline);
    if (scores == r.value("robustness", json())) continue;
    r["robustness"] = std::move(scores);
    changed.push_back(i);
  }
  return changed;
}

std::string write_summary(const std::string& out, const std::string& suite, std::string* markdown,
                          const std::vector<std::string>& formats) {
  ReportOptions ro;
  ro.formats = formats;
  const ReportOutput r = write_report(runs_dir(out, suite), reports_dir(out, suite), ro);
  for (const auto& w : r.warnings) fmt::print(stderr, "gauntlet: report: {}\n", w);
  if (markdown != nullptr) *markdown = r.summary_markdown;
  return r.summary_path;
}

EvalSummary eval_holdouts(const std::string& runs, const std::vector<ExternalHoldout>& holdouts,
                          const RunOptions& o) {
  torch::set_num_threads(o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency()));
  Progress progress(stdout);
  EvalSummary summary;
  std::vector<json> results = read_results(runs);
  summary.cells = static_cast<int>(results.size());

  // 1. Everything that can be bad input, before anything is written: the data of every hold-out,
  //    and for every cell its classes and weights.
  const json& first = results.front();
  const auto classes = first.at("dataset").at("classes").get<std::vector<std::string>>();
  const int64_t channels = first.at("dataset").at("image_shape").at(2).get<int64_t>();
  const auto k = static_cast<int64_t>(classes.size());
  std::vector<std::pair<std::string, Dataset>> sets;
  for (const auto& h : holdouts) {
    sets.emplace_back("x." + h.name, load_external_holdout(h.data, classes, channels));
  }
  struct Job {
    size_t result;
    std::string dir, title;
    torch::nn::AnyModule model;
  };
  std::vector<Job> jobs;
  for (size_t i = 0; i < results.size(); ++i) {
    const json& r = results[i];
    const std::string id = r.at("cell_id").get<std::string>();
    const std::string dir = (std::filesystem::path(runs) / id).string();
    const std::string title = axes_title(r.at("config").at("labels")) + "/seed" +
                              std::to_string(r.at("config").at("seed").get<int64_t>()) + " [" + id + "]";
    const auto weights = std::filesystem::path(dir) / "model.pt";
    if (r.value("status", "") != "ok" || !std::filesystem::exists(weights)) {
      ++summary.skipped;
      summary.notes.push_back(title + ": " + (r.value("status", "") != "ok" ? "failed cell"
                                                                              : "no model.pt (run by an older gauntlet)"));
      continue;
    }
    if (r.at("dataset").at("classes") != first.at("dataset").at("classes")) {
      throw InputError(dir, "its classes differ from those of the folder's first cell; evaluate runs of one suite");
    }
    const BackboneSpec bb = backbone_from_json(r.at("config").at("backbone"));
    torch::nn::AnyModule model = build_model(bb, k, o);
    try {
      std::shared_ptr<torch::nn::Module> module = model.ptr();
      torch::load(module, weights.string());
    } catch (const c10::Error& e) {
      throw InputError(weights.string(), std::string("cannot load the weights: ") + e.what_without_backtrace());
    }
    jobs.push_back({i, dir, title, std::move(model)});
  }
  if (jobs.empty()) {
    throw InputError(runs, "no cell can be evaluated (each failed or has no model.pt)");
  }

  // 2. Evaluate (prediction files are new files of their own), then score every result again,
  //    then write each result once.
  std::vector<bool> changed(results.size(), false);
  for (auto& job : jobs) {
    json& r = results[job.result];
    const BackboneInfo& info = backbone_info(r.at("config").at("backbone").at("name").get<std::string>());
    // As the cell trained: its recorded normalisation (the backbone's in results older than it)
    // and its crop and resize.
    // Its precision and memory layout too (env; NCHW in results older than the record), on this
    // command's device, so that the same images give the same predictions as in `run`.
    Normalization norm;
    PreprocessOptions pre;
    ComputeOptions compute;
    try {
      norm = recorded_normalization(r, {info.defaults.mean, info.defaults.std});
      const json& data_config = r.at("config").at("data");
      if (data_config.contains("preprocess")) pre = preprocess_from_json(data_config.at("preprocess"));
      const json& env = r.at("env");
      compute = make_compute_options(o.device, env.value("precision", "fp32"), env.value("channels_last", false));
    } catch (const std::exception& e) {
      throw InputError(job.dir + "/result.json", std::string("cannot evaluate as the cell was: ") + e.what());
    }
    place_module(*job.model.ptr(), compute);
    const int64_t side = r.at("model").at("input_size").get<int64_t>();
    const int64_t ch = r.at("model").at("in_channels").get<int64_t>();
    const int64_t batch = r.at("config").at("evaluate").at("batch_size").get<int64_t>();
    double inference = 0;
    for (size_t i = 0; i < sets.size(); ++i) {
      const auto& [hid, images] = sets[i];
      const Metrics m = evaluate_holdout(job.model, prepare(images, side, ch, pre), norm, batch,
                                         o.loader_threads, k, job.dir, hid, inference, compute);
      r["eval"][hid] = to_json(m);
      r["holdouts"][hid] = {{"data", holdouts[i].data.path}, {"fingerprint", fingerprint(images)},
                            {"added_by", "gauntlet eval"}};
      progress.message(fmt::format("{}: {} accuracy {:.4f}", job.title, hid, m.accuracy));
    }
    changed[job.result] = true;
    ++summary.evaluated;
  }
  // Per-class accuracies cover every hold-out: score again, with the baseline and measure the
  // results were scored with, over all cells (the baseline may be one that was not evaluated).
  const json& rb = results[jobs.front().result].value("robustness", json::object());
  const std::string baseline = rb.value("baseline", json()).is_string() ? rb.at("baseline").get<std::string>() : "";
  for (size_t i : rescore(results, baseline, rb.value("measure", "error"), progress)) changed[i] = true;
  for (size_t i = 0; i < results.size(); ++i) {
    if (changed[i]) write_result((std::filesystem::path(runs) / results[i].at("cell_id").get<std::string>()).string(), results[i]);
  }
  return summary;
}

// The cells of this shard. A cell's cost is estimated as its parameter count x epochs x training
// images (offline expansion included): enough to balance a grid whose backbones differ by 100x.
static std::vector<Cell> shard_cells(const Suite& s, const RunOptions& o, const json& ids, int64_t train_images) {
  std::map<std::string, double> params;  // by backbone value
  std::vector<double> costs;
  std::vector<std::string> id_list;
  for (size_t i = 0; i < s.cells.size(); ++i) {
    const json config = resolved_config(s, s.cells[i]);
    const std::string bb = config.at("backbone").dump();
    if (params.find(bb) == params.end()) {
      const BackboneSpec spec = backbone_from_json(config.at("backbone"));
      torch::NoGradGuard no_grad;
      double count = 0;
      for (const auto& p : build_model(spec, 10, o).ptr()->parameters()) count += p.numel();
      params[bb] = count;
    }
    const TrainConfig t = train_from_json(config.at("train"));
    int64_t epochs = 0;
    for (const auto& ph : t.phases) epochs += ph.epochs;
    if (t.phases.empty()) epochs = t.epochs;
    const AugmentationConfig a = augmentation_from_json(config.at("augmentation"));
    const int64_t factor = a.expand.copies > 0 ? a.expand.copies + (a.expand.keep_original ? 1 : 0) : 1;
    const double images = static_cast<double>(train_images * factor);
    costs.push_back(params[bb] * static_cast<double>(epochs) * std::max(images, 1.0));
    id_list.push_back(ids.at(i).get<std::string>());
  }
  const std::vector<int> shard = assign_shards(costs, id_list, o.shards);
  std::vector<Cell> out;
  for (size_t i = 0; i < s.cells.size(); ++i) {
    if (shard[i] == o.shard) out.push_back(s.cells[i]);
  }
  return out;
}

RunSummary run_suite(const Suite& s, const RunOptions& o) {
  torch::set_num_threads(o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency()));
  ComputeOptions compute;
  try {
    compute = make_compute_options(o.device, o.precision, o.channels_last);
  } catch (const std::invalid_argument& e) {
    throw InputError("", e.what());
  }
  Progress progress(stdout);
  RunSummary summary;
  summary.cells = static_cast<int>(s.cells.size());

  const Splits splits = load_splits(s);
  progress.message(fmt::format("gauntlet: suite {} ({} cells), data {}: train {} / val {} / test {} images, {} classes",
                               s.name, s.cells.size(), s.data.source.path, splits.train.n, splits.val.n,
                               splits.test.n, splits.train.num_classes()));
  // Per-class loss values must match the data's classes: known only now, still before any training.
  const int64_t classes = splits.train.num_classes();
  const bool losses_by_label = s.json.at("axes").at("loss").is_object();
  for (size_t i = 0; i < s.losses.size(); ++i) {
    const AxisValue& loss = s.losses[i];
    const LossConfig l = loss_from_json(loss.value);
    const std::string at = "/axes/loss/" + (losses_by_label ? loss.label : std::to_string(i));
    const auto check = [&](const std::vector<double>& v, const char* key, bool one_for_all) {
      if (v.empty() || (one_for_all && v.size() == 1) || static_cast<int64_t>(v.size()) == classes) return;
      throw InputError(s.path, fmt::format("{}/{}: {} values for the {} classes of {}", at, key, v.size(), classes,
                                           s.data.source.path));
    };
    check(l.options.class_weights, "class_weights", false);
    check(l.options.focal_alpha, "alpha", true);
  }
  // Weights and TorchScript files are read and fitted to their backbone now: a bad one stops the
  // run (exit 2) before any cell trains.
  for (const AxisValue& b : s.backbones) {
    const BackboneSpec bb = backbone_from_json(b.value);
    if (!bb.torchscript.empty()) {
      torch::nn::AnyModule m = build_model(bb, classes, o);
      const BackboneInfo& info = backbone_info(bb.name);
      const int64_t side = s.data.input_size > 0 ? s.data.input_size : info.defaults.input_size;
      m.ptr()->eval();
      torch::NoGradGuard no_grad;
      torch::Tensor y;
      try {
        y = m.forward(torch::zeros({2, info.defaults.in_channels, side, side}));
      } catch (const c10::Error& e) {
        throw InputError(bb.torchscript, fmt::format("its forward fails on a (2, {}, {}, {}) input: {}",
                                                     info.defaults.in_channels, side, side, e.what_without_backtrace()));
      }
      if (y.dim() != 2 || y.size(1) != classes) {
        std::ostringstream shape;
        shape << y.sizes();
        throw InputError(bb.torchscript, fmt::format("its output has shape {}, the data need (N, {}) logits",
                                                     shape.str(), classes));
      }
    }
    if (bb.weights.empty()) continue;
    torch::nn::AnyModule m = build_model(bb, classes, o);
    const json w = load_backbone_weights(m, bb);
    progress.message(fmt::format("gauntlet: backbone {}: weights {} fit{}", b.label, bb.weights,
                                 w.at("skipped").empty() ? std::string()
                                                         : fmt::format(" (classifier for {} classes kept as initialised: {})",
                                                                       classes, w.at("skipped").dump())));
  }
  HoldoutSet holdouts;
  holdouts.specs = holdout_specs(s, static_cast<int>(splits.test.height), static_cast<int>(splits.test.width));
  holdouts.test = &splits.test;
  holdouts.seed = s.seed;
  holdouts.cache_dir = (std::filesystem::path(o.out) / "cache").string();
  holdouts.preprocess = s.data.preprocess;
  holdouts.threads = torch::get_num_threads();
  // External sets are part of what a cell's result depends on: their content (not their path)
  // enters the cell id, so replacing field.npz runs the cells again.
  Hasher data_hash;
  data_hash.update(splits.fingerprint);
  for (auto& h : holdouts.specs) {
    if (h.kind != HoldoutSpec::Kind::kExternal) continue;
    const Dataset& d = holdouts.external[h.id] =
        load_external_holdout(h.external->data, splits.train.class_names, splits.train.channels);
    h.info["fingerprint"] = fingerprint(d);
    data_hash.update(h.id).update(fingerprint(d));
  }
  const std::string data_fingerprint = s.evaluate.holdouts.empty() ? splits.fingerprint : data_hash.hex();

  // Prepared (resized) training sets depend only on the backbone's input side and channels.
  struct Prepared {
    PreparedSet train, val;
  };
  std::map<std::pair<int64_t, int64_t>, Prepared> prepared;
  const json env = environment(o, compute);
  std::vector<json> results;

  // A batch that cannot fit is refused now, before anything is written, not mid-run by the kernel.
  // Only the input batch (float32) is certain; activations come on top of it.
  for (const Cell& cell : s.cells) {
    const json config = resolved_config(s, cell);
    const int64_t side = config.at("data").at("input_size").get<int64_t>();
    const int64_t ch = backbone_info(config.at("backbone").at("name").get<std::string>()).defaults.in_channels;
    const int64_t batch = std::max(config.at("train").at("batch_size").get<int64_t>(), s.evaluate.batch_size);
    check_fits_in_memory(static_cast<uint64_t>(batch) * side * side * ch * sizeof(float), s.path,
                         fmt::format("{}: a batch of {} images of {}x{}x{} floats", cell_title(cell), batch, side, side, ch));
  }

  // The suite's current cells, written before any runs: report and compare read only these, so
  // cells of an earlier version of the suite (kept as a cache) never mix into its tables.
  json manifest{{"schema", "gauntlet.cells/1"}, {"suite", s.name}, {"cells", json::array()}};
  for (const Cell& cell : s.cells) {
    manifest["cells"].push_back(make_cell_id(resolved_config(s, cell), data_fingerprint));
  }
  // Writes a SIGKILL cut short leave temporary files behind; those of dead processes go now.
  remove_stale_temp_files(runs_dir(o.out, s.name));
  remove_stale_temp_files(reports_dir(o.out, s.name));
  // With --shard, shard 1 alone writes the manifest: two shards never write the same file.
  if (o.shard == 0) {
    write_file_atomic((std::filesystem::path(runs_dir(o.out, s.name)) / "cells.json").string(),
                      manifest.dump(2) + "\n");
  }
  const std::vector<Cell> cells = o.shards > 1 ? shard_cells(s, o, manifest.at("cells"), splits.train.n) : s.cells;
  summary.other_shards = static_cast<int>(s.cells.size() - cells.size());
  if (o.shards > 1) {
    progress.message(fmt::format("gauntlet: shard {}/{}: {} of the suite's {} cells", o.shard + 1, o.shards,
                                 cells.size(), s.cells.size()));
  }

  install_interrupt_handlers();
  for (const Cell& cell : cells) {
    if (interrupt_requested()) {
      summary.interrupted = "stopped before " + cell_title(cell);
      break;
    }
    const json config = resolved_config(s, cell);
    const std::string id = make_cell_id(config, data_fingerprint);
    const std::string dir = cell_dir(o.out, s.name, id);
    remove_stale_temp_files(dir);  // of killed writers: a crash mid-write, or mid-rescore
    if (auto existing = o.rerun ? std::nullopt : read_ok_result(dir)) {
      // The cell id covers config, data and version, not code: a result made by other code is
      // stale (this is what lets CI restore main's results and retrain only what changed).
      const json made_by = existing->contains("env") ? existing->at("env").value("source_hash", json())
                                                      : json();
      if (made_by == gauntlet_source_hash()) {
        results.push_back(std::move(*existing));
        ++summary.skipped;
        progress.message(fmt::format("{} [{}]: result exists, skipped (--rerun to run again)",
                                     cell_title(cell), id));
        continue;
      }
      progress.message(fmt::format("{} [{}]: result was made by other code (source hash {}, now {}), "
                                   "running again", cell_title(cell), id,
                                   made_by.is_string() ? made_by.get<std::string>() : "unknown",
                                   gauntlet_source_hash()));
    }
    // One process per cell: another run on the same --out may be training it right now.
    std::string holder, note;
    const std::optional<CellLock> lock = CellLock::acquire(dir, holder, note);
    if (!lock) {
      ++summary.busy;
      progress.message(fmt::format("{} [{}]: being run by another gauntlet process ({}), skipped", cell_title(cell),
                                   id, holder));
      continue;
    }
    if (!note.empty()) progress.message(fmt::format("{} [{}]: {}", cell_title(cell), id, note));
    if (auto done = o.rerun ? std::nullopt : read_ok_result(dir)) {
      if (done->contains("env") && done->at("env").value("source_hash", json()) == gauntlet_source_hash()) {
        results.push_back(std::move(*done));  // finished by another process since the check above
        ++summary.skipped;
        progress.message(fmt::format("{} [{}]: finished by another process meanwhile, skipped", cell_title(cell), id));
        continue;
      }
    }
    const std::string bb_name = config.at("backbone").at("name").get<std::string>();
    const BackboneInfo& info = backbone_info(bb_name);
    const int64_t side = config.at("data").at("input_size").get<int64_t>();
    const int64_t ch = info.defaults.in_channels;
    auto it = prepared.find({side, ch});
    if (it == prepared.end()) {
      Prepared p{prepare(splits.train, side, ch, s.data.preprocess), prepare(splits.val, side, ch, s.data.preprocess)};
      it = prepared.emplace(std::make_pair(side, ch), std::move(p)).first;
    }

    // `scoring`: what mCE is measured against (not part of the cell id: changing the baseline
    // rescores, it does not retrain); `gauntlet merge` reads it to rescore shards together.
    json result{{"schema", kResultSchema}, {"cell_id", id}, {"config", config}, {"env", env},
                {"dataset", splits.info},
                {"scoring", {{"baseline", s.evaluate.baseline}, {"mce", s.evaluate.mce_measure}}}};
    try {
      json r = run_cell(s, cell, config, splits, holdouts, it->second.train, it->second.val, info, o,
                        dir, progress);
      result.update(r);
      ++summary.ran;
    } catch (const Interrupted& e) {
      // Nothing of this cell is written: its checkpoint (last finished epoch) is how it resumes.
      summary.interrupted = e.what();
      break;
    } catch (const std::exception& e) {
      // LibTorch's errors carry a C++ backtrace that helps nobody reading a result file.
      const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
      const std::string what = c10_error ? c10_error->what_without_backtrace() : e.what();
      result["status"] = "failed";
      result["error"] = what;
      ++summary.failed;
      summary.failed_cells.push_back(cell_title(cell) + " [" + id + "]: " + what);
      progress.message(fmt::format("{} [{}]: FAILED: {}", cell_title(cell), id, what));
    }
    write_result(dir, result);
    if (result.at("status") == "ok") {
      // Kept after a failure, so that the same command resumes from the last finished epoch.
      std::error_code ignored;
      std::filesystem::remove(std::filesystem::path(dir) / "checkpoint.pt", ignored);
    }
    results.push_back(std::move(result));
  }
  for (size_t i : rescore(results, s.evaluate.baseline, s.evaluate.mce_measure, progress)) {
    write_result(cell_dir(o.out, s.name, results[i].at("cell_id").get<std::string>()), results[i]);
  }
  if (results.empty()) return summary;  // interrupted in the first cell: no table yet
  if (o.shards > 1) {  // the suite's table is drawn once every shard is done (gauntlet report)
    progress.message("\n" + summary_markdown(results));
    return summary;
  }
  std::string md;
  summary.summary_path = write_summary(o.out, s.name, &md, s.report_formats);
  progress.message("\n" + md);
  return summary;
}

}  // namespace gauntlet
