// Reading a suite's results (result.json documents alone, as reports must), and the summary
// table `run` prints: the per-cell leaderboard.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace gauntlet {

/// The per-cell leaderboard (reports/report_tables.hpp) as a GitHub Markdown table.
std::string summary_markdown(const std::vector<nlohmann::json>& results);

/// The cell folders of `runs_dir` that hold a result.json. When `runs_dir/cells.json` exists (every
/// `gauntlet run` writes it: the cells of the suite as last run), only the cells it lists: cells of
/// earlier versions of the suite stay on disk as a cache but are not part of the suite's results.
/// Sorted by folder name. Throws InputError for a cells.json that does not parse.
std::vector<std::string> current_cell_dirs(const std::string& runs_dir);

/// A cell folder and its parsed result.json.
struct RunResult {
  std::string dir;
  nlohmann::json result;
};

/// The result.json of every current cell (see current_cell_dirs) with its folder, sorted by axis
/// labels and seed. Throws InputError when the folder does not exist, holds no result, or a
/// result.json is not a gauntlet result.
std::vector<RunResult> read_run_results(const std::string& runs_dir);

/// Sorts by axis labels, seed, then folder.
void sort_run_results(std::vector<RunResult>& runs);

/// read_run_results without the folders.
std::vector<nlohmann::json> read_results(const std::string& runs_dir);

}  // namespace gauntlet
