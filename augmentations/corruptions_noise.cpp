// Noise corruptions of ImageNet-C (Hendrycks & Dietterich, ICLR 2019): additive Gaussian noise.
#include "augmentations/corruptions_impl.hpp"

namespace gauntlet::corruptions {

// sigma on the [0,1] scale: CIFAR-10-C, Tiny ImageNet-C, ImageNet-C.
const Table5 kGaussianNoise = {{.04, .06, .08, .09, .10},
                               {.04, .08, .12, .15, .18},
                               {.08, .12, .18, .26, .38}};

void gaussian_noise(const cv::Mat& src, cv::Mat& dst, double c, Rng& rng) {
  CV_Assert(src.depth() == CV_8U && src.isContinuous());
  cv::Mat out(src.size(), src.type());
  const uint8_t* in = src.ptr<uint8_t>();
  uint8_t* o = out.ptr<uint8_t>();
  const size_t n = src.total() * src.channels();
  for (size_t i = 0; i < n; ++i) o[i] = to_u8(in[i] / 255.0 + c * rng.normal());
  dst = out;
}

}  // namespace gauntlet::corruptions
