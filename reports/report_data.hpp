// What a report is drawn from: the current cells of one suite's runs folder (result.json files
// only, as DESIGN.md's layering asks), grouped by axis labels over seeds, with the hold-outs, classes,
// corruptions and severities any cell has. Tables, figures and pages read this, never the files.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "reports/summary.hpp"

namespace gauntlet {

struct ReportCell {
  std::string dir;   ///< the run folder
  std::string slug;  ///< a safe file name for its pages: the cell id, or "cell<N>" when odd
  nlohmann::json result;
  std::vector<std::string> labels;  ///< backbone, augmentation, loss, optimizer
  int64_t seed = 0;
  bool ok = false;

  /// "cnn/none/cross_entropy/sgd seed 0"
  std::string title() const;
  /// eval[holdout] or null when the cell has no such hold-out.
  const nlohmann::json* eval(const std::string& holdout) const;
  /// A number at a JSON pointer of the result, or NaN when absent or not a number.
  double number(const std::string& pointer) const;
};

/// The cells that share axis labels (they differ by seed).
struct ReportGroup {
  std::vector<std::string> labels;
  std::vector<const ReportCell*> cells;  ///< every seed, failed ones included
  std::vector<const ReportCell*> ok_cells() const;
  std::string title() const;  ///< "cnn/none/cross_entropy/sgd"
};

struct Corruption {
  std::string name;
  std::vector<int> severities;  ///< ascending
};

struct ReportData {
  std::string suite;
  std::vector<ReportCell> cells;    ///< in table order: labels, then seed
  std::vector<ReportGroup> groups;  ///< in table order
  std::vector<std::string> classes;          ///< dataset.classes of the first ok cell
  std::vector<std::string> shifted_holdouts; ///< p.* then x.* hold-out ids any ok cell has, sorted
  std::vector<Corruption> corruptions;       ///< from c.<name>.<severity> ids, sorted by name
  bool multi_seed = false;                   ///< some group has more than one cell

  /// classes[i], or "class <i>" for a class the results do not name.
  std::string class_name(size_t i) const;
};

/// Reads the current cells of `runs_dir` (see read_run_results) and arranges them.
/// Throws InputError as read_run_results does.
ReportData load_report_data(const std::string& runs_dir);

/// Arranges results already read (read_run_results checked their shape). Throws
/// std::invalid_argument for none.
ReportData make_report_data(std::vector<RunResult> runs);

/// Mean and sample standard deviation (n - 1; 0 for one value) of the finite values; NaN mean for
/// none.
struct MeanSd {
  double mean;
  double sd;
  size_t n;
};
MeanSd mean_sd(const std::vector<double>& values, bool population = false);

}  // namespace gauntlet
