// Filters the blur corruptions share (defocus, glass, motion, snow, the blood family): the sampled
// Gaussian of scipy.ndimage, the one-sided motion kernel of imagecorruptions and ImageNet-C's
// anti-aliased disk. Float images are CV_32FC(C) on the [0,1] (or any) scale.
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "augmentations/corruption_kernels.hpp"

namespace gauntlet::corruptions {

// scipy.ndimage.gaussian_filter(x, (sigma, sigma, 0), mode='nearest', truncate=4.0), which is what
// skimage.filters.gaussian(x, sigma, channel_axis=-1) runs: correlate with the sampled, normalised
// Gaussian along rows and columns; the channel axis is left alone. CV_64F images are filtered in
// double, for callers whose output is truncated right after (flat regions then land on the same
// side of an integer as in the float64 reference).
void gaussian_filter(const cv::Mat& src, cv::Mat& dst, double sigma) {
  CV_Assert((src.depth() == CV_32F || src.depth() == CV_64F) && sigma >= 0.0);
  const int radius = static_cast<int>(4.0 * sigma + 0.5);
  if (radius == 0) {  // scipy's one-tap kernel [1]: the image unchanged
    src.copyTo(dst);
    return;
  }
  cv::Mat kernel(2 * radius + 1, 1, CV_64F);
  for (int i = -radius; i <= radius; ++i) {
    kernel.at<double>(i + radius) = std::exp(-0.5 / (sigma * sigma) * i * i);
  }
  kernel /= cv::sum(kernel)[0];
  kernel.convertTo(kernel, src.depth());
  cv::sepFilter2D(src, dst, src.depth(), kernel, kernel, cv::Point(-1, -1), 0.0,
                  cv::BORDER_REPLICATE);
}

// imagecorruptions' _motion_blur(x, radius, sigma, angle): out = sum_i k_i * shift(x, i), where
// shift(x, i)[y, x] = x[clamp(y + oy_i), clamp(x + ox_i)]. The offsets are computed in the
// reference's order (through the kernel-width-scaled point and its hypot) so that rounding ties
// fall the same way. Like the reference, the sum stops at the first offset that reaches the image
// size, so on tiny images the far (near-zero) weights are dropped rather than renormalised.
void motion_blur(const cv::Mat& src, cv::Mat& dst, double radius, double sigma, double angle_deg) {
  CV_Assert(src.depth() == CV_32F && radius >= 0.0 && sigma > 0.0);
  const int width = 2 * static_cast<int>(std::ceil(radius)) + 1;
  std::vector<double> weight(width);
  double sum = 0.0;
  for (int i = 0; i < width; ++i) {
    weight[i] = std::exp(-static_cast<double>(i) * i / (2.0 * sigma * sigma));
    sum += weight[i];
  }
  const double rad = angle_deg * M_PI / 180.0;
  const double py = width * std::sin(rad), px = width * std::cos(rad);
  const double hyp = std::hypot(py, px);
  std::vector<cv::Point> offset;
  int pad = 0;
  for (int i = 0; i < width; ++i) {
    const int oy = static_cast<int>(std::ceil(i * py / hyp - 0.5));
    const int ox = static_cast<int>(std::ceil(i * px / hyp - 0.5));
    if (std::abs(oy) >= src.rows || std::abs(ox) >= src.cols) break;
    offset.emplace_back(ox, oy);
    pad = std::max({pad, std::abs(ox), std::abs(oy)});
  }
  cv::Mat padded;
  cv::copyMakeBorder(src, padded, pad, pad, pad, pad, cv::BORDER_REPLICATE);
  cv::Mat acc = cv::Mat::zeros(src.size(), src.type());
  for (size_t i = 0; i < offset.size(); ++i) {
    const cv::Mat shifted =
        padded(cv::Rect(pad + offset[i].x, pad + offset[i].y, src.cols, src.rows));
    cv::scaleAdd(shifted, weight[i] / sum, acc, acc);
  }
  dst = acc;
}

// ImageNet-C's disk(radius, alias_blur): the grid is np.arange(-8, 9) for r <= 8, else
// np.arange(-r, r + 1), which for a fractional r (the blood family's scaled radii) is ceil(2r + 1)
// points from -r in steps of 1; float32 like the reference, then cv2.GaussianBlur with its default
// border.
cv::Mat disk_kernel(double radius, double alias_blur) {
  const bool small = radius <= 8.0;
  const double start = small ? -8.0 : -radius;
  const int n = small ? 17 : static_cast<int>(std::ceil(2.0 * radius + 1.0));
  cv::Mat disk(n, n, CV_32F);
  float total = 0.0f;
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < n; ++c) {
      const double y = start + r, x = start + c;
      const float v = x * x + y * y <= radius * radius ? 1.0f : 0.0f;
      disk.at<float>(r, c) = v;
      total += v;
    }
  }
  disk /= total;
  const int ksize = small ? 3 : 5;
  cv::Mat out;
  cv::GaussianBlur(disk, out, cv::Size(ksize, ksize), alias_blur);
  return out;
}

}  // namespace gauntlet::corruptions
