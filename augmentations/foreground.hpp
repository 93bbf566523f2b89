// Foreground masking: K-means colour clustering splits the pixels into colour groups, and the group
// that covers most of the image border is background and is set to a constant. This is how the
// seeds isolated a blood cell from the smear around it (shared/specs/seeds.md: "K-means binary
// masks multiplied into the image").
#pragma once

#include "augmentations/transform.hpp"

namespace gauntlet {

class ForegroundMask : public Transform {
 public:
  explicit ForegroundMask(ForegroundMaskOptions o) : o_(o) {}
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  ForegroundMaskOptions o_;
};

}  // namespace gauntlet
