#include "reports/report_data.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include "reports/summary.hpp"

namespace gauntlet {

using nlohmann::json;

std::string ReportCell::title() const {
  std::string t;
  for (const auto& l : labels) t += (t.empty() ? "" : "/") + l;
  return t + " seed " + std::to_string(seed);
}

const json* ReportCell::eval(const std::string& holdout) const {
  if (!ok || !result.contains("eval") || !result.at("eval").is_object()) return nullptr;
  const json& e = result.at("eval");
  const auto it = e.find(holdout);
  return it == e.end() || !it->is_object() ? nullptr : &*it;
}

double ReportCell::number(const std::string& pointer) const {
  const json::json_pointer p(pointer);
  return result.contains(p) && result.at(p).is_number() ? result.at(p).get<double>()
                                                        : std::numeric_limits<double>::quiet_NaN();
}

std::vector<const ReportCell*> ReportGroup::ok_cells() const {
  std::vector<const ReportCell*> out;
  for (const auto* c : cells) {
    if (c->ok) out.push_back(c);
  }
  return out;
}

std::string ReportGroup::title() const {
  std::string t;
  for (const auto& l : labels) t += (t.empty() ? "" : "/") + l;
  return t;
}

MeanSd mean_sd(const std::vector<double>& values, bool population) {
  double sum = 0;
  size_t n = 0;
  for (double v : values) {
    if (std::isfinite(v)) {
      sum += v;
      ++n;
    }
  }
  if (n == 0) return {std::numeric_limits<double>::quiet_NaN(), 0.0, 0};
  const double mean = sum / static_cast<double>(n);
  double ss = 0;
  for (double v : values) {
    if (std::isfinite(v)) ss += (v - mean) * (v - mean);
  }
  const size_t dof = population ? n : n - 1;
  return {mean, dof == 0 ? 0.0 : std::sqrt(ss / static_cast<double>(dof)), n};
}

namespace {

// Cell ids are hashes; anything else (a hand-edited result) gets a name that is safe in a path and
// a URL.
std::string slug_for(const std::string& id, size_t index) {
  const bool safe = !id.empty() && id.size() <= 64 && id[0] != '.' &&
                    std::all_of(id.begin(), id.end(), [](char c) {
                      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                             c == '_' || c == '-' || c == '.';
                    });
  return safe ? id : "cell" + std::to_string(index + 1);
}

}  // namespace

std::string ReportData::class_name(size_t i) const {
  return i < classes.size() ? classes[i] : "class " + std::to_string(i);
}

ReportData load_report_data(const std::string& runs_dir) { return make_report_data(read_run_results(runs_dir)); }

ReportData make_report_data(std::vector<RunResult> runs) {
  if (runs.empty()) throw std::invalid_argument("make_report_data: no results");
  sort_run_results(runs);
  ReportData d;
  std::set<std::string> slugs;
  for (auto& rr : runs) {
    ReportCell c;
    c.dir = rr.dir;
    c.result = std::move(rr.result);
    const json& cfg = c.result.at("config");
    for (const char* k : {"backbone", "augmentation", "loss", "optimizer"}) {
      c.labels.push_back(cfg.at("labels").at(k).get<std::string>());
    }
    c.seed = cfg.at("seed").get<int64_t>();
    c.ok = c.result.value("status", "") == "ok";
    c.slug = slug_for(c.result.value("cell_id", ""), d.cells.size());
    if (!slugs.insert(c.slug).second) c.slug = "cell" + std::to_string(d.cells.size() + 1);
    slugs.insert(c.slug);
    d.cells.push_back(std::move(c));
  }
  d.suite = d.cells.front().result.at("config").at("suite").get<std::string>();

  std::set<std::string> shifted;
  std::map<std::string, std::set<int>> corruptions;
  for (const auto& c : d.cells) {
    if (d.groups.empty() || d.groups.back().labels != c.labels) d.groups.push_back({c.labels, {}});
    d.groups.back().cells.push_back(&c);
    if (!c.ok) continue;
    if (d.classes.empty() && c.result.contains("dataset")) {
      d.classes = c.result.at("dataset").value("classes", std::vector<std::string>{});
    }
    for (const auto& [id, m] : c.result.at("eval").items()) {
      if (id.rfind("p.", 0) == 0 || id.rfind("x.", 0) == 0) shifted.insert(id);
      // c.<corruption>.<severity>
      const auto dot = id.rfind('.');
      if (id.rfind("c.", 0) == 0 && dot > 2 && dot + 1 < id.size() &&
          std::all_of(id.begin() + static_cast<long>(dot) + 1, id.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
          id.size() - dot <= 4) {
        corruptions[id.substr(2, dot - 2)].insert(std::stoi(id.substr(dot + 1)));
      }
    }
  }
  for (const auto& g : d.groups) d.multi_seed = d.multi_seed || g.cells.size() > 1;
  // p.* sort before x.*: a std::set already orders them so.
  d.shifted_holdouts.assign(shifted.begin(), shifted.end());
  for (const auto& [name, sev] : corruptions) d.corruptions.push_back({name, {sev.begin(), sev.end()}});
  return d;
}

}  // namespace gauntlet
