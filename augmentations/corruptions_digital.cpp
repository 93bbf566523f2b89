// Digital corruptions of ImageNet-C (Hendrycks & Dietterich, ICLR 2019): contrast reduction
// towards each channel's mean.
#include <vector>

#include "augmentations/corruptions_impl.hpp"

namespace gauntlet::corruptions {
namespace {

void contrast(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  const double c = p[0];
  const int ch = src.channels();
  const size_t pixels = src.total();
  const uint8_t* in = src.ptr<uint8_t>();
  // The reference takes the mean of x/255 over height and width, per channel.
  std::vector<double> mean(ch, 0.0);
  for (size_t px = 0; px < pixels; ++px) {
    for (int k = 0; k < ch; ++k) mean[k] += in[px * ch + k];
  }
  for (int k = 0; k < ch; ++k) mean[k] = mean[k] / 255.0 / static_cast<double>(pixels);
  cv::Mat out(src.size(), src.type());
  uint8_t* o = out.ptr<uint8_t>();
  for (size_t px = 0; px < pixels; ++px) {
    for (int k = 0; k < ch; ++k) {
      o[px * ch + k] = to_u8((in[px * ch + k] / 255.0 - mean[k]) * c + mean[k]);
    }
  }
  dst = out;
}

}  // namespace

std::vector<CorruptionEntry> digital_corruptions() {
  return {
      {{"", "contrast", kImageNetC, "(x - channel mean) * c + channel mean", true, true},
       {{{{.75}, {.5}, {.4}, {.3}, {.15}}},
        {{{.4}, {.3}, {.2}, {.1}, {.05}}},
        {{{.4}, {.3}, {.2}, {.1}, {.05}}}},
       &contrast},
  };
}

}  // namespace gauntlet::corruptions
