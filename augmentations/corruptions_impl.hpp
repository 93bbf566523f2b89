// Internal: the corruption functions the registry dispatches to, one family file each.
#pragma once

#include "augmentations/corruption.hpp"

namespace gauntlet::corruptions {

/// Parameter c per severity 1..5 for each size table.
struct Table5 {
  double small[5];
  double medium[5];
  double large[5];
  double at(int severity, SizeTable t) const;
};

// corruptions_noise.cpp
extern const Table5 kGaussianNoise;
void gaussian_noise(const cv::Mat& src, cv::Mat& dst, double c, Rng& rng);

// corruptions_photometric.cpp
extern const Table5 kContrast;
void contrast(const cv::Mat& src, cv::Mat& dst, double c, Rng& rng);

/// x in [0,1] (double) -> uint8 the way the references store it: clip to [0,1], * 255, truncate.
inline uint8_t to_u8(double x) {
  if (!(x > 0.0)) return 0;  // also maps NaN to 0
  if (x >= 1.0) return 255;
  return static_cast<uint8_t>(x * 255.0);
}

}  // namespace gauntlet::corruptions
