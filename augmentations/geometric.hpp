// Geometric per-image transforms: horizontal flip and rotation.
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

}  // namespace gauntlet
