// Photometric transforms after torchvision 0.14 (transforms.py, functional_tensor.py) on uint8
// tensors. Where torchvision computes in float32 and casts back by truncation (the _blend of
// brightness, contrast, saturation and sharpness, rgb_to_grayscale, adjust_hue, autocontrast,
// and adjust_gamma's x * 255.999), so do we, so that parity holds value by value rather than on
// average. Per-value maps are 256-entry LUTs (cv::LUT); only saturation, hue, sharpness and noise
// touch pixels one by one (hue 16 at a time in OpenCV's 128-bit vectors, branch-free, with the
// scalar code's float32 operations in the same order, so the bytes are the same).
//
// Differences from torchvision, on purpose:
//   - adjust_hue with a shift of 0 returns the input (torchvision's float round trip can lose a
//     grey level by truncation); ColorJitter leaves out a part whose range is [1, 1] ([0, 0] for
//     hue), as torchvision leaves out a part given as None.
//   - Every op has a probability p; ranges replace the single values of RandomPosterize and
//     RandomAdjustSharpness; gamma has no gain.
//   - Grey images: saturation, hue and channel_shuffle leave them as they are, grayscale too;
//     contrast blends with the image's own mean, as torchvision does for 1-channel tensors.
//   - gaussian_blur is separable (torchvision convolves with the outer product of the same 1-D
//     kernel); the results differ by float rounding only.
//   - gaussian_noise and channel_shuffle are not torchvision transforms (albumentations' GaussNoise
//     and ChannelShuffle); jpeg is the PIL quality round trip of ImageNet-C's jpeg_compression.
#include "augmentations/photometric.hpp"

#include <opencv2/core/hal/intrin.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "augmentations/corruption_kernels.hpp"

namespace gauntlet {
namespace {

using Lut = std::array<uint8_t, 256>;

void keep(const cv::Mat& src, cv::Mat& dst) {
  if (dst.data != src.data) src.copyTo(dst);
}

void check_u8(const cv::Mat& src) {
  CV_Assert(src.depth() == CV_8U && (src.channels() == 1 || src.channels() == 3));
}

void apply_lut(const cv::Mat& src, cv::Mat& dst, const Lut& lut) {
  const cv::Mat table(1, 256, CV_8U, const_cast<uint8_t*>(lut.data()));
  cv::Mat out;
  cv::LUT(src, table, out);
  dst = out;
}

// torchvision's _blend on uint8: (ratio a + (1 - ratio) b) in float32, clamped, truncated.
struct Blend {
  explicit Blend(double ratio) : r(static_cast<float>(ratio)), q(static_cast<float>(1.0 - ratio)) {}
  uint8_t operator()(float a, float b) const {
    const float v = std::min(std::max(r * a + q * b, 0.0f), 255.0f);
    return static_cast<uint8_t>(v);
  }
  float r, q;
};

// rgb_to_grayscale's float32 terms 0.2989 r, 0.587 g, 0.114 b, one table each.
struct GreyTables {
  GreyTables() {
    for (int v = 0; v < 256; ++v) {
      r[v] = 0.2989f * static_cast<float>(v);
      g[v] = 0.587f * static_cast<float>(v);
      b[v] = 0.114f * static_cast<float>(v);
    }
  }
  uint8_t operator()(const uint8_t* px) const {
    return static_cast<uint8_t>((r[px[0]] + g[px[1]]) + b[px[2]]);
  }
  float r[256], g[256], b[256];
};

const GreyTables& grey_tables() {
  static const GreyTables tables;
  return tables;
}

// x mod 1 as torch.remainder(x, 1.0) and torch.fmod(x, 1.0) give it for the x met here
// (-0.5 <= x < 2): x - floor(x) is exact there, and much cheaper than std::fmod.
float mod1(float x) { return x - std::floor(x); }

// Value / 255 in float32, as torch's uint8 -> float conversion divides.
struct UnitTable {
  UnitTable() {
    for (int v = 0; v < 256; ++v) x[v] = static_cast<float>(v) / 255.0f;
  }
  float x[256];
};

// torchvision's _rgb2hsv, the hue shift and _hsv2rgb for one pixel, in float32.
void shift_hue(const uint8_t* in, uint8_t* out, float shift, const UnitTable& unit) {
  const float r = unit.x[in[0]], g = unit.x[in[1]], b = unit.x[in[2]];
  const float maxc = std::max(std::max(r, g), b);
  const float minc = std::min(std::min(r, g), b);
  const bool eqc = maxc == minc;
  const float cr = maxc - minc;
  const float s = cr / (eqc ? 1.0f : maxc);
  const float crd = eqc ? 1.0f : cr;
  const float rc = (maxc - r) / crd, gc = (maxc - g) / crd, bc = (maxc - b) / crd;
  const float hr = maxc == r ? bc - gc : 0.0f;
  const float hg = (maxc == g && maxc != r) ? 2.0f + rc - bc : 0.0f;
  const float hb = (maxc != g && maxc != r) ? 4.0f + gc - rc : 0.0f;
  const float h = mod1(mod1((hr + hg + hb) / 6.0f + 1.0f) + shift);

  const float v = maxc;
  const float h6 = h * 6.0f;
  const float i = std::floor(h6);
  const float f = h6 - i;
  const int sector = static_cast<int>(i) % 6;
  const float p = std::clamp(v * (1.0f - s), 0.0f, 1.0f);
  const float qq = std::clamp(v * (1.0f - s * f), 0.0f, 1.0f);
  const float t = std::clamp(v * (1.0f - s * (1.0f - f)), 0.0f, 1.0f);
  float rgb[3];
  switch (sector) {
    case 0: rgb[0] = v, rgb[1] = t, rgb[2] = p; break;
    case 1: rgb[0] = qq, rgb[1] = v, rgb[2] = p; break;
    case 2: rgb[0] = p, rgb[1] = v, rgb[2] = t; break;
    case 3: rgb[0] = p, rgb[1] = qq, rgb[2] = v; break;
    case 4: rgb[0] = t, rgb[1] = p, rgb[2] = v; break;
    default: rgb[0] = v, rgb[1] = p, rgb[2] = qq; break;
  }
  for (int c = 0; c < 3; ++c) out[c] = static_cast<uint8_t>(rgb[c] * 255.0f);
}

// The vector form needs IEEE division, which OpenCV's 128-bit vectors give everywhere but on
// 32-bit ARM (CV_SIMD128_64F = 0 there, where OpenCV divides by a refined reciprocal).
#if CV_SIMD128 && CV_SIMD128_64F
using cv::v_float32x4;
using cv::v_int32x4;
using cv::v_uint16x8;
using cv::v_uint32x4;
using cv::v_uint8x16;

// shift_hue on 4 pixels: the same float32 operations in the same order, with selects in place of
// the branches, so that every byte equals shift_hue's. Where the vector forms differ they cannot
// change a result: every value is >= +0, so v_max and v_min pick what std::max and std::min pick;
// v_floor is exact; min(max(x, 0), 1) gives +0 where std::clamp gives -0, both truncating to 0.
void shift_hue4(v_float32x4& r, v_float32x4& g, v_float32x4& b, const v_float32x4& shift) {
  const v_float32x4 zero = cv::v_setzero_f32(), one = cv::v_setall_f32(1.0f);
  const v_float32x4 six = cv::v_setall_f32(6.0f);
  const v_float32x4 maxc = v_max(v_max(r, g), b);
  const v_float32x4 minc = v_min(v_min(r, g), b);
  const v_float32x4 eqc = maxc == minc;
  const v_float32x4 cr = maxc - minc;
  const v_float32x4 s = cr / v_select(eqc, one, maxc);
  const v_float32x4 crd = v_select(eqc, one, cr);
  const v_float32x4 rc = (maxc - r) / crd, gc = (maxc - g) / crd, bc = (maxc - b) / crd;
  const v_float32x4 is_r = maxc == r, is_g = maxc == g;
  const v_float32x4 hr = v_select(is_r, bc - gc, zero);
  const v_float32x4 hg = v_select(is_g & ~is_r, cv::v_setall_f32(2.0f) + rc - bc, zero);
  const v_float32x4 hb = v_select(~(is_g | is_r), cv::v_setall_f32(4.0f) + gc - rc, zero);
  const auto mod1 = [](const v_float32x4& x) { return x - v_cvt_f32(v_floor(x)); };
  const v_float32x4 h = mod1(mod1((hr + hg + hb) / six + one) + shift);

  const v_float32x4 v = maxc;
  const v_float32x4 h6 = h * six;
  const v_float32x4 i = v_cvt_f32(v_floor(h6));
  const v_float32x4 f = h6 - i;
  const v_float32x4 sector = v_select(i == six, zero, i);  // h may round up to 1: sector 6 is 0
  const auto clamp01 = [&](const v_float32x4& x) { return v_min(v_max(x, zero), one); };
  const v_float32x4 p = clamp01(v * (one - s));
  const v_float32x4 qq = clamp01(v * (one - s * f));
  const v_float32x4 t = clamp01(v * (one - s * (one - f)));
  const auto in = [&](float k) { return sector == cv::v_setall_f32(k); };
  const v_float32x4 s0 = in(0), s1 = in(1), s2 = in(2), s3 = in(3), s4 = in(4), s5 = in(5);
  // shift_hue's switch by columns: sector 0..5 gives r = v qq p p t v, g = t v v qq p p,
  // b = p p t v v qq.
  r = v_select(s0 | s5, v, v_select(s1, qq, v_select(s4, t, p)));
  g = v_select(s1 | s2, v, v_select(s0, t, v_select(s3, qq, p)));
  b = v_select(s3 | s4, v, v_select(s2, t, v_select(s5, qq, p)));
}

// 16 bytes as 4 x 4 floats v / 255, as UnitTable holds them.
void unit_floats(const v_uint8x16& x, v_float32x4 (&f)[4]) {
  const v_float32x4 scale = cv::v_setall_f32(255.0f);
  v_uint16x8 lo, hi;
  v_expand(x, lo, hi);
  v_uint32x4 q[4];
  v_expand(lo, q[0], q[1]);
  v_expand(hi, q[2], q[3]);
  for (int k = 0; k < 4; ++k) f[k] = v_cvt_f32(v_reinterpret_as_s32(q[k])) / scale;
}

// 4 x 4 floats in [0, 1] as 16 bytes trunc(255 x).
v_uint8x16 unit_bytes(const v_float32x4 (&f)[4]) {
  const v_float32x4 scale = cv::v_setall_f32(255.0f);
  v_int32x4 q[4];
  for (int k = 0; k < 4; ++k) q[k] = v_trunc(f[k] * scale);
  return v_pack_u(v_pack(q[0], q[1]), v_pack(q[2], q[3]));
}
#endif

// shift_hue over n RGB pixels, 16 at a time where vectors allow.
void shift_hue_run(const uint8_t* in, uint8_t* out, int n, float shift, const UnitTable& unit) {
  int x = 0;
#if CV_SIMD128 && CV_SIMD128_64F
  const v_float32x4 vshift = cv::v_setall_f32(shift);
  for (; x + 16 <= n; x += 16) {
    v_uint8x16 r8, g8, b8;
    v_load_deinterleave(in + 3 * x, r8, g8, b8);
    v_float32x4 r[4], g[4], b[4];
    unit_floats(r8, r);
    unit_floats(g8, g);
    unit_floats(b8, b);
    for (int k = 0; k < 4; ++k) shift_hue4(r[k], g[k], b[k], vshift);
    v_store_interleave(out + 3 * x, unit_bytes(r), unit_bytes(g), unit_bytes(b));
  }
#endif
  for (; x < n; ++x) shift_hue(in + 3 * x, out + 3 * x, shift, unit);
}

// Blends src with `other` (same size and type) element by element, as _blend does.
void blend_images(const cv::Mat& src, const cv::Mat& other, cv::Mat& dst, double ratio) {
  const Blend blend(ratio);
  cv::Mat out(src.size(), src.type());
  const int n = src.cols * src.channels();
  for (int y = 0; y < src.rows; ++y) {
    const uint8_t* a = src.ptr<uint8_t>(y);
    const uint8_t* b = other.ptr<uint8_t>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int i = 0; i < n; ++i) o[i] = blend(a[i], b[i]);
  }
  dst = out;
}

// Fisher-Yates over n items with the op's Rng; always the same number of draws.
template <size_t N>
std::array<int, N> permutation(Rng& rng) {
  std::array<int, N> perm;
  for (size_t i = 0; i < N; ++i) perm[i] = static_cast<int>(i);
  for (size_t i = N - 1; i > 0; --i) std::swap(perm[i], perm[rng.below(i + 1)]);
  return perm;
}

int uniform_int(Rng& rng, int lo, int hi) {
  return lo + static_cast<int>(rng.below(static_cast<uint64_t>(hi - lo) + 1));
}

}  // namespace

// --- kernels ---------------------------------------------------------------------------------------

void adjust_brightness(const cv::Mat& src, cv::Mat& dst, double factor) {
  check_u8(src);
  const Blend blend(factor);
  Lut lut;
  for (int v = 0; v < 256; ++v) lut[v] = blend(static_cast<float>(v), 0.0f);
  apply_lut(src, dst, lut);
}

void adjust_contrast(const cv::Mat& src, cv::Mat& dst, double factor) {
  check_u8(src);
  double sum = 0;
  if (src.channels() == 3) {
    const GreyTables& grey = grey_tables();
    for (int y = 0; y < src.rows; ++y) {
      const uint8_t* p = src.ptr<uint8_t>(y);
      for (int x = 0; x < src.cols; ++x) sum += grey(p + 3 * x);
    }
  } else {
    sum = cv::sum(src)[0];
  }
  const float mean = static_cast<float>(sum / static_cast<double>(src.total()));
  const Blend blend(factor);
  Lut lut;
  for (int v = 0; v < 256; ++v) lut[v] = blend(static_cast<float>(v), mean);
  apply_lut(src, dst, lut);
}

void adjust_saturation(const cv::Mat& src, cv::Mat& dst, double factor) {
  check_u8(src);
  if (src.channels() == 1) return keep(src, dst);
  const GreyTables& grey = grey_tables();
  const Blend blend(factor);
  float own[256], other[256];  // the two products of the blend, by value
  for (int v = 0; v < 256; ++v) {
    own[v] = blend.r * static_cast<float>(v);
    other[v] = blend.q * static_cast<float>(v);
  }
  cv::Mat out(src.size(), src.type());
  for (int y = 0; y < src.rows; ++y) {
    const uint8_t* p = src.ptr<uint8_t>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < src.cols; ++x, p += 3, o += 3) {
      const float g = other[grey(p)];
      for (int c = 0; c < 3; ++c) {
        o[c] = static_cast<uint8_t>(std::min(std::max(own[p[c]] + g, 0.0f), 255.0f));
      }
    }
  }
  dst = out;
}

void adjust_hue(const cv::Mat& src, cv::Mat& dst, double shift) {
  check_u8(src);
  CV_Assert(shift >= -0.5 && shift <= 0.5);
  if (src.channels() == 1 || shift == 0.0) return keep(src, dst);
  static const UnitTable unit;
  const float s = static_cast<float>(shift);
  cv::Mat out(src.size(), src.type());
  if (src.isContinuous()) {
    shift_hue_run(src.ptr<uint8_t>(), out.ptr<uint8_t>(), static_cast<int>(src.total()), s, unit);
  } else {
    for (int y = 0; y < src.rows; ++y) {
      shift_hue_run(src.ptr<uint8_t>(y), out.ptr<uint8_t>(y), src.cols, s, unit);
    }
  }
  dst = out;
}

void adjust_gamma(const cv::Mat& src, cv::Mat& dst, double gamma) {
  check_u8(src);
  CV_Assert(gamma >= 0);
  const float g = static_cast<float>(gamma);
  Lut lut;
  for (int v = 0; v < 256; ++v) {
    const float x = std::clamp(std::pow(static_cast<float>(v) / 255.0f, g), 0.0f, 1.0f);
    lut[v] = static_cast<uint8_t>(x * 255.999f);
  }
  apply_lut(src, dst, lut);
}

void to_grayscale(const cv::Mat& src, cv::Mat& dst) {
  check_u8(src);
  if (src.channels() == 1) return keep(src, dst);
  const GreyTables& grey = grey_tables();
  cv::Mat out(src.size(), src.type());
  for (int y = 0; y < src.rows; ++y) {
    const uint8_t* p = src.ptr<uint8_t>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < src.cols; ++x, p += 3, o += 3) o[0] = o[1] = o[2] = grey(p);
  }
  dst = out;
}

void equalize(const cv::Mat& src, cv::Mat& dst) {
  check_u8(src);
  const int ch = src.channels();
  std::array<std::array<int64_t, 256>, 3> hist{};
  for (int y = 0; y < src.rows; ++y) {
    const uint8_t* p = src.ptr<uint8_t>(y);
    for (int c = 0; c < ch; ++c) {
      for (int x = 0; x < src.cols; ++x) ++hist[c][p[x * ch + c]];
    }
  }
  cv::Mat table(1, 256, CV_8UC(ch));
  uint8_t* t = table.ptr<uint8_t>();
  for (int c = 0; c < ch; ++c) {
    // PIL's step: the pixels of every value but the highest present, over 255.
    int last = 255;
    while (last > 0 && hist[c][last] == 0) --last;
    int64_t below_last = 0;
    for (int v = 0; v < last; ++v) below_last += hist[c][v];
    const int64_t step = below_last / 255;
    int64_t cum = 0;
    for (int v = 0; v < 256; ++v) {
      if (step == 0) {
        t[v * ch + c] = static_cast<uint8_t>(v);
        continue;
      }
      t[v * ch + c] = static_cast<uint8_t>(std::min<int64_t>((cum + step / 2) / step, 255));
      cum += hist[c][v];
    }
  }
  cv::Mat out;
  cv::LUT(src, table, out);
  dst = out;
}

void autocontrast(const cv::Mat& src, cv::Mat& dst) {
  check_u8(src);
  const int ch = src.channels();
  std::array<double, 3> lo{}, hi{};
  std::vector<cv::Mat> planes;
  cv::split(src, planes);
  for (int c = 0; c < ch; ++c) cv::minMaxLoc(planes[c], &lo[c], &hi[c]);
  cv::Mat table(1, 256, CV_8UC(ch));
  uint8_t* t = table.ptr<uint8_t>();
  for (int c = 0; c < ch; ++c) {
    // A constant channel has an infinite scale; torchvision keeps it (minimum 0, scale 1).
    const float minimum = hi[c] == lo[c] ? 0.0f : static_cast<float>(lo[c]);
    const float scale = hi[c] == lo[c] ? 1.0f : 255.0f / static_cast<float>(hi[c] - lo[c]);
    for (int v = 0; v < 256; ++v) {
      const float x = std::min(std::max((static_cast<float>(v) - minimum) * scale, 0.0f), 255.0f);
      t[v * ch + c] = static_cast<uint8_t>(x);
    }
  }
  cv::Mat out;
  cv::LUT(src, table, out);
  dst = out;
}

void posterize(const cv::Mat& src, cv::Mat& dst, int bits) {
  check_u8(src);
  CV_Assert(bits >= 0 && bits <= 8);
  const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - bits));
  Lut lut;
  for (int v = 0; v < 256; ++v) lut[v] = static_cast<uint8_t>(v & mask);
  apply_lut(src, dst, lut);
}

void solarize(const cv::Mat& src, cv::Mat& dst, int threshold) {
  check_u8(src);
  Lut lut;
  for (int v = 0; v < 256; ++v) lut[v] = static_cast<uint8_t>(v >= threshold ? 255 - v : v);
  apply_lut(src, dst, lut);
}

void invert(const cv::Mat& src, cv::Mat& dst) {
  check_u8(src);
  cv::Mat out;
  cv::bitwise_not(src, out);
  dst = out;
}

void adjust_sharpness(const cv::Mat& src, cv::Mat& dst, double factor) {
  check_u8(src);
  if (src.rows <= 2 || src.cols <= 2) return keep(src, dst);
  float w[9];
  for (float& x : w) x = 1.0f / 13.0f;
  w[4] = 5.0f / 13.0f;
  const cv::Mat kernel(3, 3, CV_32F, w);
  cv::Mat smooth;
  cv::filter2D(src, smooth, CV_32F, kernel, cv::Point(-1, -1), 0, cv::BORDER_REPLICATE);
  // The smoothed image rounds half to even (torch.round, like cvRound) and keeps src's border.
  cv::Mat degenerate = src.clone();
  const cv::Rect inner(1, 1, src.cols - 2, src.rows - 2);
  smooth(inner).convertTo(degenerate(inner), CV_8U);
  blend_images(src, degenerate, dst, factor);
}

void gaussian_blur(const cv::Mat& src, cv::Mat& dst, int kernel_size, double sigma) {
  check_u8(src);
  CV_Assert(kernel_size >= 1 && kernel_size % 2 == 1 && sigma > 0);
  if (kernel_size == 1) return keep(src, dst);
  cv::Mat kernel(kernel_size, 1, CV_32F);
  const float half = static_cast<float>(kernel_size - 1) * 0.5f;
  const float s = static_cast<float>(sigma);
  float sum = 0;
  for (int i = 0; i < kernel_size; ++i) {
    const float x = (-half + static_cast<float>(i)) / s;
    kernel.at<float>(i) = std::exp(-0.5f * x * x);
    sum += kernel.at<float>(i);
  }
  kernel /= sum;
  cv::Mat out;
  cv::sepFilter2D(src, out, CV_8U, kernel, kernel, cv::Point(-1, -1), 0, cv::BORDER_REFLECT_101);
  dst = out;
}

// --- transforms ------------------------------------------------------------------------------------
// Each draws p first, then every parameter whether or not p fires.

void Brightness::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const double factor = rng.uniform(o_.factor_min, o_.factor_max);
  on ? adjust_brightness(src, dst, factor) : keep(src, dst);
}

void Contrast::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const double factor = rng.uniform(o_.factor_min, o_.factor_max);
  on ? adjust_contrast(src, dst, factor) : keep(src, dst);
}

void Saturation::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const double factor = rng.uniform(o_.factor_min, o_.factor_max);
  on ? adjust_saturation(src, dst, factor) : keep(src, dst);
}

void Hue::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const double shift = rng.uniform(o_.shift_min, o_.shift_max);
  on ? adjust_hue(src, dst, shift) : keep(src, dst);
}

void ColorJitter::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  // torchvision's get_params order: the permutation, then the four factors.
  const bool on = rng.bernoulli(o_.p);
  const std::array<int, 4> order = permutation<4>(rng);
  const double b = rng.uniform(o_.brightness_min, o_.brightness_max);
  const double c = rng.uniform(o_.contrast_min, o_.contrast_max);
  const double s = rng.uniform(o_.saturation_min, o_.saturation_max);
  const double h = rng.uniform(o_.hue_min, o_.hue_max);
  if (!on) return keep(src, dst);
  cv::Mat cur = src;
  for (int part : order) {
    cv::Mat next;
    if (part == 0 && !(o_.brightness_min == 1 && o_.brightness_max == 1)) {
      adjust_brightness(cur, next, b);
    } else if (part == 1 && !(o_.contrast_min == 1 && o_.contrast_max == 1)) {
      adjust_contrast(cur, next, c);
    } else if (part == 2 && !(o_.saturation_min == 1 && o_.saturation_max == 1)) {
      adjust_saturation(cur, next, s);
    } else if (part == 3 && !(o_.hue_min == 0 && o_.hue_max == 0)) {
      adjust_hue(cur, next, h);
    } else {
      continue;
    }
    cur = next;
  }
  if (cur.data == src.data) {
    keep(src, dst);
  } else {
    dst = cur;
  }
}

void Gamma::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const double gamma = rng.uniform(o_.gamma_min, o_.gamma_max);
  on ? adjust_gamma(src, dst, gamma) : keep(src, dst);
}

void Grayscale::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  rng.bernoulli(o_.p) ? to_grayscale(src, dst) : keep(src, dst);
}

void ChannelShuffle::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const std::array<int, 3> perm = permutation<3>(rng);
  if (!on || src.channels() != 3) return keep(src, dst);
  cv::Mat out(src.size(), src.type());
  const int from_to[] = {perm[0], 0, perm[1], 1, perm[2], 2};
  cv::mixChannels(&src, 1, &out, 1, from_to, 3);
  dst = out;
}

void Equalize::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  rng.bernoulli(o_.p) ? equalize(src, dst) : keep(src, dst);
}

void Autocontrast::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  rng.bernoulli(o_.p) ? autocontrast(src, dst) : keep(src, dst);
}

void Posterize::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const int bits = uniform_int(rng, o_.bits_min, o_.bits_max);
  on ? posterize(src, dst, bits) : keep(src, dst);
}

void Solarize::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  rng.bernoulli(o_.p) ? solarize(src, dst, o_.threshold) : keep(src, dst);
}

void Invert::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  rng.bernoulli(o_.p) ? invert(src, dst) : keep(src, dst);
}

void Sharpness::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const double factor = rng.uniform(o_.factor_min, o_.factor_max);
  on ? adjust_sharpness(src, dst, factor) : keep(src, dst);
}

void GaussianBlur::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const double sigma = rng.uniform(o_.sigma_min, o_.sigma_max);
  on ? gaussian_blur(src, dst, o_.kernel_size, sigma) : keep(src, dst);
}

void GaussianNoise::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  // The noise comes last, so skipping it when p does not fire shifts no other draw.
  const bool on = rng.bernoulli(o_.p);
  const double sigma = rng.uniform(o_.sigma_min, o_.sigma_max);
  if (!on || sigma == 0.0) return keep(src, dst);
  // Box-Muller in float on two 32-bit draws per pair of values: half the cost of Rng::normal's
  // double precision, and ample for noise (the tails stop at 6.7 sigma).
  const cv::Mat in = src.isContinuous() ? src : src.clone();
  cv::Mat out(src.size(), src.type());
  const size_t n = in.total() * in.channels();
  const uint8_t* p = in.ptr<uint8_t>();
  uint8_t* o = out.ptr<uint8_t>();
  const float s = static_cast<float>(sigma);
  for (size_t i = 0; i < n; i += 2) {
    const float u1 = (static_cast<float>(rng.next_u32() >> 8) + 1.0f) * 0x1.0p-24f;  // (0, 1]
    const float u2 = static_cast<float>(rng.next_u32() >> 8) * 0x1.0p-24f;           // [0, 1)
    const float r = s * std::sqrt(-2.0f * std::log(u1));
    const float t = 6.2831853f * u2;
    o[i] = cv::saturate_cast<uint8_t>(static_cast<float>(p[i]) + r * std::cos(t));
    if (i + 1 < n) o[i + 1] = cv::saturate_cast<uint8_t>(static_cast<float>(p[i + 1]) + r * std::sin(t));
  }
  dst = out;
}

void Jpeg::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const int quality = uniform_int(rng, o_.quality_min, o_.quality_max);
  on ? corruptions::jpeg_roundtrip(src, dst, quality) : keep(src, dst);
}

}  // namespace gauntlet
