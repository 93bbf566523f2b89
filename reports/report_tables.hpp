// The report's tables, built from ReportData as neutral Tables (reports/table.hpp) that every
// format renders. Accuracy-like numbers (accuracy, precision, recall, F1, CE) are shown in percent.
#pragma once

#include <string>

#include "reports/report_data.hpp"
#include "reports/table.hpp"

namespace gauntlet {

/// One row per group of seeds (per_seed = false: mean ± sample sd over the seeds that finished) or
/// per cell (per_seed = true): axis labels, seed(s), clean accuracy, macro precision / recall / F1
/// as mean ± population sd over classes (per-class values averaged over seeds first), accuracy on
/// every profile and external hold-out, mean corruption accuracy, mCE and relative mCE (when scored),
/// parameters and FLOPs (when the results record model.parameters / model.flops), training time and
/// training images/s. The best value of each metric column is marked. Failed cells are rows saying
/// so, with their error in a note.
Table leaderboard_table(const ReportData& d, bool per_seed);

/// Rank by clean accuracy beside the rank by each shifted hold-out's accuracy (profiles p.* and
/// external hold-outs x.*; the mean corruption accuracy when there are none), groups of seeds
/// averaged, sorted by clean rank. Competition ranking (1, 2, 2, 4) on the values as displayed.
Table ranking_table(const ReportData& d);

/// Precision, recall, F1 and support per class of one cell on one hold-out, then the macro and
/// weighted averages. The cell must have the hold-out.
Table per_class_table(const ReportData& d, const ReportCell& cell, const std::string& holdout);

/// Accuracy per corruption (rows) and severity (columns) of one cell, with each row's mean and CE
/// when scored, and a last row of the mean per severity. Empty rows when the cell has none.
Table corruption_table(const ReportData& d, const ReportCell& cell);

/// The file-name-safe form of a hold-out id ("p.hidden-like" stays, other characters become '_').
std::string holdout_file_name(const std::string& holdout);

}  // namespace gauntlet
