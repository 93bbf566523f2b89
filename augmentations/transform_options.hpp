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

using TransformOptions = std::variant<HFlipOptions, RotateOptions>;

struct TransformInfo {
  std::string name;
  std::string summary;
  TransformOptions defaults;
};

/// Every registered transform, in registry order.
const std::vector<TransformInfo>& transform_infos();
const char* transform_name(const TransformOptions& options);
const char* fill_name(Fill fill);

}  // namespace gauntlet
