// `gauntlet report`: everything under reports/<suite>/ from a suite's runs folder, result files
// only (docs/reports.md shows the layout):
//   summary.md                         the per-cell leaderboard (also printed by `run`)
//   tables/<table>.{md,html,tex,csv}   leaderboard, leaderboard_seeds (several seeds), ranking
//   figures/<figure>.{png,svg,pdf,gp,dat}   clean vs shifted scatter, accuracy vs severity
//   index.html                         one offline page: sortable leaderboard, figures, cells,
//                                      environment, suite
//   cells/<cell>.html, cells/<cell>/{tables,figures,explain}/   one page per cell
// The same results give byte-identical tables and pages: nothing depends on the clock, the host or
// the order of a folder listing. The folder is written whole through a StagedFolder
// (harness/core/atomic_file.hpp): readers see the old report or the new one, and files of cells that
// left the suite go.
#pragma once

#include <string>
#include <vector>

namespace gauntlet {

struct ReportOptions {
  /// Table formats to write (md, html, tex, csv); html also writes the pages. summary.md is always
  /// written.
  std::vector<std::string> formats{"md", "html", "tex", "csv"};
  /// Draw figures with gnuplot (skipped, with a warning, when gnuplot is missing).
  bool figures = true;
};

struct ReportOutput {
  std::string dir;               ///< reports/<suite>
  std::string summary_path;      ///< <dir>/summary.md
  std::string index_path;        ///< <dir>/index.html, "" without the html format
  std::string summary_markdown;  ///< the leaderboard of summary.md, for a terminal
  int tables = 0;                ///< table files written
  int figures = 0;               ///< figures drawn
  std::vector<std::string> warnings;
};

/// Writes the report of the suite whose runs folder is `runs_dir` into `report_dir`.
/// Throws InputError for a runs folder without results (see read_run_results).
ReportOutput write_report(const std::string& runs_dir, const std::string& report_dir, const ReportOptions& o);

/// The folder name of a suite's report: the suite name when it is a valid one (the schema's
/// ^[A-Za-z0-9][A-Za-z0-9._-]*$), else with every other character replaced by '_', so that a result
/// file's suite name cannot lead a report out of reports/.
std::string report_folder_name(const std::string& suite);

/// "md,html" -> {"md", "html"}, in the order given, without repeats; throws std::invalid_argument
/// naming an unknown format.
std::vector<std::string> parse_report_formats(const std::string& list);

}  // namespace gauntlet
