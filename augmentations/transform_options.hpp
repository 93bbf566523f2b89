// Typed options of every per-image transform, one struct per op, gathered in one variant that the
// suite layer fills from JSON. Light header: no OpenCV, no JSON.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace gauntlet {

struct TransformOptions;  // the variant of every op, at the end of this file

// --- combinators (combinators.cpp): ops that hold ops ----------------------------------------------

/// With probability p, apply `ops` in order (each still with its own p): a sub-pipeline, to nest
/// inside one_of and some_of. Empty ops: identity.
struct SequenceOptions {
  static constexpr const char* kName = "sequence";
  double p = 1.0;
  std::vector<TransformOptions> ops;
};

/// With probability p, apply one of `ops`, chosen with probability proportional to `weights`
/// (empty: all equal). Empty ops: identity.
struct OneOfOptions {
  static constexpr const char* kName = "one_of";
  double p = 1.0;
  std::vector<TransformOptions> ops;
  std::vector<double> weights;
};

/// With probability p, apply n ~ U{n_min..n_max} of `ops` (n clipped to their number), chosen
/// without replacement with probability proportional to `weights`, in the order listed or, with
/// random_order, in a random order (imgaug's SomeOf).
struct SomeOfOptions {
  static constexpr const char* kName = "some_of";
  double p = 1.0;
  int n_min = 1;
  int n_max = 1;
  std::vector<TransformOptions> ops;
  std::vector<double> weights;
  bool random_order = false;
};

/// Mirror left-right with probability p.
struct HFlipOptions {
  static constexpr const char* kName = "hflip";
  double p = 0.5;
};

enum class Fill { kConstant, kReflect, kNearest };

/// Rotate about the centre by an angle drawn uniformly in [-degrees, degrees], with probability p.
struct RotateOptions {
  static constexpr const char* kName = "rotate";
  double p = 1.0;
  double degrees = 15.0;
  Fill fill = Fill::kConstant;
  int fill_value = 0;
};

/// Mirror top-bottom with probability p (torchvision's RandomVerticalFlip).
struct VFlipOptions {
  static constexpr const char* kName = "vflip";
  double p = 0.5;
};

/// torchvision's RandomAffine about the image centre, bilinear: angle U(degrees_min, degrees_max)
/// (clockwise, as torchvision's affine), integer shifts round(U(-tx W, tx W)) and
/// round(U(-ty H, ty H)), scale U(scale_min, scale_max), shears U(shear_x_*) and U(shear_y_*) in
/// degrees. JSON: "degrees": d or [lo, hi]; "translate": [tx, ty]; "scale": [lo, hi];
/// "shear": s, [x_lo, x_hi] or [x_lo, x_hi, y_lo, y_hi].
struct AffineOptions {
  static constexpr const char* kName = "affine";
  double p = 1.0;
  double degrees_min = -15.0;
  double degrees_max = 15.0;
  double translate_x = 0.1;  ///< fraction of the width
  double translate_y = 0.1;  ///< fraction of the height
  double scale_min = 0.9;
  double scale_max = 1.1;
  double shear_x_min = 0.0;
  double shear_x_max = 0.0;
  double shear_y_min = 0.0;
  double shear_y_max = 0.0;
  Fill fill = Fill::kConstant;
  int fill_value = 0;
};

/// Affine with only a shear (degrees; "shear" as in AffineOptions).
struct ShearOptions {
  static constexpr const char* kName = "shear";
  double p = 1.0;
  double shear_x_min = -10.0;
  double shear_x_max = 10.0;
  double shear_y_min = 0.0;
  double shear_y_max = 0.0;
  Fill fill = Fill::kConstant;
  int fill_value = 0;
};

/// Affine with only a scale about the centre, U(scale_min, scale_max) ("scale": [lo, hi]).
struct ZoomOptions {
  static constexpr const char* kName = "zoom";
  double p = 1.0;
  double scale_min = 0.8;
  double scale_max = 1.2;
  Fill fill = Fill::kConstant;
  int fill_value = 0;
};

/// Affine with only a translation ("translate": [tx, ty], fractions of width and height).
struct TranslateOptions {
  static constexpr const char* kName = "translate";
  double p = 1.0;
  double translate_x = 0.1;
  double translate_y = 0.1;
  Fill fill = Fill::kConstant;
  int fill_value = 0;
};

enum class Interpolation { kBilinear, kArea };

/// torchvision's RandomResizedCrop: area U(scale_min, scale_max) of the image, aspect ratio
/// log-uniform in [ratio_min, ratio_max], 10 tries then a centre crop; resized back to the input's
/// size (every transform keeps it: the model's input size is set by the suite's data.input_size).
/// kArea resamples with pixel-area averaging when shrinking.
struct RandomResizedCropOptions {
  static constexpr const char* kName = "random_resized_crop";
  double p = 1.0;
  double scale_min = 0.08;
  double scale_max = 1.0;
  double ratio_min = 3.0 / 4.0;
  double ratio_max = 4.0 / 3.0;
  Interpolation interpolation = Interpolation::kBilinear;
};

/// torchvision's RandomCrop(size = input size, padding): pad `padding` px on every side, then
/// crop the input size back at a uniform position.
struct CropPadOptions {
  static constexpr const char* kName = "crop_pad";
  double p = 1.0;
  int padding = 4;
  Fill fill = Fill::kConstant;
  int fill_value = 0;
};

/// Split the image into rows x cols tiles and turn each by a uniform multiple of 90 degrees
/// (0 or 180 for a tile that is not square).
struct SplitRotateOptions {
  static constexpr const char* kName = "split_rotate";
  double p = 1.0;
  int rows = 2;
  int cols = 2;
};

/// GridMask (Chen et al. 2020): a lattice of unit d ~ U{d_min..d_max} px, in each unit strips of
/// width ceil(ratio d) kept and the (d - ceil(ratio d))^2 square set to fill_value; random offset,
/// lattice turned by U(-rotate, rotate) degrees.
struct GridMaskOptions {
  static constexpr const char* kName = "gridmask";
  double p = 0.8;
  int d_min = 8;
  int d_max = 32;
  double ratio = 0.6;
  double rotate = 0.0;
  int fill_value = 0;
};

// --- geometric ops (geometric.cpp): add option structs above this line -------------------------

/// Multiply by a factor drawn uniformly in [factor_min, factor_max] (ColorJitter's brightness).
struct BrightnessOptions {
  static constexpr const char* kName = "brightness";
  double p = 1.0;
  double factor_min = 0.6;
  double factor_max = 1.4;
};

/// Blend with the mean of the grey image by a factor drawn in [factor_min, factor_max]
/// (ColorJitter's contrast).
struct ContrastOptions {
  static constexpr const char* kName = "contrast";
  double p = 1.0;
  double factor_min = 0.6;
  double factor_max = 1.4;
};

/// Blend with the grey image by a factor drawn in [factor_min, factor_max] (ColorJitter's
/// saturation); grey images are left as they are.
struct SaturationOptions {
  static constexpr const char* kName = "saturation";
  double p = 1.0;
  double factor_min = 0.6;
  double factor_max = 1.4;
};

/// Rotate the hue by a shift drawn in [shift_min, shift_max], in turns of the hue circle
/// (-0.5..0.5; ColorJitter's hue); grey images are left as they are.
struct HueOptions {
  static constexpr const char* kName = "hue";
  double p = 1.0;
  double shift_min = -0.1;
  double shift_max = 0.1;
};

/// torchvision's ColorJitter: brightness, contrast, saturation and hue in a random order, each
/// with its factor (shift for hue) drawn from its range; [1, 1] ([0, 0] for hue) leaves it out.
struct ColorJitterOptions {
  static constexpr const char* kName = "color_jitter";
  double p = 1.0;
  double brightness_min = 0.6;
  double brightness_max = 1.4;
  double contrast_min = 0.6;
  double contrast_max = 1.4;
  double saturation_min = 0.6;
  double saturation_max = 1.4;
  double hue_min = -0.1;
  double hue_max = 0.1;
};

/// Power law v' = 255 (v / 255)^gamma with gamma drawn in [gamma_min, gamma_max] (adjust_gamma,
/// gain 1).
struct GammaOptions {
  static constexpr const char* kName = "gamma";
  double p = 1.0;
  double gamma_min = 0.8;
  double gamma_max = 1.25;
};

/// Replace an RGB image by its grey image, repeated on 3 channels, with probability p
/// (RandomGrayscale). Grey images are left as they are.
struct GrayscaleOptions {
  static constexpr const char* kName = "grayscale";
  double p = 0.1;
};

/// Permute the 3 channels uniformly at random with probability p; grey images are left as they are.
struct ChannelShuffleOptions {
  static constexpr const char* kName = "channel_shuffle";
  double p = 0.5;
};

/// Histogram equalisation per channel (RandomEqualize, PIL's ImageOps.equalize).
struct EqualizeOptions {
  static constexpr const char* kName = "equalize";
  double p = 0.5;
};

/// Stretch each channel's [min, max] to [0, 255] (RandomAutocontrast).
struct AutocontrastOptions {
  static constexpr const char* kName = "autocontrast";
  double p = 0.5;
};

/// Keep the top `bits` bits of every value, bits drawn from bits_min..bits_max (RandomPosterize).
struct PosterizeOptions {
  static constexpr const char* kName = "posterize";
  double p = 0.5;
  int bits_min = 4;
  int bits_max = 8;
};

/// Invert the values >= threshold (RandomSolarize); 256 changes nothing, 0 inverts every value.
struct SolarizeOptions {
  static constexpr const char* kName = "solarize";
  double p = 0.5;
  int threshold = 128;
};

/// v' = 255 - v with probability p (RandomInvert).
struct InvertOptions {
  static constexpr const char* kName = "invert";
  double p = 0.5;
};

/// Blend with a 3x3 smoothed image by a factor drawn in [factor_min, factor_max]
/// (RandomAdjustSharpness; > 1 sharpens, < 1 blurs).
struct SharpnessOptions {
  static constexpr const char* kName = "sharpness";
  double p = 0.5;
  double factor_min = 0.5;
  double factor_max = 2.0;
};

/// Gaussian blur with an odd kernel_size and sigma drawn in [sigma_min, sigma_max] (GaussianBlur).
struct GaussianBlurOptions {
  static constexpr const char* kName = "gaussian_blur";
  double p = 1.0;
  int kernel_size = 5;
  double sigma_min = 0.1;
  double sigma_max = 2.0;
};

/// Add N(0, sigma^2) per value, sigma drawn in [sigma_min, sigma_max] on the 0..255 scale, then
/// round and clip.
struct GaussianNoiseOptions {
  static constexpr const char* kName = "gaussian_noise";
  double p = 1.0;
  double sigma_min = 0.0;
  double sigma_max = 15.0;
};

/// JPEG round trip at a quality drawn from quality_min..quality_max (1..100).
struct JpegOptions {
  static constexpr const char* kName = "jpeg";
  double p = 1.0;
  int quality_min = 50;
  int quality_max = 95;
};

// --- photometric ops (photometric.cpp): add option structs above this line -----------------------

/// RandAugment (Cubuk et al. 2020; torchvision's RandAugment): num_ops ops drawn uniformly from
/// the 14 of torchvision's space, each at `magnitude` (a fraction of the op's maximum: torchvision's
/// magnitude 9 of 31 bins is 9/30 = 0.3), jittered per op by N(0, magnitude_std^2) and clipped to
/// [0, 1] as timm does (0: no jitter), with a random sign where torchvision signs it. Magnitude m
/// maps to: shear factor 0.3m, translate 150/331 m of the side in whole pixels, rotate 30m degrees,
/// brightness/color/contrast/sharpness factor 1 +- 0.9m, posterize 8 - round(4m) bits, solarize
/// threshold 255 (1 - m); identity, autocontrast and equalize take none (the table in
/// augmentations/policies.cpp has every policy's ranges).
struct RandAugmentOptions {
  static constexpr const char* kName = "rand_augment";
  double p = 1.0;
  int num_ops = 2;
  double magnitude = 0.3;
  double magnitude_std = 0.0;
};

/// TrivialAugmentWide (Muller & Hutter 2021): one op of the 14, at a magnitude drawn uniformly from
/// num_magnitude_bins bins over torchvision's wide ranges, with a random sign where signed.
struct TrivialAugmentOptions {
  static constexpr const char* kName = "trivial_augment";
  double p = 1.0;
  int num_magnitude_bins = 31;
};

/// AugMix (Hendrycks et al. 2020; torchvision's AugMix with all_ops): `width` chains of `depth` ops
/// (<= 0: 1..3 at random per chain), magnitudes from bins 0..severity-1 of 10, mixed with
/// Dirichlet(alpha) weights, then blended with the original by a Beta(alpha, alpha) weight.
struct AugMixOptions {
  static constexpr const char* kName = "aug_mix";
  double p = 1.0;
  int severity = 3;  ///< 1..10
  int width = 3;
  int depth = -1;
  double alpha = 1.0;
};

// --- augmentation policies (policies.cpp): add option structs above this line -----------------

/// Apply corruption `corruption` (an id of augmentations/corruption.hpp) at a severity drawn
/// uniformly from severity_min..severity_max, with probability p. This is how corruptions enter
/// the op language: as training augmentations and as ops of a hold-out profile.
struct CorruptOptions {
  static constexpr const char* kName = "corrupt";
  double p = 1.0;
  std::string corruption = "gaussian_noise";
  int severity_min = 1;
  int severity_max = 5;
};

enum class EraseFill { kRandom, kConstant };

/// Random Erasing (Zhong et al., AAAI 2020; torchvision's RandomErasing): with probability p, a
/// rectangle of area U(scale_min, scale_max) x image area and aspect ratio log-uniform in
/// [ratio_min, ratio_max] is filled with uniform noise (kRandom) or `value`. Occlusion in the
/// hidden-like profile.
struct EraseOptions {
  static constexpr const char* kName = "erase";
  double p = 0.5;
  double scale_min = 0.02;
  double scale_max = 0.33;
  double ratio_min = 0.3;
  double ratio_max = 3.3;
  EraseFill fill = EraseFill::kRandom;
  int value = 0;
};

/// K-means foreground mask, with probability p: the pixel colours are split into `clusters`
/// groups by Lloyd's algorithm (deterministic start at evenly spaced luminance quantiles, at most
/// `iterations` updates), the group holding most of the 1-pixel border is background, and its
/// pixels are set to fill_value. Isolates a cell from the smear around it, as the seeds did.
struct ForegroundMaskOptions {
  static constexpr const char* kName = "foreground_mask";
  double p = 1.0;
  int clusters = 2;  ///< 2..8
  int iterations = 10;
  int fill_value = 0;
};

// One line per family; the order is the registry's (gauntlet list transforms). A struct rather
// than an alias so that combinators can hold lists of it; std::visit and std::get take it as the
// variant it is (variant_size needs TransformOptions::Variant).
using TransformVariant = std::variant<
    HFlipOptions, RotateOptions, VFlipOptions, AffineOptions, ShearOptions, ZoomOptions,
    TranslateOptions, RandomResizedCropOptions, CropPadOptions, SplitRotateOptions, GridMaskOptions,  // geometric
    BrightnessOptions, ContrastOptions, SaturationOptions, HueOptions, ColorJitterOptions, GammaOptions,
    GrayscaleOptions, ChannelShuffleOptions, EqualizeOptions, AutocontrastOptions, PosterizeOptions,
    SolarizeOptions, InvertOptions, SharpnessOptions, GaussianBlurOptions, GaussianNoiseOptions,
    JpegOptions,  // photometric
    RandAugmentOptions, TrivialAugmentOptions, AugMixOptions,  // policies
    CorruptOptions, EraseOptions, ForegroundMaskOptions,  // masks
    SequenceOptions, OneOfOptions, SomeOfOptions>;  // combinators

struct TransformOptions : TransformVariant {
  using Variant = TransformVariant;
  using TransformVariant::TransformVariant;
};

struct TransformInfo {
  std::string name;
  std::string summary;
  TransformOptions defaults;
};

/// Every registered transform, in registry order.
const std::vector<TransformInfo>& transform_infos();
const char* transform_name(const TransformOptions& options);
const char* fill_name(Fill fill);
const char* erase_fill_name(EraseFill fill);

}  // namespace gauntlet
