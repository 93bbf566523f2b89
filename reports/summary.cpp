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

struct Row {
  std::vector<std::string> labels;
  bool ok = false;
  double clean = -1, f1 = -1, corrupted = -1;
  std::string error;
};

}  // namespace

std::string summary_markdown(const std::vector<json>& results) {
  std::vector<Row> rows;
  double best_clean = -1, best_corrupted = -1;
  for (const auto& r : results) {
    Row row;
    const json& cfg = r.at("config");
    const json& l = cfg.at("labels");
    row.labels = {l.at("backbone"), l.at("augmentation"), l.at("loss"), l.at("optimizer"),
                  std::to_string(cfg.at("seed").get<int64_t>())};
    row.ok = r.value("status", "") == "ok";
    if (row.ok) {
      const json& clean = r.at("eval").at("clean");
      row.clean = clean.at("accuracy").get<double>();
      row.f1 = clean.at("macro").at("f1").get<double>();
      const json& rob = r.value("robustness", json::object());
      if (rob.contains("mean_corruption_accuracy") && !rob.at("mean_corruption_accuracy").is_null()) {
        row.corrupted = rob.at("mean_corruption_accuracy").get<double>();
      }
      best_clean = std::max(best_clean, row.clean);
      best_corrupted = std::max(best_corrupted, row.corrupted);
    } else {
      row.error = r.value("error", "failed");
    }
    rows.push_back(row);
  }
  std::string md =
      "| backbone | augmentation | loss | optimizer | seed | clean acc | macro F1 | mean corrupted acc |\n"
      "|---|---|---|---|---:|---:|---:|---:|\n";
  for (const auto& row : rows) {
    md += "|";
    for (const auto& s : row.labels) md += " " + cell_text(s) + " |";
    if (!row.ok) {
      md += " failed | " + cell_text(row.error) + " | |\n";
      continue;
    }
    auto bold_if = [](double v, double best) {
      const std::string s = fixed(v);
      return v == best ? "**" + s + "**" : s;
    };
    md += " " + bold_if(row.clean, best_clean) + " | " + fixed(row.f1) + " | " +
          (row.corrupted < 0 ? std::string("-") : bold_if(row.corrupted, best_corrupted)) + " |\n";
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
