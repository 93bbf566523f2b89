#include "harness/config.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>
#include <type_traits>

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

// A [min, max] range field of a transform; min > max is what the schema cannot reject.
template <typename T>
void read_range(const json& j, const std::string& op, const char* key, T& lo, T& hi) {
  if (!j.contains(key)) return;
  lo = j.at(key).at(0).get<T>();
  hi = j.at(key).at(1).get<T>();
  if (lo > hi) {
    throw std::invalid_argument(op + ": " + key + " [" + json(lo).dump() + ", " + json(hi).dump() +
                                "] has min > max");
  }
}

// "fill" (constant | reflect | nearest) and "fill_value" of the geometric ops.
void read_fill(const json& j, Fill& fill, int& fill_value) {
  if (j.contains("fill")) {
    const std::string f = j.at("fill").get<std::string>();
    fill = f == "reflect" ? Fill::kReflect : f == "nearest" ? Fill::kNearest : Fill::kConstant;
  }
  read(j, "fill_value", fill_value);
}

// A symmetric range as torchvision takes it: d means [-d, d] (written 0.0 - d so that 0 gives
// 0.0, not -0.0, which would change cell ids), [lo, hi] is checked for lo <= hi.
void read_symmetric(const json& j, const std::string& op, const char* key, double& lo, double& hi) {
  if (!j.contains(key)) return;
  if (j.at(key).is_number()) {
    hi = j.at(key).get<double>();
    lo = 0.0 - hi;
    return;
  }
  read_range(j, op, key, lo, hi);
}

// Shear as torchvision takes it: s, [x_lo, x_hi] or [x_lo, x_hi, y_lo, y_hi]; each pair lo <= hi.
template <typename O>
void read_shear(const json& j, const std::string& op, O& o) {
  if (!j.contains("shear")) return;
  const json& s = j.at("shear");
  if (s.is_number() || s.size() == 2) {
    read_symmetric(j, op, "shear", o.shear_x_min, o.shear_x_max);
    o.shear_y_min = o.shear_y_max = 0.0;
    return;
  }
  o.shear_x_min = s.at(0).get<double>();
  o.shear_x_max = s.at(1).get<double>();
  o.shear_y_min = s.at(2).get<double>();
  o.shear_y_max = s.at(3).get<double>();
  if (o.shear_x_min > o.shear_x_max || o.shear_y_min > o.shear_y_max) {
    throw std::invalid_argument(op + ": shear " + s.dump() + " has min > max");
  }
}

const std::pair<const char*, HeadActivation> kHeadActivations[] = {
    {"relu", HeadActivation::kRelu}, {"gelu", HeadActivation::kGelu}, {"silu", HeadActivation::kSilu}};

// A backbone's "head": {"type": "dense", "hidden", "activation", "dropout"} or {"type": "rff",
// "features", "scale", "learn_scale"}.
HeadOptions head_from_json(const json& j) {
  const std::string type = j.at("type").get<std::string>();
  if (type == "dense") {
    DenseHeadOptions d;
    if (j.contains("hidden")) d.hidden(j.at("hidden").get<std::vector<int64_t>>());
    if (j.contains("dropout")) d.dropout(j.at("dropout").get<double>());
    if (j.contains("activation")) {
      const std::string a = j.at("activation").get<std::string>();
      const auto* it = std::find_if(std::begin(kHeadActivations), std::end(kHeadActivations),
                                    [&](const auto& p) { return a == p.first; });
      if (it == std::end(kHeadActivations)) {
        throw ValueError("/head/activation", "head: unknown activation \"" + a + "\"");
      }
      d.activation(it->second);
    }
    return d;
  }
  if (type == "rff") {
    RffHeadOptions r;
    if (j.contains("features")) r.features(j.at("features").get<int64_t>());
    if (j.contains("scale")) r.scale(j.at("scale").get<double>());
    if (j.contains("learn_scale")) r.learn_scale(j.at("learn_scale").get<bool>());
    return r;
  }
  throw ValueError("/head/type", "head: unknown type \"" + type + "\" (known: dense, rff)");
}

json to_json(const HeadOptions& h) {
  if (const auto* d = std::get_if<DenseHeadOptions>(&h)) {
    const char* activation = "relu";
    for (const auto& [name, a] : kHeadActivations) {
      if (a == d->activation()) activation = name;
    }
    return {{"type", "dense"}, {"hidden", d->hidden()}, {"activation", activation},
            {"dropout", d->dropout()}};
  }
  const auto& r = std::get<RffHeadOptions>(h);
  return {{"type", "rff"}, {"features", r.features()}, {"scale", r.scale()},
          {"learn_scale", r.learn_scale()}};
}

// A field of the newer families: read when given, written only when it differs from the entry's
// default, so that cell ids of suites that leave it out stay as they were.
template <typename O, typename T>
void read_opt(const json& j, const char* key, O& o, O& (O::*set)(const T&)) {
  if (j.contains(key)) (o.*set)(j.at(key).get<T>());
}
template <typename O, typename T>
void write_opt(json& j, const char* key, const O& o, const O& defaults, const T& (O::*get)() const) {
  if ((o.*get)() != (defaults.*get)()) j[key] = (o.*get)();
}

}  // namespace

BackboneSpec backbone_from_json(const json& raw) {
  const json j = as_object(raw);
  BackboneSpec b;
  b.name = j.at("name").get<std::string>();
  b.options = backbone_info(b.name).default_options;
  read(j, "weights", b.weights);
  read(j, "weights_xxh3", b.weights_xxh3);
  read(j, "torchscript", b.torchscript);
  read(j, "torchscript_xxh3", b.torchscript_xxh3);
  if (auto* o = std::get_if<SimpleCnnOptions>(&b.options)) {
    if (j.contains("channels")) o->channels(j.at("channels").get<std::vector<int64_t>>());
    if (j.contains("convs_per_block")) o->convs_per_block(j.at("convs_per_block").get<int64_t>());
    if (j.contains("batch_norm")) o->batch_norm(j.at("batch_norm").get<bool>());
    if (j.contains("dropout")) o->dropout(j.at("dropout").get<double>());
    if (j.contains("hidden")) o->hidden(j.at("hidden").get<int64_t>());
  } else if (auto* r = std::get_if<ResNetOptions>(&b.options)) {
    if (j.contains("zero_init_residual")) {
      r->zero_init_residual(j.at("zero_init_residual").get<bool>());
    }
  } else if (auto* v = std::get_if<VggOptions>(&b.options)) {
    if (j.contains("dropout")) v->dropout(j.at("dropout").get<double>());
  } else if (auto* m = std::get_if<MobileNetOptions>(&b.options)) {
    if (j.contains("width_mult")) m->width_mult(j.at("width_mult").get<double>());
    if (j.contains("dropout")) m->dropout(j.at("dropout").get<double>());
  } else if (auto* e = std::get_if<EfficientNetOptions>(&b.options)) {
    if (j.contains("drop_rate")) e->drop_rate(j.at("drop_rate").get<double>());
    if (j.contains("stochastic_depth_prob")) {
      e->stochastic_depth_prob(j.at("stochastic_depth_prob").get<double>());
    }
  } else if (auto* cn = std::get_if<ConvNeXtOptions>(&b.options)) {
    read_opt(j, "stochastic_depth_prob", *cn, &ConvNeXtOptions::stochastic_depth_prob);
    read_opt(j, "layer_scale", *cn, &ConvNeXtOptions::layer_scale);
  } else if (auto* in = std::get_if<InceptionOptions>(&b.options)) {
    read_opt(j, "aux_logits", *in, &InceptionOptions::aux_logits);
    read_opt(j, "transform_input", *in, &InceptionOptions::transform_input);
    read_opt(j, "dropout", *in, &InceptionOptions::dropout);
  } else if (auto* r2 = std::get_if<ResNetV2Options>(&b.options)) {
    read_opt(j, "drop_path_rate", *r2, &ResNetV2Options::drop_path_rate);
    read_opt(j, "zero_init_last", *r2, &ResNetV2Options::zero_init_last);
  }
  if (j.contains("head")) b.head = head_from_json(j.at("head"));
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
  } else if (const auto* r = std::get_if<ResNetOptions>(&b.options)) {
    j["zero_init_residual"] = r->zero_init_residual();
  } else if (const auto* v = std::get_if<VggOptions>(&b.options)) {
    j["dropout"] = v->dropout();
  } else if (const auto* cn = std::get_if<ConvNeXtOptions>(&b.options)) {
    const auto& d = std::get<ConvNeXtOptions>(backbone_info(b.name).default_options);
    write_opt(j, "stochastic_depth_prob", *cn, d, &ConvNeXtOptions::stochastic_depth_prob);
    write_opt(j, "layer_scale", *cn, d, &ConvNeXtOptions::layer_scale);
  } else if (const auto* in = std::get_if<InceptionOptions>(&b.options)) {
    const auto& d = std::get<InceptionOptions>(backbone_info(b.name).default_options);
    write_opt(j, "aux_logits", *in, d, &InceptionOptions::aux_logits);
    write_opt(j, "transform_input", *in, d, &InceptionOptions::transform_input);
    write_opt(j, "dropout", *in, d, &InceptionOptions::dropout);
  } else if (const auto* r2 = std::get_if<ResNetV2Options>(&b.options)) {
    const auto& d = std::get<ResNetV2Options>(backbone_info(b.name).default_options);
    write_opt(j, "drop_path_rate", *r2, d, &ResNetV2Options::drop_path_rate);
    write_opt(j, "zero_init_last", *r2, d, &ResNetV2Options::zero_init_last);
  } else if (const auto* m = std::get_if<MobileNetOptions>(&b.options)) {
    j["width_mult"] = m->width_mult();
    j["dropout"] = m->dropout();
  } else if (const auto* e = std::get_if<EfficientNetOptions>(&b.options)) {
    j["drop_rate"] = e->drop_rate();
    j["stochastic_depth_prob"] = e->stochastic_depth_prob();
  }
  // Only when given, so that cell ids of backbones without weights stay what they were.
  if (!b.weights.empty()) {
    j["weights"] = b.weights;
    j["weights_xxh3"] = b.weights_xxh3;
  }
  if (!b.torchscript.empty()) {
    j["torchscript"] = b.torchscript;
    j["torchscript_xxh3"] = b.torchscript_xxh3;
  }
  if (!std::holds_alternative<std::monostate>(b.head)) j["head"] = to_json(b.head);
  return j;
}

namespace {

// The "ops" of a combinator, with the pointer of a bad value inside them made relative to the
// combinator; and its "weights", one per op.
template <typename O>
void read_children(const json& t, O& o) {
  try {
    o.ops = pipeline_from_json(t.at("ops"));
  } catch (const ValueError& e) {
    throw ValueError("/ops" + e.pointer(), e.what());
  }
  if constexpr (!std::is_same_v<O, SequenceOptions>) {
    read(t, "weights", o.weights);
    if (!o.weights.empty() && o.weights.size() != o.ops.size()) {
      throw ValueError("/weights", std::string(o.kName) + ": " + std::to_string(o.weights.size()) +
                                       " weights for " + std::to_string(o.ops.size()) + " ops");
    }
  }
}

void op_from_json(const json& t, std::vector<TransformOptions>& ops) {
  const std::string op = t.at("op").get<std::string>();
  if (op == HFlipOptions::kName) {
    HFlipOptions o;
    read(t, "p", o.p);
    ops.emplace_back(o);
  } else if (op == RotateOptions::kName) {
    RotateOptions o;
    read(t, "p", o.p);
    read(t, "degrees", o.degrees);
    read_fill(t, o.fill, o.fill_value);
    ops.emplace_back(o);
  } else if (op == VFlipOptions::kName) {
    VFlipOptions o;
    read(t, "p", o.p);
    ops.emplace_back(o);
  } else if (op == AffineOptions::kName) {
    AffineOptions o;
    read(t, "p", o.p);
    read_symmetric(t, op, "degrees", o.degrees_min, o.degrees_max);
    if (t.contains("translate")) {
      o.translate_x = t.at("translate").at(0).get<double>();
      o.translate_y = t.at("translate").at(1).get<double>();
    }
    read_range(t, op, "scale", o.scale_min, o.scale_max);
    read_shear(t, op, o);
    read_fill(t, o.fill, o.fill_value);
    ops.emplace_back(o);
  } else if (op == ShearOptions::kName) {
    ShearOptions o;
    read(t, "p", o.p);
    read_shear(t, op, o);
    read_fill(t, o.fill, o.fill_value);
    ops.emplace_back(o);
  } else if (op == ZoomOptions::kName) {
    ZoomOptions o;
    read(t, "p", o.p);
    read_range(t, op, "scale", o.scale_min, o.scale_max);
    read_fill(t, o.fill, o.fill_value);
    ops.emplace_back(o);
  } else if (op == TranslateOptions::kName) {
    TranslateOptions o;
    read(t, "p", o.p);
    if (t.contains("translate")) {
      o.translate_x = t.at("translate").at(0).get<double>();
      o.translate_y = t.at("translate").at(1).get<double>();
    }
    read_fill(t, o.fill, o.fill_value);
    ops.emplace_back(o);
  } else if (op == RandomResizedCropOptions::kName) {
    RandomResizedCropOptions o;
    read(t, "p", o.p);
    read_range(t, op, "scale", o.scale_min, o.scale_max);
    read_range(t, op, "ratio", o.ratio_min, o.ratio_max);
    if (t.contains("interpolation")) {
      o.interpolation =
          t.at("interpolation").get<std::string>() == "area" ? Interpolation::kArea : Interpolation::kBilinear;
    }
    ops.emplace_back(o);
  } else if (op == CropPadOptions::kName) {
    CropPadOptions o;
    read(t, "p", o.p);
    read(t, "padding", o.padding);
    read_fill(t, o.fill, o.fill_value);
    ops.emplace_back(o);
  } else if (op == SplitRotateOptions::kName) {
    SplitRotateOptions o;
    read(t, "p", o.p);
    read(t, "rows", o.rows);
    read(t, "cols", o.cols);
    ops.emplace_back(o);
  } else if (op == GridMaskOptions::kName) {
    GridMaskOptions o;
    read(t, "p", o.p);
    read(t, "d_min", o.d_min);
    read(t, "d_max", o.d_max);
    read(t, "ratio", o.ratio);
    read(t, "rotate", o.rotate);
    read(t, "fill_value", o.fill_value);
    if (o.d_min > o.d_max) {
      throw std::invalid_argument("gridmask: d_min " + std::to_string(o.d_min) + " > d_max " +
                                  std::to_string(o.d_max));
    }
    ops.emplace_back(o);
    // geometric ops: add branches above this line
  } else if (op == BrightnessOptions::kName) {
    BrightnessOptions o;
    read(t, "p", o.p);
    read_range(t, op, "factor", o.factor_min, o.factor_max);
    ops.emplace_back(o);
  } else if (op == ContrastOptions::kName) {
    ContrastOptions o;
    read(t, "p", o.p);
    read_range(t, op, "factor", o.factor_min, o.factor_max);
    ops.emplace_back(o);
  } else if (op == SaturationOptions::kName) {
    SaturationOptions o;
    read(t, "p", o.p);
    read_range(t, op, "factor", o.factor_min, o.factor_max);
    ops.emplace_back(o);
  } else if (op == HueOptions::kName) {
    HueOptions o;
    read(t, "p", o.p);
    read_range(t, op, "shift", o.shift_min, o.shift_max);
    ops.emplace_back(o);
  } else if (op == ColorJitterOptions::kName) {
    ColorJitterOptions o;
    read(t, "p", o.p);
    read_range(t, op, "brightness", o.brightness_min, o.brightness_max);
    read_range(t, op, "contrast", o.contrast_min, o.contrast_max);
    read_range(t, op, "saturation", o.saturation_min, o.saturation_max);
    read_range(t, op, "hue", o.hue_min, o.hue_max);
    ops.emplace_back(o);
  } else if (op == GammaOptions::kName) {
    GammaOptions o;
    read(t, "p", o.p);
    read_range(t, op, "gamma", o.gamma_min, o.gamma_max);
    ops.emplace_back(o);
  } else if (op == GrayscaleOptions::kName) {
    GrayscaleOptions o;
    read(t, "p", o.p);
    ops.emplace_back(o);
  } else if (op == ChannelShuffleOptions::kName) {
    ChannelShuffleOptions o;
    read(t, "p", o.p);
    ops.emplace_back(o);
  } else if (op == EqualizeOptions::kName) {
    EqualizeOptions o;
    read(t, "p", o.p);
    ops.emplace_back(o);
  } else if (op == AutocontrastOptions::kName) {
    AutocontrastOptions o;
    read(t, "p", o.p);
    ops.emplace_back(o);
  } else if (op == PosterizeOptions::kName) {
    PosterizeOptions o;
    read(t, "p", o.p);
    read_range(t, op, "bits", o.bits_min, o.bits_max);
    ops.emplace_back(o);
  } else if (op == SolarizeOptions::kName) {
    SolarizeOptions o;
    read(t, "p", o.p);
    read(t, "threshold", o.threshold);
    ops.emplace_back(o);
  } else if (op == InvertOptions::kName) {
    InvertOptions o;
    read(t, "p", o.p);
    ops.emplace_back(o);
  } else if (op == SharpnessOptions::kName) {
    SharpnessOptions o;
    read(t, "p", o.p);
    read_range(t, op, "factor", o.factor_min, o.factor_max);
    ops.emplace_back(o);
  } else if (op == GaussianBlurOptions::kName) {
    GaussianBlurOptions o;
    read(t, "p", o.p);
    read(t, "kernel_size", o.kernel_size);
    if (o.kernel_size < 1 || o.kernel_size % 2 == 0) {
      throw std::invalid_argument("gaussian_blur: kernel_size " + std::to_string(o.kernel_size) +
                                  " is not a positive odd number");
    }
    read_range(t, op, "sigma", o.sigma_min, o.sigma_max);
    ops.emplace_back(o);
  } else if (op == GaussianNoiseOptions::kName) {
    GaussianNoiseOptions o;
    read(t, "p", o.p);
    read_range(t, op, "sigma", o.sigma_min, o.sigma_max);
    ops.emplace_back(o);
  } else if (op == JpegOptions::kName) {
    JpegOptions o;
    read(t, "p", o.p);
    read_range(t, op, "quality", o.quality_min, o.quality_max);
    ops.emplace_back(o);
    // photometric ops: add branches above this line
  } else if (op == RandAugmentOptions::kName) {
    RandAugmentOptions o;
    read(t, "p", o.p);
    read(t, "num_ops", o.num_ops);
    read(t, "magnitude", o.magnitude);
    read(t, "magnitude_std", o.magnitude_std);
    ops.emplace_back(o);
  } else if (op == TrivialAugmentOptions::kName) {
    TrivialAugmentOptions o;
    read(t, "p", o.p);
    read(t, "num_magnitude_bins", o.num_magnitude_bins);
    ops.emplace_back(o);
  } else if (op == AugMixOptions::kName) {
    AugMixOptions o;
    read(t, "p", o.p);
    read(t, "severity", o.severity);
    read(t, "width", o.width);
    read(t, "depth", o.depth);
    read(t, "alpha", o.alpha);
    ops.emplace_back(o);
    // policies: add branches above this line
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
  } else if (op == ForegroundMaskOptions::kName) {
    ForegroundMaskOptions o;
    read(t, "p", o.p);
    read(t, "clusters", o.clusters);
    read(t, "iterations", o.iterations);
    read(t, "fill_value", o.fill_value);
    ops.emplace_back(o);
    // masks and occlusion: add branches above this line
  } else if (op == SequenceOptions::kName) {
    SequenceOptions o;
    read(t, "p", o.p);
    read_children(t, o);
    ops.emplace_back(std::move(o));
  } else if (op == OneOfOptions::kName) {
    OneOfOptions o;
    read(t, "p", o.p);
    read_children(t, o);
    ops.emplace_back(std::move(o));
  } else if (op == SomeOfOptions::kName) {
    SomeOfOptions o;
    read(t, "p", o.p);
    if (t.contains("n") && t.at("n").is_number()) {
      o.n_min = o.n_max = t.at("n").get<int>();
    } else {
      read_range(t, op, "n", o.n_min, o.n_max);
    }
    read(t, "random_order", o.random_order);
    read_children(t, o);
    ops.emplace_back(std::move(o));
  } else {
    throw std::invalid_argument("unknown transform \"" + op + "\"");
  }
}

}  // namespace

std::vector<TransformOptions> pipeline_from_json(const json& j) {
  std::vector<TransformOptions> ops;
  for (size_t i = 0; i < j.size(); ++i) {
    try {
      op_from_json(j[i], ops);
    } catch (const ValueError& e) {
      throw ValueError("/" + std::to_string(i) + e.pointer(), e.what());
    } catch (const std::invalid_argument& e) {
      throw ValueError("/" + std::to_string(i), e.what());
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
    json operator()(const VFlipOptions& o) const { return {{"op", o.kName}, {"p", o.p}}; }
    json operator()(const AffineOptions& o) const {
      return {{"op", o.kName},
              {"p", o.p},
              {"degrees", {o.degrees_min, o.degrees_max}},
              {"translate", {o.translate_x, o.translate_y}},
              {"scale", {o.scale_min, o.scale_max}},
              {"shear", {o.shear_x_min, o.shear_x_max, o.shear_y_min, o.shear_y_max}},
              {"fill", fill_name(o.fill)},
              {"fill_value", o.fill_value}};
    }
    json operator()(const ShearOptions& o) const {
      return {{"op", o.kName}, {"p", o.p},
              {"shear", {o.shear_x_min, o.shear_x_max, o.shear_y_min, o.shear_y_max}},
              {"fill", fill_name(o.fill)}, {"fill_value", o.fill_value}};
    }
    json operator()(const ZoomOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"scale", {o.scale_min, o.scale_max}},
              {"fill", fill_name(o.fill)}, {"fill_value", o.fill_value}};
    }
    json operator()(const TranslateOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"translate", {o.translate_x, o.translate_y}},
              {"fill", fill_name(o.fill)}, {"fill_value", o.fill_value}};
    }
    json operator()(const RandomResizedCropOptions& o) const {
      return {{"op", o.kName},
              {"p", o.p},
              {"scale", {o.scale_min, o.scale_max}},
              {"ratio", {o.ratio_min, o.ratio_max}},
              {"interpolation", o.interpolation == Interpolation::kArea ? "area" : "bilinear"}};
    }
    json operator()(const CropPadOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"padding", o.padding}, {"fill", fill_name(o.fill)},
              {"fill_value", o.fill_value}};
    }
    json operator()(const SplitRotateOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"rows", o.rows}, {"cols", o.cols}};
    }
    json operator()(const GridMaskOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"d_min", o.d_min}, {"d_max", o.d_max},
              {"ratio", o.ratio}, {"rotate", o.rotate}, {"fill_value", o.fill_value}};
    }
    // geometric ops: add above this line
    json operator()(const BrightnessOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"factor", {o.factor_min, o.factor_max}}};
    }
    json operator()(const ContrastOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"factor", {o.factor_min, o.factor_max}}};
    }
    json operator()(const SaturationOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"factor", {o.factor_min, o.factor_max}}};
    }
    json operator()(const SharpnessOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"factor", {o.factor_min, o.factor_max}}};
    }
    json operator()(const HueOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"shift", {o.shift_min, o.shift_max}}};
    }
    json operator()(const ColorJitterOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"brightness", {o.brightness_min, o.brightness_max}}, {"contrast", {o.contrast_min, o.contrast_max}}, {"saturation", {o.saturation_min, o.saturation_max}}, {"hue", {o.hue_min, o.hue_max}}};
    }
    json operator()(const GammaOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"gamma", {o.gamma_min, o.gamma_max}}};
    }
    json operator()(const GrayscaleOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}};
    }
    json operator()(const ChannelShuffleOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}};
    }
    json operator()(const EqualizeOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}};
    }
    json operator()(const AutocontrastOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}};
    }
    json operator()(const InvertOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}};
    }
    json operator()(const PosterizeOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"bits", {o.bits_min, o.bits_max}}};
    }
    json operator()(const SolarizeOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"threshold", o.threshold}};
    }
    json operator()(const GaussianBlurOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"kernel_size", o.kernel_size}, {"sigma", {o.sigma_min, o.sigma_max}}};
    }
    json operator()(const GaussianNoiseOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"sigma", {o.sigma_min, o.sigma_max}}};
    }
    json operator()(const JpegOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"quality", {o.quality_min, o.quality_max}}};
    }
    // photometric ops: add above this line
    json operator()(const RandAugmentOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"num_ops", o.num_ops}, {"magnitude", o.magnitude},
              {"magnitude_std", o.magnitude_std}};
    }
    json operator()(const TrivialAugmentOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"num_magnitude_bins", o.num_magnitude_bins}};
    }
    json operator()(const AugMixOptions& o) const {
      return {{"op", o.kName}, {"p", o.p},         {"severity", o.severity},
              {"width", o.width}, {"depth", o.depth}, {"alpha", o.alpha}};
    }
    // policies: add above this line
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
    json operator()(const ForegroundMaskOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"clusters", o.clusters}, {"iterations", o.iterations},
              {"fill_value", o.fill_value}};
    }
    // masks and occlusion: add above this line
    json operator()(const SequenceOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"ops", pipeline_to_json(o.ops)}};
    }
    json operator()(const OneOfOptions& o) const {
      return {{"op", o.kName}, {"p", o.p}, {"ops", pipeline_to_json(o.ops)}, {"weights", o.weights}};
    }
    json operator()(const SomeOfOptions& o) const {
      return {{"op", o.kName},          {"p", o.p},
              {"n", {o.n_min, o.n_max}}, {"ops", pipeline_to_json(o.ops)},
              {"weights", o.weights},   {"random_order", o.random_order}};
    }
  };
  json out = json::array();
  for (const auto& o : ops) out.push_back(std::visit(ToJson{}, o));
  return out;
}

AugmentationConfig augmentation_from_json(const json& j) {
  AugmentationConfig a;
  if (j.is_array()) {
    a.ops = pipeline_from_json(j);
    return a;
  }
  auto ops_at = [](const json& v, const std::string& where) {
    try {
      return pipeline_from_json(v);
    } catch (const ValueError& e) {
      throw ValueError(where + e.pointer(), e.what());
    }
  };
  if (j.contains("ops")) a.ops = ops_at(j.at("ops"), "/ops");
  if (j.contains("expand")) {
    const json& e = j.at("expand");
    if (e.is_number()) {
      a.expand.copies = e.get<int>();
      if (a.expand.copies > 0) {
        a.expand.ops = std::move(a.ops);  // made offline instead of per epoch
        a.ops.clear();
      }
    } else {
      a.expand.copies = e.at("copies").get<int>();
      a.expand.ops = ops_at(e.at("ops"), "/expand/ops");
      read(e, "keep_original", a.expand.keep_original);
    }
  }
  if (j.contains("mix")) {
    const json& m = j.at("mix");
    read(m, "mixup_alpha", a.mix.mixup_alpha);
    read(m, "cutmix_alpha", a.mix.cutmix_alpha);
    read(m, "prob", a.mix.prob);
    read(m, "switch_prob", a.mix.switch_prob);
  }
  return a;
}

json to_json(const AugmentationConfig& a) {
  if (a.expand.copies == 0 && !a.mix.enabled()) return pipeline_to_json(a.ops);
  return {{"ops", pipeline_to_json(a.ops)},
          {"expand",
           {{"copies", a.expand.copies},
            {"ops", pipeline_to_json(a.expand.ops)},
            {"keep_original", a.expand.keep_original}}},
          {"mix",
           {{"mixup_alpha", a.mix.mixup_alpha},
            {"cutmix_alpha", a.mix.cutmix_alpha},
            {"prob", a.mix.prob},
            {"switch_prob", a.mix.switch_prob}}}};
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
  try {
    p.ops = pipeline_from_json(j.at("ops"));
  } catch (const ValueError& e) {
    throw ValueError("/ops" + e.pointer(), e.what());
  }
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

namespace {

ScheduleOptions schedule_from_json(const json& raw) {
  const json j = as_object(raw);
  ScheduleOptions o;
  o.name = j.at("name").get<std::string>();
  read(j, "step_size", o.step_size);
  read(j, "gamma", o.gamma);
  read(j, "decay_epochs", o.decay_epochs);
  read(j, "staircase", o.staircase);
  read(j, "warmup_epochs", o.warmup_epochs);
  read(j, "warmup_start_factor", o.warmup_start_factor);
  read(j, "min_lr", o.min_lr);
  read(j, "total_epochs", o.total_epochs);
  return o;
}

json to_json(const ScheduleOptions& o) {
  if (o.name == "step") return {{"name", o.name}, {"step_size", o.step_size}, {"gamma", o.gamma}};
  if (o.name == "exponential") {
    return {{"name", o.name}, {"gamma", o.gamma}, {"decay_epochs", o.decay_epochs}, {"staircase", o.staircase}};
  }
  if (o.name == "cosine") {
    return {{"name", o.name},
            {"warmup_epochs", o.warmup_epochs},
            {"warmup_start_factor", o.warmup_start_factor},
            {"min_lr", o.min_lr},
            {"total_epochs", o.total_epochs}};
  }
  return {{"name", o.name}};
}

std::optional<EarlyStoppingOptions> early_stopping_from_json(const json& j) {
  if (j.is_null()) return std::nullopt;
  EarlyStoppingOptions o;
  read(j, "monitor", o.monitor);
  read(j, "patience", o.patience);
  read(j, "min_delta", o.min_delta);
  read(j, "restore_best_weights", o.restore_best_weights);
  if (j.contains("baseline") && !j.at("baseline").is_null()) o.baseline = j.at("baseline").get<double>();
  return o;
}

json to_json(const std::optional<EarlyStoppingOptions>& o) {
  if (!o) return nullptr;
  return {{"monitor", o->monitor},
          {"patience", o->patience},
          {"min_delta", o->min_delta},
          {"restore_best_weights", o->restore_best_weights},
          {"baseline", o->baseline ? json(*o->baseline) : json(nullptr)}};
}

std::optional<ReduceLROnPlateauOptions> plateau_from_json(const json& j) {
  if (j.is_null()) return std::nullopt;
  ReduceLROnPlateauOptions o;
  read(j, "monitor", o.monitor);
  read(j, "factor", o.factor);
  read(j, "patience", o.patience);
  read(j, "min_delta", o.min_delta);
  read(j, "cooldown", o.cooldown);
  read(j, "min_lr", o.min_lr);
  return o;
}

json to_json(const std::optional<ReduceLROnPlateauOptions>& o) {
  if (!o) return nullptr;
  return {{"monitor", o->monitor},     {"factor", o->factor},     {"patience", o->patience},
          {"min_delta", o->min_delta}, {"cooldown", o->cooldown}, {"min_lr", o->min_lr}};
}

FreezeConfig freeze_from_json(const json& j) {
  FreezeConfig f;
  if (j.is_string()) {
    f.mode = j.get<std::string>() == "backbone" ? FreezeConfig::Mode::kBackbone : FreezeConfig::Mode::kNone;
  } else if (j.contains("fraction")) {
    f.mode = FreezeConfig::Mode::kFraction;
    f.fraction = j.at("fraction").get<double>();
  } else if (j.contains("blocks")) {
    f.mode = FreezeConfig::Mode::kBlocks;
    f.blocks = j.at("blocks").get<int64_t>();
  }
  return f;
}

json to_json(const FreezeConfig& f) {
  switch (f.mode) {
    case FreezeConfig::Mode::kBackbone: return "backbone";
    case FreezeConfig::Mode::kFraction: return {{"fraction", f.fraction}};
    case FreezeConfig::Mode::kBlocks: return {{"blocks", f.blocks}};
    case FreezeConfig::Mode::kNone: break;
  }
  return "none";
}

}  // namespace

OptimizerConfig optimizer_from_json(const json& raw) {
  const json j = as_object(raw);
  OptimizerConfig c;
  OptimizerOptions& o = c.options;
  o = default_optimizer_options(j.at("name").get<std::string>());
  read(j, "lr", o.lr);
  read(j, "weight_decay", o.weight_decay);
  read(j, "momentum", o.momentum);
  read(j, "nesterov", o.nesterov);
  read(j, "beta1", o.beta1);
  read(j, "beta2", o.beta2);
  read(j, "eps", o.eps);
  read(j, "alpha", o.alpha);
  read(j, "centered", o.centered);
  read(j, "momentum_decay", o.momentum_decay);
  if (o.name == "sgd" && o.nesterov && o.momentum <= 0) {
    throw ValueError("/nesterov", "sgd: nesterov needs a momentum > 0");
  }
  if (j.contains("schedule")) {
    c.schedule = schedule_from_json(j.at("schedule"));
    if (c.schedule.name == "cosine" && c.schedule.total_epochs > 0 &&
        c.schedule.total_epochs <= c.schedule.warmup_epochs) {
      throw ValueError("/schedule/total_epochs", "cosine: total_epochs must exceed warmup_epochs");
    }
  }
  read(j, "no_decay_norm_bias", c.no_decay_norm_bias);
  read(j, "head_lr_scale", c.head_lr_scale);
  read(j, "backbone_lr_scale", c.backbone_lr_scale);
  return c;
}

json to_json(const OptimizerConfig& c) {
  const OptimizerOptions& o = c.options;
  json j = {{"name", o.name}, {"lr", o.lr}, {"weight_decay", o.weight_decay}};
  if (o.name == "sgd") {
    j["momentum"] = o.momentum;
    j["nesterov"] = o.nesterov;
  } else if (o.name == "rmsprop") {
    j["alpha"] = o.alpha;
    j["eps"] = o.eps;
    j["momentum"] = o.momentum;
    j["centered"] = o.centered;
  } else {  // adam, adamw, nadam, lion
    j["beta1"] = o.beta1;
    j["beta2"] = o.beta2;
    if (o.name != "lion") j["eps"] = o.eps;
    if (o.name == "nadam") j["momentum_decay"] = o.momentum_decay;
  }
  // Options added after the first results are written only when they differ from their defaults,
  // so that the cell ids (and compare's matching) of configs that do not use them stay as they were.
  if (c.schedule.name != "constant") j["schedule"] = to_json(c.schedule);
  if (c.no_decay_norm_bias) j["no_decay_norm_bias"] = true;
  if (c.head_lr_scale != 1.0) j["head_lr_scale"] = c.head_lr_scale;
  if (c.backbone_lr_scale != 1.0) j["backbone_lr_scale"] = c.backbone_lr_scale;
  return j;
}

OptimizerConfig phase_optimizer(const json& cell, const json& phase) {
  if (phase.is_null()) return optimizer_from_json(cell);
  if (phase.contains("name")) return optimizer_from_json(phase);
  json merged = cell;
  for (const auto& [key, value] : phase.items()) merged[key] = value;
  return optimizer_from_json(merged);
}

LossConfig loss_from_json(const json& raw) {
  const json j = as_object(raw);
  LossConfig l;
  l.options.name = j.at("name").get<std::string>();
  read(j, "label_smoothing", l.options.label_smoothing);
  if (l.options.name == "focal") {
    read(j, "gamma", l.options.focal_gamma);
    if (j.contains("alpha")) {
      const json& a = j.at("alpha");
      l.options.focal_alpha = a.is_array() ? a.get<std::vector<double>>() : std::vector<double>{a.get<double>()};
    }
  }
  if (j.contains("class_weights")) {
    const json& w = j.at("class_weights");
    if (w.is_string()) {
      l.balanced = true;  // "balanced"
    } else if (w.is_array()) {
      l.options.class_weights = w.get<std::vector<double>>();
      if (std::none_of(l.options.class_weights.begin(), l.options.class_weights.end(),
                       [](double x) { return x > 0; })) {
        throw ValueError("/class_weights", "at least one class weight must be > 0");
      }
    }
  }
  return l;
}

json to_json(const LossConfig& l) {
  json j = {{"name", l.options.name}, {"label_smoothing", l.options.label_smoothing}};
  if (l.options.name == "focal") {
    j["gamma"] = l.options.focal_gamma;
    j["alpha"] = l.options.focal_alpha;
  }
  // As for optimizers: absent at its default, so older cell ids stay.
  if (l.balanced) {
    j["class_weights"] = "balanced";
  } else if (!l.options.class_weights.empty()) {
    j["class_weights"] = l.options.class_weights;
  }
  return j;
}

TrainConfig train_from_json(const json& j) {
  TrainConfig t;
  read(j, "epochs", t.epochs);
  read(j, "batch_size", t.batch_size);
  if (j.contains("early_stopping")) t.early_stopping = early_stopping_from_json(j.at("early_stopping"));
  if (j.contains("reduce_on_plateau")) t.reduce_on_plateau = plateau_from_json(j.at("reduce_on_plateau"));
  if (j.contains("ema") && !j.at("ema").is_null()) t.ema_decay = j.at("ema").at("decay").get<double>();
  read(j, "grad_clip_norm", t.grad_clip_norm);
  if (j.contains("regularization")) {
    const json& r = j.at("regularization");
    read(r, "l1", t.regularization.l1);
    read(r, "l2", t.regularization.l2);
    read(r, "layers", t.regularization.layers);
  }
  if (j.contains("dropout") && !j.at("dropout").is_null()) t.dropout = j.at("dropout").get<double>();
  if (j.contains("sampler")) t.sampler = sampler_from_name(j.at("sampler").get<std::string>());
  if (j.contains("phases")) {
    const json& phases = j.at("phases");
    for (size_t i = 0; i < phases.size(); ++i) {
      const json& p = phases[i];
      PhaseConfig ph;
      ph.epochs = p.value("epochs", t.epochs);
      if (p.contains("freeze")) ph.freeze = freeze_from_json(p.at("freeze"));
      if (p.contains("optimizer")) ph.optimizer = p.at("optimizer");
      ph.early_stopping = p.contains("early_stopping") ? early_stopping_from_json(p.at("early_stopping"))
                                                       : t.early_stopping;
      ph.reduce_on_plateau = p.contains("reduce_on_plateau") ? plateau_from_json(p.at("reduce_on_plateau"))
                                                             : t.reduce_on_plateau;
      t.phases.push_back(std::move(ph));
    }
  }
  return t;
}

json to_json(const TrainConfig& t) {
  // epochs and batch_size always; what came later only when it is used, so that the cell ids of
  // suites that do not use it stay as they were.
  json j = {{"epochs", t.epochs}, {"batch_size", t.batch_size}};
  if (t.early_stopping) j["early_stopping"] = to_json(t.early_stopping);
  if (t.reduce_on_plateau) j["reduce_on_plateau"] = to_json(t.reduce_on_plateau);
  if (t.ema_decay > 0) j["ema"] = {{"decay", t.ema_decay}};
  if (t.grad_clip_norm > 0) j["grad_clip_norm"] = t.grad_clip_norm;
  const RegularizationConfig& r = t.regularization;
  if (r.l1 > 0 || r.l2 > 0 || !r.layers.empty()) {
    j["regularization"] = {{"l1", r.l1}, {"l2", r.l2}, {"layers", r.layers}};
  }
  if (t.dropout) j["dropout"] = *t.dropout;
  if (t.sampler != Sampler::kNone) j["sampler"] = sampler_name(t.sampler);
  if (!t.phases.empty()) {
    json phases = json::array();
    for (const auto& p : t.phases) {
      phases.push_back({{"epochs", p.epochs},
                        {"freeze", to_json(p.freeze)},
                        {"optimizer", p.optimizer},
                        {"early_stopping", to_json(p.early_stopping)},
                        {"reduce_on_plateau", to_json(p.reduce_on_plateau)}});
    }
    j["phases"] = phases;
  }
  return j;
}

}  // namespace gauntlet
