// Random erasing as torchvision's RandomErasing draws it (Zhong et al., "Random Erasing Data
// Augmentation", AAAI 2020): up to 10 tries of area U(scale) x H x W and aspect ratio
// exp(U(log ratio_min, log ratio_max)); the first rectangle that fits is placed uniformly and
// filled. If none fits the image is returned unchanged, as torchvision does.
#include "augmentations/occlusion.hpp"

#include <cmath>

namespace gauntlet {

void Erase::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  cv::Mat out = src.clone();
  if (rng.bernoulli(o_.p)) {
    const double area = static_cast<double>(src.rows) * src.cols;
    const double log_lo = std::log(o_.ratio_min), log_hi = std::log(o_.ratio_max);
    for (int attempt = 0; attempt < 10; ++attempt) {
      const double target = area * rng.uniform(o_.scale_min, o_.scale_max);
      const double ratio = std::exp(rng.uniform(log_lo, log_hi));
      const int h = static_cast<int>(std::lround(std::sqrt(target * ratio)));
      const int w = static_cast<int>(std::lround(std::sqrt(target / ratio)));
      if (h < 1 || w < 1 || h >= src.rows || w >= src.cols) continue;
      const int y = static_cast<int>(rng.below(src.rows - h + 1));
      const int x = static_cast<int>(rng.below(src.cols - w + 1));
      cv::Mat patch = out(cv::Rect(x, y, w, h));
      if (o_.fill == EraseFill::kConstant) {
        patch.setTo(cv::Scalar::all(o_.value));
      } else {
        for (int r = 0; r < h; ++r) {
          uint8_t* p = patch.ptr<uint8_t>(r);
          for (int i = 0; i < w * src.channels(); ++i) p[i] = static_cast<uint8_t>(rng.below(256));
        }
      }
      break;
    }
  }
  dst = out;
}

}  // namespace gauntlet
