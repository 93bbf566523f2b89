// Geometric per-image transforms: flips, rotation, torchvision's RandomAffine (and shear, zoom and
// translate as affines with one parameter), RandomResizedCrop and RandomCrop with padding.
#pragma once

#include "augmentations/transform.hpp"

namespace gauntlet {

class HFlip : public Transform {
 public:
  explicit HFlip(HFlipOptions o) : o_(o) {}
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  HFlipOptions o_;
};

class Rotate : public Transform {
 public:
  explicit Rotate(RotateOptions o) : o_(o) {}
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  RotateOptions o_;
};

class VFlip : public Transform {
 public:
  explicit VFlip(VFlipOptions o) : o_(o) {}
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  VFlipOptions o_;
};

/// RandomAffine; shear, zoom and translate are this class with the other ranges at identity.
class Affine : public Transform {
 public:
  explicit Affine(AffineOptions o) : o_(o) {}
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  AffineOptions o_;
};

/// The affine that each one-parameter op stands for: every other range at identity.
AffineOptions affine_options(const ShearOptions& o);
AffineOptions affine_options(const ZoomOptions& o);
AffineOptions affine_options(const TranslateOptions& o);

class RandomResizedCrop : public Transform {
 public:
  explicit RandomResizedCrop(RandomResizedCropOptions o) : o_(o) {}
  /// dst is size_h x size_w when those are set, else src's size.
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  RandomResizedCropOptions o_;
};

class CropPad : public Transform {
 public:
  explicit CropPad(CropPadOptions o) : o_(o) {}
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  CropPadOptions o_;
};

}  // namespace gauntlet
