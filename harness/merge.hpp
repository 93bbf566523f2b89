// `gauntlet merge RUNS... --out DIR`: gathers the runs folders of one suite made on several machines
// (shards) into one, as if it had run on one machine: every cell once, the suite's cell list, mCE
// against the baseline recomputed over all cells, and the summary table.
#pragma once

#include <string>
#include <vector>

namespace gauntlet {

struct MergeSummary {
  std::string suite;
  int cells = 0;      ///< distinct cells gathered
  int duplicates = 0;  ///< cells found in more than one input, with the same results
  std::string runs;    ///< the merged runs folder
  std::string summary_path;
};

/// Checks everything before writing anything: each input is a runs folder of the same suite, cell
/// lists (cells.json) agree, and a cell found in several inputs (or already in the output) has the
/// same status and eval there. Throws InputError naming the folders that disagree.
MergeSummary merge_runs(const std::vector<std::string>& inputs, const std::string& out);

}  // namespace gauntlet
