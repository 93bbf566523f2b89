// Corrupting whole image sets: the loop `run`, `perturb` and the hold-out cache share.
#include <algorithm>
#include <fmt/format.h>

#include "augmentations/corruption.hpp"
#include "harness/core/hash.hpp"
#include "harness/core/parallel.hpp"

namespace gauntlet {

namespace {
constexpr uint64_t kHoldoutOp = 0x686f6c64ull;  // "hold"
}  // namespace

std::string corruption_holdout_id(const std::string& id, int severity) {
  return fmt::format("c.{}.{}", id, severity);
}

uint64_t holdout_key(uint64_t seed, const std::string& holdout_id) {
  return mix_key({seed, kHoldoutOp, Hasher().update(holdout_id).digest()});
}

void corrupt_images(const std::string& id, int severity, const uint8_t* src, uint8_t* dst, int64_t n,
                    int height, int width, int channels, uint64_t key, int threads) {
  const SizeTable table = size_table_for(height, width);
  const int type = CV_8UC(channels);
  const size_t bytes = static_cast<size_t>(height) * width * channels;
  // Validate once up front so that worker threads only fail on real surprises.
  corruption_parameters(id, severity, table);
  auto work = [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      cv::Mat in(height, width, type, const_cast<uint8_t*>(src + i * bytes));
      cv::Mat out;
      Rng rng{key, static_cast<uint64_t>(i)};
      apply_corruption(id, severity, in, out, table, rng);
      CV_Assert(out.size() == in.size() && out.type() == type && out.isContinuous());
      std::copy(out.ptr<uint8_t>(), out.ptr<uint8_t>() + bytes, dst + i * bytes);
    }
  };
  parallel_chunks(n, threads, work);
}

}  // namespace gauntlet
