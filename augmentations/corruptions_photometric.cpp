// Photometric corruptions of ImageNet-C (Hendrycks & Dietterich, ICLR 2019): contrast reduction
// towards each channel's mean.
#include <vector>

#include "augmentations/corruptions_impl.hpp"

namespace gauntlet::corruptions {

const Table5 kContrast = {{.75, .5, .4, .3, .15},
                          {.4, .3, .2, .1, .05},
                          {.4, .3, .2, .1, .05}};

void contrast(const cv::Mat& src, cv::Mat& dst, double c, Rng& /*rng*/) {
  CV_Assert(src.depth() == CV_8U && src.isContinuous());
  const int ch = src.channels();
  const size_t pixels = src.total();
  const uint8_t* in = src.ptr<uint8_t>();
  // The reference takes the mean of x/255 over height and width, per channel.
  std::vector<double> mean(ch, 0.0);
  for (size_t p = 0; p < pixels; ++p) {
    for (int k = 0; k < ch; ++k) mean[k] += in[p * ch + k];
  }
  for (int k = 0; k < ch; ++k) mean[k] = mean[k] / 255.0 / static_cast<double>(pixels);
  cv::Mat out(src.size(), src.type());
  uint8_t* o = out.ptr<uint8_t>();
  for (size_t p = 0; p < pixels; ++p) {
    for (int k = 0; k < ch; ++k) {
      o[p * ch + k] = to_u8((in[p * ch + k] / 255.0 - mean[k]) * c + mean[k]);
    }
  }
  dst = out;
}

}  // namespace gauntlet::corruptions
