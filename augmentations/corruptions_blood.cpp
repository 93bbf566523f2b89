// Blood-microscopy corruptions of MedMNIST-C (Di Salvo, Doerrich & Ledig, "MedMNIST-C:
// Comprehensive benchmark and improved classifier robustness by simulating realistic image
// corruptions", 2024), the BloodMNIST entries of medmnistc-api's registry.py. The reference works
// on 224 px images; radii and ink sizes here are scaled by s = shorter side / 224, so that blots
// and bubbles fit the image and cover the same share of it at every size.
#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "augmentations/corruption_kernels.hpp"
#include "augmentations/corruptions_impl.hpp"

namespace gauntlet::corruptions {
namespace {

constexpr double kPi = 3.14159265358979323846;

double side_scale(const cv::Mat& img) { return std::min(img.rows, img.cols) / 224.0; }

// PIL's Image.blend(a, b, f) for constant a, pixel b: a + f (b - a) in single precision (PIL
// takes f as a C float), clipped to 0..255 when f extrapolates, truncated. One value per level.
cv::Mat blend_lut(int a, double factor) {
  const float f = static_cast<float>(factor);
  cv::Mat lut(1, 256, CV_8U);
  for (int b = 0; b < 256; ++b) {
    const float v = static_cast<float>(a) + f * static_cast<float>(b - a);
    lut.at<uint8_t>(b) = v <= 0.0f ? 0 : v >= 255.0f ? 255 : static_cast<uint8_t>(v);
  }
  return lut;
}

// compression.py Pixelate: PIL BOX resize to (int(W f), int(H f)) and back.
void pixelate(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  pixelate_box(src, dst, p[0]);
}

// compression.py JPEGCompression: PIL save(quality = q) and reopen (grey images as grey JPEGs).
void jpeg_compression(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  jpeg_roundtrip(src, dst, static_cast<int>(p[0]));
}

// filter.py DefocusBlur (radius r, alias blur a): cv2.filter2D of img / 255 (float64) with
// disk(r s, a), default border. The alias blur is a sub-pixel smoothing of the disk's edge and is
// not scaled. The whole 17 x 17 grid is kept: OpenCV filters a kernel that large through the DFT,
// whose rounding decides where the reference's flat regions truncate, and we follow it there.
void defocus_blur(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  cv::Mat kernel, x;
  disk_kernel(p[0] * side_scale(src), p[1]).convertTo(kernel, CV_64F);
  cv::filter2D(to_unit64(src), x, CV_64F, kernel);
  dst = from_unit64(x);
}

// filter.py MotionBlur (radius R, sigma S): ImageMagick's motion blur at an angle U(-45, 45)
// degrees; here the shared one-sided kernel of imagecorruptions with (R s, S s), as for ImageNet-C.
void motion_blur(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double s = side_scale(src);
  const double angle = rng.uniform(-45.0, 45.0);
  cv::Mat blurred;
  corruptions::motion_blur(to_unit(src), blurred, p[0] * s, p[1] * s, angle);  // the kernel
  from_unit(blurred, dst);
}

// enhance.py Brightness: PIL ImageEnhance.Brightness, a blend with black: (uint8)(f * x).
void brightness(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  cv::LUT(src, blend_lut(0, p[0]), dst);
}

// enhance.py Contrast: PIL ImageEnhance.Contrast, a blend with the grey level
// m = int(mean(L) + 0.5), L = PIL's luma (19595 R + 38470 G + 7471 B + 2^15) >> 16 (the grey
// value itself for grey images).
void contrast(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  const uint8_t* in = src.ptr<uint8_t>();
  const size_t pixels = src.total();
  uint64_t sum = 0;
  if (src.channels() == 3) {
    for (size_t i = 0; i < pixels; ++i, in += 3) {
      sum += (in[0] * 19595u + in[1] * 38470u + in[2] * 7471u + 0x8000u) >> 16;
    }
  } else {
    for (size_t i = 0; i < pixels; ++i) sum += in[i];
  }
  const int mean = static_cast<int>(static_cast<double>(sum) / static_cast<double>(pixels) + 0.5);
  cv::LUT(src, blend_lut(mean, p[0]), dst);
}

// enhance.py Saturate: skimage HSV, S = clip(S + c, 0, 1), in float64. A grey image has no hue:
// saturating it through RGB with hue 0 keeps R = V, the grey value, so it passes unchanged.
void saturate(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  if (src.channels() == 1) {
    dst = src.clone();
    return;
  }
  cv::Mat hsv, rgb;
  rgb_to_hsv(to_unit64(src), hsv);
  double* px = hsv.ptr<double>();
  for (size_t i = 0; i < hsv.total(); ++i)
    px[3 * i + 1] = std::clamp(px[3 * i + 1] + p[0], 0.0, 1.0);
  hsv_to_rgb(hsv, rgb);
  dst = from_unit64(rgb);
}

// An n x n ink blot. The reference picks one of ten binary blot masks it ships (inks.npz, about
// 45-80% of their box filled, irregular outlines); we draw a star-shaped blob instead: inside
// where the distance to a jittered centre is below R(t) = 0.42 n (1 + sum_k a_k cos(k t + phi_k))
// for harmonics k = 2..5, a_k ~ U(0, 0.3 / (k - 1)), phi_k ~ U(0, 2 pi), clipped to the box.
cv::Mat ink_blot(int n, Rng& rng) {
  std::array<double, 4> amp{}, phase{};
  for (int k = 0; k < 4; ++k) {
    amp[k] = rng.uniform(0.0, 0.3 / (k + 1));
    phase[k] = rng.uniform(0.0, 2 * kPi);
  }
  const double cy = (n - 1) / 2.0 + rng.uniform(-0.05, 0.05) * n;
  const double cx = (n - 1) / 2.0 + rng.uniform(-0.05, 0.05) * n;
  cv::Mat mask(n, n, CV_8U);
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      const double t = std::atan2(y - cy, x - cx);
      double r = 1.0;
      for (int k = 0; k < 4; ++k) r += amp[k] * std::cos((k + 2) * t + phase[k]);
      mask.at<uint8_t>(y, x) = std::hypot(y - cy, x - cx) <= 0.42 * n * r ? 1 : 0;
    }
  }
  return mask;
}

// microscopy.py StainDeposit (max blots M, blot size b at 224 px): U{1..M} blots (one when M is
// 1), each an ink_blot of side b s placed at U{m..W - b s - m} x U{m..H - b s - m}, m = 10 s; every
// channel under the blot is set to 0.
void stain_deposit(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double s = side_scale(src);
  const int max_marks = static_cast<int>(p[0]);
  const int marks = max_marks > 1 ? 1 + static_cast<int>(rng.below(max_marks)) : max_marks;
  const int n = std::max(1, static_cast<int>(std::lround(p[1] * s)));
  const int margin = static_cast<int>(std::lround(10 * s));
  const int ch = src.channels();
  cv::Mat out = src.clone();
  for (int i = 0; i < marks; ++i) {
    const cv::Mat blot = ink_blot(n, rng);
    const int x0 = margin + static_cast<int>(rng.below(std::max(1, src.cols - n - 2 * margin + 1)));
    const int y0 = margin + static_cast<int>(rng.below(std::max(1, src.rows - n - 2 * margin + 1)));
    for (int y = 0; y < n && y0 + y < src.rows; ++y) {
      uint8_t* row = out.ptr<uint8_t>(y0 + y);
      for (int x = 0; x < n && x0 + x < src.cols; ++x) {
        if (!blot.at<uint8_t>(y, x)) continue;
        for (int k = 0; k < ch; ++k) row[(x0 + x) * ch + k] = 0;
      }
    }
  }
  dst = out;
}

// Sets the pixels of a disc (PIL's ellipse of bounding box centre +- r covers the pixels within
// r + 0.5 of the centre) to `value` in an alpha layer.
void fill_disc(cv::Mat& alpha, int cx, int cy, double r, uint8_t value) {
  const double reach = r + 0.5;
  const int e = static_cast<int>(reach);
  for (int y = std::max(0, cy - e); y <= std::min(alpha.rows - 1, cy + e); ++y) {
    for (int x = std::max(0, cx - e); x <= std::min(alpha.cols - 1, cx + e); ++x) {
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= reach * reach)
        alpha.at<uint8_t>(y, x) = value;
    }
  }
}

// microscopy.py Bubble (max radius R, max count N): U{7..N} bubbles of radius r = U{3..R} (times
// s here), centred at U{r..W - r - 1} x U{r..H - r - 1}; each is a white disc of radius r + 2 s at
// alpha 130 with one of radius r at alpha 100 drawn over it (later bubbles overwrite earlier ones
// in the layer), then the layer is pasted as PIL does: (x (255 - a) + 255 a) / 255, rounded.
void bubble(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double s = side_scale(src);
  const int max_radius = static_cast<int>(p[0]), max_count = static_cast<int>(p[1]);
  const int count = 7 + static_cast<int>(rng.below(max_count - 7 + 1));
  cv::Mat alpha = cv::Mat::zeros(src.size(), CV_8U);
  for (int i = 0; i < count; ++i) {
    const double r = (3 + static_cast<int>(rng.below(max_radius - 3 + 1))) * s;
    const int ri = static_cast<int>(std::lround(r));
    const int cx = ri + static_cast<int>(rng.below(std::max(1, src.cols - 2 * ri)));
    const int cy = ri + static_cast<int>(rng.below(std::max(1, src.rows - 2 * ri)));
    fill_disc(alpha, cx, cy, r + 2 * s, 130);
    fill_disc(alpha, cx, cy, r, 100);
  }
  // PIL's BLEND / DIV255 of Paste.c for the two alphas used, towards white.
  std::array<std::array<uint8_t, 256>, 2> lut{};
  const std::array<int, 2> levels{100, 130};
  for (int l = 0; l < 2; ++l) {
    for (int v = 0; v < 256; ++v) {
      const int t = v * (255 - levels[l]) + 255 * levels[l] + 128;
      lut[l][v] = static_cast<uint8_t>(((t >> 8) + t) >> 8);
    }
  }
  const int ch = src.channels();
  cv::Mat out = src.clone();
  for (int y = 0; y < out.rows; ++y) {
    const uint8_t* a = alpha.ptr<uint8_t>(y);
    uint8_t* row = out.ptr<uint8_t>(y);
    for (int x = 0; x < out.cols; ++x) {
      if (a[x] == 0) continue;
      const auto& table = lut[a[x] == 100 ? 0 : 1];
      for (int k = 0; k < ch; ++k) row[x * ch + k] = table[row[x * ch + k]];
    }
  }
  dst = out;
}

}  // namespace

std::vector<CorruptionEntry> blood_corruptions() {
  return {
      {{"", "pixelate", kBloodMnistC, "BOX resize down to side * f, BOX back up", true, true},
       same_for_all_sizes({{{.6}, {.5}, {.4}, {.3}, {.25}}}),
       &pixelate},
      {{"", "jpeg_compression", kBloodMnistC, "JPEG at quality q (PIL's settings)", true, true},
       same_for_all_sizes({{{50}, {30}, {15}, {10}, {7}}}),
       &jpeg_compression},
      {{"", "defocus_blur", kBloodMnistC, "disk kernel (r * side / 224, alias blur a)", true, true},
       same_for_all_sizes({{{2, .01}, {3, .1}, {4, .1}, {5, .1}, {6, .1}}}),
       &defocus_blur},
      {{"", "motion_blur", kBloodMnistC, "one-sided streak (R, S) * side / 224, angle U(-45, 45)",
        false, true},
       same_for_all_sizes({{{3, 3}, {5, 5}, {10, 5}, {10, 7}, {10, 9}}}),
       &motion_blur},
      {{"", "brightness_up", kBloodMnistC, "PIL brightness: x * f", true, true},
       same_for_all_sizes({{{1.1}, {1.2}, {1.3}, {1.35}, {1.4}}}),
       &brightness},
      {{"", "brightness_down", kBloodMnistC, "PIL brightness: x * f", true, true},
       same_for_all_sizes({{{.9}, {.8}, {.7}, {.6}, {.5}}}),
       &brightness},
      {{"", "contrast_up", kBloodMnistC, "PIL contrast: m + f (x - m), m the mean luma", true,
        true},
       same_for_all_sizes({{{1.1}, {1.15}, {1.2}, {1.25}, {1.3}}}),
       &contrast},
      {{"", "contrast_down", kBloodMnistC, "PIL contrast: m + f (x - m), m the mean luma", true,
        true},
       same_for_all_sizes({{{.9}, {.8}, {.7}, {.6}, {.5}}}),
       &contrast},
      {{"", "saturate", kBloodMnistC, "HSV S = clip(S + c)", true, true},
       same_for_all_sizes({{{.05}, {.10}, {.15}, {.17}, {.20}}}),
       &saturate},
      // (max blots, blot side at 224 px)
      {{"", "stain_deposit", kBloodMnistC, "1..M black ink blots of side b * side / 224", false,
        true},
       same_for_all_sizes({{{1, 24}, {2, 24}, {3, 24}, {3, 24}, {3, 32}}}),
       &stain_deposit},
      {{"", "bubble", kBloodMnistC, "7..N translucent white discs of radius 3..R * side / 224",
        false, true},
       same_for_all_sizes({{{5, 10}, {7, 10}, {10, 10}, {12, 12}, {15, 12}}}),
       &bubble},
  };
}

}  // namespace gauntlet::corruptions
