// Unit tests of the ImageNet-C noise and blur families and the shared filter kernels: parameter
// tables against the references, the random ops' distributions against their formulas (shot noise
// against the exact Poisson law, impulse and speckle noise against their moments), glass and motion
// blur against direct transcriptions of the references fed the same draws, the kernels' math, and
// tiny or rectangular images. The deterministic blurs are compared element-wise with Python in
// tests/parity/corruption_refs/blur.py.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "augmentations/corruption.hpp"
#include "augmentations/corruption_kernels.hpp"
#include "tests/test_images.hpp"

namespace gauntlet {
namespace {

using testing::random_image;

using corruptions::disk_kernel;
using corruptions::gaussian_filter;

// The references store x in [0,1] as uint8(clip(x, 0, 1) * 255).
uint8_t store(double x) { return static_cast<uint8_t>(std::min(1.0, std::max(0.0, x)) * 255); }

TEST_CASE("noise and blur parameters follow the reference tables", "[corruptions]") {
  using Rows = std::array<std::vector<double>, 5>;
  auto [id, size, rows] = GENERATE(table<std::string, SizeTable, Rows>({
      // make_cifar_c.py, make_tinyimagenet_c.py, make_imagenet_c.py.
      {"shot_noise", SizeTable::kSmall, {{{500}, {250}, {100}, {75}, {50}}}},
      {"shot_noise", SizeTable::kMedium, {{{250}, {100}, {50}, {30}, {15}}}},
      {"shot_noise", SizeTable::kLarge, {{{60}, {25}, {12}, {5}, {3}}}},
      {"impulse_noise", SizeTable::kSmall, {{{.01}, {.02}, {.03}, {.05}, {.07}}}},
      {"impulse_noise", SizeTable::kMedium, {{{.01}, {.02}, {.05}, {.08}, {.14}}}},
      {"impulse_noise", SizeTable::kLarge, {{{.03}, {.06}, {.09}, {.17}, {.27}}}},
      {"speckle_noise", SizeTable::kSmall, {{{.06}, {.1}, {.12}, {.16}, {.2}}}},
      {"speckle_noise", SizeTable::kMedium, {{{.15}, {.2}, {.25}, {.3}, {.35}}}},
      {"speckle_noise", SizeTable::kLarge, {{{.15}, {.2}, {.35}, {.45}, {.6}}}},
      {"gaussian_blur", SizeTable::kSmall, {{{.4}, {.6}, {.7}, {.8}, {1}}}},
      {"gaussian_blur", SizeTable::kMedium, {{{.5}, {.75}, {1}, {1.25}, {1.5}}}},
      {"gaussian_blur", SizeTable::kLarge, {{{1}, {2}, {3}, {4}, {6}}}},
      {"defocus_blur", SizeTable::kSmall, {{{.3, .4}, {.4, .5}, {.5, .6}, {1, .2}, {1.5, .1}}}},
      {"defocus_blur", SizeTable::kMedium, {{{.5, .6}, {1, .1}, {1.5, .1}, {2.5, .01}, {3, .1}}}},
      {"defocus_blur", SizeTable::kLarge, {{{3, .1}, {4, .5}, {6, .5}, {8, .5}, {10, .5}}}},
      {"glass_blur",
       SizeTable::kSmall,
       {{{.05, 1, 1}, {.25, 1, 1}, {.4, 1, 1}, {.25, 1, 2}, {.4, 1, 2}}}},
      {"glass_blur",
       SizeTable::kMedium,
       {{{.1, 1, 1}, {.5, 1, 1}, {.6, 1, 2}, {.7, 2, 1}, {.9, 2, 2}}}},
      {"glass_blur",
       SizeTable::kLarge,
       {{{.7, 1, 2}, {.9, 2, 1}, {1, 2, 3}, {1.1, 3, 2}, {1.5, 4, 2}}}},
      {"motion_blur", SizeTable::kSmall, {{{6, 1}, {6, 1.5}, {6, 2}, {8, 2}, {9, 2.5}}}},
      {"motion_blur", SizeTable::kMedium, {{{10, 1}, {10, 1.5}, {10, 2}, {10, 2.5}, {12, 3}}}},
      {"motion_blur", SizeTable::kLarge, {{{10, 3}, {15, 5}, {15, 8}, {15, 12}, {20, 15}}}},
      {"zoom_blur",
       SizeTable::kSmall,
       {{{1, 1.06, .01}, {1, 1.11, .01}, {1, 1.16, .01}, {1, 1.21, .01}, {1, 1.26, .01}}}},
      {"zoom_blur",
       SizeTable::kMedium,
       {{{1, 1.06, .01}, {1, 1.11, .01}, {1, 1.16, .01}, {1, 1.21, .01}, {1, 1.26, .01}}}},
      {"zoom_blur",
       SizeTable::kLarge,
       {{{1, 1.11, .01}, {1, 1.16, .01}, {1, 1.21, .02}, {1, 1.26, .02}, {1, 1.31, .03}}}},
  }));
  for (int severity = 1; severity <= 5; ++severity) {
    INFO(id << " " << size_table_name(size) << " severity " << severity);
    CHECK(corruption_parameters(id, severity, size) == rows[severity - 1]);
  }
}

TEST_CASE("noise and blur ops are registered in order with their flags", "[corruptions]") {
  struct Want {
    std::string id;
    bool deterministic, in_mce;
  };
  const std::vector<Want> want = {{"gaussian_noise", false, true}, {"shot_noise", false, true},
                                  {"impulse_noise", false, true},  {"speckle_noise", false, false},
                                  {"gaussian_blur", true, false},  {"defocus_blur", true, true},
                                  {"glass_blur", false, true},     {"motion_blur", false, true},
                                  {"zoom_blur", true, true}};
  std::vector<CorruptionInfo> got;
  for (const auto& info : corruption_infos()) {
    for (const auto& w : want) {
      if (info.id == w.id) got.push_back(info);
    }
  }
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO(want[i].id);
    CHECK(got[i].id == want[i].id);
    CHECK(got[i].family == kImageNetC);
    CHECK(got[i].deterministic == want[i].deterministic);
    CHECK(got[i].in_mce == want[i].in_mce);
  }
}

// Chi-square of observed uint8 counts against expected probabilities, cells with fewer than 5
// expected pooled; returns (statistic, degrees of freedom).
std::pair<double, int> chi_square(const std::array<double, 256>& observed,
                                  const std::array<double, 256>& p, double n) {
  double stat = 0.0, pooled_o = 0.0, pooled_e = 0.0;
  int cells = 0;
  for (int v = 0; v < 256; ++v) {
    const double e = n * p[v];
    if (e < 5.0) {
      pooled_o += observed[v];
      pooled_e += e;
      continue;
    }
    stat += (observed[v] - e) * (observed[v] - e) / e;
    ++cells;
  }
  if (pooled_e > 0.0) {
    stat += (pooled_o - pooled_e) * (pooled_o - pooled_e) / pooled_e;
    ++cells;
  }
  return {stat, cells - 1};
}

TEST_CASE("shot_noise follows the Poisson law through clip and truncation", "[corruptions]") {
  // Constant images, so every element is one draw of uint8(clip(K / c) * 255), K ~ Poisson(x c).
  // Covers the inversion branch (lambda < 10), PTRS (lambda >= 10) and lambda ~ 400.
  auto [level, size, severity] = GENERATE(table<int, SizeTable, int>({
      {128, SizeTable::kLarge, 5},   // lambda 1.5
      {200, SizeTable::kLarge, 4},   // 3.9
      {255, SizeTable::kLarge, 3},   // 12
      {100, SizeTable::kLarge, 1},   // 23.5
      {170, SizeTable::kMedium, 3},  // 33.3
      {200, SizeTable::kSmall, 1},   // 392
      {0, SizeTable::kSmall, 1},     // 0: black stays black
  }));
  const double c = corruption_parameters("shot_noise", severity, size)[0];
  const double lambda = level / 255.0 * c;
  INFO("level " << level << ", c " << c << ", lambda " << lambda);
  std::array<double, 256> p{};
  double mass = 0.0;
  for (int k = 0; k < 20 * (static_cast<int>(lambda) + 10); ++k) {
    const double pk =
        lambda == 0.0 ? (k == 0) : std::exp(-lambda + k * std::log(lambda) - std::lgamma(k + 1.0));
    p[store(k / c)] += pk;
    mass += pk;
  }
  REQUIRE(mass == Approx(1.0).epsilon(1e-12));
  const cv::Mat img(256, 256, CV_8UC3, cv::Scalar::all(level));
  Rng rng{41, static_cast<uint64_t>(level)};
  cv::Mat out;
  apply_corruption("shot_noise", severity, img, out, size, rng);
  std::array<double, 256> counts{};
  const uint8_t* o = out.ptr<uint8_t>();
  const double n = static_cast<double>(out.total() * 3);
  for (size_t i = 0; i < out.total() * 3; ++i) counts[o[i]] += 1;
  double mean = 0, var = 0, want_mean = 0, want_var = 0;
  for (int v = 0; v < 256; ++v) {
    mean += v * counts[v] / n;
    want_mean += v * p[v];
  }
  for (int v = 0; v < 256; ++v) {
    var += (v - mean) * (v - mean) * counts[v] / n;
    want_var += (v - want_mean) * (v - want_mean) * p[v];
  }
  INFO("mean " << mean << " want " << want_mean << ", variance " << var << " want " << want_var);
  CHECK(std::abs(mean - want_mean) <= 5.0 * std::sqrt(want_var / n) + 1e-12);
  CHECK(var == Approx(want_var).epsilon(0.03).margin(1e-12));
  const auto [stat, df] = chi_square(counts, p, n);
  INFO("chi-square " << stat << " on " << df << " degrees of freedom");
  CHECK(stat <= df + 6.0 * std::sqrt(2.0 * std::max(df, 1)));
}

TEST_CASE("impulse_noise flips elements independently to 0 or 255 with probability c",
          "[corruptions]") {
  // Mid-grey: neither 0 nor 255 occurs unflipped, so every flip is visible.
  const cv::Mat img(200, 200, CV_8UC3, cv::Scalar::all(77));
  const int severity = GENERATE(1, 5);
  const double c = corruption_parameters("impulse_noise", severity, SizeTable::kLarge)[0];
  Rng rng{7};
  cv::Mat out;
  apply_corruption("impulse_noise", severity, img, out, SizeTable::kLarge, rng);
  const uint8_t* o = out.ptr<uint8_t>();
  const double n = static_cast<double>(img.total() * 3);
  double salt = 0, pepper = 0, other = 0, both = 0;
  for (size_t px = 0; px < img.total(); ++px) {
    for (int k = 0; k < 3; ++k) {
      const uint8_t v = o[px * 3 + k];
      salt += v == 255;
      pepper += v == 0;
      other += v != 0 && v != 255 && v != 77;
    }
    both += o[px * 3] != 77 && o[px * 3 + 1] != 77;
  }
  INFO("severity " << severity << ", c " << c);
  const double se = std::sqrt(c / 2 * (1 - c / 2) / n);
  CHECK(other == 0);
  CHECK(std::abs(salt / n - c / 2) <= 5 * se);
  CHECK(std::abs(pepper / n - c / 2) <= 5 * se);
  // Channels flip independently: both of two channels with probability c^2.
  const double pixels = static_cast<double>(img.total());
  CHECK(std::abs(both / pixels - c * c) <= 5 * std::sqrt(c * c * (1 - c * c) / pixels));
}

TEST_CASE("speckle_noise adds x * N(0, c) to x", "[corruptions]") {
  // x = 100/255 and c <= .35: clipping is beyond 7 sigma. Truncation lowers the mean by about
  // half a level and adds 1/12 level^2 of variance.
  const cv::Mat img(200, 200, CV_8UC3, cv::Scalar::all(100));
  const int severity = GENERATE(1, 3, 5);
  const double c = corruption_parameters("speckle_noise", severity, SizeTable::kMedium)[0];
  Rng rng{13};
  cv::Mat out;
  apply_corruption("speckle_noise", severity, img, out, SizeTable::kMedium, rng);
  cv::Scalar mean, sd;
  cv::meanStdDev(out.reshape(1), mean, sd);
  const double sigma = 100.0 * c, n = static_cast<double>(img.total() * 3);
  INFO("severity " << severity << ": mean " << mean[0] << ", sd " << sd[0] << ", want sd "
                   << sigma);
  CHECK(std::abs(mean[0] + 0.5 - 100.0) <= 5 * sigma / std::sqrt(n) + 0.01);
  CHECK(sd[0] * sd[0] - 1.0 / 12 == Approx(sigma * sigma).epsilon(0.02));
}

// --- kernels -------------------------------------------------------------------------------------

TEST_CASE("gaussian_filter is the sampled Gaussian of radius int(4 sigma + .5)", "[corruptions]") {
  const double sigma = GENERATE(0.3, 1.0, 2.5);
  const int radius = static_cast<int>(4 * sigma + 0.5);
  cv::Mat impulse = cv::Mat::zeros(41, 41, CV_64FC1);
  impulse.at<double>(20, 20) = 1.0;
  cv::Mat out;
  gaussian_filter(impulse, out, sigma);
  double norm = 0.0;
  for (int i = -radius; i <= radius; ++i) norm += std::exp(-0.5 * i * i / (sigma * sigma));
  for (int y = 0; y < 41; ++y) {
    for (int x = 0; x < 41; ++x) {
      const int dy = y - 20, dx = x - 20;
      const bool inside = std::abs(dy) <= radius && std::abs(dx) <= radius;
      const double want =
          inside ? std::exp(-0.5 * (dx * dx + dy * dy) / (sigma * sigma)) / (norm * norm) : 0.0;
      INFO("sigma " << sigma << " at " << dy << ", " << dx);
      REQUIRE(out.at<double>(y, x) == Approx(want).margin(1e-15));
    }
  }
}

TEST_CASE("gaussian_filter replicates edges, keeps channels apart and skips sigma ~ 0",
          "[corruptions]") {
  // scipy's mode 'nearest' on an 8 x 5 ramp with a kernel wider than the image, per channel.
  cv::Mat ramp(8, 5, CV_32FC3);
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 5; ++x) ramp.at<cv::Vec3f>(y, x) = {float(x), 10.0f, float(y)};
  }
  cv::Mat out;
  gaussian_filter(ramp, out, 3.0);
  const int radius = 12;
  std::vector<double> w;
  double norm = 0.0;
  for (int i = -radius; i <= radius; ++i) {
    w.push_back(std::exp(-0.5 * i * i / 9.0));
    norm += w.back();
  }
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 5; ++x) {
      double wx = 0.0, wy = 0.0;
      for (int i = -radius; i <= radius; ++i) {
        wx += w[i + radius] / norm * std::min(4, std::max(0, x + i));
        wy += w[i + radius] / norm * std::min(7, std::max(0, y + i));
      }
      const cv::Vec3f got = out.at<cv::Vec3f>(y, x);
      CHECK(got[0] == Approx(wx).margin(1e-5));
      CHECK(got[1] == Approx(10.0).margin(1e-5));
      CHECK(got[2] == Approx(wy).margin(1e-5));
    }
  }
  gaussian_filter(ramp, out, 0.1);  // radius int(0.9) = 0: scipy's one-tap kernel
  CHECK(cv::norm(out, ramp, cv::NORM_INF) == 0);
}

// Where imagecorruptions' _motion_blur reads tap i: (dx, dy) = (ceil(i cos t - .5),
// ceil(i sin t - .5)), as it computes them through the point (w sin t, w cos t) and its hypot.
cv::Point motion_offset(int i, int width, double angle_deg) {
  const double t = angle_deg * std::acos(-1.0) / 180.0;
  const double py = width * std::sin(t), px = width * std::cos(t), h = std::hypot(py, px);
  return {static_cast<int>(std::ceil(i * px / h - 0.5)),
          static_cast<int>(std::ceil(i * py / h - 0.5))};
}

// A direct transcription of _motion_blur: out = sum_i k_i x[clamp(y + dy_i), clamp(x + dx_i)],
// stopping at the first tap whose offset reaches the image size.
cv::Mat reference_motion_blur(const cv::Mat& x, double radius, double sigma, double angle) {
  const int width = 2 * static_cast<int>(std::ceil(radius)) + 1, ch = x.channels();
  std::vector<double> k(width);
  double norm = 0.0;
  for (int i = 0; i < width; ++i) norm += k[i] = std::exp(-i * i / (2 * sigma * sigma));
  cv::Mat out = cv::Mat::zeros(x.size(), CV_64FC(ch));
  for (int i = 0; i < width; ++i) {
    const cv::Point d = motion_offset(i, width, angle);
    if (std::abs(d.y) >= x.rows || std::abs(d.x) >= x.cols) break;
    for (int r = 0; r < x.rows; ++r) {
      for (int c = 0; c < x.cols; ++c) {
        const int sr = std::min(x.rows - 1, std::max(0, r + d.y));
        const int sc = std::min(x.cols - 1, std::max(0, c + d.x));
        for (int j = 0; j < ch; ++j) {
          out.ptr<double>(r)[c * ch + j] += k[i] / norm * x.ptr<float>(sr)[sc * ch + j];
        }
      }
    }
  }
  return out;
}

TEST_CASE("motion_blur kernel: a point becomes a one-sided Gaussian streak", "[corruptions]") {
  const double angle = GENERATE(0.0, 30.0, -45.0, 90.0, -117.0);
  const double radius = 6, sigma = 2.5;
  cv::Mat impulse = cv::Mat::zeros(40, 40, CV_32FC1);
  impulse.at<float>(20, 20) = 1.0f;
  cv::Mat out;
  corruptions::motion_blur(impulse, out, radius, sigma, angle);
  // Tap i reads (y + dy_i, x + dx_i), so the point lands at (20 - dy_i, 20 - dx_i).
  cv::Mat want = cv::Mat::zeros(40, 40, CV_64FC1);
  double norm = 0.0;
  for (int i = 0; i < 13; ++i) norm += std::exp(-i * i / (2 * sigma * sigma));
  for (int i = 0; i < 13; ++i) {
    const cv::Point d = motion_offset(i, 13, angle);
    want.at<double>(20 - d.y, 20 - d.x) += std::exp(-i * i / (2 * sigma * sigma)) / norm;
  }
  cv::Mat got;
  out.convertTo(got, CV_64F);
  INFO("angle " << angle);
  CHECK(cv::norm(got, want, cv::NORM_INF) < 1e-6);
  CHECK(cv::sum(got)[0] == Approx(1.0).epsilon(1e-6));
}

TEST_CASE("motion_blur kernel replicates edges and drops taps beyond a tiny image",
          "[corruptions]") {
  auto [rows, cols, radius, sigma, angle] = GENERATE(table<int, int, double, double, double>({
      {8, 8, 20, 15, 10.0},  // taps 8..40 fall off: the streak is cut, not renormalised
      {8, 13, 9, 2.5, -44.0},
      {24, 17, 10, 3, 33.3},
      {17, 24, 2, 1, -80.0},
  }));
  cv::Mat x;
  random_image(rows, cols, CV_8UC3, 5).convertTo(x, CV_32F, 1.0 / 255);
  cv::Mat out, got;
  corruptions::motion_blur(x, out, radius, sigma, angle);
  out.convertTo(got, CV_64F);
  INFO(rows << "x" << cols << " R " << radius << " S " << sigma << " angle " << angle);
  CHECK(cv::norm(got, reference_motion_blur(x, radius, sigma, angle), cv::NORM_INF) < 1e-5);
}

TEST_CASE("disk_kernel is ImageNet-C's anti-aliased disk", "[corruptions]") {
  // Radius .3 is the centre point alone, so the kernel is the 3 x 3 Gaussian of the alias blur
  // in the middle of the 17 x 17 grid.
  const cv::Mat point = disk_kernel(0.3, 0.4);
  REQUIRE(point.size() == cv::Size(17, 17));
  REQUIRE(point.type() == CV_32FC1);
  const cv::Mat g = cv::getGaussianKernel(3, 0.4, CV_32F);
  for (int y = 0; y < 17; ++y) {
    for (int x = 0; x < 17; ++x) {
      const bool centre = std::abs(y - 8) <= 1 && std::abs(x - 8) <= 1;
      const float want = centre ? g.at<float>(y - 7) * g.at<float>(x - 7) : 0.0f;
      CHECK(point.at<float>(y, x) == Approx(want).margin(1e-7));
    }
  }
  // Beyond 8 the grid is -r..r, with a 5 x 5 alias blur; fractional radii give ceil(2r + 1)
  // points from -r, as np.arange(-r, r + 1) does, so 12.3 runs -12.3..12.7 and is lopsided.
  // Where the disk reaches the grid's edge, cv2.GaussianBlur's reflect-101 border folds blur
  // back in and the kernel sums to more than 1 (ImageNet-C brightens at radius >= 8 too).
  auto [radius, side, sum, symmetric] = GENERATE(table<double, int, double, bool>({
      {1, 17, 1.0, true},
      {6, 17, 1.0, true},
      {7, 17, 1.0028593, true},
      {8, 17, 1.0129755, true},
      {10, 21, 1.0107858, true},
      {9.5, 20, 1.0123880, true},
      {12.3, 26, 1.0081310, false},
  }));
  const cv::Mat k = disk_kernel(radius, 0.5);
  INFO("radius " << radius);
  CHECK(k.rows == side);
  CHECK(k.cols == side);
  CHECK(cv::sum(k)[0] == Approx(sum).epsilon(1e-6));
  cv::Mat flipped;
  cv::flip(k, flipped, -1);
  CHECK((cv::norm(k, flipped, cv::NORM_INF) < 1e-7) == symmetric);
  // Radius 1 (no blur to speak of): the five points of the plus sign, 1/5 each.
  const cv::Mat plus = disk_kernel(1, 0.01);
  CHECK(plus.at<float>(8, 8) == Approx(0.2f));
  CHECK(plus.at<float>(7, 8) == Approx(0.2f));
  CHECK(plus.at<float>(9, 9) == Approx(0.0f).margin(1e-7));
}

// --- the random blurs against direct transcriptions fed the same draws ---------------------------

// skimage.filters.gaussian(x, sigma, channel_axis=-1) in double, loops written out.
cv::Mat reference_gaussian(const cv::Mat& x, double sigma) {
  const int radius = static_cast<int>(4 * sigma + 0.5), ch = x.channels();
  std::vector<double> w;
  double norm = 0.0;
  for (int i = -radius; i <= radius; ++i) {
    w.push_back(std::exp(-0.5 * i * i / (sigma * sigma)));
    norm += w.back();
  }
  for (double& v : w) v /= norm;
  auto pass = [&](const cv::Mat& in, bool along_rows) {
    cv::Mat out(in.size(), CV_64FC(ch));
    for (int r = 0; r < in.rows; ++r) {
      for (int c = 0; c < in.cols; ++c) {
        for (int j = 0; j < ch; ++j) {
          double s = 0.0;
          for (int i = -radius; i <= radius; ++i) {
            const int sr = along_rows ? std::min(in.rows - 1, std::max(0, r + i)) : r;
            const int sc = along_rows ? c : std::min(in.cols - 1, std::max(0, c + i));
            s += w[i + radius] * in.ptr<double>(sr)[sc * ch + j];
          }
          out.ptr<double>(r)[c * ch + j] = s;
        }
      }
    }
    return out;
  };
  return pass(pass(x, true), false);
}

cv::Mat reference_store(const cv::Mat& x) {
  cv::Mat out(x.size(), CV_8UC(x.channels()));
  for (size_t i = 0; i < x.total() * x.channels(); ++i) out.data[i] = store(x.ptr<double>()[i]);
  return out;
}

// img / 255 by division, as numpy does it.
cv::Mat unit(const cv::Mat& u8) {
  cv::Mat x(u8.size(), CV_64FC(u8.channels()));
  for (size_t i = 0; i < u8.total() * u8.channels(); ++i) x.ptr<double>()[i] = u8.data[i] / 255.0;
  return x;
}

// make_imagenet_c.py glass_blur, sizes taken from the image; the numpy "swap" copies x[h', w']
// into x[h, w].
cv::Mat reference_glass_blur(const cv::Mat& img, double sigma, int d, int iterations, Rng& rng) {
  cv::Mat x = unit(img);
  cv::Mat u8 = reference_store(reference_gaussian(x, sigma));
  const int ch = img.channels();
  for (int it = 0; it < iterations; ++it) {
    for (int h = img.rows - d; h > d; --h) {
      for (int w = img.cols - d; w > d; --w) {
        const int dx = static_cast<int>(rng.below(2 * d)) - d;
        const int dy = static_cast<int>(rng.below(2 * d)) - d;
        for (int j = 0; j < ch; ++j) {
          u8.ptr<uint8_t>(h)[w * ch + j] = u8.ptr<uint8_t>(h + dy)[(w + dx) * ch + j];
        }
      }
    }
  }
  x = unit(u8);
  return reference_store(reference_gaussian(x, sigma));
}

TEST_CASE("glass_blur equals the reference's loop on the same draws", "[corruptions]") {
  auto [rows, cols, channels] =
      GENERATE(table<int, int, int>({{32, 32, 3}, {40, 27, 1}, {64, 64, 3}, {170, 161, 3}}));
  const cv::Mat img = random_image(rows, cols, CV_8UC(channels), 3);
  cv::Mat smooth;
  cv::GaussianBlur(img, smooth, cv::Size(5, 5), 1.0);  // photo-like, so that blur matters
  const SizeTable table = size_table_for(rows, cols);
  for (int severity = 1; severity <= 5; ++severity) {
    const auto p = corruption_parameters("glass_blur", severity, table);
    Rng a{21, 4}, b{21, 4};
    cv::Mat got;
    apply_corruption("glass_blur", severity, smooth, got, table, a);
    const cv::Mat want =
        reference_glass_blur(smooth, p[0], static_cast<int>(p[1]), static_cast<int>(p[2]), b);
    // float32 against float64: a level off where a value sits at a truncation boundary.
    const double mean = cv::norm(got, want, cv::NORM_L1) / (got.total() * channels);
    INFO(rows << "x" << cols << "x" << channels << " severity " << severity << ": mean |diff| "
              << mean);
    CHECK(cv::norm(got, want, cv::NORM_INF) <= 1);
    CHECK(mean < 0.02);
  }
}

TEST_CASE("glass_blur with no blur copies each pixel from one of its 2d x 2d neighbours",
          "[corruptions]") {
  // CIFAR severity 1: sigma .05 (a one-tap Gaussian), d 1, one pass; (dx, dy) ~ U{-1, 0}^2 and no
  // source has been overwritten yet when it is read, so each offset is seen a quarter of the time.
  cv::Mat img(48, 40, CV_8UC1);
  for (int y = 0; y < 48; ++y) {
    for (int x = 0; x < 40; ++x)
      img.at<uint8_t>(y, x) = static_cast<uint8_t>((7 * y + 3 * x) % 256);
  }
  Rng rng{99};
  cv::Mat out;
  apply_corruption("glass_blur", 1, img, out, SizeTable::kSmall, rng);
  std::map<std::pair<int, int>, int> seen;
  for (int y = 0; y < 48; ++y) {
    for (int x = 0; x < 40; ++x) {
      if (y < 2 || x < 2) {  // outside the scan (h, w > d)
        CHECK(out.at<uint8_t>(y, x) == img.at<uint8_t>(y, x));
        continue;
      }
      int matches = 0;
      for (int dy : {-1, 0}) {
        for (int dx : {-1, 0}) {
          if (out.at<uint8_t>(y, x) == img.at<uint8_t>(y + dy, x + dx)) {
            ++seen[{dy, dx}];
            ++matches;
          }
        }
      }
      CHECK(matches == 1);
    }
  }
  const double n = 46.0 * 38.0;
  REQUIRE(seen.size() == 4);
  for (const auto& [offset, count] : seen) {
    INFO("offset " << offset.first << ", " << offset.second << ": " << count);
    CHECK(std::abs(count - n / 4) <= 5 * std::sqrt(n * 3.0 / 16.0));
  }
}

TEST_CASE("motion_blur draws its angle from U(-45, 45) and blurs with the kernel",
          "[corruptions]") {
  const cv::Mat img = random_image(48, 56, CV_8UC3, 8);
  std::vector<double> angles;
  for (uint64_t key = 0; key < 200; ++key) {
    Rng a{key}, b{key};
    cv::Mat got;
    apply_corruption("motion_blur", 3, img, got, SizeTable::kMedium, a);
    const double angle = b.uniform(-45.0, 45.0);
    angles.push_back(angle);
    if (key < 5) {
      cv::Mat x;
      img.convertTo(x, CV_32F, 1.0 / 255);
      const cv::Mat want = reference_motion_blur(x, 10, 2, angle);
      cv::Mat w8(img.size(), img.type());
      for (size_t i = 0; i < img.total() * 3; ++i) w8.data[i] = store(want.ptr<double>()[i]);
      INFO("angle " << angle);
      CHECK(cv::norm(got, w8, cv::NORM_INF) <= 1);
    }
  }
  CHECK(*std::min_element(angles.begin(), angles.end()) < -40.0);
  CHECK(*std::max_element(angles.begin(), angles.end()) > 40.0);
}

// --- sizes the registry-wide tests do not cover --------------------------------------------------

TEST_CASE("noise and blur ops handle 8 px, rectangular and 512 px images", "[corruptions]") {
  const std::vector<std::string> ids = {"gaussian_noise", "shot_noise",    "impulse_noise",
                                        "speckle_noise",  "gaussian_blur", "defocus_blur",
                                        "glass_blur",     "motion_blur",   "zoom_blur"};
  auto [rows, cols] = GENERATE(table<int, int>({{8, 8}, {8, 13}, {13, 8}, {9, 160}, {512, 300}}));
  for (int channels : {1, 3}) {
    const cv::Mat img = random_image(rows, cols, CV_8UC(channels), 17);
    const SizeTable table = size_table_for(rows, cols);
    for (const auto& id : ids) {
      for (int severity : {1, 5}) {
        INFO(id << " " << rows << "x" << cols << "x" << channels << " severity " << severity);
        Rng rng{3};
        cv::Mat out;
        apply_corruption(id, severity, img, out, table, rng);
        REQUIRE(out.size() == img.size());
        REQUIRE(out.type() == img.type());
      }
    }
  }
}

TEST_CASE("zoom_blur and defocus_blur leave a constant image as the references do",
          "[corruptions]") {
  // Each output is k/255 up to rounding (normalised kernels, zooms of a constant), so it
  // truncates to k or k - 1, as in the references; never to anything else.
  const int level = GENERATE(0, 1, 128, 255);
  const cv::Mat img(64, 48, CV_8UC3, cv::Scalar::all(level));
  for (const std::string id : {"zoom_blur", "defocus_blur", "gaussian_blur"}) {
    for (int severity = 1; severity <= 5; ++severity) {
      INFO(id << " level " << level << " severity " << severity);
      Rng rng{1};
      cv::Mat out;
      apply_corruption(id, severity, img, out, SizeTable::kMedium, rng);
      double lo, hi;
      cv::minMaxLoc(out.reshape(1), &lo, &hi);
      CHECK(hi <= level);
      CHECK(lo >= std::max(0, level - 1));
    }
  }
}

TEST_CASE("zoom_blur keeps scipy's zero past the last input coordinate", "[corruptions]") {
  // At side 36, zooms 1.2 and 1.21 map the last output row and column to (n_in - 1) * (1 + 1e-16),
  // which scipy.ndimage.zoom's 'constant' mode reads as 0: the reference darkens that edge of a
  // constant image. Values from tests/parity/corruption_refs/blur.py.
  const cv::Mat img(36, 36, CV_8UC3, cv::Scalar::all(200));
  const std::array<int, 5> edge = {200, 200, 200, 190, 185};
  for (int severity = 1; severity <= 5; ++severity) {
    INFO("severity " << severity);
    Rng rng{1};
    cv::Mat out;
    apply_corruption("zoom_blur", severity, img, out, SizeTable::kSmall, rng);
    double lo, hi;
    cv::minMaxLoc(out(cv::Rect(0, 0, 35, 35)).clone().reshape(1), &lo, &hi);
    CHECK(lo == 200);
    CHECK(hi == 200);
    for (int i = 0; i < 36; ++i) {
      CHECK(out.at<cv::Vec3b>(35, i)[0] == edge[severity - 1]);
      CHECK(out.at<cv::Vec3b>(i, 35)[2] == edge[severity - 1]);
    }
  }
}

}  // namespace
}  // namespace gauntlet
