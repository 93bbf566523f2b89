#include "reports/summary.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "harness/core/error.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

// Markdown table cells cannot hold '|' or newlines.
std::string cell_text(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

// One extra column: a number per result, and whether smaller is better (mCE) or larger (accuracy).
struct Column {
  std::string header;
  bool lower_is_better = false;
  std::vector<double> values;  ///< per row; < 0 where absent
};

struct Row {
  std::vector<std::string> labels;
  bool ok = false;
  std::string error;
};

double number_at(const json& j, const json::json_pointer& p) {
  return j.contains(p) && j.at(p).is_number() ? j.at(p).get<double>() : -1.0;
}

}  // namespace

std::string summary_markdown(const std::vector<json>& results) {
  // Columns: clean accuracy and macro F1, mean corrupted accuracy, mCE when a baseline scored it,
  // then the accuracy on every profile (p.*) and external (x.*) hold-out any cell has.
  std::vector<Column> cols{{"clean acc", false, {}}, {"macro F1", false, {}},
                           {"mean corrupted acc", false, {}}};
  std::vector<std::string> extra_holdouts;
  bool any_mce = false;
  for (const auto& r : results) {
    if (r.value("status", "") != "ok") continue;
    any_mce = any_mce || number_at(r, json::json_pointer("/robustness/mce")) >= 0;
    for (const auto& [id, m] : r.at("eval").items()) {
      if ((id.rfind("p.", 0) == 0 || id.rfind("x.", 0) == 0) &&
          std::find(extra_holdouts.begin(), extra_holdouts.end(), id) == extra_holdouts.end()) {
        extra_holdouts.push_back(id);
      }
    }
  }
  std::sort(extra_holdouts.begin(), extra_holdouts.end());
  if (any_mce) cols.push_back({"mCE", true, {}});
  for (const auto& id : extra_holdouts) cols.push_back({id + " acc", false, {}});

  std::vector<Row> rows;
  for (const auto& r : results) {
    Row row;
    const json& cfg = r.at("config");
    const json& l = cfg.at("labels");
    row.labels = {l.at("backbone"), l.at("augmentation"), l.at("loss"), l.at("optimizer"),
                  std::to_string(cfg.at("seed").get<int64_t>())};
    row.ok = r.value("status", "") == "ok";
    if (!row.ok) row.error = r.value("error", "failed");
    auto at = [&](const std::string& pointer) {
      return row.ok ? number_at(r, json::json_pointer(pointer)) : -1.0;
    };
    cols[0].values.push_back(at("/eval/clean/accuracy"));
    cols[1].values.push_back(at("/eval/clean/macro/f1"));
    cols[2].values.push_back(at("/robustness/mean_corruption_accuracy"));
    size_t c = 3;
    if (any_mce) cols[c++].values.push_back(at("/robustness/mce"));
    for (const auto& id : extra_holdouts) cols[c++].values.push_back(at("/eval/" + id + "/accuracy"));
    rows.push_back(row);
  }

  std::string md = "| backbone | augmentation | loss | optimizer | seed |";
  std::string rule = "|---|---|---|---|---:|";
  for (const auto& col : cols) {
    md += " " + cell_text(col.header) + " |";
    rule += "---:|";
  }
  md += "\n" + rule + "\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    md += "|";
    for (const auto& s : row.labels) md += " " + cell_text(s) + " |";
    if (!row.ok) {
      md += " failed | " + cell_text(row.error) + " |";
      for (size_t c = 2; c < cols.size(); ++c) md += " |";
      md += "\n";
      continue;
    }
    for (size_t c = 0; c < cols.size(); ++c) {
      const Column& col = cols[c];
      const double v = col.values[i];
      if (v < 0) {
        md += " - |";
        continue;
      }
      // The best value of a column is bold, except for macro F1 (it follows clean accuracy).
      double best = -1;
      for (double x : col.values) {
        if (x >= 0 && (best < 0 || (col.lower_is_better ? x < best : x > best))) best = x;
      }
      const std::string s = fixed(v);
      md += " " + (c != 1 && v == best ? "**" + s + "**" : s) + " |";
    }
    md += "\n";
  }
  return md;
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

std::vector<json> read_results(const std::string& runs_dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(runs_dir)) throw InputError(runs_dir, "not a folder of runs");
  std::vector<json> out;
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
      out.push_back(std::move(r));
    } catch (const json::exception& e) {
      throw InputError(p.string(), std::string("not a gauntlet result: ") + e.what());
    }
  }
  if (out.empty()) throw InputError(runs_dir, "no result.json found in its cell folders");
  auto key = [](const json& r) {
    const json& l = r.at("config").at("labels");
    return std::make_tuple(l.value("backbone", ""), l.value("augmentation", ""), l.value("loss", ""),
                           l.value("optimizer", ""), r.at("config").value("seed", int64_t{0}));
  };
  std::sort(out.begin(), out.end(), [&](const json& a, const json& b) { return key(a) < key(b); });
  return out;
}

}  // namespace gauntlet
