// Per-image training transforms on uint8 HWC images (1 or 3 channels), and the pipeline that chains
// them. Every random draw comes from the Rng handed in, which the caller keys by (seed, epoch,
// sample, op), so an augmented image is a pure function of those and never of thread scheduling.
#pragma once

#include <opencv2/core.hpp>

#include <memory>
#include <string>
#include <vector>

#include "augmentations/transform_options.hpp"
#include "harness/core/rng.hpp"

namespace gauntlet {

class Transform {
 public:
  virtual ~Transform() = default;
  /// src and dst may be the same Mat. dst keeps src's size, type and channel count.
  virtual void apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const = 0;
};

/// Builds the transform whose options `options` holds.
std::unique_ptr<Transform> make_transform(const TransformOptions& options);

/// Transforms applied in order; op k of sample i at epoch e draws from Rng{key, e, i, k}.
class Pipeline {
 public:
  Pipeline() = default;
  explicit Pipeline(const std::vector<TransformOptions>& ops);
  bool empty() const { return ops_.empty(); }
  void apply(const cv::Mat& src, cv::Mat& dst, uint64_t key, uint64_t epoch, uint64_t sample) const;

 private:
  std::vector<std::shared_ptr<const Transform>> ops_;
};

}  // namespace gauntlet
