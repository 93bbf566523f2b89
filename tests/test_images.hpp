// Images the Catch2 tests share: seeded noise, byte equality, and a centroid for geometric checks.
#pragma once

#include <opencv2/core.hpp>

#include <cstdint>

#include "harness/core/rng.hpp"

namespace gauntlet::testing {

/// rows x cols of OpenCV `type` (8-bit, any channel count), every byte lo + U{0..hi - lo} drawn
/// in order from Rng{seed}.
inline cv::Mat random_image(int rows, int cols, int type, uint64_t seed, int lo = 0, int hi = 255) {
  cv::Mat m(rows, cols, type);
  Rng rng{seed};
  uint8_t* p = m.ptr<uint8_t>();
  for (size_t i = 0; i < m.total() * m.channels(); ++i) {
    p[i] = static_cast<uint8_t>(lo + rng.below(static_cast<uint64_t>(hi - lo + 1)));
  }
  return m;
}

/// Same size, type and bytes.
inline bool same_bytes(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

/// Intensity-weighted centre (x, y) of a 1-channel uint8 image.
inline cv::Point2d centroid(const cv::Mat& m) {
  double sum = 0, sx = 0, sy = 0;
  for (int y = 0; y < m.rows; ++y) {
    for (int x = 0; x < m.cols; ++x) {
      const double v = m.at<uint8_t>(y, x);
      sum += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return {sx / sum, sy / sum};
}

}  // namespace gauntlet::testing
