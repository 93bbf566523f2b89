// Noise corruptions of ImageNet-C (Hendrycks & Dietterich, ICLR 2019): additive Gaussian noise.
#include "augmentations/corruptions_impl.hpp"

namespace gauntlet::corruptions {
namespace {

// sigma on the [0,1] scale.
void gaussian_noise(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double c = p[0];
  cv::Mat out(src.size(), src.type());
  const uint8_t* in = src.ptr<uint8_t>();
  uint8_t* o = out.ptr<uint8_t>();
  const size_t n = src.total() * src.channels();
  for (size_t i = 0; i < n; ++i) o[i] = to_u8(in[i] / 255.0 + c * rng.normal());
  dst = out;
}

}  // namespace

std::vector<CorruptionEntry> noise_corruptions() {
  return {
      // CIFAR-10-C, Tiny ImageNet-C, ImageNet-C.
      {{"", "gaussian_noise", kImageNetC, "x + N(0, c) per element", false, true},
       {{{{.04}, {.06}, {.08}, {.09}, {.10}}},
        {{{.04}, {.08}, {.12}, {.15}, {.18}}},
        {{{.08}, {.12}, {.18}, {.26}, {.38}}}},
       &gaussian_noise},
  };
}

}  // namespace gauntlet::corruptions
