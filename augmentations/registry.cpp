#include <type_traits>

#include "augmentations/combinators.hpp"
#include "augmentations/corrupt_op.hpp"
#include "augmentations/foreground.hpp"
#include "augmentations/geometric.hpp"
#include "augmentations/masking.hpp"
#include "augmentations/occlusion.hpp"
#include "augmentations/photometric.hpp"
#include "augmentations/policies.hpp"
#include "augmentations/transform.hpp"

namespace gauntlet {

const std::vector<TransformInfo>& transform_infos() {
  static const std::vector<TransformInfo> infos = {
      {HFlipOptions::kName, "mirror left-right with probability p", HFlipOptions{}},
      {RotateOptions::kName, "rotate by U(-degrees, degrees) about the centre; fill constant|reflect|nearest",
       RotateOptions{}},
      {VFlipOptions::kName, "mirror top-bottom with probability p", VFlipOptions{}},
      {AffineOptions::kName,
       "torchvision RandomAffine: rotation, integer translation, scale and x/y shear about the centre",
       AffineOptions{}},
      {ShearOptions::kName, "affine shear by U(shear) degrees along x (and y)", ShearOptions{}},
      {ZoomOptions::kName, "affine scale by U(scale) about the centre", ZoomOptions{}},
      {TranslateOptions::kName, "affine shift by up to translate x width/height, whole pixels",
       TranslateOptions{}},
      {RandomResizedCropOptions::kName,
       "torchvision RandomResizedCrop: U(scale) of the area, log-uniform ratio, resized to size",
       RandomResizedCropOptions{}},
      {CropPadOptions::kName, "pad by padding px, crop the input size back at a random place",
       CropPadOptions{}},
      {SplitRotateOptions::kName, "turn each tile of a rows x cols grid by a random multiple of 90 degrees",
       SplitRotateOptions{}},
      {GridMaskOptions::kName, "GridMask: mask a turned lattice of squares, unit U{d_min..d_max}",
       GridMaskOptions{}},
      // geometric ops: add above this line
      {BrightnessOptions::kName, "multiply by U(factor) (ColorJitter brightness)", BrightnessOptions{}},
      {ContrastOptions::kName, "blend with the grey mean by U(factor) (ColorJitter contrast)", ContrastOptions{}},
      {SaturationOptions::kName, "blend with the grey image by U(factor) (ColorJitter saturation)",
       SaturationOptions{}},
      {HueOptions::kName, "rotate the hue by U(shift) turns, shift in [-0.5, 0.5] (ColorJitter hue)", HueOptions{}},
      {ColorJitterOptions::kName, "brightness, contrast, saturation and hue in a random order (ColorJitter)",
       ColorJitterOptions{}},
      {GammaOptions::kName, "v' = 255 (v/255)^U(gamma) (adjust_gamma)", GammaOptions{}},
      {GrayscaleOptions::kName, "grey image on every channel with probability p (RandomGrayscale)",
       GrayscaleOptions{}},
      {ChannelShuffleOptions::kName, "random permutation of the 3 channels", ChannelShuffleOptions{}},
      {EqualizeOptions::kName, "per-channel histogram equalisation (RandomEqualize)", EqualizeOptions{}},
      {AutocontrastOptions::kName, "stretch each channel to 0..255 (RandomAutocontrast)", AutocontrastOptions{}},
      {PosterizeOptions::kName, "keep the top U{bits} bits (RandomPosterize)", PosterizeOptions{}},
      {SolarizeOptions::kName, "invert values >= threshold (RandomSolarize)", SolarizeOptions{}},
      {InvertOptions::kName, "v' = 255 - v (RandomInvert)", InvertOptions{}},
      {SharpnessOptions::kName, "blend with a 3x3 smoothing by U(factor) (RandomAdjustSharpness)",
       SharpnessOptions{}},
      {GaussianBlurOptions::kName, "Gaussian blur, odd kernel_size, sigma U(sigma) (GaussianBlur)",
       GaussianBlurOptions{}},
      {GaussianNoiseOptions::kName, "add N(0, U(sigma)^2) on the 0..255 scale, round and clip",
       GaussianNoiseOptions{}},
      {JpegOptions::kName, "JPEG round trip at quality U{quality}", JpegOptions{}},
      // photometric ops: add above this line
      {RandAugmentOptions::kName,
       "RandAugment: num_ops of 14 ops at magnitude m in 0..1 (+- jitter magnitude_std): shear 0.3m, "
       "translate 0.45m W|H px, rotate 30m deg, brightness|color|contrast|sharpness 1 +- 0.9m, posterize "
       "8 - round(4m) bits, solarize >= 255(1 - m); identity, autocontrast, equalize",
       RandAugmentOptions{}},
      {TrivialAugmentOptions::kName,
       "TrivialAugmentWide: one of RandAugment's 14 ops at m = U{0..bins-1}/(bins-1) over wide ranges: shear "
       "0.99m, translate 32m px, rotate 135m deg, enhance 1 +- 0.99m, posterize 8 - round(6m) bits",
       TrivialAugmentOptions{}},
      {AugMixOptions::kName,
       "AugMix: width chains of depth ops at m = U{0..severity-1}/9 (RandAugment's ranges, translate m W|H/3, "
       "posterize 4 - round(4m) bits), Dirichlet(alpha) mix, Beta(alpha, alpha) blend with the input",
       AugMixOptions{}},
      // policies: add above this line
      {CorruptOptions::kName,
       "apply a corruption (gauntlet list corruptions) at a severity U{severity_min..severity_max}",
       CorruptOptions{}},
      {EraseOptions::kName,
       "random erasing: a rectangle of U(scale) of the area, log-uniform aspect ratio, noise or value",
       EraseOptions{}},
      {ForegroundMaskOptions::kName,
       "K-means foreground mask: pixels of the colour cluster covering most of the border set to fill_value",
       ForegroundMaskOptions{}},
      // masks and occlusion: add above this line
      {SequenceOptions::kName, "with probability p, apply ops in order (a nested pipeline)", SequenceOptions{}},
      {OneOfOptions::kName, "with probability p, apply one of ops, chosen by weights", OneOfOptions{}},
      {SomeOfOptions::kName,
       "with probability p, apply U{n} of ops without replacement by weights, listed or random order",
       SomeOfOptions{}},
  };
  return infos;
}

const char* transform_name(const TransformOptions& options) {
  return std::visit([](const auto& o) { return std::decay_t<decltype(o)>::kName; }, options);
}

const char* erase_fill_name(EraseFill fill) {
  return fill == EraseFill::kRandom ? "random" : "constant";
}

const char* fill_name(Fill fill) {
  switch (fill) {
    case Fill::kConstant: return "constant";
    case Fill::kReflect: return "reflect";
    case Fill::kNearest: return "nearest";
  }
  return "constant";
}

std::unique_ptr<Transform> make_transform(const TransformOptions& options) {
  struct Make {
    std::unique_ptr<Transform> operator()(const HFlipOptions& o) const { return std::make_unique<HFlip>(o); }
    std::unique_ptr<Transform> operator()(const RotateOptions& o) const { return std::make_unique<Rotate>(o); }
    std::unique_ptr<Transform> operator()(const VFlipOptions& o) const { return std::make_unique<VFlip>(o); }
    std::unique_ptr<Transform> operator()(const AffineOptions& o) const { return std::make_unique<Affine>(o); }
    std::unique_ptr<Transform> operator()(const ShearOptions& o) const {
      return std::make_unique<Affine>(affine_options(o));
    }
    std::unique_ptr<Transform> operator()(const ZoomOptions& o) const {
      return std::make_unique<Affine>(affine_options(o));
    }
    std::unique_ptr<Transform> operator()(const TranslateOptions& o) const {
      return std::make_unique<Affine>(affine_options(o));
    }
    std::unique_ptr<Transform> operator()(const RandomResizedCropOptions& o) const {
      return std::make_unique<RandomResizedCrop>(o);
    }
    std::unique_ptr<Transform> operator()(const CropPadOptions& o) const { return std::make_unique<CropPad>(o); }
    std::unique_ptr<Transform> operator()(const SplitRotateOptions& o) const {
      return std::make_unique<SplitRotate>(o);
    }
    std::unique_ptr<Transform> operator()(const GridMaskOptions& o) const { return std::make_unique<GridMask>(o); }
    // geometric ops: add above this line
    std::unique_ptr<Transform> operator()(const BrightnessOptions& o) const { return std::make_unique<Brightness>(o); }
    std::unique_ptr<Transform> operator()(const ContrastOptions& o) const { return std::make_unique<Contrast>(o); }
    std::unique_ptr<Transform> operator()(const SaturationOptions& o) const { return std::make_unique<Saturation>(o); }
    std::unique_ptr<Transform> operator()(const HueOptions& o) const { return std::make_unique<Hue>(o); }
    std::unique_ptr<Transform> operator()(const ColorJitterOptions& o) const { return std::make_unique<ColorJitter>(o); }
    std::unique_ptr<Transform> operator()(const GammaOptions& o) const { return std::make_unique<Gamma>(o); }
    std::unique_ptr<Transform> operator()(const GrayscaleOptions& o) const { return std::make_unique<Grayscale>(o); }
    std::unique_ptr<Transform> operator()(const ChannelShuffleOptions& o) const { return std::make_unique<ChannelShuffle>(o); }
    std::unique_ptr<Transform> operator()(const EqualizeOptions& o) const { return std::make_unique<Equalize>(o); }
    std::unique_ptr<Transform> operator()(const AutocontrastOptions& o) const { return std::make_unique<Autocontrast>(o); }
    std::unique_ptr<Transform> operator()(const PosterizeOptions& o) const { return std::make_unique<Posterize>(o); }
    std::unique_ptr<Transform> operator()(const SolarizeOptions& o) const { return std::make_unique<Solarize>(o); }
    std::unique_ptr<Transform> operator()(const InvertOptions& o) const { return std::make_unique<Invert>(o); }
    std::unique_ptr<Transform> operator()(const SharpnessOptions& o) const { return std::make_unique<Sharpness>(o); }
    std::unique_ptr<Transform> operator()(const GaussianBlurOptions& o) const { return std::make_unique<GaussianBlur>(o); }
    std::unique_ptr<Transform> operator()(const GaussianNoiseOptions& o) const { return std::make_unique<GaussianNoise>(o); }
    std::unique_ptr<Transform> operator()(const JpegOptions& o) const { return std::make_unique<Jpeg>(o); }
    // photometric ops: add above this line
    std::unique_ptr<Transform> operator()(const RandAugmentOptions& o) const { return std::make_unique<RandAugment>(o); }
    std::unique_ptr<Transform> operator()(const TrivialAugmentOptions& o) const {
      return std::make_unique<TrivialAugment>(o);
    }
    std::unique_ptr<Transform> operator()(const AugMixOptions& o) const { return std::make_unique<AugMix>(o); }
    // policies: add above this line
    std::unique_ptr<Transform> operator()(const CorruptOptions& o) const { return std::make_unique<Corrupt>(o); }
    std::unique_ptr<Transform> operator()(const EraseOptions& o) const { return std::make_unique<Erase>(o); }
    std::unique_ptr<Transform> operator()(const ForegroundMaskOptions& o) const {
      return std::make_unique<ForegroundMask>(o);
    }
    // masks and occlusion: add above this line
    std::unique_ptr<Transform> operator()(const SequenceOptions& o) const { return std::make_unique<Sequence>(o); }
    std::unique_ptr<Transform> operator()(const OneOfOptions& o) const { return std::make_unique<OneOf>(o); }
    std::unique_ptr<Transform> operator()(const SomeOfOptions& o) const { return std::make_unique<SomeOf>(o); }
  };
  return std::visit(Make{}, options);
}

Pipeline::Pipeline(const std::vector<TransformOptions>& ops) {
  for (const auto& o : ops) ops_.push_back(make_transform(o));
}

void Pipeline::apply(const cv::Mat& src, cv::Mat& dst, uint64_t key, uint64_t epoch,
                     uint64_t sample) const {
  if (ops_.empty()) {
    if (dst.data != src.data) src.copyTo(dst);
    return;
  }
  cv::Mat cur = src;
  for (size_t k = 0; k < ops_.size(); ++k) {
    Rng rng{key, epoch, sample, k};
    cv::Mat next;
    ops_[k]->apply(cur, next, rng);
    cur = next;
  }
  if (dst.data != nullptr && dst.size() == cur.size() && dst.type() == cur.type()) {
    cur.copyTo(dst);  // keep writing into the caller's buffer (e.g. a slot of a batch)
  } else {
    dst = cur;
  }
}

}  // namespace gauntlet
