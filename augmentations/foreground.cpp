// K-means by Lloyd's algorithm (Lloyd, "Least squares quantization in PCM", IEEE Transactions on
// Information Theory 28(2), 1982) on the pixel colours, then a background mask.
//
// Not cv::kmeans: it seeds from OpenCV's thread-local RNG, so its clusters would depend on which
// loader thread ran the op. Here everything is a function of the image:
//   - the centres are fitted on at most kFitPixels pixels taken at a fixed stride in raster order
//     (every pixel of a small image); every pixel is then assigned to its nearest centre;
//   - the initial centres are the colours of the fitting pixels at luminance ranks (j + 1/2) m / K,
//     j = 0..K-1, of m pixels ordered by luminance (Rec. 601 weights, rounded to 0..255; ties in
//     raster order), so cluster j starts at the j-th darkest of K evenly spaced quantiles;
//   - a pixel goes to the nearest centre (squared distance), ties to the lower cluster; an empty
//     cluster keeps its centre; iteration stops when no assignment changes;
//   - background is the cluster holding most pixels of the 1-pixel border, ties to the lower one.
// A colour group of more than 1/K of the pixels starts with more than one centre, and Lloyd's
// iterations may leave it split; only the part holding most of the border is then filled. So
// clusters > 2 suits a foreground of several colours that cover comparable shares of the image.
// An image of one colour is one cluster, all of it on the border: every pixel becomes fill_value.
#include "augmentations/foreground.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace gauntlet {
namespace {

constexpr int kFitPixels = 2048;
constexpr int kMaxClusters = 8;

template <int Ch>
using Centres = std::vector<std::array<float, Ch>>;

// Pixels as one plane per channel, so that the loops over pixels below vectorise.
template <int Ch>
struct Planes {
  explicit Planes(int n) : n(n) {
    for (auto& p : v) p.resize(n);
  }
  void set(int i, const uint8_t* px) {
    for (int ch = 0; ch < Ch; ++ch) v[ch][i] = px[ch];
  }
  int n;
  std::array<std::vector<int32_t>, Ch> v;
};

// label[i] = the centre nearest to pixel i by squared distance, ties to the lower centre. The loop
// over centres is outside, so the pixel loop has no branch and vectorises.
template <int Ch>
void assign(const Planes<Ch>& px, const Centres<Ch>& centres, int32_t* label, float* best) {
  const int n = px.n;
  std::array<const int32_t*, Ch> plane;
  for (int ch = 0; ch < Ch; ++ch) plane[ch] = px.v[ch].data();
  std::fill(label, label + n, 0);
  std::fill(best, best + n, std::numeric_limits<float>::max());
  for (int j = 0; j < static_cast<int>(centres.size()); ++j) {
    const std::array<float, Ch> c = centres[j];
    for (int i = 0; i < n; ++i) {
      float d = 0.0f;
      for (int ch = 0; ch < Ch; ++ch) {
        const float e = static_cast<float>(plane[ch][i]) - c[ch];
        d += e * e;
      }
      label[i] = d < best[i] ? j : label[i];
      best[i] = std::min(d, best[i]);
    }
  }
}

template <int Ch>
int luminance(const uint8_t* px) {
  if constexpr (Ch == 1) {
    return px[0];
  } else {
    return (299 * px[0] + 587 * px[1] + 114 * px[2] + 500) / 1000;
  }
}

// Fits k centres on `fit`, m pixels of Ch bytes each.
template <int Ch>
Centres<Ch> fit_centres(const std::vector<uint8_t>& fit, int k, int iterations) {
  const int m = static_cast<int>(fit.size()) / Ch;
  // Counting sort by luminance keeps raster order within a level.
  std::array<int, 257> start{};
  for (int i = 0; i < m; ++i) ++start[luminance<Ch>(&fit[i * Ch]) + 1];
  for (int v = 0; v < 256; ++v) start[v + 1] += start[v];
  std::vector<int> order(m);
  for (int i = 0; i < m; ++i) order[start[luminance<Ch>(&fit[i * Ch])]++] = i;

  Centres<Ch> centres(k);
  for (int j = 0; j < k; ++j) {
    const int rank = static_cast<int>((2 * j + 1) * static_cast<int64_t>(m) / (2 * k));
    for (int ch = 0; ch < Ch; ++ch) centres[j][ch] = fit[order[rank] * Ch + ch];
  }

  Planes<Ch> px(m);
  for (int i = 0; i < m; ++i) px.set(i, &fit[i * Ch]);
  std::vector<int32_t> label(m, -1), previous(m);  // -1: no cluster yet, so the first pass changes
  std::vector<float> best(m);
  for (int it = 0; it < iterations; ++it) {
    label.swap(previous);
    assign<Ch>(px, centres, label.data(), best.data());
    if (label == previous) break;
    for (int j = 0; j < k; ++j) {
      // One pass per cluster (sums of at most kFitPixels bytes): branch-free sums vectorise, where
      // sum[label[i]] += ... would chain every pixel through memory.
      int32_t count = 0;
      std::array<int32_t, Ch> sum{};
      for (int i = 0; i < m; ++i) {
        const int32_t in = label[i] == j ? 1 : 0;
        count += in;
        for (int ch = 0; ch < Ch; ++ch) sum[ch] += in * px.v[ch][i];
      }
      if (count == 0) continue;  // an empty cluster keeps its centre
      for (int ch = 0; ch < Ch; ++ch) {
        centres[j][ch] = static_cast<float>(static_cast<double>(sum[ch]) / count);
      }
    }
  }
  return centres;
}

template <int Ch>
void mask_background(cv::Mat& img, const ForegroundMaskOptions& o) {
  const int rows = img.rows, cols = img.cols;
  const int64_t n = static_cast<int64_t>(rows) * cols;
  const int64_t stride = (n + kFitPixels - 1) / kFitPixels;
  std::vector<uint8_t> fit;
  fit.reserve(static_cast<size_t>((n + stride - 1) / stride) * Ch);
  for (int64_t i = 0; i < n; i += stride) {
    const uint8_t* px = img.ptr<uint8_t>(static_cast<int>(i / cols)) + (i % cols) * Ch;
    fit.insert(fit.end(), px, px + Ch);
  }
  const Centres<Ch> centres = fit_centres<Ch>(fit, o.clusters, o.iterations);

  // Every pixel, one row at a time.
  cv::Mat labels(rows, cols, CV_32SC1);
  Planes<Ch> row(cols);
  std::vector<float> best(cols);
  for (int y = 0; y < rows; ++y) {
    const uint8_t* p = img.ptr<uint8_t>(y);
    for (int x = 0; x < cols; ++x) row.set(x, p + x * Ch);
    assign<Ch>(row, centres, labels.ptr<int32_t>(y), best.data());
  }

  std::array<int64_t, kMaxClusters> border{};
  for (int y = 0; y < rows; ++y) {
    const int32_t* l = labels.ptr<int32_t>(y);
    if (y == 0 || y == rows - 1) {
      for (int x = 0; x < cols; ++x) ++border[l[x]];
    } else {
      ++border[l[0]];
      if (cols > 1) ++border[l[cols - 1]];
    }
  }
  const int background =
      static_cast<int>(std::max_element(border.begin(), border.end()) - border.begin());

  cv::Mat mask;
  cv::compare(labels, background, mask, cv::CMP_EQ);
  img.setTo(cv::Scalar::all(o.fill_value), mask);
}

}  // namespace

void ForegroundMask::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  CV_Assert(src.depth() == CV_8U && (src.channels() == 1 || src.channels() == 3));
  CV_Assert(o_.clusters >= 2 && o_.clusters <= kMaxClusters && o_.iterations >= 1);
  if (!rng.bernoulli(o_.p) || src.empty()) {
    if (dst.data != src.data) src.copyTo(dst);
    return;
  }
  cv::Mat out = src.clone();
  if (src.channels() == 1) {
    mask_background<1>(out, o_);
  } else {
    mask_background<3>(out, o_);
  }
  dst = out;
}

}  // namespace gauntlet
