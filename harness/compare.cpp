#include "harness/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "harness/core/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "harness/core/hash.hpp"
#include "harness/metrics.hpp"
#include "harness/stats.hpp"
#include "harness/suite.hpp"
#include "reports/summary.hpp"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kLabelFields[] = {"backbone", "augmentation", "loss", "optimizer"};

std::vector<std::string> split_fields(const std::string& line, char sep = ',') {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t at = line.find(sep, start);
    fields.push_back(line.substr(start, at - start));
    if (at == std::string::npos) return fields;
    start = at + 1;
  }
}

// std::stoll alone accepts "3abc" and " 3"; a stray character means a corrupt file.
int64_t parse_int(const std::string& text, const std::string& where) {
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || text[0] == ' ' || text[0] == '+') {
    throw InputError(where, "expected an integer, got '" + text + "'");
  }
  return value;
}

void fill_cell(CellResult& c, const fs::path& file);

CellResult cell_from_file(const fs::path& file) {
  CellResult c;
  c.dir = file.parent_path().string();
  std::ifstream in(file);
  if (!in) throw InputError(file.string(), "cannot open");
  try {
    c.result = json::parse(in);
  } catch (const json::exception& e) {
    throw InputError(file.string(), std::string("not valid JSON: ") + e.what());
  }
  try {
    fill_cell(c, file);
  } catch (const json::exception& e) {
    throw InputError(file.string(), std::string("not a gauntlet result: ") + e.what());
  }
  return c;
}

void fill_cell(CellResult& c, const fs::path& file) {
  const json& r = c.result;
  if (!r.is_object() || !r.contains("config") || !r["config"].contains("labels") ||
      !r["config"].contains("seed") || !r["config"]["seed"].is_number_integer()) {
    throw InputError(file.string(),
                     "not a gauntlet result: config.labels and config.seed expected");
  }
  c.labels = r["config"]["labels"];
  for (const char* f : kLabelFields) {
    if (!c.labels.contains(f) || !c.labels[f].is_string()) {
      throw InputError(file.string(), std::string("/config/labels/") + f + ": expected a string");
    }
  }
  c.seed = r["config"]["seed"].get<int64_t>();
  for (const auto& f : match_fields()) {
    if (f == "seed") {
      c.match_values[f] = std::to_string(c.seed);
    } else if (f == "data" && r.contains("dataset") && r["dataset"].contains("fingerprint")) {
      c.match_values[f] = r["dataset"]["fingerprint"].dump();
    } else if (r["config"].contains(f)) {
      c.match_values[f] = r["config"][f].dump();
    } else {
      throw InputError(file.string(), "/config/" + f + ": missing (needed to match cells)");
    }
  }
  c.ok = r.value("status", "") == "ok";
  if (c.ok && (!r.contains("eval") || !r["eval"].is_object())) {
    throw InputError(file.string(), "/eval: a cell with status ok needs its eval object");
  }
  c.id = r.contains("cell_id") && r["cell_id"].is_string() ? r["cell_id"].get<std::string>()
                                                           : file.parent_path().filename().string();
  c.title = axes_title(c.labels) + "/seed" + std::to_string(c.seed);
  if (r.contains("status") && !r["status"].is_string()) {
    throw InputError(file.string(), "/status: expected \"ok\" or \"failed\"");
  }
  if (!c.ok && r.contains("error") && !r["error"].is_string()) {
    throw InputError(file.string(), "/error: expected a string");
  }
}

std::string match_key(const CellResult& c, const std::vector<std::string>& fields) {
  std::string key;
  for (const auto& f : fields) key += f + "=" + c.match_values.at(f) + "\x1f";
  return key;
}

// The match fields in which two cells differ.
std::vector<std::string> differing_fields(const CellResult& a, const CellResult& b) {
  std::vector<std::string> out;
  for (const auto& f : match_fields()) {
    if (a.match_values.at(f) != b.match_values.at(f)) out.push_back(f);
  }
  return out;
}

// A --map selector: every field it names must equal the cell's label (or seed).
bool selects(const json& selector, const CellResult& c) {
  for (const auto& [field, value] : selector.items()) {
    if (field == "seed" ? value.get<int64_t>() != c.seed
                        : value.get<std::string>() != c.labels.at(field).get<std::string>()) {
      return false;
    }
  }
  return true;
}

json read_map(const std::string& path) {
  json doc;
  try {
    doc = json::parse(read_file(path));
  } catch (const json::exception& e) {
    throw InputError(path, std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_array()) {
    throw InputError(path, "/: expected a list of {\"base\": {...}, \"candidate\": {...}}");
  }
  for (size_t i = 0; i < doc.size(); ++i) {
    const std::string at = "/" + std::to_string(i);
    const json& e = doc[i];
    if (!e.is_object()) {
      throw InputError(path, at + ": expected an object with keys base and candidate");
    }
    for (const auto& [key, v] : e.items()) {
      if (key != "base" && key != "candidate") {
        throw InputError(path, at + "/" + key + ": unknown key; expected base or candidate");
      }
    }
    for (const char* side : {"base", "candidate"}) {
      if (!e.contains(side) || !e[side].is_object() || e[side].empty()) {
        throw InputError(path, at + "/" + side + ": expected a non-empty object of label fields");
      }
      for (const auto& [field, v] : e[side].items()) {
        if (field != "seed" && std::find(std::begin(kLabelFields), std::end(kLabelFields), field) ==
                                   std::end(kLabelFields)) {
          throw InputError(
              path,
              at + "/" + side + "/" + field +
                  ": unknown field; expected backbone, augmentation, loss, optimizer or seed");
        }
        if (field == "seed" ? !v.is_number_integer() : !v.is_string()) {
          throw InputError(path,
                           at + "/" + side + "/" + field +
                               (field == "seed" ? ": expected an integer" : ": expected a string"));
        }
      }
    }
  }
  return doc;
}

struct Pair {
  const CellResult* base;
  const CellResult* cand;
};

std::string describe(const std::vector<const CellResult*>& cells) {
  std::string s;
  for (const auto* c : cells) s += (s.empty() ? "" : ", ") + c->title + " [" + c->id + "]";
  return s;
}

// Pairs cells with equal keys. Within a key, cells pair by seed when the key leaves the seed out;
// a key (and seed) held by more than one cell on a side is ambiguous: bad input.
// Leaves in `cells` only those not in `paired` (a set or a map keyed by cell).
template <typename Paired>
void remove_paired(std::vector<const CellResult*>& cells, const Paired& paired) {
  cells.erase(std::remove_if(cells.begin(), cells.end(),
                             [&](const CellResult* c) { return paired.count(c) > 0; }),
              cells.end());
}

void match_by_key(std::vector<const CellResult*>& base, std::vector<const CellResult*>& cand,
                  const std::vector<std::string>& fields, std::vector<Pair>& pairs) {
  std::map<std::string, std::vector<const CellResult*>> bk, ck;
  for (const auto* c : base) bk[match_key(*c, fields)].push_back(c);
  for (const auto* c : cand) ck[match_key(*c, fields)].push_back(c);
  std::set<const CellResult*> used;
  const bool has_seed = std::find(fields.begin(), fields.end(), "seed") != fields.end();
  for (auto& [key, bs] : bk) {
    auto it = ck.find(key);
    if (it == ck.end()) continue;
    auto& cs = it->second;
    if (bs.size() == 1 && cs.size() == 1) {
      pairs.push_back({bs[0], cs[0]});
      used.insert(bs[0]);
      used.insert(cs[0]);
      continue;
    }
    auto ambiguous = [&](const std::vector<const CellResult*>& side, const char* name) {
      throw InputError("",
                       fmt::format("ambiguous match: {} {} cells share the matching key ({}): {}; "
                                   "compare folders that hold one version of each cell, add fields "
                                   "to --match, or pair them with --map",
                                   side.size(), name, fmt::join(fields, ","), describe(side)));
    };
    if (has_seed) ambiguous(bs.size() > 1 ? bs : cs, bs.size() > 1 ? "base" : "candidate");
    std::map<int64_t, std::vector<const CellResult*>> bseed, cseed;
    for (const auto* c : bs) bseed[c->seed].push_back(c);
    for (const auto* c : cs) cseed[c->seed].push_back(c);
    for (auto& [seed, b] : bseed) {
      auto ct = cseed.find(seed);
      if (ct == cseed.end()) continue;
      if (b.size() > 1) ambiguous(b, "base");
      if (ct->second.size() > 1) ambiguous(ct->second, "candidate");
      pairs.push_back({b[0], ct->second[0]});
      used.insert(b[0]);
      used.insert(ct->second[0]);
    }
  }
  remove_paired(base, used);
  remove_paired(cand, used);
}

void match_by_map(const json& map, const std::string& map_path,
                  std::vector<const CellResult*>& base, std::vector<const CellResult*>& cand,
                  std::vector<Pair>& pairs) {
  std::map<const CellResult*, size_t> taken;  // cell -> map entry that paired it
  for (size_t e = 0; e < map.size(); ++e) {
    const json& bsel = map[e]["base"];
    const json& csel = map[e]["candidate"];
    const bool seed_named = bsel.contains("seed") || csel.contains("seed");
    for (const auto* b : base) {
      if (!selects(bsel, *b)) continue;
      std::vector<const CellResult*> found;
      for (const auto* c : cand) {
        if (selects(csel, *c) && (seed_named || c->seed == b->seed)) found.push_back(c);
      }
      if (found.empty()) continue;
      if (found.size() > 1) {
        throw InputError(map_path, fmt::format("/{}: base cell {} matches {} candidate cells: {}",
                                               e, b->title, found.size(), describe(found)));
      }
      for (const CellResult* c : {b, found[0]}) {
        auto prev = taken.find(c);
        if (prev != taken.end()) {
          throw InputError(map_path, fmt::format("/{}: cell {} [{}] is already paired by entry /{}",
                                                 e, c->title, c->id, prev->second));
        }
        taken[c] = e;
      }
      pairs.push_back({b, found[0]});
    }
  }
  remove_paired(base, taken);
  remove_paired(cand, taken);
}

// Hold-out ids of a cell, clean first, then the rest in id order.
std::vector<std::string> holdouts_of(const CellResult& c) {
  std::vector<std::string> out;
  for (const auto& [id, v] : c.result.at("eval").items()) out.push_back(id);
  std::stable_partition(out.begin(), out.end(), [](const std::string& s) { return s == "clean"; });
  return out;
}

Predictions predictions_of(const CellResult& c, const std::string& holdout) {
  return read_predictions_csv((fs::path(c.dir) / "predictions" / (holdout + ".csv")).string());
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

// Sample standard deviation (n - 1); null for a single value.
json sample_sd(const std::vector<double>& v) {
  if (v.size() < 2) return nullptr;
  const double m = mean(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

// What differs between the two cells of a pair, beyond their labels: the resolved config (as JSON
// pointers with both values), the data fingerprint, and the code that produced them. A verdict
// means little without it: "regression" after a learning-rate change is a different story from one
// after a refactor.
json pair_differences(const CellResult& b, const CellResult& c) {
  auto strip = [](json config) {
    config.erase("labels");
    config.erase("suite");
    return config;
  };
  const json bc = strip(b.result.at("config")), cc = strip(c.result.at("config"));
  json config = json::array();
  for (const auto& op : json::diff(bc, cc)) {
    const json::json_pointer at(op.at("path").get<std::string>());
    config.push_back({{"path", at.to_string()},
                      {"base", bc.contains(at) ? bc.at(at) : json(nullptr)},
                      {"candidate", cc.contains(at) ? cc.at(at) : json(nullptr)}});
  }
  json other = json::array();
  auto add = [&](const std::string& what, const json& x, const json& y) {
    if (x != y) other.push_back({{"what", what}, {"base", x}, {"candidate", y}});
  };
  auto get = [](const json& r, const char* a, const char* k) {
    return r.contains(a) && r[a].is_object() && r[a].contains(k) ? r[a][k] : json(nullptr);
  };
  add("dataset fingerprint", get(b.result, "dataset", "fingerprint"),
      get(c.result, "dataset", "fingerprint"));
  add("gauntlet version", get(b.result, "env", "gauntlet"), get(c.result, "env", "gauntlet"));
  add("git sha", get(b.result, "env", "git_sha"), get(c.result, "env", "git_sha"));
  add("libtorch", get(b.result, "env", "libtorch"), get(c.result, "env", "libtorch"));
  return {{"config", config}, {"other", other}};
}

// For an unmatched cell, the cell on the other side that differs in the fewest match fields, and
// those fields: the hint that says which field to leave out of --match.
json closest(const CellResult& c, const std::vector<const CellResult*>& others) {
  const CellResult* best = nullptr;
  std::vector<std::string> best_fields;
  for (const auto* o : others) {
    auto fields = differing_fields(c, *o);
    if (best == nullptr || fields.size() < best_fields.size()) {
      best = o;
      best_fields = std::move(fields);
    }
  }
  if (best == nullptr) return nullptr;
  return {{"cell", best->id}, {"title", best->title}, {"differs_in", best_fields}};
}

json cell_ref(const CellResult& c) {
  return {
      {"cell", c.id}, {"title", c.title}, {"seed", c.seed}, {"labels", c.labels}, {"dir", c.dir}};
}

// The numbers of one hold-out of one group of pairs (one pair per seed).
json compare_holdout(const std::vector<Pair>& pairs, const std::string& holdout,
                     const CompareOptions& o) {
  std::vector<std::vector<int8_t>> diffs;
  std::vector<double> base_acc, cand_acc, deltas, f1_deltas, base_f1, cand_f1;
  int64_t b_sum = 0, c_sum = 0, k = 0;
  std::vector<double> class_f1_delta;
  std::vector<std::vector<int64_t>> base_conf, cand_conf;
  json per_seed = json::array();
  std::vector<int64_t> ns;
  for (const Pair& p : pairs) {
    const Predictions pb = predictions_of(*p.base, holdout);
    const Predictions pc = predictions_of(*p.cand, holdout);
    const std::string both = pb.path + " and " + pc.path;
    if (pb.labels.size() != pc.labels.size()) {
      throw InputError(both,
                       fmt::format("hold-out {} has {} samples in the first, {} in the second: "
                                   "not the same hold-out",
                                   holdout, pb.labels.size(), pc.labels.size()));
    }
    for (size_t i = 0; i < pb.labels.size(); ++i) {
      if (pb.labels[i] != pc.labels[i]) {
        throw InputError(both,
                         fmt::format("hold-out {}: index {} has label {} in the first, {} in the "
                                     "second: not the same samples",
                                     holdout, i, pb.labels[i], pc.labels[i]));
      }
    }
    if (pb.num_classes != pc.num_classes) {
      throw InputError(both, fmt::format("hold-out {}: {} classes in the first, {} in the second",
                                         holdout, pb.num_classes, pc.num_classes));
    }
    if (pb.labels.empty()) throw InputError(both, "hold-out " + holdout + " has no samples");
    if (k == 0) {
      k = pb.num_classes;
      class_f1_delta.assign(static_cast<size_t>(k), 0.0);
      base_conf.assign(static_cast<size_t>(k), std::vector<int64_t>(static_cast<size_t>(k), 0));
      cand_conf = base_conf;
    } else if (k != pb.num_classes) {
      throw InputError(both,
                       fmt::format("hold-out {}: {} classes, but another seed of this cell has {}",
                                   holdout, pb.num_classes, k));
    }
    const Metrics mb = compute_metrics(pb.labels, pb.preds, k);
    const Metrics mc = compute_metrics(pc.labels, pc.preds, k);
    std::vector<int8_t> d(pb.labels.size());
    int64_t b = 0, c = 0;
    for (size_t i = 0; i < d.size(); ++i) {
      const int base_right = pb.preds[i] == pb.labels[i];
      const int cand_right = pc.preds[i] == pc.labels[i];
      d[i] = static_cast<int8_t>(cand_right - base_right);
      b += base_right && !cand_right;
      c += !base_right && cand_right;
    }
    diffs.push_back(std::move(d));
    b_sum += b;
    c_sum += c;
    base_acc.push_back(mb.accuracy);
    cand_acc.push_back(mc.accuracy);
    deltas.push_back(mc.accuracy - mb.accuracy);
    base_f1.push_back(mb.macro.f1);
    cand_f1.push_back(mc.macro.f1);
    f1_deltas.push_back(mc.macro.f1 - mb.macro.f1);
    for (size_t cl = 0; cl < static_cast<size_t>(k); ++cl) {
      class_f1_delta[cl] +=
          (mc.per_class[cl].f1 - mb.per_class[cl].f1) / static_cast<double>(pairs.size());
      for (size_t j = 0; j < static_cast<size_t>(k); ++j) {
        base_conf[cl][j] += mb.confusion[cl][j];
        cand_conf[cl][j] += mc.confusion[cl][j];
      }
    }
    ns.push_back(static_cast<int64_t>(pb.labels.size()));
    per_seed.push_back({{"base_seed", p.base->seed},
                        {"candidate_seed", p.cand->seed},
                        {"n", pb.labels.size()},
                        {"base_accuracy", mb.accuracy},
                        {"candidate_accuracy", mc.accuracy},
                        {"delta", mc.accuracy - mb.accuracy},
                        {"mcnemar", {{"b", b}, {"c", c}, {"p", mcnemar_exact_p(b, c)}}},
                        {"macro_f1_delta", mc.macro.f1 - mb.macro.f1}});
  }
  const Interval ci =
      paired_bootstrap_ci(diffs, o.resamples, o.seed, Hasher().update(holdout).digest());
  json growth = json::array();
  std::vector<std::tuple<int64_t, int64_t, int64_t>> grown;  // (-growth, true, pred)
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t j = 0; j < k; ++j) {
      if (i == j) continue;
      const int64_t g = cand_conf[i][j] - base_conf[i][j];
      if (g > 0) grown.emplace_back(-g, i, j);
    }
  }
  std::sort(grown.begin(), grown.end());
  for (size_t n = 0; n < grown.size() && static_cast<int64_t>(n) < o.top_class_pairs; ++n) {
    const auto [neg, i, j] = grown[n];
    growth.push_back({{"true", i},
                      {"pred", j},
                      {"base", base_conf[i][j]},
                      {"candidate", cand_conf[i][j]},
                      {"growth", -neg}});
  }
  return {{"holdout", holdout},
          {"n", ns},
          {"seeds", pairs.size()},
          {"base_accuracy", mean(base_acc)},
          {"candidate_accuracy", mean(cand_acc)},
          {"delta", mean(deltas)},
          {"delta_sd", sample_sd(deltas)},
          {"ci", {ci.lo, ci.hi}},
          {"mcnemar", {{"b", b_sum}, {"c", c_sum}, {"p", mcnemar_exact_p(b_sum, c_sum)}}},
          {"macro_f1",
           {{"base", mean(base_f1)}, {"candidate", mean(cand_f1)}, {"delta", mean(f1_deltas)}}},
          {"per_class_f1_delta", class_f1_delta},
          {"confusion_growth", growth},
          {"per_seed", per_seed}};
}

}  // namespace

void apply_suite_compare_section(const json& suite_doc, CompareOptions& o) {
  if (!suite_doc.contains("compare")) return;
  const json& c = suite_doc.at("compare");
  o.tolerance = c.value("tolerance", o.tolerance);
  o.alpha = c.value("alpha", o.alpha);
  o.resamples = c.value("resamples", o.resamples);
  if (c.contains("match")) o.match = c.at("match").get<std::vector<std::string>>();
}

std::vector<std::string> parse_match_fields(const std::string& csv) {
  std::vector<std::string> out;
  for (const auto& f : split_fields(csv)) {
    const auto& all = match_fields();
    if (std::find(all.begin(), all.end(), f) == all.end()) {
      throw InputError("--match",
                       fmt::format("unknown field '{}'; expected a comma-separated subset of {}", f,
                                   fmt::join(all, ",")));
    }
    if (std::find(out.begin(), out.end(), f) != out.end()) {
      throw InputError("--match", "field '" + f + "' given twice");
    }
    out.push_back(f);
  }
  return out;
}

std::vector<CellResult> read_cells(const std::string& path) {
  std::vector<CellResult> out;
  if (!fs::exists(path)) {
    throw InputError(path, "does not exist (expected a runs folder or a result.json)");
  }
  if (fs::is_regular_file(path)) {
    out.push_back(cell_from_file(path));
  } else if (fs::is_regular_file(fs::path(path) / "result.json")) {
    out.push_back(cell_from_file(fs::path(path) / "result.json"));
  } else if (fs::is_directory(path)) {
    // Only the cells of the suite as last run (runs/<suite>/cells.json), not stale ones.
    for (const auto& dir : current_cell_dirs(path)) out.push_back(cell_from_file(fs::path(dir) / "result.json"));
    if (out.empty()) throw InputError(path, "no result.json found in it or in its cell folders");
  } else {
    throw InputError(path, "neither a folder nor a file");
  }
  std::stable_sort(out.begin(), out.end(), [](const CellResult& a, const CellResult& b) {
    return std::tie(a.title, a.id) < std::tie(b.title, b.id);
  });
  return out;
}

Predictions read_predictions_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw InputError(
        path, "cannot open (every hold-out of a cell with status ok needs its predictions file)");
  std::string line;
  if (!std::getline(in, line)) throw InputError(path, "empty file, expected a header");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const std::vector<std::string> header = split_fields(line);
  if (header.size() < 4 || header[0] != "index" || header[1] != "label" || header[2] != "pred") {
    throw InputError(path + ":1", "expected header index,label,pred,p0,...,pK-1");
  }
  Predictions out;
  out.path = path;
  out.num_classes = static_cast<int64_t>(header.size() - 3);
  std::vector<std::pair<int64_t, std::pair<int64_t, int64_t>>> rows;
  for (int64_t line_no = 2; std::getline(in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    const std::vector<std::string> fields = split_fields(line);
    if (fields.size() != header.size()) {
      throw InputError(where, fmt::format("{} fields, expected {}", fields.size(), header.size()));
    }
    const int64_t index = parse_int(fields[0], where);
    const int64_t label = parse_int(fields[1], where);
    const int64_t pred = parse_int(fields[2], where);
    for (int64_t v : {label, pred}) {
      if (v < 0 || v >= out.num_classes) {
        throw InputError(where, fmt::format("class {} is outside [0, {})", v, out.num_classes));
      }
    }
    rows.push_back({index, {label, pred}});
  }
  const auto n = static_cast<int64_t>(rows.size());
  out.labels.assign(static_cast<size_t>(n), -1);
  out.preds.assign(static_cast<size_t>(n), -1);
  for (const auto& [index, lp] : rows) {
    if (index < 0 || index >= n || out.labels[static_cast<size_t>(index)] >= 0) {
      throw InputError(
          path, fmt::format("index {} is out of range or repeated: expected each of 0..{} once",
                            index, n - 1));
    }
    out.labels[static_cast<size_t>(index)] = lp.first;
    out.preds[static_cast<size_t>(index)] = lp.second;
  }
  return out;
}

json compare_runs(const std::string& base_path, const std::string& cand_path,
                  const CompareOptions& o) {
  if (!(o.alpha > 0.0 && o.alpha < 1.0)) {
    throw InputError("--alpha", fmt::format("{} is not in (0, 1)", o.alpha));
  }
  if (!(o.tolerance >= 0.0))
    throw InputError("--tolerance", fmt::format("{} must be >= 0", o.tolerance));
  if (o.resamples < 100) {
    throw InputError("--resamples", fmt::format("{} is too few; use at least 100", o.resamples));
  }
  if (o.match.empty()) throw InputError("--match", "needs at least one field");

  const std::vector<CellResult> base = read_cells(base_path);
  const std::vector<CellResult> cand = read_cells(cand_path);
  std::vector<const CellResult*> base_ok, cand_ok;
  json failed{{"base", json::array()}, {"candidate", json::array()}};
  auto split_ok = [](const std::vector<CellResult>& cells, std::vector<const CellResult*>& ok,
                     json& failed_cells) {
    for (const auto& c : cells) {
      if (c.ok) {
        ok.push_back(&c);
      } else {
        failed_cells.push_back(
            {{"cell", c.id}, {"title", c.title}, {"error", c.result.value("error", "failed")}});
      }
    }
  };
  split_ok(base, base_ok, failed["base"]);
  split_ok(cand, cand_ok, failed["candidate"]);

  std::vector<Pair> pairs;
  if (!o.map_path.empty()) match_by_map(read_map(o.map_path), o.map_path, base_ok, cand_ok, pairs);
  match_by_key(base_ok, cand_ok, o.match, pairs);
  // A candidate cell that failed where its base succeeded is the worst regression of all.
  json candidate_failures = json::array();
  for (const auto& c : cand) {
    if (c.ok) continue;
    const std::string key = match_key(c, o.match);
    const auto it = std::find_if(base_ok.begin(), base_ok.end(),
                                 [&](const CellResult* b) { return match_key(*b, o.match) == key; });
    if (it == base_ok.end()) continue;
    candidate_failures.push_back({{"base", cell_ref(**it)},
                                  {"candidate", {{"cell", c.id}, {"title", c.title},
                                                 {"error", c.result.value("error", "failed")}}}});
    base_ok.erase(it);
  }
  json unmatched{{"base", json::array()}, {"candidate", json::array()}};
  std::vector<const CellResult*> all_base, all_cand;
  for (const auto& c : base) all_base.push_back(&c);
  for (const auto& c : cand) all_cand.push_back(&c);
  for (const auto* c : base_ok) {
    unmatched["base"].push_back(cell_ref(*c));
    unmatched["base"].back()["closest"] = closest(*c, all_cand);
  }
  for (const auto* c : cand_ok) {
    unmatched["candidate"].push_back(cell_ref(*c));
    unmatched["candidate"].back()["closest"] = closest(*c, all_base);
  }
  if (pairs.empty() && candidate_failures.empty()) {
    throw InputError("", fmt::format("no cell of {} ({} ok) matches a cell of {} ({} ok) on {}; "
                                     "check --match or pair cells with --map",
                                     base_path, unmatched["base"].size(), cand_path,
                                     unmatched["candidate"].size(), fmt::join(o.match, ",")));
  }

  // A group: the pairs whose base labels and candidate labels agree, differing only in seed.
  std::map<std::pair<std::string, std::string>, std::vector<Pair>> groups;
  for (const Pair& p : pairs) {
    groups[{axes_title(p.base->labels), axes_title(p.cand->labels)}].push_back(p);
  }

  json out_groups = json::array();
  int64_t holdouts_total = 0;
  for (auto& [key, gp] : groups) {
    std::sort(gp.begin(), gp.end(), [](const Pair& a, const Pair& b) {
      return std::tie(a.base->seed, a.base->id) < std::tie(b.base->seed, b.base->id);
    });
    // Hold-outs compared: present on both sides of every pair; the rest are listed.
    std::vector<std::string> order;
    std::map<std::string, std::pair<int64_t, int64_t>> present;  // holdout -> (#base, #cand)
    for (const Pair& p : gp) {
      for (const auto& h : holdouts_of(*p.base)) {
        if (!present.count(h)) order.push_back(h);
        ++present[h].first;
      }
      for (const auto& h : holdouts_of(*p.cand)) {
        if (!present.count(h)) order.push_back(h);
        ++present[h].second;
      }
    }
    std::stable_partition(order.begin(), order.end(),
                          [](const std::string& s) { return s == "clean"; });
    std::stable_sort(order.begin() + (order.empty() || order[0] != "clean" ? 0 : 1), order.end());
    json rows = json::array(), one_sided = json::array();
    const auto n_pairs = static_cast<int64_t>(gp.size());
    for (const auto& h : order) {
      const auto [nb, nc] = present[h];
      if (nb == n_pairs && nc == n_pairs) {
        rows.push_back(compare_holdout(gp, h, o));
      } else {
        one_sided.push_back({{"holdout", h},
                             {"side", nc == 0   ? "base"
                                      : nb == 0 ? "candidate"
                                                : "some seeds"},
                             {"base_cells", nb},
                             {"candidate_cells", nc},
                             {"pairs", n_pairs}});
      }
    }
    std::vector<double> p;
    for (const auto& r : rows) p.push_back(r["mcnemar"]["p"].get<double>());
    const std::vector<double> holm = holm_adjust(p);
    for (size_t i = 0; i < rows.size(); ++i) {
      json& r = rows[i];
      r["mcnemar"]["p_holm"] = holm[i];
      const double delta = r["delta"].get<double>();
      const double lo = r["ci"][0].get<double>(), hi = r["ci"][1].get<double>();
      const bool significant = holm[i] < o.alpha;
      std::string verdict = "no evidence";
      if (delta < -o.tolerance && significant && hi < 0.0) {
        verdict = "regression";
      } else if (delta > o.tolerance && significant && lo > 0.0) {
        verdict = "improvement";
      }
      r["verdict"] = verdict;
    }
    holdouts_total += static_cast<int64_t>(rows.size());
    json seeds = json::array(), refs = json::array();
    for (const Pair& pr : gp) {
      seeds.push_back(pr.base->seed);
      refs.push_back({{"base", cell_ref(*pr.base)},
                      {"candidate", cell_ref(*pr.cand)},
                      {"differences", pair_differences(*pr.base, *pr.cand)}});
    }
    const std::string title = key.first == key.second ? key.first : key.first + " -> " + key.second;
    json classes = gp[0].base->result.contains("dataset")
                       ? gp[0].base->result["dataset"].value("classes", json::array())
                       : json::array();
    out_groups.push_back({{"title", title},
                          {"base_labels", gp[0].base->labels},
                          {"candidate_labels", gp[0].cand->labels},
                          {"seeds", seeds},
                          {"pairs", refs},
                          {"classes", classes},
                          {"holdouts", rows},
                          {"one_sided_holdouts", one_sided}});
  }

  json doc{{"schema", kCompareSchema},
           {"base", base_path},
           {"candidate", cand_path},
           {"options",
            {{"tolerance", o.tolerance},
             {"alpha", o.alpha},
             {"resamples", o.resamples},
             {"seed", o.seed},
             {"match", o.match},
             {"map", o.map_path.empty() ? json(nullptr) : json(o.map_path)},
             {"ci_level", 0.95}}},
           {"groups", out_groups},
           {"unmatched", unmatched},
           {"failed", failed},
           {"candidate_failures", candidate_failures}};
  const int64_t regressions = count_verdicts(doc, "regression");
  const int64_t improvements = count_verdicts(doc, "improvement");
  const bool regressed = regressions > 0 || !candidate_failures.empty();
  doc["summary"] = {{"verdict", regressed          ? "regression"
                                : improvements > 0 ? "improvement"
                                                   : "no evidence"},
                    {"groups", out_groups.size()},
                    {"pairs", pairs.size()},
                    {"holdouts", holdouts_total},
                    {"regressions", regressions},
                    {"candidate_failures", candidate_failures.size()},
                    {"improvements", improvements}};
  return doc;
}

int64_t count_verdicts(const json& doc, const std::string& verdict) {
  int64_t n = 0;
  for (const auto& g : doc.at("groups")) {
    for (const auto& h : g.at("holdouts")) n += h.at("verdict").get<std::string>() == verdict;
  }
  return n;
}

}  // namespace gauntlet
