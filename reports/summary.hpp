// The summary table: one row per cell (its axis labels and seed, clean accuracy, macro F1, mean
// corrupted accuracy), drawn from result.json documents alone, as reports must be.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace gauntlet {

/// A GitHub Markdown table; the best clean accuracy and best mean corrupted accuracy are bold.
std::string summary_markdown(const std::vector<nlohmann::json>& results);

/// Every runs/<suite>/<cell-id>/result.json under `runs_dir`, sorted by axis labels and seed.
/// Throws InputError when the folder does not exist or a result.json does not parse.
std::vector<nlohmann::json> read_results(const std::string& runs_dir);

}  // namespace gauntlet
