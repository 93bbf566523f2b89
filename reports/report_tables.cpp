#include "reports/report_tables.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace gauntlet {

using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const NumberFormat kPercent{100.0, 2, false};
const NumberFormat kCount{1.0, 0, true};
const NumberFormat kSeconds{1.0, 1, false};
const NumberFormat kRate{1.0, 0, false};
const NumberFormat kInteger{1.0, 0, false};

TableColumn text_column(std::string header) { return {std::move(header), {}, Better::kNone, false}; }
TableColumn number_column(std::string header, NumberFormat f, Better b) { return {std::move(header), f, b, true}; }

const std::vector<std::string> kAxes{"backbone", "augmentation", "loss", "optimizer"};

// A metric of one cell, NaN where it has none.
using Metric = std::function<double(const ReportCell&)>;

// The metric over the finished cells: the value itself for one, mean ± sample sd for several.
TableCell over_seeds(const std::vector<const ReportCell*>& cells, const Metric& m) {
  std::vector<double> v;
  for (const auto* c : cells) v.push_back(m(*c));
  const MeanSd s = mean_sd(v);
  if (s.n == 0) return TableCell::empty();
  return s.n == 1 ? TableCell::of_number(s.mean) : TableCell::of_number(s.mean, s.sd);
}

// A macro metric as the seeds reported it: mean ± population sd over classes of the per-class
// values (averaged over the seeds first).
TableCell over_classes(const std::vector<const ReportCell*>& cells, const std::string& holdout,
                       const std::string& key) {
  std::vector<std::vector<double>> per_seed;
  for (const auto* c : cells) {
    const json* e = c->eval(holdout);
    if (e == nullptr || !e->contains("per_class")) continue;
    std::vector<double> v;
    for (const auto& pc : e->at("per_class")) v.push_back(pc.value(key, kNaN));
    per_seed.push_back(std::move(v));
  }
  if (per_seed.empty()) return TableCell::empty();
  std::vector<double> per_class(per_seed.front().size(), 0.0);
  for (size_t k = 0; k < per_class.size(); ++k) {
    std::vector<double> seeds;
    for (const auto& v : per_seed) seeds.push_back(k < v.size() ? v[k] : kNaN);
    per_class[k] = mean_sd(seeds).mean;
  }
  const MeanSd s = mean_sd(per_class, /*population=*/true);
  return s.n == 0 ? TableCell::empty() : TableCell::of_number(s.mean, s.sd);
}

double accuracy_on(const ReportCell& c, const std::string& holdout) {
  const json* e = c.eval(holdout);
  return e != nullptr && e->contains("accuracy") && e->at("accuracy").is_number() ? e->at("accuracy").get<double>()
                                                                                 : kNaN;
}

// Training throughput over all epochs: images seen / seconds spent.
double images_per_second(const ReportCell& c) {
  if (!c.result.contains("history") || !c.result.at("history").is_array()) return kNaN;
  double images = 0, seconds = 0;
  for (const auto& e : c.result.at("history")) {
    const double ips = e.value("images_per_second", kNaN), s = e.value("seconds", kNaN);
    if (std::isfinite(ips) && std::isfinite(s)) {
      images += ips * s;
      seconds += s;
    }
  }
  return seconds > 0 ? images / seconds : kNaN;
}

struct LeaderColumn {
  TableColumn column;
  std::function<TableCell(const std::vector<const ReportCell*>&)> cell;
};

bool any_cell_has(const ReportData& d, const std::string& pointer) {
  return std::any_of(d.cells.begin(), d.cells.end(),
                     [&](const ReportCell& c) { return c.ok && std::isfinite(c.number(pointer)); });
}

std::vector<LeaderColumn> leaderboard_columns(const ReportData& d) {
  std::vector<LeaderColumn> cols;
  auto seeds_metric = [&](std::string header, NumberFormat f, Better b, Metric m) {
    cols.push_back({number_column(std::move(header), f, b),
                    [m](const std::vector<const ReportCell*>& cells) { return over_seeds(cells, m); }});
  };
  auto pointer_metric = [&](std::string header, NumberFormat f, Better b, const std::string& pointer) {
    if (!any_cell_has(d, pointer)) return;
    seeds_metric(std::move(header), f, b, [pointer](const ReportCell& c) { return c.number(pointer); });
  };
  seeds_metric("clean acc (%)", kPercent, Better::kHigher, [](const ReportCell& c) { return accuracy_on(c, "clean"); });
  for (const char* key : {"precision", "recall", "f1"}) {
    const std::string name = std::string(key) == "f1" ? "F1" : key;
    cols.push_back({number_column("macro " + name + " (%)", kPercent, Better::kHigher),
                    [key](const std::vector<const ReportCell*>& cells) { return over_classes(cells, "clean", key); }});
  }
  for (const auto& h : d.shifted_holdouts) {
    seeds_metric(h + " acc (%)", kPercent, Better::kHigher, [h](const ReportCell& c) { return accuracy_on(c, h); });
  }
  pointer_metric("mean corruption acc (%)", kPercent, Better::kHigher, "/robustness/mean_corruption_accuracy");
  pointer_metric("mCE (%)", kPercent, Better::kLower, "/robustness/mce");
  pointer_metric("relative mCE (%)", kPercent, Better::kLower, "/robustness/relative_mce");
  pointer_metric("parameters", kCount, Better::kLower, "/model/parameters");
  pointer_metric("FLOPs", kCount, Better::kLower, "/model/flops");
  pointer_metric("train time (s)", kSeconds, Better::kLower, "/timing/train_seconds");
  bool any_rate = false;
  for (const auto& c : d.cells) any_rate = any_rate || (c.ok && std::isfinite(images_per_second(c)));
  if (any_rate) seeds_metric("train images/s", kRate, Better::kHigher, images_per_second);
  return cols;
}

std::string seed_list(const ReportGroup& g) {
  std::string s;
  int failed = 0;
  for (const auto* c : g.cells) {
    s += (s.empty() ? "" : ",") + std::to_string(c->seed);
    failed += c->ok ? 0 : 1;
  }
  if (failed > 0 && g.cells.size() > 1) s += " (" + std::to_string(failed) + " failed)";
  return s;
}

}  // namespace

std::string holdout_file_name(const std::string& holdout) {
  std::string s;
  for (char c : holdout) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '-' || c == '_';
    s += safe ? c : '_';
  }
  return s.empty() || s[0] == '.' ? "_" + s : s;
}

Table leaderboard_table(const ReportData& d, bool per_seed) {
  Table t;
  t.name = per_seed ? "leaderboard_seeds" : "leaderboard";
  t.title = "Leaderboard of suite " + d.suite +
            (per_seed ? ", one row per cell" : ", one row per combination (mean ± sd over seeds)");
  for (const auto& a : kAxes) t.columns.push_back(text_column(a));
  t.columns.push_back(text_column(per_seed ? "seed" : "seeds"));
  const auto cols = leaderboard_columns(d);
  for (const auto& c : cols) t.columns.push_back(c.column);

  // A row is a group of seeds, or a group of one cell.
  std::vector<ReportGroup> rows;
  if (per_seed) {
    for (const auto& c : d.cells) rows.push_back({c.labels, {&c}});
  } else {
    rows = d.groups;
  }
  std::vector<std::string> failures;
  for (const auto& g : rows) {
    const auto& cells = g.cells;
    std::vector<TableCell> row;
    for (const auto& l : g.labels) row.push_back(TableCell::of_text(l));
    row.push_back(TableCell::of_text(seed_list(g)));
    std::vector<const ReportCell*> ok;
    for (const auto* c : cells) {
      if (c->ok) ok.push_back(c);
      else failures.push_back(c->title() + ": " + c->result.value("error", "failed"));
    }
    for (const auto& col : cols) row.push_back(ok.empty() ? TableCell::empty() : col.cell(ok));
    if (ok.empty()) row[kAxes.size() + 1] = TableCell::of_text("failed");
    t.rows.push_back(std::move(row));
  }
  t.mark_best();
  t.notes.push_back("Accuracy, precision, recall, F1 and mCE in percent; the best value of each column is marked.");
  t.notes.push_back(std::string("Macro precision, recall and F1: mean ± sd over classes") +
                    (per_seed ? "." : " of the per-class values averaged over seeds; other columns: mean ± sd over seeds."));
  for (const auto& f : failures) t.notes.push_back("Failed: " + f);
  return t;
}

namespace {

// Competition ranks (1, 2, 2, 4), higher values first, on values as displayed; NaN ranks last (0).
std::vector<int> ranks(const std::vector<double>& values) {
  std::vector<int> r(values.size(), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) continue;
    const double vi = std::stod(display_number(values[i], kPercent));
    int better = 0;
    for (double v : values) better += std::isfinite(v) && std::stod(display_number(v, kPercent)) > vi ? 1 : 0;
    r[i] = better + 1;
  }
  return r;
}

}  // namespace

Table ranking_table(const ReportData& d) {
  Table t;
  t.name = "ranking";
  // The shifted hold-outs ranked against clean; without any, the mean corruption accuracy.
  std::vector<std::pair<std::string, Metric>> shifted;
  for (const auto& h : d.shifted_holdouts) {
    shifted.push_back({h, [h](const ReportCell& c) { return accuracy_on(c, h); }});
  }
  if (shifted.empty()) {
    shifted.push_back({"mean corruption", [](const ReportCell& c) { return c.number("/robustness/mean_corruption_accuracy"); }});
  }
  t.title = "Ranking change of suite " + d.suite + ": rank by clean accuracy beside rank by " +
            (d.shifted_holdouts.empty() ? "mean corruption accuracy" : "shifted hold-out accuracy");
  for (const auto& a : kAxes) t.columns.push_back(text_column(a));
  t.columns.push_back(number_column("clean acc (%)", kPercent, Better::kNone));
  t.columns.push_back(number_column("clean rank", kInteger, Better::kNone));
  for (const auto& [name, m] : shifted) {
    t.columns.push_back(number_column(name + " acc (%)", kPercent, Better::kNone));
    t.columns.push_back(number_column(name + " rank", kInteger, Better::kNone));
    t.columns.push_back(text_column("change"));
  }
  auto group_mean = [](const ReportGroup& g, const Metric& m) {
    std::vector<double> v;
    for (const auto* c : g.ok_cells()) v.push_back(m(*c));
    return mean_sd(v).mean;
  };
  std::vector<double> clean;
  for (const auto& g : d.groups) clean.push_back(group_mean(g, [](const ReportCell& c) { return accuracy_on(c, "clean"); }));
  const std::vector<int> clean_rank = ranks(clean);
  std::vector<std::vector<double>> values;
  std::vector<std::vector<int>> shifted_rank;
  for (const auto& [name, m] : shifted) {
    values.emplace_back();
    for (const auto& g : d.groups) values.back().push_back(group_mean(g, m));
    shifted_rank.push_back(ranks(values.back()));
  }
  std::vector<size_t> order(d.groups.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const int ra = clean_rank[a] == 0 ? 1 << 30 : clean_rank[a], rb = clean_rank[b] == 0 ? 1 << 30 : clean_rank[b];
    return ra < rb;
  });
  auto number_or_empty = [](double v) { return std::isfinite(v) ? TableCell::of_number(v) : TableCell::empty(); };
  for (size_t i : order) {
    std::vector<TableCell> row;
    for (const auto& l : d.groups[i].labels) row.push_back(TableCell::of_text(l));
    row.push_back(number_or_empty(clean[i]));
    row.push_back(clean_rank[i] ? TableCell::of_number(clean_rank[i]) : TableCell::empty());
    for (size_t h = 0; h < shifted.size(); ++h) {
      const int r = shifted_rank[h][i];
      row.push_back(number_or_empty(values[h][i]));
      row.push_back(r ? TableCell::of_number(r) : TableCell::empty());
      const int change = clean_rank[i] - r;  // positive: moves up
      row.push_back(r && clean_rank[i] ? TableCell::of_text(change > 0 ? "+" + std::to_string(change)
                                                                       : std::to_string(change))
                                       : TableCell::empty());
    }
    t.rows.push_back(std::move(row));
  }
  t.notes.push_back("Ranks 1 = best; change = clean rank - shifted rank (+2: two places higher on the shifted "
                    "hold-out). A model that ranks well on clean data but drops on the shifted hold-out is "
                    "the local-vs-hidden gap of the seeds.");
  if (d.multi_seed) t.notes.push_back("Accuracies are means over seeds.");
  return t;
}

Table per_class_table(const ReportData& d, const ReportCell& cell, const std::string& holdout) {
  Table t;
  t.name = "per_class_" + holdout_file_name(holdout);
  t.title = "Per-class metrics of " + cell.title() + " on " + holdout;
  t.columns = {text_column("class"), number_column("precision (%)", kPercent, Better::kNone),
               number_column("recall (%)", kPercent, Better::kNone), number_column("F1 (%)", kPercent, Better::kNone),
               number_column("support", kInteger, Better::kNone)};
  const json& e = *cell.eval(holdout);
  auto num = [](const json& j, const char* k) {
    return j.contains(k) && j.at(k).is_number() ? TableCell::of_number(j.at(k).get<double>()) : TableCell::empty();
  };
  double total = 0;
  for (const auto& pc : e.value("per_class", json::array())) {
    const size_t k = pc.value("class", size_t{0});
    t.rows.push_back({TableCell::of_text(d.class_name(k)), num(pc, "precision"), num(pc, "recall"), num(pc, "f1"),
                      num(pc, "support")});
    total += pc.value("support", 0.0);
  }
  t.rules.push_back(t.rows.size());
  for (const char* avg : {"macro", "weighted"}) {
    const json m = e.value(avg, json::object());
    t.rows.push_back({TableCell::of_text(std::string(avg) + " avg"), num(m, "precision"), num(m, "recall"),
                      num(m, "f1"), TableCell::of_number(total)});
  }
  t.notes.push_back("Accuracy " + display_number(e.value("accuracy", kNaN), kPercent) + " % on " +
                    std::to_string(e.value("n", int64_t{0})) + " images. Definitions as scikit-learn's "
                    "classification_report (zero_division=0).");
  return t;
}

Table corruption_table(const ReportData& d, const ReportCell& cell) {
  Table t;
  t.name = "corruptions";
  t.title = "Accuracy (%) per corruption and severity of " + cell.title();
  std::vector<int> severities;
  for (const auto& c : d.corruptions) {
    for (int s : c.severities) {
      if (std::find(severities.begin(), severities.end(), s) == severities.end()) severities.push_back(s);
    }
  }
  std::sort(severities.begin(), severities.end());
  const bool ce = cell.ok && cell.result.contains(json::json_pointer("/robustness/per_corruption"));
  t.columns.push_back(text_column("corruption"));
  for (int s : severities) t.columns.push_back(number_column("severity " + std::to_string(s), kPercent, Better::kNone));
  t.columns.push_back(number_column("mean", kPercent, Better::kNone));
  if (ce) t.columns.push_back(number_column("CE (%)", kPercent, Better::kNone));
  std::vector<std::vector<double>> by_severity(severities.size());
  for (const auto& c : d.corruptions) {
    std::vector<TableCell> row{TableCell::of_text(c.name)};
    std::vector<double> v;
    for (size_t i = 0; i < severities.size(); ++i) {
      const double a = accuracy_on(cell, "c." + c.name + "." + std::to_string(severities[i]));
      row.push_back(std::isfinite(a) ? TableCell::of_number(a) : TableCell::empty());
      v.push_back(a);
      by_severity[i].push_back(a);
    }
    const MeanSd m = mean_sd(v);
    if (m.n == 0) continue;  // the cell has none of this corruption
    row.push_back(TableCell::of_number(m.mean));
    if (ce) {
      const double x = cell.number("/robustness/per_corruption/" + c.name + "/ce");
      row.push_back(std::isfinite(x) ? TableCell::of_number(x) : TableCell::empty());
    }
    t.rows.push_back(std::move(row));
  }
  if (t.rows.empty()) return t;
  t.rules.push_back(t.rows.size());
  std::vector<TableCell> mean_row{TableCell::of_text("mean")};
  std::vector<double> all;
  for (const auto& v : by_severity) {
    const MeanSd m = mean_sd(v);
    mean_row.push_back(m.n ? TableCell::of_number(m.mean) : TableCell::empty());
    all.insert(all.end(), v.begin(), v.end());
  }
  mean_row.push_back(TableCell::of_number(mean_sd(all).mean));
  if (ce) {
    const double x = cell.number("/robustness/mce");
    mean_row.push_back(std::isfinite(x) ? TableCell::of_number(x) : TableCell::empty());
  }
  t.rows.push_back(std::move(mean_row));
  if (ce) t.notes.push_back("CE: corruption error relative to the suite's baseline cell; the mean row's CE is the mCE.");
  return t;
}

}  // namespace gauntlet
