// Typed options of every per-image transform, one struct per op, gathered in one variant that the
// suite layer fills from JSON. Light header: no OpenCV, no JSON.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace gauntlet {

/// Mirror left-right with probability p.
struct HFlipOptions {
  static constexpr const char* kName = "hflip";
  double p = 0.5;
};

enum class Fill { kConstant, kReflect, kNearest };

/// Rotate about the centre by an angle drawn uniformly in [-degrees, degrees], with probability p.
struct RotateOptions {
  static constexpr const char* kName = "rotate";
  double p = 1.0;
  double degrees = 15.0;
  Fill fill = Fill::kConstant;
  int fill_value = 0;
};

/// Apply corruption `corruption` (an id of augmentations/corruption.hpp) at a severity drawn
/// uniformly from severity_min..severity_max, with probability p. This is how corruptions enter
/// the op language: as training augmentations and as ops of a hold-out profile.
struct CorruptOptions {
  static constexpr const char* kName = "corrupt";
  double p = 1.0;
  std::string corruption = "gaussian_noise";
  int severity_min = 1;
  int severity_max = 5;
};

enum class EraseFill { kRandom, kConstant };

/// Random Erasing (Zhong et al., AAAI 2020; torchvision's RandomErasing): with probability p, a
/// rectangle of area U(scale_min, scale_max) x image area and aspect ratio log-uniform in
/// [ratio_min, ratio_max] is filled with uniform noise (kRandom) or `value`. Occlusion in the
/// hidden-like profile.
struct EraseOptions {
  static constexpr const char* kName = "erase";
  double p = 0.5;
  double scale_min = 0.02;
  double scale_max = 0.33;
  double ratio_min = 0.3;
  double ratio_max = 3.3;
  EraseFill fill = EraseFill::kRandom;
  int value = 0;
};

using TransformOptions = std::variant<HFlipOptions, RotateOptions, CorruptOptions, EraseOptions>;

struct TransformInfo {
  std::string name;
  std::string summary;
  TransformOptions defaults;
};

/// Every registered transform, in registry order.
const std::vector<TransformInfo>& transform_infos();
const char* transform_name(const TransformOptions& options);
const char* fill_name(Fill fill);
const char* erase_fill_name(EraseFill fill);

}  // namespace gauntlet
