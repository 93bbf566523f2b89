// GridMask as the authors' code draws it (github.com/akuxcw/GridMask, mode 1, the ImageNet
// setting): unit d, kept strips of width l = ceil(ratio d) along both axes at offsets U{0..d-1},
// the (d - l) x (d - l) square of every unit masked, the lattice turned about the image centre.
// Differences: d is drawn in [d_min, d_max] inclusive (the authors' randint excludes d_max), the
// angle is U(-rotate, rotate) (theirs is an integer in [0, rotate)), and the turned lattice is
// sampled per pixel instead of rotating a mask image, which is the same nearest-neighbour sampling
// without the sqrt(H^2 + W^2) canvas.
//
// Split-rotate: tiles of a rows x cols grid (edges at floor(k H / rows)), each turned by a uniform
// multiple of 90 degrees; a tile that is not square can only be turned by 0 or 180 degrees, which
// keeps the image size and every pixel within its tile.
#include "augmentations/masking.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace gauntlet {
namespace {

// (x - offset) mod d in [0, d), for any sign of x - offset.
int lattice_phase(int x, int offset, int d) {
  const int r = (x - offset) % d;
  return r < 0 ? r + d : r;
}

}  // namespace

void GridMask::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const int d_lo = std::max(o_.d_min, 1), d_hi = std::max(o_.d_max, d_lo);
  const int d = d_lo + static_cast<int>(rng.below(static_cast<uint64_t>(d_hi - d_lo + 1)));
  const int offset_y = static_cast<int>(rng.below(d));
  const int offset_x = static_cast<int>(rng.below(d));
  const double angle = rng.uniform(-o_.rotate, o_.rotate);
  // The epsilon keeps ceil(0.6 * 10) at 6 although 0.6 * 10 is 6 - 1 ulp in binary.
  const int kept = std::clamp(static_cast<int>(std::ceil(o_.ratio * d - 1e-9)), 0, d);
  if (!on || kept == d) {
    if (dst.data != src.data) src.copyTo(dst);
    return;
  }
  cv::Mat mask(src.size(), CV_8UC1);
  if (angle == 0.0) {
    // Unturned: the mask is the product of a row pattern and a column pattern.
    std::vector<uint8_t> cols(src.cols);
    for (int x = 0; x < src.cols; ++x) cols[x] = lattice_phase(x, offset_x, d) >= kept ? 255 : 0;
    for (int y = 0; y < src.rows; ++y) {
      uint8_t* m = mask.ptr<uint8_t>(y);
      if (lattice_phase(y, offset_y, d) >= kept) {
        std::copy(cols.begin(), cols.end(), m);
      } else {
        std::fill(m, m + src.cols, 0);
      }
    }
  } else {
    // Each pixel looks up the lattice at its position turned back by the angle.
    const double t = angle * 3.14159265358979323846 / 180.0;
    const double cs = std::cos(t), sn = std::sin(t);
    const double cx = (src.cols - 1) * 0.5, cy = (src.rows - 1) * 0.5;
    // Shifting by a multiple of d that makes every position positive changes no phase and lets
    // truncation stand for floor.
    const int shift = d * ((src.rows + src.cols) / d + 2);
    for (int y = 0; y < src.rows; ++y) {
      uint8_t* m = mask.ptr<uint8_t>(y);
      const double dy = y - cy;
      const double u0 = sn * dy + cx + shift - offset_x, v0 = cs * dy + cy + shift - offset_y;
      for (int x = 0; x < src.cols; ++x) {
        const double dx = x - cx;
        const int u = static_cast<int>(cs * dx + u0) % d;
        const int v = static_cast<int>(-sn * dx + v0) % d;
        m[x] = u >= kept && v >= kept ? 255 : 0;
      }
    }
  }
  cv::Mat out = src.clone();
  out.setTo(cv::Scalar::all(o_.fill_value), mask);
  dst = out;
}

void SplitRotate::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const int rows = std::clamp(o_.rows, 1, src.rows), cols = std::clamp(o_.cols, 1, src.cols);
  std::vector<int> turns(static_cast<size_t>(rows) * cols);
  for (int& k : turns) k = static_cast<int>(rng.below(4));
  if (!on) {
    if (dst.data != src.data) src.copyTo(dst);
    return;
  }
  cv::Mat out = src.clone();
  cv::Mat turned;
  for (int r = 0; r < rows; ++r) {
    const int y0 = r * src.rows / rows, y1 = (r + 1) * src.rows / rows;
    for (int c = 0; c < cols; ++c) {
      const int x0 = c * src.cols / cols, x1 = (c + 1) * src.cols / cols;
      const cv::Rect tile(x0, y0, x1 - x0, y1 - y0);
      int k = turns[static_cast<size_t>(r) * cols + c];
      if (tile.width != tile.height) k = k >= 2 ? 2 : 0;  // 0 or 180 degrees, one half each
      if (k == 0) continue;
      const int code = k == 1   ? cv::ROTATE_90_CLOCKWISE
                       : k == 2 ? cv::ROTATE_180
                                : cv::ROTATE_90_COUNTERCLOCKWISE;
      cv::rotate(src(tile), turned, code);
      turned.copyTo(out(tile));
    }
  }
  dst = out;
}

}  // namespace gauntlet
