// Preprocessing: from a Dataset to the model's uint8 input (centre crop, resize, gray to RGB), and
// the normalisation the Loader applies to it, chosen by a preset. Light header: no torch.
//
// Suite key `data.preprocess` (docs/data.md):
//   {"resize": "auto"|"area"|"bilinear"|"bicubic"|"nearest", "center_crop": f in (0, 1],
//    "normalize": "backbone"|"imagenet"|"minus_one_to_one"|"zero_to_one"|"dataset"|{"mean", "std"}}
// Every split and hold-out (clean, perturbed, external) goes through the same preprocessing;
// corruptions are applied before it, at the source's resolution.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/dataset.hpp"

namespace gauntlet {

/// uint8 NHWC images at the model's side and channels, with labels.
struct PreparedSet {
  int64_t n = 0, side = 0, channels = 0;
  std::vector<uint8_t> images;
  std::vector<int64_t> labels;
  size_t image_bytes() const { return static_cast<size_t>(side * side * channels); }
};

/// Per-channel (x / 255 - mean) / std, channels in RGB order (a gray model uses index 0).
struct Normalization {
  std::array<float, 3> mean{0.5f, 0.5f, 0.5f};
  std::array<float, 3> std{0.5f, 0.5f, 0.5f};
};

/// kAuto: pixel-area averaging when shrinking, bilinear when enlarging (OpenCV's advice).
enum class ResizeMode { kAuto, kArea, kBilinear, kBicubic, kNearest };

enum class NormPreset {
  kBackbone,       ///< the backbone's own mean/std (ImageNet's for torchvision families)
  kImagenet,       ///< mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)
  kMinusOneToOne,  ///< mean 0.5, std 0.5: pixels in [-1, 1]
  kZeroToOne,      ///< mean 0, std 1: pixels in [0, 1]
  kDataset,        ///< per-channel mean/std of the prepared training images (a z-score)
  kCustom,         ///< the mean/std given
};

struct PreprocessOptions {
  ResizeMode resize = ResizeMode::kAuto;
  /// Fraction of each side kept around the centre before resizing (timm's crop_pct): 0.875 on a
  /// 256 px image keeps the middle 224 px. 1: no crop.
  double center_crop = 1.0;
  NormPreset normalize = NormPreset::kBackbone;
  Normalization custom;  ///< kCustom only

  bool is_default() const {
    return resize == ResizeMode::kAuto && center_crop == 1.0 && normalize == NormPreset::kBackbone;
  }
};

const char* resize_mode_name(ResizeMode m);
const char* norm_preset_name(NormPreset p);

/// From the suite's `data.preprocess` object (schema-checked; still throws std::invalid_argument
/// on values no schema checks). Absent keys keep their defaults.
PreprocessOptions preprocess_from_json(const nlohmann::json& j);
/// Every key, defaults included (the cell's resolved config).
nlohmann::json to_json(const PreprocessOptions& o);

/// Centre-crops, resizes to side x side and replicates gray to RGB when `channels` is 3. Throws
/// std::invalid_argument for RGB data and a 1-channel model.
PreparedSet prepare(const Dataset& d, int64_t side, int64_t channels, const PreprocessOptions& o = {});

/// Per-channel mean and standard deviation (population) of the images, in [0, 1] units; a
/// channel with no spread gets std 1. Summed in integers: identical for any order.
Normalization dataset_normalization(const PreparedSet& set);

/// The normalisation a preset means for this backbone and training set.
Normalization resolve_normalization(const PreprocessOptions& o, const Normalization& backbone,
                                    const PreparedSet& train);

/// What result.json records: {"normalize": preset, "mean": [..], "std": [..], "resize", "center_crop"}.
nlohmann::json preprocess_record(const PreprocessOptions& o, const Normalization& used, int64_t channels);

/// The normalisation a result.json records (`preprocess`), or `fallback` for results written before
/// it was recorded.
Normalization recorded_normalization(const nlohmann::json& result, const Normalization& fallback);

}  // namespace gauntlet
