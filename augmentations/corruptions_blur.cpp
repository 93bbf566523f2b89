// Blur corruptions of ImageNet-C (Hendrycks & Dietterich, "Benchmarking Neural Network Robustness
// to Common Corruptions and Perturbations", ICLR 2019): defocus, glass, motion and zoom blur, and
// Gaussian blur as an extra. All filter each channel alike, so grey images need no special case.
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "augmentations/corruption_kernels.hpp"
#include "augmentations/corruptions_impl.hpp"

namespace gauntlet::corruptions {
namespace {

// make_imagenet_c.py gaussian_blur: skimage.filters.gaussian(x, sigma=c, channel_axis=-1).
// Filtered in double like the reference, so that flat regions truncate to the same level.
void gaussian_blur(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  cv::Mat x = to_unit64(src);
  gaussian_filter(x, x, p[0]);
  dst = from_unit64(x);
}

// make_imagenet_c.py defocus_blur (radius r, alias blur a): cv2.filter2D of each channel with
// disk(r, a), default border (reflect 101). The all-zero margin of the 17 x 17 grid the disk is
// drawn on for r <= 8 is cut off first: the same sums, several times fewer products.
void defocus_blur(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  cv::Mat kernel = disk_kernel(p[0], p[1]);
  int margin = 0;
  while (2 * (margin + 1) < kernel.rows) {
    const int m = margin, last = kernel.rows - 1 - m;
    if (cv::countNonZero(kernel.row(m)) || cv::countNonZero(kernel.row(last)) ||
        cv::countNonZero(kernel.col(m)) || cv::countNonZero(kernel.col(last))) {
      break;
    }
    ++margin;
  }
  kernel = kernel(cv::Rect(margin, margin, kernel.cols - 2 * margin, kernel.rows - 2 * margin));
  // In double like the reference (cv2 converts the float32 kernel to the float64 image's type).
  cv::Mat x = to_unit64(src), k64;
  kernel.convertTo(k64, CV_64F);
  cv::filter2D(x, x, CV_64F, k64);
  dst = from_unit64(x);
}

// make_imagenet_c.py glass_blur (sigma s, max shift d, iterations): Gaussian blur stored as
// uint8, then pixels copied from random neighbours, then blurred again. The reference's
// `x[h, w], x[h', w'] = x[h', w'], x[h, w]` works on numpy views of whole pixels, so it copies
// x[h', w'] into x[h, w] and leaves x[h', w'] as it was; and each copy sees the earlier ones, so
// the scan stays sequential, bottom-right to top-left. (dx, dy) ~ U{-d..d-1}, dx drawn first.
// Blurred in double, as the first blur's truncation to uint8 decides whole levels.
void glass_blur(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double sigma = p[0];
  const int d = static_cast<int>(p[1]), iterations = static_cast<int>(p[2]);
  cv::Mat x = to_unit64(src);
  gaussian_filter(x, x, sigma);
  cv::Mat u8;
  u8 = from_unit64(x);
  const int ch = src.channels();
  const size_t row = static_cast<size_t>(src.cols) * ch;
  uint8_t* img = u8.ptr<uint8_t>();
  for (int it = 0; it < iterations; ++it) {
    for (int h = src.rows - d; h > d; --h) {
      for (int w = src.cols - d; w > d; --w) {
        const int dx = static_cast<int>(rng.below(2 * d)) - d;
        const int dy = static_cast<int>(rng.below(2 * d)) - d;
        const uint8_t* from = img + (h + dy) * row + (w + dx) * ch;
        std::copy(from, from + ch, img + h * row + w * ch);
      }
    }
  }
  x = to_unit64(u8);
  gaussian_filter(x, x, sigma);
  dst = from_unit64(x);
}

// imagecorruptions' motion_blur (radius R, sigma S): the one-sided Gaussian streak of
// `_motion_blur` at an angle drawn from U(-45, 45) degrees. ImageNet-C itself calls ImageMagick's
// MotionBlurImage with the same (R, S); imagecorruptions' kernel is its numpy rewrite.
void motion_blur(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double angle = rng.uniform(-45.0, 45.0);
  cv::Mat blurred;
  corruptions::motion_blur(to_unit(src), blurred, p[0], p[1], angle);  // the kernel, not this
  from_unit(blurred, dst);
}

// Linear interpolation along one axis as scipy.ndimage.zoom(order=1) does it: output index k
// reads input coordinate k * (n_in - 1) / (n_out - 1) (corners aligned). In the default 'constant'
// mode a coordinate that rounding puts past n_in - 1 reads 0 (`zero`), a quirk kept for parity.
struct Taps {
  std::vector<int> i0, i1;
  std::vector<double> w0, w1;
  std::vector<char> zero;
};

Taps zoom_taps(int n_in, int n_out, int first, int count) {
  const double scale = n_out > 1 ? static_cast<double>(n_in - 1) / (n_out - 1) : 1.0;
  Taps t;
  for (int k = 0; k < count; ++k) {
    const double c = k * scale;
    const int i0 = static_cast<int>(std::floor(c));
    const double f = c - i0;
    t.zero.push_back(c > n_in - 1);
    t.i0.push_back(first + std::min(i0, n_in - 1));
    t.i1.push_back(first + std::min(i0 + 1, n_in - 1));
    t.w0.push_back(1.0 - f);
    t.w1.push_back(f);
  }
  return t;
}

// make_imagenet_c.py zoom_blur (np.arange(start, stop, step) of zoom factors z): the mean of x
// and, for each z, clipped_zoom(x, z): the centred crop of ceil(side / z) scaled back with
// scipy.ndimage.zoom(order=1) and trimmed to the image (the scaled crop is at most one pixel
// larger, so imagecorruptions' top-left trim and ImageNet-C's centred trim agree). Computed in
// float32 in the reference's order, each interpolation in double, so it matches it bit for bit.
void zoom_blur(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& /*rng*/) {
  // np.arange: ceil((stop - start) / step) values start + i * ((start + step) - start).
  const double start = p[0], stop = p[1], delta = (p[0] + p[2]) - p[0];
  const int zooms = static_cast<int>(std::ceil((stop - start) / p[2]));
  const int rows = src.rows, cols = src.cols, ch = src.channels();
  const size_t n = src.total() * ch;
  std::vector<float> x(n), sum(n, 0.0f);
  const uint8_t* in = src.ptr<uint8_t>();
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(in[i] / 255.0);
  for (int j = 0; j < zooms; ++j) {
    const double z = start + j * delta;
    const int crop_h = static_cast<int>(std::ceil(rows / z)),
              crop_w = static_cast<int>(std::ceil(cols / z));
    // Python's round() of the output shape: halves to even, as std::nearbyint in the default mode.
    const int out_h = static_cast<int>(std::nearbyint(crop_h * z));
    const int out_w = static_cast<int>(std::nearbyint(crop_w * z));
    const Taps ty = zoom_taps(crop_h, out_h, (rows - crop_h) / 2, rows);
    const Taps tx = zoom_taps(crop_w, out_w, (cols - crop_w) / 2, cols);
    for (int r = 0; r < rows; ++r) {
      if (ty.zero[r]) continue;
      const float* a = x.data() + static_cast<size_t>(ty.i0[r]) * cols * ch;
      const float* b = x.data() + static_cast<size_t>(ty.i1[r]) * cols * ch;
      float* o = sum.data() + static_cast<size_t>(r) * cols * ch;
      const double wy0 = ty.w0[r], wy1 = ty.w1[r];
      for (int c = 0; c < cols; ++c) {
        if (tx.zero[c]) continue;
        const int c0 = tx.i0[c] * ch, c1 = tx.i1[c] * ch;
        const double wx0 = tx.w0[c], wx1 = tx.w1[c];
        for (int k = 0; k < ch; ++k) {
          // scipy's order of the four products and their sum.
          const double v = double{a[c0 + k]} * wy0 * wx0 + double{a[c1 + k]} * wy0 * wx1 +
                           double{b[c0 + k]} * wy1 * wx0 + double{b[c1 + k]} * wy1 * wx1;
          o[c * ch + k] += static_cast<float>(v);
        }
      }
    }
  }
  cv::Mat out(src.size(), src.type());
  uint8_t* o = out.ptr<uint8_t>();
  const float count = static_cast<float>(zooms + 1);
  for (size_t i = 0; i < n; ++i) {
    const float v = std::min(std::max((x[i] + sum[i]) / count, 0.0f), 1.0f) * 255.0f;
    o[i] = static_cast<uint8_t>(v);
  }
  dst = out;
}

}  // namespace

std::vector<CorruptionEntry> blur_corruptions() {
  // Rows: CIFAR-10-C, Tiny ImageNet-C, ImageNet-C (make_*_c.py).
  return {
      {{"", "gaussian_blur", kImageNetC, "Gaussian blur of sigma c, edges replicated", true, false},
       {{{{.4}, {.6}, {.7}, {.8}, {1}}},
        {{{.5}, {.75}, {1}, {1.25}, {1.5}}},
        {{{1}, {2}, {3}, {4}, {6}}}},
       &gaussian_blur},
      {{"", "defocus_blur", kImageNetC, "filter with an anti-aliased disk of radius r", true, true},
       {{{{.3, .4}, {.4, .5}, {.5, .6}, {1, .2}, {1.5, .1}}},
        {{{.5, .6}, {1, .1}, {1.5, .1}, {2.5, .01}, {3, .1}}},
        {{{3, .1}, {4, .5}, {6, .5}, {8, .5}, {10, .5}}}},
       &defocus_blur},
      {{"", "glass_blur", kImageNetC,
        "Gaussian blur, pixels copied from random neighbours within d, blur again", false, true},
       {{{{.05, 1, 1}, {.25, 1, 1}, {.4, 1, 1}, {.25, 1, 2}, {.4, 1, 2}}},
        {{{.1, 1, 1}, {.5, 1, 1}, {.6, 1, 2}, {.7, 2, 1}, {.9, 2, 2}}},
        {{{.7, 1, 2}, {.9, 2, 1}, {1, 2, 3}, {1.1, 3, 2}, {1.5, 4, 2}}}},
       &glass_blur},
      {{"", "motion_blur", kImageNetC,
        "one-sided Gaussian streak (radius R, sigma S) at an angle from U(-45, 45) degrees", false,
        true},
       {{{{6, 1}, {6, 1.5}, {6, 2}, {8, 2}, {9, 2.5}}},
        {{{10, 1}, {10, 1.5}, {10, 2}, {10, 2.5}, {12, 3}}},
        {{{10, 3}, {15, 5}, {15, 8}, {15, 12}, {20, 15}}}},
       &motion_blur},
      {{"", "zoom_blur", kImageNetC,
        "mean of x and centre crops zoomed back by each z in arange(start, stop, step)", true,
        true},
       {{{{1, 1.06, .01}, {1, 1.11, .01}, {1, 1.16, .01}, {1, 1.21, .01}, {1, 1.26, .01}}},
        {{{1, 1.06, .01}, {1, 1.11, .01}, {1, 1.16, .01}, {1, 1.21, .01}, {1, 1.26, .01}}},
        {{{1, 1.11, .01}, {1, 1.16, .01}, {1, 1.21, .02}, {1, 1.26, .02}, {1, 1.31, .03}}}},
       &zoom_blur},
  };
}

}  // namespace gauntlet::corruptions
