#include "reports/summary.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "harness/core/error.hpp"
#include "reports/report_data.hpp"
#include "reports/report_tables.hpp"
#include "reports/table.hpp"

namespace gauntlet {
using nlohmann::json;

std::string summary_markdown(const std::vector<json>& results) {
  std::vector<RunResult> runs;
  for (const auto& r : results) runs.push_back({"", r});
  return make_markdown_format()->render(leaderboard_table(make_report_data(std::move(runs)), true));
}

std::vector<std::string> current_cell_dirs(const std::string& runs_dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> dirs;
  const fs::path manifest = fs::path(runs_dir) / "cells.json";
  if (fs::is_regular_file(manifest)) {
    std::ifstream in(manifest);
    try {
      const json m = json::parse(in);
      for (const auto& id : m.at("cells")) {
        const fs::path dir = fs::path(runs_dir) / id.get<std::string>();
        if (fs::is_regular_file(dir / "result.json")) dirs.push_back(dir.string());
      }
    } catch (const json::exception& e) {
      throw InputError(manifest.string(), std::string("not a cell list: ") + e.what());
    }
  } else {
    for (const auto& entry : fs::directory_iterator(runs_dir)) {
      if (fs::is_regular_file(entry.path() / "result.json")) dirs.push_back(entry.path().string());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

void sort_run_results(std::vector<RunResult>& runs) {
  auto key = [](const RunResult& rr) {
    const json& r = rr.result;
    const json& l = r.at("config").at("labels");
    return std::make_tuple(l.value("backbone", ""), l.value("augmentation", ""), l.value("loss", ""),
                           l.value("optimizer", ""), r.at("config").value("seed", int64_t{0}), rr.dir);
  };
  std::stable_sort(runs.begin(), runs.end(), [&](const RunResult& a, const RunResult& b) { return key(a) < key(b); });
}

std::vector<RunResult> read_run_results(const std::string& runs_dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(runs_dir)) throw InputError(runs_dir, "not a folder of runs");
  std::vector<RunResult> out;
  for (const auto& dir : current_cell_dirs(runs_dir)) {
    const fs::path p = fs::path(dir) / "result.json";
    std::ifstream in(p);
    try {
      json r = json::parse(in);
      // What the table reads must be there, with the right types.
      const json& l = r.at("config").at("labels");
      for (const char* k : {"backbone", "augmentation", "loss", "optimizer"}) l.at(k).get<std::string>();
      r.at("config").at("seed").get<int64_t>();
      r.at("config").at("suite").get<std::string>();
      if (r.at("status").get<std::string>() == "ok") {
        r.at("eval").at("clean").at("accuracy").get<double>();
        r.at("eval").at("clean").at("macro").at("f1").get<double>();
      }
      out.push_back({dir, std::move(r)});
    } catch (const json::exception& e) {
      throw InputError(p.string(), std::string("not a gauntlet result: ") + e.what());
    }
  }
  if (out.empty()) throw InputError(runs_dir, "no result.json found in its cell folders");
  sort_run_results(out);
  return out;
}

std::vector<json> read_results(const std::string& runs_dir) {
  std::vector<json> out;
  for (auto& r : read_run_results(runs_dir)) out.push_back(std::move(r.result));
  return out;
}

}  // namespace gauntlet
