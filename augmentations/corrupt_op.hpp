// The `corrupt` op: a corruption of augmentations/corruption.hpp as a per-image transform, so
// pipelines and hold-out profiles can use every corruption at a drawn severity.
#pragma once

#include "augmentations/transform.hpp"

namespace gauntlet {

class Corrupt : public Transform {
 public:
  /// Throws std::invalid_argument for an unknown corruption or a severity range outside 1..5.
  explicit Corrupt(CorruptOptions o);
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  CorruptOptions o_;
};

}  // namespace gauntlet
