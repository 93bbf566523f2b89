#include "augmentations/profile.hpp"

#include <algorithm>
#include <stdexcept>

#include "augmentations/combinators.hpp"
#include "harness/core/parallel.hpp"

namespace gauntlet {
namespace {
constexpr uint64_t kChoice = 0x63686f6f7365ull;  // "choose": the stream that picks k and the ops
}  // namespace

ProfileApplier::ProfileApplier(Profile p) : p_(std::move(p)) {
  const std::string where = "profile \"" + p_.name + "\": ";
  if (p_.ops.empty()) throw std::invalid_argument(where + "has no ops");
  if (p_.weights.empty()) p_.weights.assign(p_.ops.size(), 1.0);
  if (p_.weights.size() != p_.ops.size()) {
    throw std::invalid_argument(where + std::to_string(p_.weights.size()) + " weights for " +
                                std::to_string(p_.ops.size()) + " ops");
  }
  for (double w : p_.weights) {
    if (!(w > 0.0)) throw std::invalid_argument(where + "weights must be > 0");
  }
  if (p_.k_min < 1 || p_.k_min > p_.k_max || p_.k_max > static_cast<int>(p_.ops.size())) {
    throw std::invalid_argument(where + "k must satisfy 1 <= k_min <= k_max <= number of ops (" +
                                std::to_string(p_.ops.size()) + ")");
  }
  for (const auto& o : p_.ops) ops_.push_back(make_transform(o));
}

std::vector<size_t> ProfileApplier::chosen_ops(uint64_t key, uint64_t index) const {
  Rng rng{key, index, kChoice};
  const int k = p_.k_min + static_cast<int>(rng.below(p_.k_max - p_.k_min + 1));
  std::vector<size_t> chosen = choose_weighted(rng, p_.weights, static_cast<size_t>(k));
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

void ProfileApplier::apply(const cv::Mat& src, cv::Mat& dst, uint64_t key, uint64_t index) const {
  cv::Mat cur = src;
  for (size_t j : chosen_ops(key, index)) {
    Rng rng{key, index, j};
    cv::Mat next;
    ops_[j]->apply(cur, next, rng);
    cur = next;
  }
  dst = cur.data == src.data ? src.clone() : cur;
}

void profile_images(const ProfileApplier& profile, const uint8_t* src, uint8_t* dst, int64_t n,
                    int height, int width, int channels, uint64_t key, int threads) {
  const int type = CV_8UC(channels);
  const size_t bytes = static_cast<size_t>(height) * width * channels;
  auto work = [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const cv::Mat in(height, width, type, const_cast<uint8_t*>(src + i * bytes));
      cv::Mat out;
      profile.apply(in, out, key, static_cast<uint64_t>(i));
      CV_Assert(out.size() == in.size() && out.type() == type);
      if (!out.isContinuous()) out = out.clone();
      std::copy(out.ptr<uint8_t>(), out.ptr<uint8_t>() + bytes, dst + i * bytes);
    }
  };
  parallel_chunks(n, threads, work);
}

}  // namespace gauntlet
