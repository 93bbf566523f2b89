// Conversions between the uint8 images gauntlet stores and the [0,1] floats the references compute on.
#include "augmentations/corruption_kernels.hpp"

#include "augmentations/corruptions_impl.hpp"

namespace gauntlet::corruptions {

cv::Mat to_unit(const cv::Mat& u8) {
  CV_Assert(u8.depth() == CV_8U);
  cv::Mat f;
  u8.convertTo(f, CV_32F, 1.0 / 255.0);
  return f;
}

void from_unit(const cv::Mat& unit, cv::Mat& u8) {
  CV_Assert(unit.depth() == CV_32F);
  cv::Mat src = unit.isContinuous() ? unit : unit.clone();
  cv::Mat out(src.size(), CV_8UC(src.channels()));
  const float* in = src.ptr<float>();
  uint8_t* o = out.ptr<uint8_t>();
  const size_t n = src.total() * static_cast<size_t>(src.channels());
  for (size_t i = 0; i < n; ++i) o[i] = to_u8(in[i]);
  u8 = out;
}

}  // namespace gauntlet::corruptions
