// RandAugment, TrivialAugmentWide and AugMix after torchvision 0.14 (transforms/autoaugment.py):
// the same op lists in the same order, the same magnitude ranges and signs, the draws of a step in
// torchvision's order (op, magnitude bin, sign; here always all three, so that the number of draws
// never depends on which op came up) and AugMix's Dirichlet/Beta mix truncated back to uint8.
//
// Magnitude m in [0, 1] (RandAugment: `magnitude`; TrivialAugmentWide: bin k of n, m = k/(n-1);
// AugMix: bin k in 0..severity-1 of 10, m = k/9) maps to each op's parameter v, and +-v is the
// sign drawn for the signed ops (s). W, H: the image's width and height.
//
//   op            s  parameter v              RandAugment    TrivialAugmentWide  AugMix   v at m = 0
//   Identity         -                        -              -                   (none)   identity
//   ShearX/Y      s  shear factor  M m        M = 0.3        0.99                0.3      identity
//   TranslateX    s  pixels trunc(M m)        M = 150/331 W  32                  W/3      identity
//   TranslateY    s  pixels trunc(M m)        M = 150/331 H  32                  H/3      identity
//   Rotate        s  degrees M m              M = 30         135                 30       identity
//   Brightness    s  factor 1 + M m           M = 0.9        0.99                0.9      identity
//   Color         s  saturation 1 + M m       M = 0.9        0.99                0.9      identity
//   Contrast      s  factor 1 + M m           M = 0.9        0.99                0.9      identity
//   Sharpness     s  factor 1 + M m           M = 0.9        0.99                0.9      identity
//   Posterize        bits B - round(L m)      B, L = 8, 4    8, 6                4, 4     8 bits: identity
//                                                                                         (AugMix: 4 bits)
//   Solarize         threshold 255 (1 - m)    same           same                same     flips 255 only
//   AutoContrast     -                                                                    not identity
//   Equalize         -                                                                    not identity
//
// ShearX/Y shear by atan(v) in degrees, Rotate turns counter-clockwise by v; both are Affine (bilinear,
// fill 0), Translate is a whole-pixel shift with fill 0, the rest are the photometric ops with their
// range collapsed to the parameter. Solarize inverts values >= v, i.e. >= ceil(v) on integers.
// Differences from torchvision: geometric ops interpolate bilinearly (RandAugment's and
// TrivialAugmentWide's default is nearest; AugMix's is bilinear as here), and shears turn about the
// image centre rather than the top-left corner (the same shear followed by a shift of up to v H/2).
// RandAugment's magnitude is continuous rather than one of 31 bins, with timm's per-op jitter.
#include "augmentations/policies.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "augmentations/geometric.hpp"
#include "augmentations/photometric.hpp"

namespace gauntlet {
namespace {

constexpr double kDegreesPerRadian = 180.0 / 3.14159265358979323846;

// Whole-pixel shift, content moving right/down for positive dx/dy, fill 0: torchvision's affine at
// an integer translation (Affine's own fast path, which cannot take a fixed shift).
void shift(const cv::Mat& src, cv::Mat& dst, int dx, int dy) {
  if (dx == 0 && dy == 0) {
    if (dst.data != src.data) src.copyTo(dst);
    return;
  }
  dx = std::clamp(dx, -src.cols, src.cols);
  dy = std::clamp(dy, -src.rows, src.rows);
  cv::Mat padded;
  cv::copyMakeBorder(src, padded, std::max(dy, 0), std::max(-dy, 0), std::max(dx, 0), std::max(-dx, 0),
                     cv::BORDER_CONSTANT, cv::Scalar::all(0));
  dst = padded(cv::Rect(std::max(-dx, 0), std::max(-dy, 0), src.cols, src.rows)).clone();
}

AffineOptions fixed_affine(double degrees, double shear_x, double shear_y) {
  AffineOptions a;
  a.p = 1.0;
  a.degrees_min = a.degrees_max = degrees;
  a.translate_x = a.translate_y = 0.0;
  a.scale_min = a.scale_max = 1.0;
  a.shear_x_min = a.shear_x_max = shear_x;
  a.shear_y_min = a.shear_y_max = shear_y;
  a.fill = Fill::kConstant;
  a.fill_value = 0;
  return a;
}

// An op class at one fixed parameter: its range collapsed, p = 1.
template <typename Op, typename Options>
void run_fixed(Options o, const cv::Mat& src, cv::Mat& dst, Rng& rng) {
  o.p = 1.0;
  Op(o).apply(src, dst, rng);
}

template <typename Options>
Options factor_options(double factor) {
  Options o;
  o.factor_min = o.factor_max = factor;
  return o;
}

// AugMix's space: torchvision's order, all_ops = true.
constexpr PolicyOp kAugMixOps[] = {
    PolicyOp::kShearX,   PolicyOp::kShearY,     PolicyOp::kTranslateX,   PolicyOp::kTranslateY,
    PolicyOp::kRotate,   PolicyOp::kPosterize,  PolicyOp::kSolarize,     PolicyOp::kAutoContrast,
    PolicyOp::kEqualize, PolicyOp::kBrightness, PolicyOp::kColor,        PolicyOp::kContrast,
    PolicyOp::kSharpness};
constexpr int kNumAugMixOps = sizeof(kAugMixOps) / sizeof(kAugMixOps[0]);

double signed_parameter(PolicySpace space, PolicyOp op, double m, bool negate, cv::Size size) {
  const double v = policy_op_parameter(space, op, m, size);
  return policy_op_signed(op) && negate ? -v : v;
}

void copy_unless_same(const cv::Mat& src, cv::Mat& dst) {
  if (dst.data != src.data) src.copyTo(dst);
}

}  // namespace

double sample_gamma(Rng& rng, double shape) {
  if (shape < 1.0) {
    // Gamma(a) = Gamma(a + 1) U^(1/a) (Marsaglia & Tsang, section 6); 1 - U keeps U in (0, 1].
    const double g = sample_gamma(rng, shape + 1.0);
    return g * std::pow(1.0 - rng.uniform(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    const double x = rng.normal();
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double u = 1.0 - rng.uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

double sample_beta(Rng& rng, double a, double b) {
  const double x = sample_gamma(rng, a);
  const double y = sample_gamma(rng, b);
  return x + y > 0.0 ? x / (x + y) : 0.5;
}

std::vector<double> sample_dirichlet(Rng& rng, const std::vector<double>& alpha) {
  std::vector<double> w(alpha.size());
  double sum = 0.0;
  for (size_t i = 0; i < alpha.size(); ++i) sum += w[i] = sample_gamma(rng, alpha[i]);
  for (double& x : w) x = sum > 0.0 ? x / sum : 1.0 / static_cast<double>(w.size());
  return w;
}

const char* policy_op_name(PolicyOp op) {
  switch (op) {
    case PolicyOp::kIdentity: return "Identity";
    case PolicyOp::kShearX: return "ShearX";
    case PolicyOp::kShearY: return "ShearY";
    case PolicyOp::kTranslateX: return "TranslateX";
    case PolicyOp::kTranslateY: return "TranslateY";
    case PolicyOp::kRotate: return "Rotate";
    case PolicyOp::kBrightness: return "Brightness";
    case PolicyOp::kColor: return "Color";
    case PolicyOp::kContrast: return "Contrast";
    case PolicyOp::kSharpness: return "Sharpness";
    case PolicyOp::kPosterize: return "Posterize";
    case PolicyOp::kSolarize: return "Solarize";
    case PolicyOp::kAutoContrast: return "AutoContrast";
    case PolicyOp::kEqualize: return "Equalize";
  }
  return "Identity";
}

bool policy_op_signed(PolicyOp op) {
  switch (op) {
    case PolicyOp::kShearX:
    case PolicyOp::kShearY:
    case PolicyOp::kTranslateX:
    case PolicyOp::kTranslateY:
    case PolicyOp::kRotate:
    case PolicyOp::kBrightness:
    case PolicyOp::kColor:
    case PolicyOp::kContrast:
    case PolicyOp::kSharpness: return true;
    default: return false;
  }
}

double policy_op_parameter(PolicySpace space, PolicyOp op, double m, cv::Size size) {
  const bool wide = space == PolicySpace::kTrivialAugmentWide;
  switch (op) {
    case PolicyOp::kShearX:
    case PolicyOp::kShearY: return (wide ? 0.99 : 0.3) * m;
    case PolicyOp::kTranslateX:
    case PolicyOp::kTranslateY: {
      const double side = op == PolicyOp::kTranslateX ? size.width : size.height;
      const double max = wide ? 32.0 : space == PolicySpace::kAugMix ? side / 3.0 : 150.0 / 331.0 * side;
      return max * m;
    }
    case PolicyOp::kRotate: return (wide ? 135.0 : 30.0) * m;
    case PolicyOp::kBrightness:
    case PolicyOp::kColor:
    case PolicyOp::kContrast:
    case PolicyOp::kSharpness: return (wide ? 0.99 : 0.9) * m;
    case PolicyOp::kPosterize: {
      const double base = space == PolicySpace::kAugMix ? 4.0 : 8.0;
      return base - std::nearbyint((wide ? 6.0 : 4.0) * m);  // torch.round: half to even
    }
    case PolicyOp::kSolarize: return 255.0 * (1.0 - m);
    default: return 0.0;
  }
}

void apply_policy_op(const cv::Mat& src, cv::Mat& dst, PolicyOp op, double value, uint64_t key) {
  Rng rng{key};
  switch (op) {
    case PolicyOp::kIdentity: copy_unless_same(src, dst); return;
    case PolicyOp::kShearX:
      Affine(fixed_affine(0.0, std::atan(value) * kDegreesPerRadian, 0.0)).apply(src, dst, rng);
      return;
    case PolicyOp::kShearY:
      Affine(fixed_affine(0.0, 0.0, std::atan(value) * kDegreesPerRadian)).apply(src, dst, rng);
      return;
    case PolicyOp::kTranslateX: shift(src, dst, static_cast<int>(value), 0); return;
    case PolicyOp::kTranslateY: shift(src, dst, 0, static_cast<int>(value)); return;
    case PolicyOp::kRotate:  // Affine's angle is clockwise, F.rotate's counter-clockwise
      Affine(fixed_affine(value == 0.0 ? 0.0 : -value, 0.0, 0.0)).apply(src, dst, rng);
      return;
    case PolicyOp::kBrightness:
      run_fixed<Brightness>(factor_options<BrightnessOptions>(1.0 + value), src, dst, rng);
      return;
    case PolicyOp::kColor:
      run_fixed<Saturation>(factor_options<SaturationOptions>(1.0 + value), src, dst, rng);
      return;
    case PolicyOp::kContrast:
      run_fixed<Contrast>(factor_options<ContrastOptions>(1.0 + value), src, dst, rng);
      return;
    case PolicyOp::kSharpness:
      run_fixed<Sharpness>(factor_options<SharpnessOptions>(1.0 + value), src, dst, rng);
      return;
    case PolicyOp::kPosterize: {
      PosterizeOptions o;
      o.bits_min = o.bits_max = std::clamp(static_cast<int>(value), 0, 8);
      run_fixed<Posterize>(o, src, dst, rng);
      return;
    }
    case PolicyOp::kSolarize: {
      SolarizeOptions o;
      o.threshold = static_cast<int>(std::ceil(value));
      run_fixed<Solarize>(o, src, dst, rng);
      return;
    }
    case PolicyOp::kAutoContrast: run_fixed<Autocontrast>(AutocontrastOptions{}, src, dst, rng); return;
    case PolicyOp::kEqualize: run_fixed<Equalize>(EqualizeOptions{}, src, dst, rng); return;
  }
}

void RandAugment::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  // Draws: p; per op its index, sign and jitter; a key for the ops' own Rngs. All of them whatever
  // p says, so the count depends on the key and the options only.
  const bool on = rng.bernoulli(o_.p);
  struct Step {
    PolicyOp op;
    bool negate;
    double m;
  };
  std::vector<Step> steps(static_cast<size_t>(std::max(o_.num_ops, 0)));
  for (Step& s : steps) {
    s.op = static_cast<PolicyOp>(rng.below(kNumPolicyOps));
    s.negate = rng.bernoulli(0.5);
    const double jitter = rng.normal();
    s.m = o_.magnitude_std > 0.0 ? std::clamp(o_.magnitude + o_.magnitude_std * jitter, 0.0, 1.0)
                                 : o_.magnitude;
  }
  const uint64_t key = rng.next_u64();
  if (!on || steps.empty()) {
    copy_unless_same(src, dst);
    return;
  }
  cv::Mat cur = src;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    cv::Mat next;
    apply_policy_op(cur, next, s.op,
                    signed_parameter(PolicySpace::kRandAugment, s.op, s.m, s.negate, src.size()),
                    mix_key({key, i}));
    cur = next;
  }
  dst = cur;
}

void TrivialAugment::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  const bool on = rng.bernoulli(o_.p);
  const auto op = static_cast<PolicyOp>(rng.below(kNumPolicyOps));
  const int bins = std::max(o_.num_magnitude_bins, 2);
  const double m = static_cast<double>(rng.below(static_cast<uint64_t>(bins))) / (bins - 1);
  const bool negate = rng.bernoulli(0.5);
  const uint64_t key = rng.next_u64();
  if (!on) {
    copy_unless_same(src, dst);
    return;
  }
  apply_policy_op(src, dst, op,
                  signed_parameter(PolicySpace::kTrivialAugmentWide, op, m, negate, src.size()), key);
}

void AugMix::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  // Draws: p; the Beta weight; the Dirichlet weights; per chain its depth (if random) and per step
  // the op, bin and sign; a key for the ops' own Rngs.
  const bool on = rng.bernoulli(o_.p);
  const double m_orig = sample_beta(rng, o_.alpha, o_.alpha);
  const int width = std::max(o_.width, 1);
  const std::vector<double> w = sample_dirichlet(rng, std::vector<double>(width, o_.alpha));
  struct Step {
    PolicyOp op;
    double m;
    bool negate;
  };
  std::vector<std::vector<Step>> chains(width);
  const int severity = std::clamp(o_.severity, 1, 10);
  for (auto& chain : chains) {
    const int depth = o_.depth > 0 ? o_.depth : 1 + static_cast<int>(rng.below(3));
    chain.resize(depth);
    for (Step& s : chain) {
      s.op = kAugMixOps[rng.below(kNumAugMixOps)];
      s.m = static_cast<double>(rng.below(static_cast<uint64_t>(severity))) / 9.0;
      s.negate = rng.bernoulli(0.5);
    }
  }
  const uint64_t key = rng.next_u64();
  if (!on) {
    copy_unless_same(src, dst);
    return;
  }
  // torchvision mixes in float and casts back with truncation: mix = m x + (1 - m) sum_i w_i chain_i.
  cv::Mat acc;
  src.convertTo(acc, CV_32F, m_orig);
  for (size_t c = 0; c < chains.size(); ++c) {
    cv::Mat cur = src;
    for (size_t k = 0; k < chains[c].size(); ++k) {
      const Step& s = chains[c][k];
      cv::Mat next;
      apply_policy_op(cur, next, s.op, signed_parameter(PolicySpace::kAugMix, s.op, s.m, s.negate, src.size()),
                      mix_key({key, c, k}));
      cur = next;
    }
    cv::Mat f;
    cur.convertTo(f, CV_32F, (1.0 - m_orig) * w[c]);
    acc += f;
  }
  cv::Mat out(src.size(), src.type());
  const float* a = acc.ptr<float>();
  uint8_t* o = out.ptr<uint8_t>();
  const size_t n = src.total() * src.channels();
  for (size_t i = 0; i < n; ++i) o[i] = static_cast<uint8_t>(std::clamp(a[i], 0.0f, 255.0f));
  dst = out;
}

}  // namespace gauntlet
