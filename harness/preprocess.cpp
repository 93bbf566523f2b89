#include "harness/preprocess.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gauntlet {
namespace {

using json = nlohmann::json;

constexpr std::array<std::pair<ResizeMode, const char*>, 5> kResizeNames{{{ResizeMode::kAuto, "auto"},
                                                                          {ResizeMode::kArea, "area"},
                                                                          {ResizeMode::kBilinear, "bilinear"},
                                                                          {ResizeMode::kBicubic, "bicubic"},
                                                                          {ResizeMode::kNearest, "nearest"}}};

constexpr std::array<std::pair<NormPreset, const char*>, 6> kPresetNames{{{NormPreset::kBackbone, "backbone"},
                                                                          {NormPreset::kImagenet, "imagenet"},
                                                                          {NormPreset::kMinusOneToOne, "minus_one_to_one"},
                                                                          {NormPreset::kZeroToOne, "zero_to_one"},
                                                                          {NormPreset::kDataset, "dataset"},
                                                                          {NormPreset::kCustom, "custom"}}};

template <typename Enum, size_t N>
Enum from_name(const std::array<std::pair<Enum, const char*>, N>& names, const std::string& s, const char* what) {
  std::string known;
  for (const auto& [e, name] : names) {
    if (s == name) return e;
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  throw std::invalid_argument(std::string("unknown ") + what + " '" + s + "' (" + known + ")");
}

template <typename Enum, size_t N>
const char* to_name(const std::array<std::pair<Enum, const char*>, N>& names, Enum e) {
  for (const auto& [v, name] : names) {
    if (v == e) return name;
  }
  return "?";
}

std::array<float, 3> three_floats(const json& j, const char* key) {
  const json& v = j.at(key);
  if (v.is_number()) {
    const auto x = v.get<float>();
    return {x, x, x};
  }
  if (!v.is_array() || (v.size() != 1 && v.size() != 3)) {
    throw std::invalid_argument(std::string("normalize.") + key + " must be a number or 1 or 3 numbers");
  }
  const auto x = v.get<std::vector<float>>();
  return x.size() == 1 ? std::array<float, 3>{x[0], x[0], x[0]} : std::array<float, 3>{x[0], x[1], x[2]};
}

// The offset of a centred window, rounded half to even as torchvision's CenterCrop does.
int centred_offset(int full, int part) {
  const int d = full - part;
  const int half = d / 2;
  return (d % 2 == 0 || half % 2 == 0) ? half : half + 1;
}

int cv_interpolation(ResizeMode m, bool shrinking) {
  switch (m) {
    case ResizeMode::kArea: return cv::INTER_AREA;
    case ResizeMode::kBilinear: return cv::INTER_LINEAR;
    case ResizeMode::kBicubic: return cv::INTER_CUBIC;
    case ResizeMode::kNearest: return cv::INTER_NEAREST;
    default: return shrinking ? cv::INTER_AREA : cv::INTER_LINEAR;
  }
}

}  // namespace

const char* resize_mode_name(ResizeMode m) { return to_name(kResizeNames, m); }
const char* norm_preset_name(NormPreset p) { return to_name(kPresetNames, p); }

PreprocessOptions preprocess_from_json(const json& j) {
  PreprocessOptions o;
  if (j.contains("resize")) o.resize = from_name(kResizeNames, j.at("resize").get<std::string>(), "resize mode");
  o.center_crop = j.value("center_crop", 1.0);
  if (!(o.center_crop > 0 && o.center_crop <= 1)) {
    throw std::invalid_argument("center_crop must be in (0, 1], got " + std::to_string(o.center_crop));
  }
  if (j.contains("normalize")) {
    const json& n = j.at("normalize");
    if (n.is_string()) {
      o.normalize = from_name(kPresetNames, n.get<std::string>(), "normalize preset");
      if (o.normalize == NormPreset::kCustom) {
        throw std::invalid_argument("normalize \"custom\" is written as {\"mean\": [..], \"std\": [..]}");
      }
    } else {
      o.normalize = NormPreset::kCustom;
      o.custom.mean = three_floats(n, "mean");
      o.custom.std = three_floats(n, "std");
      for (float s : o.custom.std) {
        if (!(s > 0) || !std::isfinite(s)) throw std::invalid_argument("normalize.std must be positive and finite");
      }
      for (float m : o.custom.mean) {
        if (!std::isfinite(m)) throw std::invalid_argument("normalize.mean must be finite");
      }
    }
  }
  return o;
}

json to_json(const PreprocessOptions& o) {
  json j{{"resize", resize_mode_name(o.resize)}, {"center_crop", o.center_crop}};
  if (o.normalize == NormPreset::kCustom) {
    j["normalize"] = {{"mean", o.custom.mean}, {"std", o.custom.std}};
  } else {
    j["normalize"] = norm_preset_name(o.normalize);
  }
  return j;
}

PreparedSet prepare(const Dataset& d, int64_t side, int64_t channels, const PreprocessOptions& o) {
  if (d.channels == 3 && channels == 1) {
    throw std::invalid_argument(d.source + ": RGB images for a 1-channel backbone");
  }
  PreparedSet p;
  p.n = d.n;
  p.side = side;
  p.channels = channels;
  p.labels = d.labels;
  p.images.resize(p.n * p.image_bytes());
  const int src_type = d.channels == 3 ? CV_8UC3 : CV_8UC1;
  const int h = static_cast<int>(d.height), w = static_cast<int>(d.width);
  const int ch = std::max(1, static_cast<int>(std::lround(h * o.center_crop)));
  const int cw = std::max(1, static_cast<int>(std::lround(w * o.center_crop)));
  const cv::Rect window(centred_offset(w, cw), centred_offset(h, ch), cw, ch);
  const int interp = cv_interpolation(o.resize, ch > side || cw > side);
  for (int64_t i = 0; i < d.n; ++i) {
    const cv::Mat src =
        cv::Mat(h, w, src_type, const_cast<uint8_t*>(d.image(i)))(window);
    cv::Mat resized;
    if (ch == side && cw == side) {
      resized = src;
    } else {
      cv::resize(src, resized, cv::Size(static_cast<int>(side), static_cast<int>(side)), 0, 0, interp);
    }
    cv::Mat dst(static_cast<int>(side), static_cast<int>(side), channels == 3 ? CV_8UC3 : CV_8UC1,
                p.images.data() + i * p.image_bytes());
    if (d.channels == 1 && channels == 3) {
      cv::cvtColor(resized, dst, cv::COLOR_GRAY2RGB);
    } else {
      resized.copyTo(dst);
    }
  }
  return p;
}

Normalization dataset_normalization(const PreparedSet& set) {
  const auto c = static_cast<size_t>(set.channels);
  std::array<uint64_t, 3> sum{}, sum_sq{};
  for (size_t i = 0; i < set.images.size(); ++i) {
    const uint64_t v = set.images[i];
    sum[i % c] += v;
    sum_sq[i % c] += v * v;
  }
  Normalization n;
  const double count = set.images.empty() ? 1.0 : static_cast<double>(set.images.size() / c);
  for (size_t k = 0; k < 3; ++k) {
    const size_t from = std::min(k, c - 1);  // a gray set: one statistic for all three
    const double mean = static_cast<double>(sum[from]) / count;
    const double var = std::max(0.0, static_cast<double>(sum_sq[from]) / count - mean * mean);
    n.mean[k] = static_cast<float>(mean / 255.0);
    n.std[k] = var > 0 ? static_cast<float>(std::sqrt(var) / 255.0) : 1.0f;
  }
  return n;
}

Normalization resolve_normalization(const PreprocessOptions& o, const Normalization& backbone,
                                    const PreparedSet& train) {
  switch (o.normalize) {
    case NormPreset::kImagenet: return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
    case NormPreset::kMinusOneToOne: return {{0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f}};
    case NormPreset::kZeroToOne: return {{0.f, 0.f, 0.f}, {1.f, 1.f, 1.f}};
    case NormPreset::kDataset: return dataset_normalization(train);
    case NormPreset::kCustom: return o.custom;
    default: return backbone;
  }
}

json preprocess_record(const PreprocessOptions& o, const Normalization& used, int64_t channels) {
  const auto c = static_cast<std::ptrdiff_t>(channels == 1 ? 1 : 3);
  json j = to_json(o);
  j["normalize"] = norm_preset_name(o.normalize);
  j["mean"] = std::vector<float>(used.mean.begin(), used.mean.begin() + c);
  j["std"] = std::vector<float>(used.std.begin(), used.std.begin() + c);
  return j;
}

Normalization recorded_normalization(const json& result, const Normalization& fallback) {
  const auto it = result.find("preprocess");
  if (it == result.end() || !it->is_object() || !it->contains("mean") || !it->contains("std")) return fallback;
  Normalization n;
  n.mean = three_floats(*it, "mean");
  n.std = three_floats(*it, "std");
  return n;
}

}  // namespace gauntlet
