// Digital corruptions of ImageNet-C (Hendrycks & Dietterich, ICLR 2019): brightness and saturation
// in HSV, contrast reduction towards each channel's mean, elastic warping, pixelation and JPEG
// compression, after make_imagenet_c.py (224 px), make_tinyimagenet_c.py (64 px) and
// make_cifar_c.py (32 px) of hendrycks/robustness.
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "augmentations/corruption_kernels.hpp"
#include "augmentations/corruptions_impl.hpp"

namespace gauntlet::corruptions {
namespace {

// One HSV channel of an RGB image mapped by clip(k * value + o, 0, 1), through skimage's rgb2hsv
// and hsv2rgb in float64 as the references do.
void scale_hsv_channel(const cv::Mat& src, cv::Mat& dst, int channel, double k, double o) {
  cv::Mat hsv;
  rgb_to_hsv(to_unit64(src), hsv);
  double* px = hsv.ptr<double>();
  for (size_t i = 0; i < hsv.total(); ++i) {
    px[3 * i + channel] = std::clamp(px[3 * i + channel] * k + o, 0.0, 1.0);
  }
  cv::Mat rgb;
  hsv_to_rgb(hsv, rgb);
  dst = from_unit64(rgb);
}

// `brightness`: HSV V = clip(V + c, 0, 1). A grey pixel's V is its value, so a grey image gets
// clip(x + c, 0, 1), as imagecorruptions does.
void brightness(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  const double c = p[0];
  if (src.channels() == 1) {
    cv::Mat lut(1, 256, CV_8U);
    for (int v = 0; v < 256; ++v) lut.at<uint8_t>(v) = to_u8(v / 255.0 + c);
    cv::LUT(src, lut, dst);
    return;
  }
  scale_hsv_channel(src, dst, 2, 1.0, c);
}

// `saturate` (an extra of ImageNet-C): HSV S = clip(S * k + o, 0, 1). A grey image has no hue to
// saturate: imagecorruptions stacks it to RGB, saturates and keeps R, which for hue 0 is V, the
// grey value itself, so grey images pass through unchanged.
void saturate(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  if (src.channels() == 1) {
    dst = src.clone();
    return;
  }
  scale_hsv_channel(src, dst, 1, p[0], p[1]);
}

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

// Index i of an axis of length n under scipy's 'reflect' (d c b a | a b c d | d c b a), repeated
// for indices any distance outside.
inline int reflect_index(int i, int n) {
  const int period = 2 * n;
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - 1 - i;
}

// skimage.filters.gaussian(mode='reflect', truncate=3) of a float64 plane: scipy's sampled
// Gaussian of radius int(3 sigma + 0.5). A kernel as wide as the image (ImageNet-C's severity 1
// has sigma 171 px at 224 px) is folded onto the image's indices, which makes each axis one
// n x n matrix product.
void gaussian_reflect(cv::Mat& plane, double sigma) {
  const int r = static_cast<int>(3.0 * sigma + 0.5);
  std::vector<double> w(2 * r + 1);
  double sum = 0;
  for (int j = -r; j <= r; ++j) sum += w[j + r] = std::exp(-0.5 * j * j / (sigma * sigma));
  for (double& v : w) v /= sum;
  if (r < std::min(plane.rows, plane.cols)) {
    const cv::Mat k(2 * r + 1, 1, CV_64F, w.data());
    cv::sepFilter2D(plane, plane, CV_64F, k, k, cv::Point(-1, -1), 0, cv::BORDER_REFLECT);
    return;
  }
  auto folded = [&](int n) {
    cv::Mat m = cv::Mat::zeros(n, n, CV_64F);
    for (int i = 0; i < n; ++i) {
      for (int j = -r; j <= r; ++j) m.at<double>(i, reflect_index(i + j, n)) += w[j + r];
    }
    return m;
  };
  plane = folded(plane.rows) * plane * folded(plane.cols).t();
}

// A displacement field: U(-1, 1) per pixel, smoothed by gaussian_reflect(sigma), times alpha.
cv::Mat displacement(int rows, int cols, double sigma, double alpha, Rng& rng) {
  cv::Mat d(rows, cols, CV_64F);
  double* v = d.ptr<double>();
  for (size_t i = 0; i < d.total(); ++i) v[i] = rng.uniform(-1.0, 1.0);
  if (sigma > 0) gaussian_reflect(d, sigma);
  return d * alpha;
}

// out(y, x) = bilinear sample of `img` at (y + dy, x + dx), edges reflected as scipy's
// map_coordinates(order=1, mode='reflect') does (half-sample symmetric).
void sample_displaced(const cv::Mat& img, cv::Mat& out, const cv::Mat& dx, const cv::Mat& dy) {
  const int h = img.rows, w = img.cols, ch = img.channels();
  for (int y = 0; y < h; ++y) {
    const double* ddx = dx.ptr<double>(y);
    const double* ddy = dy.ptr<double>(y);
    float* o = out.ptr<float>(y);
    for (int x = 0; x < w; ++x) {
      const double fy = y + ddy[x], fx = x + ddx[x];
      const double y0 = std::floor(fy), x0 = std::floor(fx);
      const float ty = static_cast<float>(fy - y0), tx = static_cast<float>(fx - x0);
      const float* r0 = img.ptr<float>(reflect_index(static_cast<int>(y0), h));
      const float* r1 = img.ptr<float>(reflect_index(static_cast<int>(y0) + 1, h));
      const int c0 = reflect_index(static_cast<int>(x0), w) * ch;
      const int c1 = reflect_index(static_cast<int>(x0) + 1, w) * ch;
      for (int k = 0; k < ch; ++k) {
        const float top = r0[c0 + k] + tx * (r0[c1 + k] - r0[c0 + k]);
        const float bottom = r1[c0 + k] + tx * (r1[c1 + k] - r1[c0 + k]);
        o[x * ch + k] = top + ty * (bottom - top);
      }
    }
  }
}

// `elastic_transform` of make_{imagenet,tinyimagenet,cifar}_c.py; p = (alpha, sigma, jitter) in
// pixels at the reference side p[3] (244 x ... at 224 px for ImageNet-C, whose comment admits the
// 244; 64 x ... and 32 x ... for Tiny ImageNet-C and CIFAR), scaled by longer side / p[3].
// A random affine moves the three points (c + s, c + s), (c + s, c - s), (c - s, c - s), c the
// centre and s = min side // 3, by U(-jitter, jitter) each (cv2.warpAffine, BORDER_REFLECT_101);
// then every pixel samples (bilinear, scipy's 'reflect' edges) at its position plus two smoothed
// displacement fields. The reference writes the centre as (H // 2, W // 2) in (x, y) order; we
// use (W // 2, H // 2), which is the same for the square images it was written for.
void elastic_transform(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const int h = src.rows, w = src.cols, ch = src.channels();
  const double scale = std::max(h, w) / p[3];
  const double alpha = p[0] * scale, sigma = p[1] * scale, jitter = p[2] * scale;
  // float32 throughout, divided and scaled back in single precision as the reference's numpy does,
  // so that untouched levels come back as themselves.
  cv::Mat img(h, w, CV_32FC(ch));
  const uint8_t* in = src.ptr<uint8_t>();
  float* x32 = img.ptr<float>();
  for (size_t i = 0; i < src.total() * ch; ++i) x32[i] = static_cast<float>(in[i]) / 255.0f;

  const float cx = static_cast<float>(w / 2), cy = static_cast<float>(h / 2);
  const float s = static_cast<float>(std::min(h, w) / 3);
  const cv::Point2f from[3] = {{cx + s, cy + s}, {cx + s, cy - s}, {cx - s, cy - s}};
  cv::Point2f to[3];
  for (int i = 0; i < 3; ++i) {
    const float jx = static_cast<float>(rng.uniform(-jitter, jitter));
    const float jy = static_cast<float>(rng.uniform(-jitter, jitter));
    to[i] = from[i] + cv::Point2f(jx, jy);
  }
  cv::Mat warped;
  cv::warpAffine(img, warped, cv::getAffineTransform(from, to), img.size(), cv::INTER_LINEAR,
                 cv::BORDER_REFLECT_101);
  cv::Mat out = warped;
  if (alpha > 0) {  // 0 for CIFAR's and Tiny ImageNet's severity 1: the affine only
    const cv::Mat dx = displacement(h, w, sigma, alpha, rng);  // drawn before dy
    const cv::Mat dy = displacement(h, w, sigma, alpha, rng);
    out = cv::Mat(h, w, CV_32FC(ch));
    sample_displaced(warped, out, dx, dy);
  }
  cv::Mat u8(h, w, src.type());
  const float* v = out.ptr<float>();
  uint8_t* o = u8.ptr<uint8_t>();
  for (size_t i = 0; i < src.total() * ch; ++i) {
    o[i] = static_cast<uint8_t>(std::clamp(v[i], 0.0f, 1.0f) * 255.0f);
  }
  dst = u8;
}

// `pixelate`: PIL's BOX resize to (int(W c), int(H c)) and back (pixelate_box).
void pixelate(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  pixelate_box(src, dst, p[0]);
}

// `jpeg_compression`: PIL's save(quality = c) and reopen. Grey images are saved as one-component
// (grey) JPEGs, as PIL does for an "L" image.
void jpeg_compression(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  jpeg_roundtrip(src, dst, static_cast<int>(p[0]));
}

}  // namespace

std::vector<CorruptionEntry> digital_corruptions() {
  return {
      {{"", "brightness", kImageNetC, "HSV V = clip(V + c)", true, true},
       {{{{.05}, {.1}, {.15}, {.2}, {.3}}},
        {{{.1}, {.2}, {.3}, {.4}, {.5}}},
        {{{.1}, {.2}, {.3}, {.4}, {.5}}}},
       &brightness},
      {{"", "contrast", kImageNetC, "(x - channel mean) * c + channel mean", true, true},
       {{{{.75}, {.5}, {.4}, {.3}, {.15}}},
        {{{.4}, {.3}, {.2}, {.1}, {.05}}},
        {{{.4}, {.3}, {.2}, {.1}, {.05}}}},
       &contrast},
      // (alpha, sigma, jitter) in pixels at the reference side, then that side.
      {{"", "elastic_transform", kImageNetC,
        "random affine, then displacement fields gaussian(U(-1, 1), sigma) * alpha", false, true},
       {{{{32 * 0., 32 * 0., 32 * .08, 32},
          {32 * .05, 32 * .2, 32 * .07, 32},
          {32 * .08, 32 * .06, 32 * .06, 32},
          {32 * .1, 32 * .04, 32 * .05, 32},
          {32 * .1, 32 * .03, 32 * .03, 32}}},
        {{{64 * 0., 64 * 0., 64 * .08, 64},
          {64 * .05, 64 * .3, 64 * .06, 64},
          {64 * .1, 64 * .08, 64 * .06, 64},
          {64 * .1, 64 * .03, 64 * .03, 64},
          {64 * .16, 64 * .03, 64 * .02, 64}}},
        {{{244 * 2., 244 * .7, 244 * .1, 224},
          {244 * 2., 244 * .08, 244 * .2, 224},
          {244 * .05, 244 * .01, 244 * .02, 224},
          {244 * .07, 244 * .01, 244 * .02, 224},
          {244 * .12, 244 * .01, 244 * .02, 224}}}},
       &elastic_transform},
      {{"", "pixelate", kImageNetC, "BOX resize down to side * c, BOX back up", true, true},
       {{{{.95}, {.9}, {.85}, {.75}, {.65}}},
        {{{.9}, {.8}, {.7}, {.6}, {.5}}},
        {{{.6}, {.5}, {.4}, {.3}, {.25}}}},
       &pixelate},
      {{"", "jpeg_compression", kImageNetC, "JPEG at quality c (PIL's settings)", true, true},
       {{{{80}, {65}, {58}, {50}, {40}}},
        {{{65}, {58}, {50}, {40}, {25}}},
        {{{25}, {18}, {15}, {10}, {7}}}},
       &jpeg_compression},
      {{"", "saturate", kImageNetC, "HSV S = clip(S * k + o)", true, false},
       {{{{.3, 0}, {.1, 0}, {1.5, 0}, {2, .1}, {2.5, .2}}},
        {{{.3, 0}, {.1, 0}, {2, 0}, {5, .1}, {30, .2}}},
        {{{.3, 0}, {.1, 0}, {2, 0}, {5, .1}, {20, .2}}}},
       &saturate},
  };
}

}  // namespace gauntlet::corruptions
