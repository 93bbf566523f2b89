// `gauntlet compare BASE CANDIDATE`: pairs the cells of two runs (folders or single result.json
// files), compares every shared hold-out sample by sample (paired bootstrap CI of the accuracy
// delta, exact McNemar test, Holm over the hold-outs of a cell pair, macro and per-class F1 deltas,
// confusion pairs that grew) and gives each hold-out a verdict. The output is one JSON document,
// "schema": "gauntlet.compare/1", that reports/compare_report renders; docs/compare.md defines
// every field. No torch: it reads result files only.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gauntlet {

inline constexpr const char* kCompareSchema = "gauntlet.compare/1";

/// The parts of a cell's resolved config it can be matched on: the four axes (their resolved
/// values, not their labels, so a renamed but unchanged cell still pairs), the seed, the training
/// settings and the data (by content fingerprint). Matching on all of them pairs a cell with its
/// identical twin; leaving fields out says "these are allowed to differ".
inline const std::vector<std::string>& match_fields() {
  static const std::vector<std::string> fields{"backbone", "augmentation", "loss", "optimizer",
                                               "seed",     "train",        "data"};
  return fields;
}

struct CompareOptions {
  /// A delta must exceed this (in accuracy, 0..1) before it can be a regression or improvement.
  double tolerance = 0.0;
  /// Family-wise error rate of the Holm-corrected McNemar tests of one cell pair.
  double alpha = 0.05;
  /// Bootstrap resamples for the 95% CI of the delta.
  int64_t resamples = 2000;
  /// Keys the bootstrap draws with the hold-out and the resample index.
  uint64_t seed = 0;
  /// Fields of the matching key (a subset of match_fields()).
  std::vector<std::string> match = match_fields();
  /// Optional JSON file: [{"base": {labels}, "candidate": {labels}}, ...] pairing cells by their
  /// axis labels (and seed) whatever their configs.
  std::string map_path;
  /// How many class pairs (true -> predicted) to keep per hold-out, largest growth first.
  int64_t top_class_pairs = 5;
};

/// Reads the optional `compare` object of a suite (already validated against the schema) into
/// `o`, for the keys present: tolerance, alpha, resamples, match.
void apply_suite_compare_section(const nlohmann::json& suite_doc, CompareOptions& o);

/// "backbone,seed" -> {"backbone", "seed"}; throws InputError on an unknown or repeated field.
std::vector<std::string> parse_match_fields(const std::string& csv);

/// One cell's result file and where it lies.
struct CellResult {
  std::string dir;  ///< folder holding result.json and predictions/
  nlohmann::json result;
  bool ok = false;
  std::string id;     ///< cell_id (the folder name when absent)
  std::string title;  ///< "backbone/augmentation/loss/optimizer/seedN"
  int64_t seed = 0;
  nlohmann::json labels;  ///< config.labels
  /// Per match field, the canonical text of its value (config.<field> dumped with sorted keys;
  /// for "data" the dataset fingerprint).
  std::map<std::string, std::string> match_values;
};

/// `path` is a runs folder (cells in sub-folders), a cell folder or a result.json. Cells are sorted
/// by title, then id. Throws InputError when the path does not exist, holds no result.json or a
/// result.json does not parse or lacks config.labels, config.seed or a config field to match on.
std::vector<CellResult> read_cells(const std::string& path);

/// A predictions/<holdout>.csv file: header index,label,pred,p0..pK-1; rows in any order, each
/// index 0..n-1 exactly once.
struct Predictions {
  std::string path;
  std::vector<int64_t> labels;  ///< by index
  std::vector<int64_t> preds;   ///< by index
  int64_t num_classes = 0;      ///< K, the number of p columns
};

/// Throws InputError naming the file (and line) on any departure from the format.
Predictions read_predictions_csv(const std::string& path);

/// Compares `candidate` against `base`; the returned document is the --json output. Throws
/// InputError on bad input: unreadable paths, an ambiguous match, a bad --map file, no matched
/// cell pair, or two predictions files of one hold-out that disagree on n or labels.
nlohmann::json compare_runs(const std::string& base, const std::string& candidate,
                            const CompareOptions& o);

/// Counts of hold-out verdicts in a compare document.
int64_t count_verdicts(const nlohmann::json& doc, const std::string& verdict);

}  // namespace gauntlet
