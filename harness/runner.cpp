#include "harness/runner.hpp"

#include <fmt/format.h>
#include <opencv2/core/version.hpp>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "augmentations/corruption.hpp"
#include "harness/build_info.hpp"
#include "harness/config.hpp"
#include "harness/core/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "harness/core/hash.hpp"
#include "harness/data_source.hpp"
#include "harness/loader.hpp"
#include "harness/metrics.hpp"
#include "harness/progress.hpp"
#include "harness/result_store.hpp"
#include "harness/split.hpp"
#include "harness/trainer.hpp"
#include "models/registry.hpp"
#include "reports/summary.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;

constexpr uint64_t kInitOp = 0x696e6974ull;       // "init"
constexpr uint64_t kTrainOp = 0x747261696eull;    // "train"

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
  const Split sp = stratified_split(source.labels, source.num_classes(), s.data.val_fraction,
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
              {"cleaning", {{"removed", 0}}}};
  return out;
}

struct Holdout {
  std::string id;
  Dataset images;  ///< at the data's own resolution
  json info;
};

std::vector<Holdout> make_holdouts(const Suite& s, const Dataset& test) {
  std::vector<Holdout> out;
  out.push_back({"clean", test, json::object()});
  const SizeTable table = size_table_for(static_cast<int>(test.height), static_cast<int>(test.width));
  for (const auto& name : s.evaluate.corruptions) {
    for (int sev : s.evaluate.severities) {
      Holdout h{corruption_holdout_id(name, sev), test, json::object()};
      corrupt_images(name, sev, test.images.data(), h.images.images.data(), test.n,
                     static_cast<int>(test.height), static_cast<int>(test.width),
                     static_cast<int>(test.channels), holdout_key(s.seed, h.id));
      h.info = {{"corruption", name}, {"severity", sev}, {"table", size_table_name(table)},
                {"parameters", corruption_parameters(name, sev, table)}};
      out.push_back(std::move(h));
    }
  }
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

json environment(const RunOptions& o) {
  return {{"gauntlet", gauntlet_version()},
          {"git_sha", gauntlet_git_sha()},
          {"source_hash", gauntlet_source_hash()},
          {"libtorch", TORCH_VERSION},
          {"opencv", CV_VERSION},
          {"compiler", compiler_id()},
          {"cpu", cpu_name()},
          {"cores", std::thread::hardware_concurrency()},
          {"gpu", nullptr},
          {"device", "cpu"},
          {"threads", torch::get_num_threads()},
          {"loader_threads", o.loader_threads}};
}

json history_json(const std::vector<EpochStats>& h) {
  json out = json::array();
  for (const auto& e : h) {
    out.push_back({{"epoch", e.epoch}, {"train_loss", e.train_loss}, {"train_accuracy", e.train_accuracy},
                   {"val_loss", e.val_loss}, {"val_accuracy", e.val_accuracy}, {"lr", e.lr},
                   {"images_per_second", e.images_per_second}, {"seconds", e.seconds}});
  }
  return out;
}

struct PreparedHoldout {
  const Holdout* holdout;
  PreparedSet data;
};

// Runs one cell; returns its result document (status ok) or throws.
json run_cell(const Suite& s, const Cell& cell, const json& config, const Splits& splits,
              const std::vector<PreparedHoldout>& holdouts, const PreparedSet& train,
              const PreparedSet& val, const BackboneInfo& info, const RunOptions& o,
              const std::string& dir, Progress& progress) {
  const BackboneSpec bb = backbone_from_json(config.at("backbone"));
  const Pipeline pipeline(pipeline_from_json(config.at("augmentation")));
  const int64_t k = splits.train.num_classes();

  // Cells sharing a seed start from the same weights and see the same batches: paired comparisons.
  torch::manual_seed(mix_key({s.seed, static_cast<uint64_t>(cell.seed), kInitOp}));
  torch::nn::AnyModule model = make_backbone(bb.name, bb.options, k);

  TrainSetup setup;
  setup.epochs = s.train.epochs;
  setup.batch_size = s.train.batch_size;
  setup.eval_batch_size = s.evaluate.batch_size;
  setup.optimizer = optimizer_from_json(config.at("optimizer"));
  setup.loss = loss_from_json(config.at("loss"));
  setup.key = mix_key({s.seed, static_cast<uint64_t>(cell.seed), kTrainOp});
  setup.loader_threads = o.loader_threads;
  setup.pipeline = &pipeline;
  setup.norm = {info.defaults.mean, info.defaults.std};
  setup.title = cell_title(cell);

  const auto t0 = std::chrono::steady_clock::now();
  const auto history = train_model(model, train, val, setup, progress);
  const double train_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  json eval = json::object();
  json holdout_info = json::object();
  double corrupted_sum = 0;
  int corrupted_n = 0;
  std::map<std::string, std::pair<double, int>> per_corruption;
  const auto t1 = std::chrono::steady_clock::now();
  for (const auto& ph : holdouts) {
    const torch::Tensor logits =
        predict_logits(model, ph.data, setup.norm, s.evaluate.batch_size, o.loader_threads);
    const torch::Tensor probs = torch::softmax(logits, 1).contiguous();
    const torch::Tensor pred = logits.argmax(1).contiguous();
    std::vector<int64_t> preds(pred.data_ptr<int64_t>(), pred.data_ptr<int64_t>() + pred.numel());
    std::vector<float> p(probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
    const Metrics m = compute_metrics(ph.data.labels, preds, k);
    eval[ph.holdout->id] = to_json(m);
    if (!ph.holdout->info.empty()) holdout_info[ph.holdout->id] = ph.holdout->info;
    write_predictions(dir, ph.holdout->id, ph.data.labels, preds, p, k);
    if (ph.holdout->id.rfind("c.", 0) == 0) {
      corrupted_sum += m.accuracy;
      ++corrupted_n;
      auto& pc = per_corruption[ph.holdout->info.at("corruption").get<std::string>()];
      pc.first += m.accuracy;
      pc.second += 1;
    }
  }
  const double eval_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();

  json robustness{{"mean_corruption_accuracy", corrupted_n ? json(corrupted_sum / corrupted_n) : json(nullptr)},
                  {"per_corruption", json::object()},
                  {"mce", nullptr},
                  {"relative_mce", nullptr},
                  {"note", "mCE and relative mCE need a baseline cell; not computed yet"}};
  for (const auto& [name, acc] : per_corruption) {
    robustness["per_corruption"][name] = {{"mean_accuracy", acc.first / acc.second}};
  }
  if (corrupted_n) {
    robustness["gap"] = eval.at("clean").at("accuracy").get<double>() - corrupted_sum / corrupted_n;
  }

  int64_t params = 0;
  for (const auto& t : model.ptr()->parameters()) params += t.numel();
  return {{"status", "ok"},
          {"eval", eval},
          {"holdouts", holdout_info},
          {"robustness", robustness},
          {"history", history_json(history)},
          {"model", {{"parameters", params}, {"input_size", train.side}, {"in_channels", train.channels}}},
          {"timing", {{"train_seconds", train_secs}, {"eval_seconds", eval_secs}}}};
}

}  // namespace

std::string write_summary(const std::string& out, const std::string& suite,
                          const std::vector<json>& results, std::string* markdown) {
  std::string md = summary_markdown(results);
  const std::string path = (std::filesystem::path(reports_dir(out, suite)) / "summary.md").string();
  write_file_atomic(path, "# " + suite + "\n\n" + md);
  if (markdown != nullptr) *markdown = md;
  return path;
}

RunSummary run_suite(const Suite& s, const RunOptions& o) {
  torch::set_num_threads(o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency()));
  Progress progress(stdout);
  RunSummary summary;
  summary.cells = static_cast<int>(s.cells.size());

  const Splits splits = load_splits(s);
  progress.message(fmt::format("gauntlet: suite {} ({} cells), data {}: train {} / val {} / test {} images, {} classes",
                               s.name, s.cells.size(), s.data.source.path, splits.train.n, splits.val.n,
                               splits.test.n, splits.train.num_classes()));
  const std::vector<Holdout> holdouts = make_holdouts(s, splits.test);

  // Prepared (resized) sets depend only on the backbone's input side and channels.
  struct Prepared {
    PreparedSet train, val;
    std::vector<PreparedHoldout> holdouts;
  };
  std::map<std::pair<int64_t, int64_t>, Prepared> prepared;
  const json env = environment(o);
  std::vector<json> results;

  // The suite's current cells, written before any runs: report and compare read only these, so
  // cells of an earlier version of the suite (kept as a cache) never mix into its tables.
  json manifest{{"schema", "gauntlet.cells/1"}, {"suite", s.name}, {"cells", json::array()}};
  for (const Cell& cell : s.cells) {
    manifest["cells"].push_back(make_cell_id(resolved_config(s, cell), splits.fingerprint));
  }
  write_file_atomic((std::filesystem::path(runs_dir(o.out, s.name)) / "cells.json").string(),
                    manifest.dump(2) + "\n");

  for (const Cell& cell : s.cells) {
    const json config = resolved_config(s, cell);
    const std::string id = make_cell_id(config, splits.fingerprint);
    const std::string dir = cell_dir(o.out, s.name, id);
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
    const std::string bb_name = config.at("backbone").at("name").get<std::string>();
    const BackboneInfo& info = backbone_info(bb_name);
    const int64_t side = config.at("data").at("input_size").get<int64_t>();
    const int64_t ch = info.defaults.in_channels;
    auto it = prepared.find({side, ch});
    if (it == prepared.end()) {
      Prepared p{prepare(splits.train, side, ch), prepare(splits.val, side, ch), {}};
      for (const auto& h : holdouts) p.holdouts.push_back({&h, prepare(h.images, side, ch)});
      it = prepared.emplace(std::make_pair(side, ch), std::move(p)).first;
    }

    json result{{"schema", kResultSchema}, {"cell_id", id}, {"config", config}, {"env", env},
                {"dataset", splits.info}};
    try {
      json r = run_cell(s, cell, config, splits, it->second.holdouts, it->second.train, it->second.val,
                        info, o, dir, progress);
      result.update(r);
      ++summary.ran;
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
    results.push_back(std::move(result));
  }
  std::string md;
  summary.summary_path = write_summary(o.out, s.name, results, &md);
  progress.message("\n" + md);
  return summary;
}

}  // namespace gauntlet
