// Photometric per-image transforms: colour jitter and its parts, gamma, grey, channel shuffle,
// the PIL ImageOps family (equalize, autocontrast, posterize, solarize, invert), sharpness, blur,
// noise and JPEG. The semantic reference is torchvision 0.14's transforms on uint8 tensors
// (functional_tensor.py), including its float32 arithmetic and truncating casts, so that
// tests/parity/transforms_photometric_parity.py can compare value by value.
#pragma once

#include <opencv2/core.hpp>

#include "augmentations/transform.hpp"

namespace gauntlet {

// --- deterministic kernels (torchvision.transforms.functional at fixed parameters) ----------------
// uint8 HxWxC, C = 1 or 3, in; same size and type out; src and dst may be the same Mat.

/// adjust_brightness: v' = trunc(clamp(factor v)).
void adjust_brightness(const cv::Mat& src, cv::Mat& dst, double factor);
/// adjust_contrast: blend with the mean of the grey image.
void adjust_contrast(const cv::Mat& src, cv::Mat& dst, double factor);
/// adjust_saturation: blend with the grey image; grey images are copied.
void adjust_saturation(const cv::Mat& src, cv::Mat& dst, double factor);
/// adjust_hue: RGB -> HSV, h += shift (mod 1), -> RGB; shift 0 and grey images are copied.
void adjust_hue(const cv::Mat& src, cv::Mat& dst, double shift);
/// adjust_gamma with gain 1.
void adjust_gamma(const cv::Mat& src, cv::Mat& dst, double gamma);
/// rgb_to_grayscale with as many output channels as input channels.
void to_grayscale(const cv::Mat& src, cv::Mat& dst);
void equalize(const cv::Mat& src, cv::Mat& dst);
void autocontrast(const cv::Mat& src, cv::Mat& dst);
void posterize(const cv::Mat& src, cv::Mat& dst, int bits);
void solarize(const cv::Mat& src, cv::Mat& dst, int threshold);
void invert(const cv::Mat& src, cv::Mat& dst);
/// adjust_sharpness: blend with the image smoothed by [[1,1,1],[1,5,1],[1,1,1]]/13, border kept.
void adjust_sharpness(const cv::Mat& src, cv::Mat& dst, double factor);
/// gaussian_blur: separable kernel exp(-x^2 / 2 sigma^2) on -k/2..k/2, reflect-101 border.
void gaussian_blur(const cv::Mat& src, cv::Mat& dst, int kernel_size, double sigma);

// --- transforms ------------------------------------------------------------------------------------

#define GAUNTLET_PHOTOMETRIC_TRANSFORM(Class, Options)                   \
  class Class : public Transform {                                        \
   public:                                                                \
    explicit Class(Options o) : o_(o) {}                                  \
    void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override; \
                                                                          \
   private:                                                               \
    Options o_;                                                           \
  };

GAUNTLET_PHOTOMETRIC_TRANSFORM(Brightness, BrightnessOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(Contrast, ContrastOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(Saturation, SaturationOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(Hue, HueOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(ColorJitter, ColorJitterOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(Gamma, GammaOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(Grayscale, GrayscaleOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(ChannelShuffle, ChannelShuffleOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(Equalize, EqualizeOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(Autocontrast, AutocontrastOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(Posterize, PosterizeOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(Solarize, SolarizeOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(Invert, InvertOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(Sharpness, SharpnessOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(GaussianBlur, GaussianBlurOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(GaussianNoise, GaussianNoiseOptions)
GAUNTLET_PHOTOMETRIC_TRANSFORM(Jpeg, JpegOptions)

#undef GAUNTLET_PHOTOMETRIC_TRANSFORM

}  // namespace gauntlet
