// Masking and tile transforms: GridMask (Chen et al., "GridMask Data Augmentation", 2020) and
// split-rotate, which turns each tile of a grid by its own multiple of 90 degrees.
#pragma once

#include "augmentations/transform.hpp"

namespace gauntlet {

class GridMask : public Transform {
 public:
  explicit GridMask(GridMaskOptions o) : o_(o) {}
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  GridMaskOptions o_;
};

class SplitRotate : public Transform {
 public:
  explicit SplitRotate(SplitRotateOptions o) : o_(o) {}
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  SplitRotateOptions o_;
};

}  // namespace gauntlet
