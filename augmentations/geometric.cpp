// Flips, rotation, affine and crops with torchvision's semantics (RandomHorizontalFlip,
// RandomVerticalFlip, RandomRotation, RandomAffine, RandomResizedCrop, RandomCrop with padding):
// the same draws in the same order, the same matrices and crop boxes. Differences: RandomAffine
// interpolates bilinearly (torchvision's default is nearest) and may fill by reflection or by the
// nearest edge pixel as well as by a constant; RandomCrop's "symmetric" padding is not offered.
#include "augmentations/geometric.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace gauntlet {
namespace {

int border_of(Fill fill) {
  if (fill == Fill::kReflect) return cv::BORDER_REFLECT_101;  // torchvision's "reflect"
  if (fill == Fill::kNearest) return cv::BORDER_REPLICATE;    // torchvision's "edge"
  return cv::BORDER_CONSTANT;
}

void copy_unless_same(const cv::Mat& src, cv::Mat& dst) {
  if (dst.data != src.data) src.copyTo(dst);
}

constexpr double kRadiansPerDegree = 3.14159265358979323846 / 180.0;

}  // namespace

void HFlip::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  if (rng.bernoulli(o_.p)) {
    cv::flip(src, dst, 1);
  } else if (dst.data != src.data) {
    src.copyTo(dst);
  }
}

void Rotate::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  // Draw the angle even when p skips the op, so that p does not shift later draws of this op.
  const bool on = rng.bernoulli(o_.p);
  const double angle = rng.uniform(-o_.degrees, o_.degrees);
  if (!on || angle == 0.0) {
    if (dst.data != src.data) src.copyTo(dst);
    return;
  }
  const cv::Point2f centre((src.cols - 1) * 0.5f, (src.rows - 1) * 0.5f);
  const cv::Mat m = cv::getRotationMatrix2D(centre, angle, 1.0);
  int border = cv::BORDER_CONSTANT;
  if (o_.fill == Fill::kReflect) border = cv::BORDER_REFLECT_101;
  if (o_.fill == Fill::kNearest) border = cv::BORDER_REPLICATE;
  cv::Mat out;
  cv::warpAffine(src, out, m, src.size(), cv::INTER_LINEAR, border, cv::Scalar::all(o_.fill_value));
  dst = out;
}

void VFlip::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  if (rng.bernoulli(o_.p)) {
    cv::flip(src, dst, 0);
  } else {
    copy_unless_same(src, dst);
  }
}

void Affine::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  // torchvision's draw order: angle, tx, ty, scale, shear x, shear y; all drawn whatever p says.
  const bool on = rng.bernoulli(o_.p);
  const double angle = rng.uniform(o_.degrees_min, o_.degrees_max);
  const double max_dx = o_.translate_x * src.cols, max_dy = o_.translate_y * src.rows;
  const double tx = std::round(rng.uniform(-max_dx, max_dx));
  const double ty = std::round(rng.uniform(-max_dy, max_dy));
  const double scale = rng.uniform(o_.scale_min, o_.scale_max);
  const double shear_x = rng.uniform(o_.shear_x_min, o_.shear_x_max);
  const double shear_y = rng.uniform(o_.shear_y_min, o_.shear_y_max);
  if (!on || (angle == 0.0 && tx == 0.0 && ty == 0.0 && scale == 1.0 && shear_x == 0.0 &&
              shear_y == 0.0)) {
    copy_unless_same(src, dst);
    return;
  }
  if (angle == 0.0 && scale == 1.0 && shear_x == 0.0 && shear_y == 0.0) {
    // A whole-pixel shift: the same bytes as the warp below (bilinear at integer positions reads
    // one pixel, outside ones are the border's), several times faster.
    const int dx = static_cast<int>(tx), dy = static_cast<int>(ty);
    const int top = std::max(dy, 0), bottom = std::max(-dy, 0);
    const int left = std::max(dx, 0), right = std::max(-dx, 0);
    cv::Mat padded;
    cv::copyMakeBorder(src, padded, top, bottom, left, right, border_of(o_.fill),
                       cv::Scalar::all(o_.fill_value));
    dst = padded(cv::Rect(right, bottom, src.cols, src.rows)).clone();
    return;
  }
  // torchvision's _get_inverse_affine_matrix with the centre at the image centre: the inverse of
  // T * C * R(angle) S(scale) SHy(shear_y) SHx(shear_x) * C^-1, which maps output to input pixels.
  const double rot = angle * kRadiansPerDegree;
  const double sx = shear_x * kRadiansPerDegree, sy = shear_y * kRadiansPerDegree;
  const double a = std::cos(rot - sy) / std::cos(sy);
  const double b = -std::cos(rot - sy) * std::tan(sx) / std::cos(sy) - std::sin(rot);
  const double c = std::sin(rot - sy) / std::cos(sy);
  const double d = -std::sin(rot - sy) * std::tan(sx) / std::cos(sy) + std::cos(rot);
  // det [[a, b], [c, d]] = 1, so the inverse of the linear part is [[d, -b], [-c, a]] / scale.
  const double m00 = d / scale, m01 = -b / scale, m10 = -c / scale, m11 = a / scale;
  const double cx = (src.cols - 1) * 0.5, cy = (src.rows - 1) * 0.5;  // torchvision's tensor centre
  // In pixel coordinates: in = C M^-1 (out - C - T).
  const double ox = cx - m00 * (cx + tx) - m01 * (cy + ty);
  const double oy = cy - m10 * (cx + tx) - m11 * (cy + ty);
  const cv::Matx23d inverse(m00, m01, ox, m10, m11, oy);
  cv::Mat out;
  cv::warpAffine(src, out, inverse, src.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                 border_of(o_.fill), cv::Scalar::all(o_.fill_value));
  dst = out;
}

AffineOptions affine_options(const ShearOptions& o) {
  AffineOptions a;
  a.p = o.p;
  a.degrees_min = a.degrees_max = 0.0;
  a.translate_x = a.translate_y = 0.0;
  a.scale_min = a.scale_max = 1.0;
  a.shear_x_min = o.shear_x_min;
  a.shear_x_max = o.shear_x_max;
  a.shear_y_min = o.shear_y_min;
  a.shear_y_max = o.shear_y_max;
  a.fill = o.fill;
  a.fill_value = o.fill_value;
  return a;
}

AffineOptions affine_options(const ZoomOptions& o) {
  AffineOptions a = affine_options(ShearOptions{o.p, 0.0, 0.0, 0.0, 0.0, o.fill, o.fill_value});
  a.scale_min = o.scale_min;
  a.scale_max = o.scale_max;
  return a;
}

AffineOptions affine_options(const TranslateOptions& o) {
  AffineOptions a = affine_options(ShearOptions{o.p, 0.0, 0.0, 0.0, 0.0, o.fill, o.fill_value});
  a.translate_x = o.translate_x;
  a.translate_y = o.translate_y;
  return a;
}

void RandomResizedCrop::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const int height = src.rows, width = src.cols;
  const double area = static_cast<double>(height) * width;
  const double log_lo = std::log(o_.ratio_min), log_hi = std::log(o_.ratio_max);
  cv::Rect box;
  for (int attempt = 0; attempt < 10 && box.empty(); ++attempt) {
    const double target = area * rng.uniform(o_.scale_min, o_.scale_max);
    const double ratio = std::exp(rng.uniform(log_lo, log_hi));
    const int w = static_cast<int>(std::lround(std::sqrt(target * ratio)));
    const int h = static_cast<int>(std::lround(std::sqrt(target / ratio)));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const int i = static_cast<int>(rng.below(height - h + 1));
      const int j = static_cast<int>(rng.below(width - w + 1));
      box = cv::Rect(j, i, w, h);
    }
  }
  if (box.empty()) {  // torchvision's fallback: the largest centred crop within the ratio range
    const double in_ratio = static_cast<double>(width) / height;
    // Python's round (half to even) as torchvision; at least one pixel for extreme ratios.
    int w = width, h = height;
    if (in_ratio < o_.ratio_min) {
      h = std::max(1, static_cast<int>(std::nearbyint(w / o_.ratio_min)));
    } else if (in_ratio > o_.ratio_max) {
      w = std::max(1, static_cast<int>(std::nearbyint(h * o_.ratio_max)));
    }
    box = cv::Rect((width - w) / 2, (height - h) / 2, w, h);
  }
  const cv::Size size = src.size();
  if (!on) box = cv::Rect(0, 0, width, height);
  if (box.size() == size) {
    if (box.size() == src.size()) {
      copy_unless_same(src, dst);
    } else {
      dst = src(box).clone();
    }
    return;
  }
  const bool shrinking = box.width >= size.width && box.height >= size.height;
  const int interpolation =
      o_.interpolation == Interpolation::kArea && shrinking ? cv::INTER_AREA : cv::INTER_LINEAR;
  cv::Mat out;
  cv::resize(src(box), out, size, 0, 0, interpolation);
  dst = out;
}

void CropPad::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const int pad = std::max(o_.padding, 0);
  const int i = static_cast<int>(rng.below(2 * pad + 1));
  const int j = static_cast<int>(rng.below(2 * pad + 1));
  if (!on || (i == pad && j == pad)) {
    copy_unless_same(src, dst);
    return;
  }
  cv::Mat padded;
  cv::copyMakeBorder(src, padded, pad, pad, pad, pad, border_of(o_.fill),
                     cv::Scalar::all(o_.fill_value));
  dst = padded(cv::Rect(j, i, src.cols, src.rows)).clone();
}

}  // namespace gauntlet
