// Augmentation policies that draw ops and magnitudes from a fixed space: RandAugment (Cubuk et al.,
// "RandAugment: Practical automated data augmentation with a reduced search space", CVPR-W 2020),
// TrivialAugmentWide (Muller & Hutter, ICCV 2021) and AugMix (Hendrycks et al., ICLR 2020), with
// torchvision 0.14's op lists and magnitude ranges. The ops themselves are the photometric and
// geometric transforms of this folder run at fixed parameters; policies.cpp tabulates the maps.
#pragma once

#include <opencv2/core.hpp>

#include <vector>

#include "augmentations/transform.hpp"

namespace gauntlet {

// --- samplers ----------------------------------------------------------------------------------

/// Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 by Gamma(shape + 1) U^(1/shape).
double sample_gamma(Rng& rng, double shape);
/// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
double sample_beta(Rng& rng, double a, double b);
/// Dirichlet(alpha) as normalised Gamma(alpha_i) draws (uniform weights if every draw underflows).
std::vector<double> sample_dirichlet(Rng& rng, const std::vector<double>& alpha);

// --- the op space ------------------------------------------------------------------------------

/// torchvision's op names, in the order of RandAugment's _augmentation_space.
enum class PolicyOp {
  kIdentity, kShearX, kShearY, kTranslateX, kTranslateY, kRotate, kBrightness, kColor, kContrast,
  kSharpness, kPosterize, kSolarize, kAutoContrast, kEqualize
};
constexpr int kNumPolicyOps = 14;

/// The three magnitude tables of torchvision 0.14.
enum class PolicySpace { kRandAugment, kTrivialAugmentWide, kAugMix };

const char* policy_op_name(PolicyOp op);
/// Whether torchvision flips the sign of the op's parameter at random.
bool policy_op_signed(PolicyOp op);
/// The op's parameter at magnitude fraction m in [0, 1] (before the sign), for an image of `size`:
/// shear factor, pixels, degrees, enhancement offset, bits or solarize threshold (policies.cpp).
double policy_op_parameter(PolicySpace space, PolicyOp op, double m, cv::Size size);
/// Applies `op` with parameter `value` (signed, in the op's unit); `key` seeds the geometric op's
/// Rng, whose draws are all fixed by the parameter.
void apply_policy_op(const cv::Mat& src, cv::Mat& dst, PolicyOp op, double value, uint64_t key);

// --- transforms ----------------------------------------------------------------------------------

class RandAugment : public Transform {
 public:
  explicit RandAugment(RandAugmentOptions o) : o_(o) {}
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  RandAugmentOptions o_;
};

class TrivialAugment : public Transform {
 public:
  explicit TrivialAugment(TrivialAugmentOptions o) : o_(o) {}
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  TrivialAugmentOptions o_;
};

class AugMix : public Transform {
 public:
  explicit AugMix(AugMixOptions o) : o_(o) {}
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  AugMixOptions o_;
};

}  // namespace gauntlet
