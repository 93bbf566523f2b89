// Hold-out profiles: a named mix of ops applied per image, to build a shifted hold-out that looks
// like a hidden test set (shared/specs/corruptions.md, last section). Each image gets k ops,
// k ~ U{k_min..k_max}, chosen without replacement with probability proportional to their weights,
// and applied in the order the profile lists them (geometry before photometry before noise, as
// the author wrote it). The ops are the augmentation op language (transform_options.hpp), so a
// profile can use every transform and, through `corrupt`, every corruption at a severity range.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "augmentations/profile_options.hpp"
#include "augmentations/transform.hpp"

namespace gauntlet {

/// A profile ready to apply. Throws std::invalid_argument for an empty profile, k outside
/// 1..ops.size(), weights not matching the ops or not positive, or an op that cannot be built.
class ProfileApplier {
 public:
  explicit ProfileApplier(Profile p);
  const Profile& profile() const { return p_; }
  /// Image `index` of the hold-out keyed by `key`: the choice of ops draws from
  /// Rng{key, index, kChoice}, op j from Rng{key, index, j}.
  void apply(const cv::Mat& src, cv::Mat& dst, uint64_t key, uint64_t index) const;
  /// The op indices image `index` gets, in application order (for records and tests).
  std::vector<size_t> chosen_ops(uint64_t key, uint64_t index) const;

 private:
  Profile p_;
  std::vector<std::shared_ptr<const Transform>> ops_;
};

/// Applies the profile to n uint8 NHWC images (src and dst must not alias), over `threads`
/// threads; the result does not depend on that number.
void profile_images(const ProfileApplier& profile, const uint8_t* src, uint8_t* dst, int64_t n,
                    int height, int width, int channels, uint64_t key, int threads = 1);

}  // namespace gauntlet
