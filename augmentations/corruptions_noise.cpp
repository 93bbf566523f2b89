// Noise corruptions of ImageNet-C (Hendrycks & Dietterich, "Benchmarking Neural Network
// Robustness to Common Corruptions and Perturbations", ICLR 2019): additive Gaussian, shot
// (Poisson), impulse (salt and pepper) and, as an extra, speckle noise. All act per element, so a
// grey image is treated like any one channel of a colour one.
#include <array>
#include <cmath>
#include <vector>

#include "augmentations/corruptions_impl.hpp"

namespace gauntlet::corruptions {
namespace {

// make_imagenet_c.py gaussian_noise: clip(x + N(0, c)) with sigma c on the [0,1] scale.
void gaussian_noise(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double c = p[0];
  cv::Mat out(src.size(), src.type());
  const uint8_t* in = src.ptr<uint8_t>();
  uint8_t* o = out.ptr<uint8_t>();
  const size_t n = src.total() * src.channels();
  for (size_t i = 0; i < n; ++i) o[i] = to_u8(in[i] / 255.0 + c * rng.normal());
  dst = out;
}

// log(k!) exactly enough for the Poisson acceptance test: a table for small k, Stirling's series
// for lgamma(k + 1) beyond (its first omitted term is below 1e-19 there). std::lgamma is avoided
// because glibc's writes the global `signgam`, a data race when images are corrupted in threads.
double log_factorial(int64_t k) {
  static const std::array<double, 256> table = [] {
    std::array<double, 256> t{};
    for (size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] + std::log(static_cast<double>(i));
    return t;
  }();
  if (k < static_cast<int64_t>(table.size())) return table[k];
  const double z = static_cast<double>(k) + 1.0, z2 = z * z;
  return (z - 0.5) * std::log(z) - z + 0.91893853320467274178 +
         (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / (1260.0 * z2)) / z2) / z;
}

// Poisson(lambda) draws, one set-up per distinct lambda. lambda < 10: inversion of the
// cumulative distribution, one uniform per draw, the table running until the remaining mass is
// below the 2^-53 resolution of a uniform. lambda >= 10: PTRS, the transformed rejection with
// squeeze of Hormann ("The transformed rejection method for generating Poisson random
// variables", Insurance: Mathematics and Economics 12, 1993), also numpy's method in that range,
// about 1.1 pairs of uniforms per draw at any lambda (products of uniforms would need lambda + 1).
class Poisson {
 public:
  explicit Poisson(double lambda) : lambda_(lambda) {
    if (lambda_ < 10.0) {
      double pmf = std::exp(-lambda_), cdf = pmf;
      cdf_.push_back(cdf);
      for (int k = 1; k <= lambda_ || pmf > 1e-18; ++k) {
        pmf *= lambda_ / k;
        cdf += pmf;
        cdf_.push_back(cdf);
      }
      return;
    }
    const double s = std::sqrt(lambda_);
    log_lambda_ = std::log(lambda_);
    b_ = 0.931 + 2.53 * s;
    a_ = -0.059 + 0.02483 * b_;
    log_inv_alpha_ = std::log(1.1239 + 1.1328 / (b_ - 3.4));
    v_r_ = 0.9277 - 3.6224 / (b_ - 2.0);
  }

  int64_t operator()(Rng& rng) const {
    if (lambda_ < 10.0) {
      const double u = rng.uniform();
      size_t k = 0;
      while (k < cdf_.size() && u >= cdf_[k]) ++k;
      return static_cast<int64_t>(k);
    }
    while (true) {
      const double u = rng.uniform() - 0.5;
      const double v = rng.uniform();
      const double us = 0.5 - std::abs(u);
      const auto k = static_cast<int64_t>(std::floor((2.0 * a_ / us + b_) * u + lambda_ + 0.43));
      if (us >= 0.07 && v <= v_r_) return k;  // the squeeze: accept without the density
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + log_inv_alpha_ - std::log(a_ / (us * us) + b_) <=
          -lambda_ + static_cast<double>(k) * log_lambda_ - log_factorial(k)) {
        return k;
      }
    }
  }

 private:
  double lambda_;
  std::vector<double> cdf_;
  double log_lambda_ = 0.0, a_ = 0.0, b_ = 0.0, log_inv_alpha_ = 0.0, v_r_ = 0.0;
};

// make_imagenet_c.py shot_noise: clip(Poisson(x * c) / c), c photons at full intensity.
// lambda depends only on the grey level, so the 256 samplers are set up once per image.
void shot_noise(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double c = p[0];
  std::vector<Poisson> by_level;
  by_level.reserve(256);
  for (int v = 0; v < 256; ++v) by_level.emplace_back(v / 255.0 * c);
  cv::Mat out(src.size(), src.type());
  const uint8_t* in = src.ptr<uint8_t>();
  uint8_t* o = out.ptr<uint8_t>();
  const size_t n = src.total() * src.channels();
  for (size_t i = 0; i < n; ++i) o[i] = to_u8(static_cast<double>(by_level[in[i]](rng)) / c);
  dst = out;
}

// make_imagenet_c.py impulse_noise: skimage.util.random_noise(x, mode='s&p', amount=c), which
// flips each element with probability c to 1 (salt) or 0 (pepper), half and half. One uniform
// per element decides both: below c/2 salt, below c pepper.
void impulse_noise(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double c = p[0];
  cv::Mat out(src.size(), src.type());
  const uint8_t* in = src.ptr<uint8_t>();
  uint8_t* o = out.ptr<uint8_t>();
  const size_t n = src.total() * src.channels();
  for (size_t i = 0; i < n; ++i) {
    const double u = rng.uniform();
    o[i] = u < 0.5 * c ? 255 : u < c ? 0 : to_u8(in[i] / 255.0);
  }
  dst = out;
}

// make_imagenet_c.py speckle_noise: clip(x + x * N(0, c)), noise proportional to intensity.
void speckle_noise(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double c = p[0];
  cv::Mat out(src.size(), src.type());
  const uint8_t* in = src.ptr<uint8_t>();
  uint8_t* o = out.ptr<uint8_t>();
  const size_t n = src.total() * src.channels();
  for (size_t i = 0; i < n; ++i) {
    const double x = in[i] / 255.0;
    o[i] = to_u8(x + x * (c * rng.normal()));
  }
  dst = out;
}

}  // namespace

std::vector<CorruptionEntry> noise_corruptions() {
  // Rows: CIFAR-10-C, Tiny ImageNet-C, ImageNet-C (make_*_c.py).
  return {
      {{"", "gaussian_noise", kImageNetC, "x + N(0, c) per element", false, true},
       {{{{.04}, {.06}, {.08}, {.09}, {.10}}},
        {{{.04}, {.08}, {.12}, {.15}, {.18}}},
        {{{.08}, {.12}, {.18}, {.26}, {.38}}}},
       &gaussian_noise},
      {{"", "shot_noise", kImageNetC, "Poisson(x * c) / c per element", false, true},
       {{{{500}, {250}, {100}, {75}, {50}}},
        {{{250}, {100}, {50}, {30}, {15}}},
        {{{60}, {25}, {12}, {5}, {3}}}},
       &shot_noise},
      {{"", "impulse_noise", kImageNetC,
        "each element set to 0 or 1 (half and half) with probability c", false, true},
       {{{{.01}, {.02}, {.03}, {.05}, {.07}}},
        {{{.01}, {.02}, {.05}, {.08}, {.14}}},
        {{{.03}, {.06}, {.09}, {.17}, {.27}}}},
       &impulse_noise},
      {{"", "speckle_noise", kImageNetC, "x + x * N(0, c) per element", false, false},
       {{{{.06}, {.1}, {.12}, {.16}, {.2}}},
        {{{.15}, {.2}, {.25}, {.3}, {.35}}},
        {{{.15}, {.2}, {.35}, {.45}, {.6}}}},
       &speckle_noise},
  };
}

}  // namespace gauntlet::corruptions
