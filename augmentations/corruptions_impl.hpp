// Internal: what the corruption registry is made of. Each family file (corruptions_noise.cpp,
// corruptions_blur.cpp, corruptions_weather.cpp, corruptions_digital.cpp, corruptions_blood.cpp)
// defines its ops and returns its entries; adding a corruption is one line in its family's list.
// Shared building blocks (filters, JPEG, colour spaces) live in corruption_kernels.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "augmentations/corruption.hpp"

namespace gauntlet::corruptions {

using Params = CorruptionParams;

/// Parameters per severity 1..5 for each size table.
struct Table5 {
  std::array<Params, 5> small;
  std::array<Params, 5> medium;
  std::array<Params, 5> large;
  const Params& at(int severity, SizeTable t) const;
};

/// One table for every image size (the blood family: its ops scale radii by side / 224 inside).
inline Table5 same_for_all_sizes(const std::array<Params, 5>& rows) { return {rows, rows, rows}; }

/// src: uint8 HxWxC (C = 1 or 3), continuous. dst: same size and type. p: one row of the table.
using CorruptionFn = void (*)(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng);

struct CorruptionEntry {
  CorruptionInfo info;  ///< id is filled in by the registry from family and name
  Table5 table;
  CorruptionFn fn;
};

std::vector<CorruptionEntry> noise_corruptions();    // corruptions_noise.cpp
std::vector<CorruptionEntry> blur_corruptions();     // corruptions_blur.cpp
std::vector<CorruptionEntry> weather_corruptions();  // corruptions_weather.cpp
std::vector<CorruptionEntry> digital_corruptions();  // corruptions_digital.cpp
std::vector<CorruptionEntry> blood_corruptions();    // corruptions_blood.cpp

/// x in [0,1] -> uint8 the way the references store it: clip to [0,1], * 255, truncate.
inline uint8_t to_u8(double x) {
  if (!(x > 0.0)) return 0;  // also maps NaN to 0
  if (x >= 1.0) return 255;
  return static_cast<uint8_t>(x * 255.0);
}

}  // namespace gauntlet::corruptions
