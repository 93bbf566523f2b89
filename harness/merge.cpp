#include "harness/merge.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "harness/core/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "harness/progress.hpp"
#include "harness/result_store.hpp"
#include "harness/runner.hpp"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json read_json(const fs::path& p) {
  std::ifstream in(p);
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw InputError(p.string(), std::string("not JSON: ") + e.what());
  }
}

// What must agree between two copies of one cell's result.
json outcome(const json& r) {
  return {{"status", r.value("status", "")}, {"eval", r.value("eval", json())}, {"eval_ema", r.value("eval_ema", json())}};
}

struct Found {
  fs::path dir;  ///< the cell folder it came from
  json result;
};

}  // namespace

MergeSummary merge_runs(const std::vector<std::string>& inputs, const std::string& out) {
  if (inputs.empty()) throw InputError("merge", "no runs folders given");
  MergeSummary summary;
  std::map<std::string, Found> cells;  // by cell id
  json manifest;
  fs::path manifest_from;
  for (const auto& input : inputs) {
    if (!fs::is_directory(input)) throw InputError(input, "not a runs folder (runs/<suite>)");
    const fs::path m = fs::path(input) / "cells.json";
    if (fs::is_regular_file(m)) {
      const json here = read_json(m);
      if (!manifest.is_null() && here != manifest) {
        throw InputError(m.string(), "its cell list differs from " + manifest_from.string() +
                                         "'s: the shards ran different versions of the suite");
      }
      manifest = here;
      manifest_from = m;
    }
    int found_here = 0;
    for (const auto& entry : fs::directory_iterator(input)) {
      const fs::path result = entry.path() / "result.json";
      if (!fs::is_regular_file(result)) continue;
      json r = read_json(result);
      const std::string id = entry.path().filename().string();
      if (r.value("cell_id", "") != id) {
        throw InputError(result.string(), "its cell_id is not its folder's name (" + id + ")");
      }
      const std::string suite = r.at("config").at("suite").get<std::string>();
      if (summary.suite.empty()) summary.suite = suite;
      if (suite != summary.suite) {
        throw InputError(result.string(), "belongs to suite \"" + suite + "\", not \"" + summary.suite + "\"");
      }
      ++found_here;
      auto it = cells.find(id);
      if (it == cells.end()) {
        cells.emplace(id, Found{entry.path(), std::move(r)});
        continue;
      }
      if (outcome(it->second.result) != outcome(r)) {
        throw InputError(result.string(), "cell " + id + " has other results in " + it->second.dir.string() +
                                              ": refusing to choose; remove the wrong one");
      }
      ++summary.duplicates;
    }
    if (found_here == 0) throw InputError(input, "no cell folder with a result.json");
  }
  if (!manifest.is_null() && manifest.value("suite", "") != summary.suite) {
    throw InputError(manifest_from.string(), "lists the cells of suite \"" + manifest.value("suite", "") + "\"");
  }
  // The output may already hold some cells (merging in rounds): they must agree too.
  const std::string runs = runs_dir(out, summary.suite);
  for (const auto& [id, found] : cells) {
    const fs::path existing = fs::path(runs) / id / "result.json";
    if (fs::is_regular_file(existing) && fs::canonical(existing.parent_path()) != fs::canonical(found.dir) &&
        outcome(read_json(existing)) != outcome(found.result)) {
      throw InputError(existing.string(), "cell " + id + " there has other results than in " + found.dir.string());
    }
  }

  // Everything agrees: copy. result.json last in each cell, so a cell with one is complete.
  for (const auto& [id, found] : cells) {
    const fs::path dest = fs::path(runs) / id;
    if (fs::exists(dest) && fs::equivalent(dest, found.dir)) continue;
    fs::create_directories(dest);
    for (const auto& f : fs::recursive_directory_iterator(found.dir)) {
      const fs::path rel = fs::relative(f.path(), found.dir);
      const std::string name = rel.filename().string();
      if (name == "result.json" || name == ".lock" || name.rfind("checkpoint.pt", 0) == 0) continue;
      if (f.is_directory()) {
        fs::create_directories(dest / rel);
      } else if (f.is_regular_file()) {
        const std::string tmp = temp_path_for((dest / rel).string());
        fs::copy_file(f.path(), tmp, fs::copy_options::overwrite_existing);
        commit_temp_file(tmp, (dest / rel).string());
      }
    }
    write_result(dest.string(), found.result);
  }
  summary.cells = static_cast<int>(cells.size());
  summary.runs = runs;

  // The table and mCE cover the suite's current cells: the list of the shard that wrote one, or
  // every cell gathered when none did.
  if (manifest.is_null()) {
    manifest = {{"schema", "gauntlet.cells/1"}, {"suite", summary.suite}, {"cells", json::array()}};
    for (const auto& [id, found] : cells) manifest["cells"].push_back(id);
  }
  write_file_atomic((fs::path(runs) / "cells.json").string(), manifest.dump(2) + "\n");
  std::vector<json> results;
  for (const auto& id : manifest.at("cells")) {
    const auto it = cells.find(id.get<std::string>());
    if (it != cells.end()) results.push_back(it->second.result);
  }
  if (results.empty()) throw InputError(out, "none of the suite's current cells has a result");
  // What mCE is measured against, as the runs recorded it (they must agree).
  json scoring = results.front().value("scoring", json{{"baseline", ""}, {"mce", "error"}});
  for (const auto& r : results) {
    if (r.value("scoring", scoring) != scoring) {
      throw InputError(r.at("cell_id").get<std::string>(), "its runs scored mCE against another baseline: " +
                                                               r.at("scoring").dump() + " vs " + scoring.dump());
    }
  }
  Progress quiet(stderr, false);
  for (size_t i : rescore(results, scoring.value("baseline", ""), scoring.value("mce", "error"), quiet)) {
    write_result(cell_dir(out, summary.suite, results[i].at("cell_id").get<std::string>()), results[i]);
  }
  std::string md;
  summary.summary_path = write_summary(out, summary.suite, &md);
  return summary;
}

}  // namespace gauntlet
