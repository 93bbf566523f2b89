// Conversions between the uint8 images gauntlet stores and the [0,1] floats the references compute on.
#include "augmentations/corruption_kernels.hpp"

#include "augmentations/corruptions_impl.hpp"

#include <opencv2/core.hpp>

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

cv::Mat to_unit64(const cv::Mat& u8) {
  CV_Assert(u8.depth() == CV_8U);
  static const cv::Mat lut = [] {
    cv::Mat t(1, 256, CV_64F);
    for (int v = 0; v < 256; ++v) t.at<double>(v) = v / 255.0;
    return t;
  }();
  cv::Mat x;
  cv::LUT(u8, lut, x);
  return x;
}

cv::Mat from_unit64(const cv::Mat& x) {
  CV_Assert(x.depth() == CV_64F);
  const cv::Mat src = x.isContinuous() ? x : x.clone();
  cv::Mat out(src.size(), CV_8UC(src.channels()));
  const double* in = src.ptr<double>();
  uint8_t* o = out.ptr<uint8_t>();
  const size_t n = src.total() * static_cast<size_t>(src.channels());
  for (size_t i = 0; i < n; ++i) o[i] = to_u8(in[i]);
  return out;
}

}  // namespace gauntlet::corruptions
