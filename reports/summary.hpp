// The summary table: one row per cell (its axis labels and seed, clean accuracy, macro F1, mean
// corrupted accuracy), drawn from result.json documents alone, as reports must be.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace gauntlet {

/// A GitHub Markdown table; the best clean accuracy and best mean corrupted accuracy are bold.
std::string summary_markdown(const std::vector<nlohmann::json>& results);

/// The cell folders of `runs_dir` that hold a result.json. When `runs_dir/cells.json` exists (every
/// `gauntlet run` writes it: the cells of the suite as last run), only the cells it lists: cells of
/// earlier versions of the suite stay on disk as a cache but are not part of the suite's results.
/// Sorted by folder name. Throws InputError for a cells.json that does not parse.
std::vector<std::string> current_cell_dirs(const std::string& runs_dir);

/// The result.json of every current cell (see current_cell_dirs), sorted by axis labels and seed.
/// Throws InputError when the folder does not exist or a result.json is not a gauntlet result.
std::vector<nlohmann::json> read_results(const std::string& runs_dir);

}  // namespace gauntlet
