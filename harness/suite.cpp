#include "harness/suite.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "augmentations/corruption.hpp"
#include "augmentations/transform.hpp"
#include "harness/build_info.hpp"
#include "harness/config.hpp"
#include "harness/core/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "harness/core/hash.hpp"
#include "harness/json_schema.hpp"
#include "models/backbone_options.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;

// Axis -> labels of its map form in the order the file lists them.
using LabelOrder = std::map<std::string, std::vector<std::string>>;

Suite parse_validated(json doc, const std::string& path, const LabelOrder& order);

json parse_value(const std::string& text);

template <typename Json>
void apply_overrides(Json& doc, const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos) throw InputError("--set " + o, "expected PATH=VALUE, e.g. train.epochs=2");
    try {
      const json value = parse_value(o.substr(eq + 1));
      doc[typename Json::json_pointer(override_pointer(o.substr(0, eq)).to_string())] =
          Json::parse(value.dump());
    } catch (const json::exception& e) {
      throw InputError("--set " + o, e.what());
    }
  }
}

const json& suite_schema() {
  static const json schema = json::parse(suite_schema_text());
  return schema;
}

// Every violation, one per line after the first, each "path: /pointer: message" (at most 10).
void throw_if_invalid(const std::vector<SchemaViolation>& violations, const std::string& path) {
  if (violations.empty()) return;
  std::ostringstream msg;
  for (size_t i = 0; i < violations.size(); ++i) {
    if (i > 0) msg << "\n" << path << ": ";
    if (i == 10) {
      msg << "... and " << violations.size() - 10 << " more";
      break;
    }
    msg << (violations[i].pointer.empty() ? "/" : violations[i].pointer) << ": "
        << violations[i].message;
  }
  throw InputError(path, msg.str());
}

// The schema of one profile or pipeline: its $defs entry with the suite schema's $defs to
// resolve against.
const json& profile_schema() {
  static const json schema{{"$ref", "#/$defs/profile"}, {"$defs", suite_schema().at("$defs")}};
  return schema;
}

const json& pipeline_schema() {
  static const json schema{{"$ref", "#/$defs/pipeline"}, {"$defs", suite_schema().at("$defs")}};
  return schema;
}

// A small JSON file of ours (profile, pipeline): parsed, validated against `schema`, converted by
// `convert`, every problem an InputError naming the file.
template <typename Convert>
auto load_json_file(const std::string& path, const json& schema, Convert&& convert) {
  const json doc = parse_json_text(read_file(path), path);
  throw_if_invalid(validate_json(doc, schema), path);
  try {
    return convert(doc);
  } catch (const ValueError& e) {
    throw InputError(path, e.pointer() + ": " + e.what());
  } catch (const std::invalid_argument& e) {
    throw InputError(path, e.what());
  }
}

[[noreturn]] void fail(const std::string& path, const std::string& pointer, const std::string& what) {
  throw InputError(path, (pointer.empty() ? std::string("/") : pointer) + ": " + what);
}

DataSourceSpec source_from_json(const json& j) {
  DataSourceSpec s;
  if (j.is_string()) {
    s.path = j.get<std::string>();
  } else {
    s.path = j.at("path").get<std::string>();
    if (j.contains("images")) s.images_key = j.at("images").get<std::string>();
    if (j.contains("labels")) s.labels_key = j.at("labels").get<std::string>();
    s.split = j.value("split", "");
    s.layout = j.value("layout", "");
  }
  return s;
}

json source_to_json(const DataSourceSpec& s) {
  json j{{"path", s.path}, {"images", s.images_key}, {"labels", s.labels_key}};
  // Only when set, so that the resolved config (and the cell id) of older suites is unchanged.
  if (!s.split.empty()) j["split"] = s.split;
  if (!s.layout.empty()) j["layout"] = s.layout;
  return j;
}

// Default label of a list-form value: its name, or for a pipeline its ops joined by '+'.
std::string default_label(const std::string& axis, const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (axis == "augmentation") {
    // A pipeline's ops joined by '+'; an object adds "expand<k>" and "mixup" / "cutmix".
    const json& ops = v.is_array() ? v : v.value("ops", json::array());
    std::string s;
    for (const auto& t : ops) s += (s.empty() ? "" : "+") + t.at("op").get<std::string>();
    if (v.is_object()) {  // read from the JSON: a bad value is reported where it is normalised
      const json e = v.value("expand", json(0));
      const int copies = e.is_number() ? e.get<int>() : e.value("copies", 0);
      const json m = v.value("mix", json::object());
      if (copies > 0) s += (s.empty() ? "" : "+") + ("expand" + std::to_string(copies));
      if (m.value("mixup_alpha", 0.0) > 0) s += (s.empty() ? "" : "+") + std::string("mixup");
      if (m.value("cutmix_alpha", 0.0) > 0) s += (s.empty() ? "" : "+") + std::string("cutmix");
    }
    return s.empty() ? "none" : s;
  }
  return v.at("name").get<std::string>();
}

// A backbone's weights or TorchScript file, relative to the suite file's folder, hashed:
// replacing the file changes the cell id. Read here, so that a missing file is an error before
// anything runs.
void resolve_file(std::string& path, std::string& hash, const std::string& suite_path) {
  if (path.empty()) return;
  const std::filesystem::path p(path);
  if (p.is_relative()) path = (std::filesystem::path(suite_path).parent_path() / p).lexically_normal().string();
  hash = hash_hex(read_file(path));
}

BackboneSpec with_weights(BackboneSpec b, const std::string& suite_path) {
  resolve_file(b.weights, b.weights_xxh3, suite_path);
  resolve_file(b.torchscript, b.torchscript_xxh3, suite_path);
  return b;
}

json normalise(const std::string& axis, const json& v, const std::string& suite_path) {
  if (axis == "backbone") return to_json(with_weights(backbone_from_json(v), suite_path));
  if (axis == "augmentation") return to_json(augmentation_from_json(v));
  if (axis == "loss") return to_json(loss_from_json(v));
  return to_json(optimizer_from_json(v));
}

// normalise, with what the schema cannot check (a severity range min > max) reported at `pointer`.
json normalise_at(const std::string& path, const std::string& pointer, const std::string& axis,
                  const json& v) {
  try {
    return normalise(axis, v, path);
  } catch (const InputError& e) {
    fail(path, pointer, e.what());
  } catch (const ValueError& e) {
    fail(path, pointer + e.pointer(), e.what());
  } catch (const std::invalid_argument& e) {
    fail(path, pointer, e.what());
  }
}

std::vector<AxisValue> read_axis(const std::string& path, const json& axes, const std::string& axis,
                                 const LabelOrder& order) {
  const json& a = axes.at(axis);
  std::vector<AxisValue> out;
  std::set<std::string> seen;
  const std::string base = "/axes/" + axis;
  if (a.is_array()) {
    for (size_t i = 0; i < a.size(); ++i) {
      const std::string label = default_label(axis, a[i]);
      if (!seen.insert(label).second) {
        fail(path, base + "/" + std::to_string(i),
             "two values of axis \"" + axis + "\" share the label \"" + label +
                 "\"; use the map form {\"label\": value, ...} to name them apart");
      }
      out.push_back({label, normalise_at(path, base + "/" + std::to_string(i), axis, a[i])});
    }
  } else {
    for (const auto& [label, v] : a.items()) {
      out.push_back({label, normalise_at(path, base + "/" + label, axis, v)});
    }
    const auto it = order.find(axis);
    if (it != order.end()) {
      // Labels the ordered parse saw come first, in its order; any others keep sorted order.
      auto rank = [&](const AxisValue& v) {
        const auto pos = std::find(it->second.begin(), it->second.end(), v.label);
        return static_cast<size_t>(pos - it->second.begin());
      };
      std::stable_sort(out.begin(), out.end(),
                       [&](const AxisValue& x, const AxisValue& y) { return rank(x) < rank(y); });
    }
  }
  return out;
}

std::vector<std::string> labels_of(const std::vector<AxisValue>& axis) {
  std::vector<std::string> out;
  for (const auto& v : axis) out.push_back(v.label);
  return out;
}

void check_selection(const Suite& s, const json& sel, const std::string& pointer) {
  const std::pair<const char*, const std::vector<AxisValue>*> axes[] = {
      {"backbone", &s.backbones}, {"augmentation", &s.augmentations},
      {"loss", &s.losses}, {"optimizer", &s.optimizers}};
  for (const auto& [name, values] : axes) {
    if (!sel.contains(name)) continue;
    const std::string label = sel.at(name).get<std::string>();
    const auto labels = labels_of(*values);
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) {
      const std::string guess = did_you_mean(label, labels);
      fail(s.path, pointer + "/" + name,
           "no " + std::string(name) + " labelled \"" + label + "\" in /axes/" + name +
               (guess.empty() ? "" : "; did you mean \"" + guess + "\"?"));
    }
  }
  if (sel.contains("seed")) {
    const int64_t seed = sel.at("seed").get<int64_t>();
    if (std::find(s.seeds.begin(), s.seeds.end(), seed) == s.seeds.end()) {
      fail(s.path, pointer + "/seed", "seed " + std::to_string(seed) + " is not in /axes/seeds");
    }
  }
}

bool matches(const Cell& c, const json& sel) {
  if (sel.contains("backbone") && sel.at("backbone").get<std::string>() != c.backbone) return false;
  if (sel.contains("augmentation") && sel.at("augmentation").get<std::string>() != c.augmentation) return false;
  if (sel.contains("loss") && sel.at("loss").get<std::string>() != c.loss) return false;
  if (sel.contains("optimizer") && sel.at("optimizer").get<std::string>() != c.optimizer) return false;
  if (sel.contains("seed") && sel.at("seed").get<int64_t>() != c.seed) return false;
  return true;
}

bool same_cell(const Cell& a, const Cell& b) {
  return a.backbone == b.backbone && a.augmentation == b.augmentation && a.loss == b.loss &&
         a.optimizer == b.optimizer && a.seed == b.seed;
}

void expand(Suite& s) {
  const bool grid = s.json.value("grid", true);
  if (grid) {
    for (const auto& b : s.backbones)
      for (const auto& a : s.augmentations)
        for (const auto& l : s.losses)
          for (const auto& o : s.optimizers)
            for (int64_t seed : s.seeds) s.cells.push_back({b.label, a.label, l.label, o.label, seed});
  }
  // Exclude prunes the grid; include then adds combinations back, even excluded ones.
  if (s.json.contains("exclude")) {
    const json& exc = s.json.at("exclude");
    for (size_t i = 0; i < exc.size(); ++i) check_selection(s, exc[i], "/exclude/" + std::to_string(i));
    s.cells.erase(std::remove_if(s.cells.begin(), s.cells.end(),
                                 [&](const Cell& c) {
                                   return std::any_of(exc.begin(), exc.end(),
                                                      [&](const json& e) { return matches(c, e); });
                                 }),
                  s.cells.end());
  }
  if (s.json.contains("include")) {
    const json& inc = s.json.at("include");
    for (size_t i = 0; i < inc.size(); ++i) {
      const std::string ptr = "/include/" + std::to_string(i);
      check_selection(s, inc[i], ptr);
      for (const char* axis : {"backbone", "augmentation", "loss", "optimizer"}) {
        if (!inc[i].contains(axis)) {
          fail(s.path, ptr, "an include entry must name a label for every axis; missing \"" +
                                std::string(axis) + "\"");
        }
      }
      std::vector<int64_t> seeds = s.seeds;
      if (inc[i].contains("seed")) seeds = {inc[i].at("seed").get<int64_t>()};
      for (int64_t seed : seeds) {
        Cell c{inc[i].at("backbone"), inc[i].at("augmentation"), inc[i].at("loss"),
               inc[i].at("optimizer"), seed};
        if (std::none_of(s.cells.begin(), s.cells.end(), [&](const Cell& x) { return same_cell(x, c); })) {
          s.cells.push_back(c);
        }
      }
    }
  }
  if (s.cells.empty()) fail(s.path, "", "the suite expands to no cells (check grid, include and exclude)");
}

json parse_value(const std::string& text) {
  try {
    return parse_json_text(text, "--set");
  } catch (const InputError&) {
    return json(text);  // a bare word: take it as a string
  }
}

}  // namespace

json::json_pointer override_pointer(const std::string& path) {
  if (path.empty()) throw InputError("--set", "empty path");
  std::string p = path;
  if (p[0] != '/') {
    std::replace(p.begin(), p.end(), '.', '/');
    p = "/" + p;
  }
  try {
    return json::json_pointer(p);
  } catch (const json::exception& e) {
    throw InputError("--set", "bad path \"" + path + "\": " + e.what());
  }
}

Suite load_suite(const std::string& path, const std::vector<std::string>& overrides) {
  // Parsed keeping key order, so that map-form axes list their labels as the user wrote them.
  nlohmann::ordered_json doc = parse_json_text<nlohmann::ordered_json>(read_file(path), path);
  apply_overrides(doc, overrides);
  LabelOrder order;
  if (doc.contains("axes") && doc["axes"].is_object()) {
    for (const auto& [axis, values] : doc["axes"].items()) {
      if (!values.is_object()) continue;
      for (const auto& [label, v] : values.items()) order[axis].push_back(label);
    }
  }
  return parse_validated(json::parse(doc.dump()), path, order);
}

Suite parse_suite(json doc, const std::string& path, const std::vector<std::string>& overrides) {
  apply_overrides(doc, overrides);
  return parse_validated(std::move(doc), path, {});
}

namespace {

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& x : parts) out += (out.empty() ? "" : sep) + x;
  return out;
}

// Family shorthands, profiles, external hold-outs, baseline and mCE measure of /evaluate.
void read_evaluate_extras(Suite& s, const json& e, const std::string& path) {
  std::vector<std::string> ids;
  for (const auto& c : s.evaluate.corruptions) {
    if (c == kImageNetC || c == kBloodMnistC) {
      for (const auto& info : corruption_infos()) {
        if (info.family == c && info.in_mce) ids.push_back(info.id);
      }
    } else {
      ids.push_back(c);
    }
  }
  std::vector<std::string> unique;
  for (const auto& id : ids) {
    if (std::find(unique.begin(), unique.end(), id) == unique.end()) unique.push_back(id);
  }
  s.evaluate.corruptions = unique;

  std::set<std::string> names;
  const json profiles = e.value("profiles", json::array());
  for (size_t i = 0; i < profiles.size(); ++i) {
    const std::string at = "/evaluate/profiles/" + std::to_string(i);
    Profile p;
    if (profiles[i].is_string()) {
      const std::string ref = profiles[i].get<std::string>();
      if (auto builtin = builtin_profile(ref)) {
        p = *builtin;
      } else if (is_profile_path(ref)) {
        p = load_profile_file((std::filesystem::path(path).parent_path() / ref).string());
      } else {
        std::vector<std::string> known;
        for (const auto& b : builtin_profiles()) known.push_back(b.name);
        const std::string near = did_you_mean(ref, known);
        fail(path, at, "unknown profile \"" + ref + "\"" +
                           (near.empty() ? "" : "; did you mean \"" + near + "\"?") +
                           " (built-in: " + join(known, ", ") + "; or a path to a profile .json file)");
      }
    } else {
      try {
        p = profile_from_json(profiles[i]);
      } catch (const ValueError& ex) {
        fail(path, at + ex.pointer(), ex.what());
      } catch (const std::invalid_argument& ex) {
        fail(path, at, ex.what());
      }
    }
    if (!names.insert(p.name).second) fail(path, at, "two profiles named \"" + p.name + "\"");
    s.evaluate.profiles.push_back(std::move(p));
  }

  names.clear();
  const json holdouts = e.value("holdouts", json::array());
  for (size_t i = 0; i < holdouts.size(); ++i) {
    ExternalHoldout h{holdouts[i].at("name").get<std::string>(), source_from_json(holdouts[i].at("data"))};
    if (!names.insert(h.name).second) {
      fail(path, "/evaluate/holdouts/" + std::to_string(i), "two hold-outs named \"" + h.name + "\"");
    }
    s.evaluate.holdouts.push_back(std::move(h));
  }
  s.evaluate.baseline = e.value("baseline", "");
  s.evaluate.mce_measure = e.value("mce", "error");
  if (e.contains("explain")) {
    const json& x = e.at("explain");
    s.evaluate.explain_per_class = x.value("per_class", s.evaluate.explain_per_class);
    s.evaluate.explain_pca_images = x.value("pca_images", s.evaluate.explain_pca_images);
    s.evaluate.explain_previews = x.value("previews", s.evaluate.explain_previews);
  }
}

// What the schema cannot say about phases: each phase's optimizer, merged over every optimizer of
// the axis, must be one the trainer accepts, and a cosine schedule needs more epochs than its
// warm-up.
void check_phases(const std::string& path, const Suite& s) {
  std::vector<PhaseConfig> phases = s.train.phases;
  if (phases.empty()) {
    phases.push_back(PhaseConfig{s.train.epochs, {}, nullptr, s.train.early_stopping, s.train.reduce_on_plateau});
  }
  for (size_t i = 0; i < phases.size(); ++i) {
    const std::string at = s.train.phases.empty() ? "/train" : "/train/phases/" + std::to_string(i);
    if ((phases[i].early_stopping || phases[i].reduce_on_plateau) && s.data.val_fraction <= 0) {
      fail(path, at, "early_stopping and reduce_on_plateau watch the validation split, but /data/split/val is 0");
    }
    for (const auto& opt : s.optimizers) {
      OptimizerConfig o;
      try {
        o = phase_optimizer(opt.value, phases[i].optimizer);
      } catch (const std::exception& e) {
        fail(path, at + "/optimizer", "with optimizer \"" + opt.label + "\": " + e.what());
      }
      ScheduleOptions sched = o.schedule;
      if (sched.total_epochs == 0) sched.total_epochs = phases[i].epochs;
      try {
        validate(sched);
      } catch (const std::exception& e) {
        fail(path, at, "optimizer \"" + opt.label + "\" schedule: " + e.what());
      }
    }
  }
}

Suite parse_validated(json doc, const std::string& path, const LabelOrder& order) {
  throw_if_invalid(validate_json(doc, suite_schema()), path);

  Suite s;
  s.path = path;
  s.json = doc;
  s.name = doc.at("name").get<std::string>();
  s.description = doc.value("description", "");
  s.seed = doc.value("seed", uint64_t{0});

  const json& d = doc.at("data");
  s.data.source = source_from_json(d.at("source"));
  if (d.contains("test")) {
    s.data.has_test = true;
    s.data.test = source_from_json(d.at("test"));
  }
  s.data.subset = d.value("subset", int64_t{0});
  s.data.test_subset = d.value("test_subset", int64_t{0});
  if (d.contains("split")) {
    s.data.val_fraction = d.at("split").value("val", 0.1);
    s.data.test_fraction = d.at("split").value("test", s.data.has_test ? 0.0 : 0.1);
    s.data.folds = d.at("split").value("folds", int64_t{0});
    s.data.fold = d.at("split").value("fold", int64_t{0});
    if (s.data.folds > 0) {
      if (d.at("split").contains("val")) {
        fail(path, "/data/split/val", "with folds, fold `fold` is the validation part; drop val");
      }
      if (s.data.fold >= s.data.folds) {
        fail(path, "/data/split/fold", "fold must be in 0.." + std::to_string(s.data.folds - 1));
      }
      s.data.val_fraction = (1.0 - s.data.test_fraction) / static_cast<double>(s.data.folds);
    } else if (d.at("split").contains("fold")) {
      fail(path, "/data/split/fold", "fold needs folds");
    }
  } else if (s.data.has_test) {
    s.data.test_fraction = 0.0;
  }
  if (s.data.has_test && s.data.test_fraction > 0) {
    fail(path, "/data/split/test", "a separate /data/test source is given, so the test fraction must be 0");
  }
  if (!s.data.has_test && s.data.test_fraction <= 0) {
    fail(path, "/data/split/test", "no /data/test source, so the test fraction must be > 0");
  }
  if (s.data.val_fraction + s.data.test_fraction >= 0.9) {
    fail(path, "/data/split", "val + test fractions must leave at least 10% for training");
  }
  if (s.data.test_subset > 0 && !s.data.has_test) {
    fail(path, "/data/test_subset", "test_subset needs a separate /data/test source");
  }
  s.data.input_size = d.value("input_size", int64_t{0});
  if (d.contains("preprocess")) {
    try {
      s.data.preprocess = preprocess_from_json(d.at("preprocess"));
    } catch (const std::invalid_argument& e) {
      fail(path, "/data/preprocess", e.what());
    }
  }
  if (d.contains("clean")) {
    const json& c = d.at("clean");
    CleanOptions& co = s.data.clean;
    if (c.is_boolean()) {
      co.duplicates = co.conflicts = co.outliers = c.get<bool>();
    } else {
      co.duplicates = c.value("duplicates", true);
      co.conflicts = c.value("conflicts", true);
      co.outliers = c.value("outliers", true);
      co.colour_z = c.value("colour_z", co.colour_z);
      co.texture_z = c.value("texture_z", co.texture_z);
    }
  }

  const json& axes = doc.at("axes");
  s.backbones = read_axis(path, axes, "backbone", order);
  for (const auto& b : s.backbones) {  // a side the backbone cannot take (inception_v3: >= 75)
    const BackboneDefaults& d = backbone_info(b.value.at("name").get<std::string>()).defaults;
    if (s.data.input_size != 0 && s.data.input_size < d.min_input_size) {
      fail(path, "/data/input_size", "backbone \"" + b.label + "\" needs input_size >= " +
                                         std::to_string(d.min_input_size) + ", got " +
                                         std::to_string(s.data.input_size));
    }
  }
  s.augmentations = read_axis(path, axes, "augmentation", order);
  s.losses = read_axis(path, axes, "loss", order);
  s.optimizers = read_axis(path, axes, "optimizer", order);
  if (axes.contains("seeds")) s.seeds = axes.at("seeds").get<std::vector<int64_t>>();

  if (doc.contains("train")) s.train = train_from_json(doc.at("train"));
  check_phases(path, s);
  if (doc.contains("evaluate")) {
    const json& e = doc.at("evaluate");
    s.evaluate.corruptions = e.value("corruptions", s.evaluate.corruptions);
    s.evaluate.severities = e.value("severities", s.evaluate.severities);
    std::sort(s.evaluate.severities.begin(), s.evaluate.severities.end());
    s.evaluate.batch_size = e.value("batch_size", s.evaluate.batch_size);
    read_evaluate_extras(s, e, path);
  }
  if (doc.contains("report")) s.report_formats = doc.at("report").value("formats", s.report_formats);

  expand(s);
  if (!s.evaluate.baseline.empty()) {
    const bool found = std::any_of(s.cells.begin(), s.cells.end(),
                                   [&](const Cell& c) { return axes_title(c) == s.evaluate.baseline; });
    if (!found) {
      fail(path, "/evaluate/baseline",
           "no cell of the suite has the labels \"" + s.evaluate.baseline +
               "\" (backbone/augmentation/loss/optimizer, as in the summary table)");
    }
  }
  return s;
}

}  // namespace

const AxisValue& axis_value(const std::vector<AxisValue>& axis, const std::string& label) {
  for (const auto& v : axis) {
    if (v.label == label) return v;
  }
  throw std::out_of_range("no axis value labelled " + label);
}

namespace {

json evaluate_json(const EvalConfig& e) {
  json profiles = json::array(), holdouts = json::array();
  for (const auto& p : e.profiles) profiles.push_back(profile_to_json(p));
  for (const auto& h : e.holdouts) holdouts.push_back({{"name", h.name}, {"data", source_to_json(h.data)}});
  json out{{"corruptions", e.corruptions}, {"severities", e.severities}, {"batch_size", e.batch_size}};
  // Only when used, so that cell ids of suites without them stay what they were.
  if (!profiles.empty()) out["profiles"] = profiles;
  if (!holdouts.empty()) out["holdouts"] = holdouts;
  return out;
}

}  // namespace

const std::vector<Profile>& builtin_profiles() {
  static const std::vector<Profile> profiles = [] {
    std::vector<Profile> out;
    const json all = json::parse(builtin_profiles_text());
    for (size_t i = 0; i < all.size(); ++i) {
      throw_if_invalid(validate_json(all[i], profile_schema()),
                       "built-in profile " + all[i].value("name", std::to_string(i)));
      out.push_back(profile_from_json(all[i]));
    }
    std::sort(out.begin(), out.end(), [](const Profile& a, const Profile& b) { return a.name < b.name; });
    return out;
  }();
  return profiles;
}

std::optional<Profile> builtin_profile(const std::string& name) {
  for (const auto& p : builtin_profiles()) {
    if (p.name == name) return p;
  }
  return std::nullopt;
}

bool is_profile_path(const std::string& ref) {
  return ref.find('/') != std::string::npos ||
         (ref.size() > 5 && ref.compare(ref.size() - 5, 5, ".json") == 0);
}

Profile load_profile_file(const std::string& path) {
  return load_json_file(path, profile_schema(), [](const json& doc) { return profile_from_json(doc); });
}

std::vector<TransformOptions> load_pipeline_file(const std::string& path) {
  return load_json_file(path, pipeline_schema(), [](const json& doc) {
    auto ops = pipeline_from_json(doc);
    for (const auto& o : ops) make_transform(o);  // options no schema can check (e.g. ranges)
    return ops;
  });
}

json resolved_config(const Suite& s, const Cell& c) {
  json data{{"source", source_to_json(s.data.source)},
            {"subset", s.data.subset},
            {"split", s.data.folds > 0 ? json{{"test", s.data.test_fraction}, {"folds", s.data.folds}, {"fold", s.data.fold}}
                                       : json{{"val", s.data.val_fraction}, {"test", s.data.test_fraction}}},
            {"input_size", s.data.input_size}};
  if (s.data.input_size == 0) {
    // Record the side the cell really uses: the backbone's default.
    const std::string backbone = axis_value(s.backbones, c.backbone).value.at("name").get<std::string>();
    data["input_size"] = backbone_info(backbone).defaults.input_size;
  }
  if (s.data.has_test) {
    data["test"] = source_to_json(s.data.test);
    data["test_subset"] = s.data.test_subset;
  }
  // Preprocessing and cleaning only when set, so that the cell ids of suites without them stay.
  if (!s.data.preprocess.is_default()) data["preprocess"] = to_json(s.data.preprocess);
  if (s.data.clean.any()) {
    const CleanOptions& co = s.data.clean;
    data["clean"] = {{"duplicates", co.duplicates}, {"conflicts", co.conflicts}, {"outliers", co.outliers},
                     {"colour_z", co.colour_z}, {"texture_z", co.texture_z}};
  }
  return {
      {"suite", s.name},
      {"suite_seed", s.seed},
      {"seed", c.seed},
      {"labels", {{"backbone", c.backbone}, {"augmentation", c.augmentation}, {"loss", c.loss},
                  {"optimizer", c.optimizer}}},
      {"backbone", axis_value(s.backbones, c.backbone).value},
      {"augmentation", axis_value(s.augmentations, c.augmentation).value},
      {"loss", axis_value(s.losses, c.loss).value},
      {"optimizer", axis_value(s.optimizers, c.optimizer).value},
      {"data", data},
      {"train", to_json(s.train)},
      {"evaluate", evaluate_json(s.evaluate)},
  };
}

std::string make_cell_id(const json& config, const std::string& dataset_fingerprint) {
  Hasher h;
  h.update(config.dump()).update(dataset_fingerprint).update(std::string(gauntlet_version()));
  return h.hex();
}

std::string axes_title(const Cell& c) {
  return c.backbone + "/" + c.augmentation + "/" + c.loss + "/" + c.optimizer;
}

std::string axes_title(const json& labels) {
  return labels.at("backbone").get<std::string>() + "/" + labels.at("augmentation").get<std::string>() +
         "/" + labels.at("loss").get<std::string>() + "/" + labels.at("optimizer").get<std::string>();
}

std::string cell_title(const Cell& c) { return axes_title(c) + "/seed" + std::to_string(c.seed); }

}  // namespace gauntlet
