// Flip and rotation as in torchvision's RandomHorizontalFlip and RandomRotation (angle uniform in
// [-degrees, degrees], rotation about the image centre, output the size of the input).
#include "augmentations/geometric.hpp"

#include <opencv2/imgproc.hpp>

namespace gauntlet {

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

}  // namespace gauntlet
