// `gauntlet run`: load the data once, then per cell (skipped when its result is already stored)
// train, evaluate on the clean and perturbed hold-outs, and store the result; finally print and
// write the summary table.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/suite.hpp"

namespace gauntlet {

class Progress;

struct RunOptions {
  std::string out = "gauntlet-out";
  int threads = 0;         ///< LibTorch compute threads; 0: all cores
  int loader_threads = 1;  ///< data-pipeline threads; results do not depend on it
  bool rerun = false;      ///< run cells even when their result exists
  std::string device = "cpu";     ///< cpu | cuda | auto
  std::string precision = "fp32";  ///< fp32 | bf16 | fp16 (autocast; fp16 with loss scaling, CUDA only)
  /// Channels-last (NHWC) model and batches: oneDNN's faster layout on the CPU, 1.0-1.8x for every
  /// backbone measured (BENCHMARKS.md), so the default; false: NCHW.
  bool channels_last = true;
  int shard = 0, shards = 1;  ///< run only the cells of shard `shard` (0-based) of `shards`
  bool allow_torchscript = false;  ///< backbones may load TorchScript files (they are code)
};

struct RunSummary {
  int cells = 0, ran = 0, skipped = 0, failed = 0;
  int busy = 0;  ///< cells another gauntlet process was running (their lock was held)
  std::vector<std::string> failed_cells;
  std::string summary_path;
  std::string interrupted;  ///< what SIGINT / SIGTERM stopped ("" when nothing did)
  int other_shards = 0;     ///< cells left to the other shards
};

/// Runs every cell of `suite`. Bad data raises InputError before any cell starts; an error inside
/// a cell is recorded in its result.json (status "failed") and the suite goes on.
RunSummary run_suite(const Suite& suite, const RunOptions& options);

struct EvalSummary {
  int cells = 0, evaluated = 0, skipped = 0;  ///< skipped: failed cells, or no model.pt
  std::vector<std::string> notes;
};

/// `gauntlet eval RUNS --holdout NAME=DATA`: evaluates every finished cell of the runs folder
/// from its saved weights (model.pt) on each external hold-out x.<NAME>, without retraining, and
/// adds it to the cell's result.json ("eval", "holdouts") and predictions/. Throws InputError for
/// bad data or a runs folder without results.
EvalSummary eval_holdouts(const std::string& runs, const std::vector<ExternalHoldout>& holdouts,
                          const RunOptions& options);

/// CE, mCE and relative mCE against the `baseline` cell ("backbone/augmentation/loss/optimizer"
/// labels, or "") under `measure`, recomputed over `results` (they need every cell); returns the
/// indices of the ok results whose robustness changed, which the caller writes.
std::vector<size_t> rescore(std::vector<nlohmann::json>& results, const std::string& baseline,
                            const std::string& measure, Progress& progress);

/// Writes the suite's report (reports/report.hpp: summary.md, tables in `formats`, figures, pages)
/// from its result files under <out>/runs/<suite>/ into <out>/reports/<suite>/; prints its warnings
/// (gnuplot missing) to stderr. Returns summary.md's path, and its table through `markdown`.
std::string write_summary(const std::string& out, const std::string& suite, std::string* markdown,
                          const std::vector<std::string>& formats = {"md", "html", "tex", "csv"});

}  // namespace gauntlet
