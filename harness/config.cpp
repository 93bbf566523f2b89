#include "harness/config.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

#include "augmentations/corruption.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;

// A bare string stands for {"name": string}.
json as_object(const json& j, const char* key = "name") {
  if (j.is_string()) return json{{key, j.get<std::string>()}};
  return j;
}

template <typename T>
void read(const json& j, const char* key, T& field) {
  if (j.contains(key)) field = j.at(key).get<T>();
}

}  // namespace

BackboneSpec backbone_from_json(const json& raw) {
  const json j = as_object(raw);
  BackboneSpec b;
  b.name = j.at("name").get<std::string>();
  b.options = backbone_info(b.name).default_options;
  if (auto* o = std::get_if<SimpleCnnOptions>(&b.options)) {
    if (j.contains("channels")) o->channels(j.at("channels").get<std::vector<int64_t>>());
    if (j.contains("convs_per_block")) o->convs_per_block(j.at("convs_per_block").get<int64_t>());
    if (j.contains("batch_norm")) o->batch_norm(j.at("batch_norm").get<bool>());
    if (j.contains("dropout")) o->dropout(j.at("dropout").get<double>());
    if (j.contains("hidden")) o->hidden(j.at("hidden").get<int64_t>());
  }
  return b;
}

json to_json(const BackboneSpec& b) {
  json j{{"name", b.name}};
  if (const auto* o = std::get_if<SimpleCnnOptions>(&b.options)) {
    j["channels"] = o->channels();
    j["convs_per_block"] = o->convs_per_block();
    j["batch_norm"] = o->batch_norm();
    j["dropout"] = o->dropout();
    j["hidden"] = o->hidden();
  }
  return j;
}

std::vector<TransformOptions> pipeline_from_json(const json& j) {
  std::vector<TransformOptions> ops;
  for (const auto& t : j) {
    const std::string op = t.at("op").get<std::string>();
    if (op == HFlipOptions::kName) {
      HFlipOptions o;
      read(t, "p", o.p);
      ops.emplace_back(o);
    } else if (op == RotateOptions::kName) {
      RotateOptions o;
      read(t, "p", o.p);
      read(t, "degrees", o.degrees);
      read(t, "fill_value", o.fill_value);
      if (t.contains("fill")) {
        const std::string f = t.at("fill").get<std::string>();
        o.fill = f == "reflect" ? Fill::kReflect : f == "nearest" ? Fill::kNearest : Fill::kConstant;
      }
      ops.emplace_back(o);
    } else if (op == CorruptOptions::kName) {
      CorruptOptions o;
      read(t, "p", o.p);
      o.corruption = corruption_id(t.at("corruption").get<std::string>());
      if (t.contains("severity")) {
        const json& sev = t.at("severity");
        o.severity_min = sev.is_array() ? sev.at(0).get<int>() : sev.get<int>();
        o.severity_max = sev.is_array() ? sev.at(1).get<int>() : sev.get<int>();
        if (o.severity_min > o.severity_max) {
          throw std::invalid_argument("corrupt: severity [" + std::to_string(o.severity_min) + ", " +
                                      std::to_string(o.severity_max) + "] has min > max");
        }
      }
      ops.emplace_back(o);
    } else if (op == EraseOptions::kName) {
      EraseOptions o;
      read(t, "p", o.p);
      if (t.contains("scale")) {
        o.scale_min = t.at("scale").at(0).get<double>();
        o.scale_max = t.at("scale").at(1).get<double>();
      }
      if (t.contains("ratio")) {
        o.ratio_min = t.at("ratio").at(0).get<double>();
        o.ratio_max = t.at("ratio").at(1).get<double>();
      }
      if (t.contains("fill")) {
        o.fill = t.at("fill").get<std::string>() == "constant" ? EraseFill::kConstant : EraseFill::kRandom;
      }
      read(t, "value", o.value);
      ops.emplace_back(o);
    } else {
      throw std::invalid_argument("unknown transform \"" + op + "\"");
    }
  }
  return ops;
}

json pipeline_to_json(const std::vector<TransformOptions>& ops) {
  struct ToJson {
    json operator()(const HFlipOptions& o) const { return {{"op", o.kName}, {"p", o.p}}; }
    json operator()(const RotateOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"degrees", o.degrees}, {"fill", fill_name(o.fill)},
              {"fill_value", o.fill_value}};
    }
    json operator()(const CorruptOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"corruption", o.corruption},
              {"severity", {o.severity_min, o.severity_max}}};
    }
    json operator()(const EraseOptions& o) const {
      return {{"op", o.kName},
              {"p", o.p},
              {"scale", {o.scale_min, o.scale_max}},
              {"ratio", {o.ratio_min, o.ratio_max}},
              {"fill", erase_fill_name(o.fill)},
              {"value", o.value}};
    }
  };
  json out = json::array();
  for (const auto& o : ops) out.push_back(std::visit(ToJson{}, o));
  return out;
}

Profile profile_from_json(const json& j) {
  Profile p;
  p.name = j.at("name").get<std::string>();
  p.description = j.value("description", "");
  if (j.contains("k")) {
    const json& k = j.at("k");
    p.k_min = k.is_array() ? k.at(0).get<int>() : k.get<int>();
    p.k_max = k.is_array() ? k.at(1).get<int>() : k.get<int>();
  }
  p.ops = pipeline_from_json(j.at("ops"));
  p.weights = j.value("weights", std::vector<double>(p.ops.size(), 1.0));
  const std::string where = "profile \"" + p.name + "\": ";
  if (p.weights.size() != p.ops.size()) {
    throw std::invalid_argument(where + std::to_string(p.weights.size()) + " weights for " +
                                std::to_string(p.ops.size()) + " ops");
  }
  if (p.k_min > p.k_max || p.k_max > static_cast<int>(p.ops.size())) {
    throw std::invalid_argument(where + "k must satisfy 1 <= min <= max <= number of ops (" +
                                std::to_string(p.ops.size()) + ")");
  }
  return p;
}

json profile_to_json(const Profile& p) {
  return {{"name", p.name},
          {"description", p.description},
          {"k", {p.k_min, p.k_max}},
          {"ops", pipeline_to_json(p.ops)},
          {"weights", p.weights}};
}

OptimizerConfig optimizer_from_json(const json& raw) {
  const json j = as_object(raw);
  OptimizerConfig o;
  o.name = j.at("name").get<std::string>();
  if (o.name == "adam") o.lr = 1e-3;
  read(j, "lr", o.lr);
  read(j, "momentum", o.momentum);
  read(j, "nesterov", o.nesterov);
  read(j, "beta1", o.beta1);
  read(j, "beta2", o.beta2);
  read(j, "eps", o.eps);
  read(j, "weight_decay", o.weight_decay);
  return o;
}

json to_json(const OptimizerConfig& o) {
  if (o.name == "adam") {
    return {{"name", o.name}, {"lr", o.lr}, {"beta1", o.beta1}, {"beta2", o.beta2}, {"eps", o.eps},
            {"weight_decay", o.weight_decay}};
  }
  return {{"name", o.name}, {"lr", o.lr}, {"momentum", o.momentum}, {"nesterov", o.nesterov},
          {"weight_decay", o.weight_decay}};
}

LossConfig loss_from_json(const json& raw) {
  const json j = as_object(raw);
  LossConfig l;
  l.name = j.at("name").get<std::string>();
  read(j, "label_smoothing", l.label_smoothing);
  return l;
}

json to_json(const LossConfig& l) {
  return {{"name", l.name}, {"label_smoothing", l.label_smoothing}};
}

}  // namespace gauntlet
