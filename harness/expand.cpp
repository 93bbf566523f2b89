#include "harness/expand.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "augmentations/transform.hpp"
#include "harness/core/hash.hpp"
#include "harness/core/parallel.hpp"
#include "harness/image_cache.hpp"

namespace gauntlet {

PreparedSet expand_training_set(const PreparedSet& train, const ExpandConfig& e, uint64_t key,
                                const std::string& cache_dir, int threads, ExpandStats* stats,
                                uint64_t max_bytes) {
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t copies = e.copies, originals = e.keep_original ? 1 : 0;
  PreparedSet out;
  out.side = train.side;
  out.channels = train.channels;
  out.n = train.n * (copies + originals);
  const uint64_t bytes = static_cast<uint64_t>(out.n) * train.image_bytes();
  if (bytes > max_bytes) {
    throw std::invalid_argument(fmt::format(
        "expand: {} copies of {} images of {}x{}x{} need {:.1f} GiB, more than the {:.1f} GiB allowed; "
        "use fewer copies or a smaller input_size",
        copies, train.n, train.side, train.side, train.channels, bytes / 1073741824.0, max_bytes / 1073741824.0));
  }
  out.labels.reserve(out.n);
  for (int64_t c = 0; c < copies + originals; ++c) {
    out.labels.insert(out.labels.end(), train.labels.begin(), train.labels.end());
  }

  Hasher k;
  k.update(std::string("expand")).update_u64(key).update_u64(static_cast<uint64_t>(copies));
  k.update_u64(static_cast<uint64_t>(originals)).update(pipeline_to_json(e.ops).dump());
  k.update_u64(static_cast<uint64_t>(train.side)).update_u64(static_cast<uint64_t>(train.channels));
  k.update(train.images.data(), train.images.size()).update(train.labels.data(), train.labels.size() * sizeof(int64_t));
  hash_code_identity(k);
  const std::string path =
      cache_dir.empty() ? "" : (std::filesystem::path(cache_dir) / ("expand-" + k.hex() + ".npz")).string();
  const std::vector<int64_t> shape{out.n, out.side, out.side, out.channels};
  const bool hit = !path.empty() && read_cached_images(path, shape, out.labels, out.images);
  if (!hit) {
    out.images.resize(bytes);
    const size_t image = train.image_bytes();
    if (originals) std::copy(train.images.begin(), train.images.end(), out.images.begin());
    const Pipeline pipeline(e.ops);
    const int type = CV_8UC(static_cast<int>(train.channels));
    const int side = static_cast<int>(train.side);
    // One work item per (copy, image): the draws depend on those two only.
    parallel_chunks(copies * train.n, threads, [&](int64_t begin, int64_t end) {
      for (int64_t item = begin; item < end; ++item) {
        const int64_t c = item / train.n, i = item % train.n;
        const cv::Mat src(side, side, type, const_cast<uint8_t*>(train.images.data() + i * image));
        cv::Mat dst(side, side, type, out.images.data() + ((originals + c) * train.n + i) * image);
        pipeline.apply(src, dst, key, static_cast<uint64_t>(c + 1), static_cast<uint64_t>(i));
        CV_Assert(dst.data == out.images.data() + ((originals + c) * train.n + i) * image);
      }
    });
    if (!path.empty()) write_cached_images(path, shape, out.images, out.labels, "expanded training set");
  }
  if (stats) {
    stats->cache_hit = hit;
    stats->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  return out;
}

}  // namespace gauntlet
