// Occlusion transforms: random erasing.
#pragma once

#include "augmentations/transform.hpp"

namespace gauntlet {

class Erase : public Transform {
 public:
  explicit Erase(EraseOptions o) : o_(o) {}
  void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const override;

 private:
  EraseOptions o_;
};

}  // namespace gauntlet
