#include "harness/holdouts.hpp"

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <filesystem>
#include <map>

#include "augmentations/corruption.hpp"
#include "augmentations/profile.hpp"
#include "harness/config.hpp"
#include "harness/core/error.hpp"
#include "harness/core/hash.hpp"
#include "harness/core/npy.hpp"
#include "harness/image_cache.hpp"
#include "harness/data_source.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// What a cache entry is a function of: the test images and labels, the suite seed, the hold-out
// id, its ops with their parameters, and the code that makes it (source hash).
std::string cache_key(const HoldoutSpec& h, const Dataset& test, uint64_t seed) {
  Hasher k;
  k.update(fingerprint(test)).update_u64(seed).update(h.id).update(h.info.dump());
  hash_code_identity(k);
  return k.hex();
}

}  // namespace

std::vector<HoldoutSpec> holdout_specs(const Suite& s, int height, int width) {
  std::vector<HoldoutSpec> out;
  out.push_back({HoldoutSpec::Kind::kClean, "clean", "", 0, nullptr, nullptr, json::object()});
  const SizeTable table = size_table_for(height, width);
  for (const auto& id : s.evaluate.corruptions) {
    const CorruptionInfo& info = corruption_info(id);
    for (int sev : s.evaluate.severities) {
      HoldoutSpec h{HoldoutSpec::Kind::kCorruption, corruption_holdout_id(id, sev), id, sev, nullptr, nullptr,
                    json::object()};
      h.info = {{"corruption", id},        {"family", info.family},
                {"severity", sev},         {"table", size_table_name(table)},
                {"parameters", corruption_parameters(id, sev, table)}};
      out.push_back(std::move(h));
    }
  }
  for (const auto& p : s.evaluate.profiles) {
    HoldoutSpec h{HoldoutSpec::Kind::kProfile, "p." + p.name, "", 0, &p, nullptr, json::object()};
    h.info = {{"profile", profile_to_json(p)}};
    out.push_back(std::move(h));
  }
  for (const auto& x : s.evaluate.holdouts) {
    HoldoutSpec h{HoldoutSpec::Kind::kExternal, "x." + x.name, "", 0, nullptr, &x, json::object()};
    h.info = {{"data", x.data.path}};
    out.push_back(std::move(h));
  }
  return out;
}

Dataset perturbed_holdout(const HoldoutSpec& h, const Dataset& test, uint64_t suite_seed,
                          const std::string& cache_dir, int threads, HoldoutCacheStats* stats) {
  if (h.kind == HoldoutSpec::Kind::kClean) return test;
  if (h.kind == HoldoutSpec::Kind::kExternal) {
    throw std::logic_error("perturbed_holdout: " + h.id + " is external");
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::string path =
      cache_dir.empty() ? "" : (fs::path(cache_dir) / (cache_key(h, test, suite_seed) + ".npz")).string();
  Dataset out = test;
  const std::vector<int64_t> shape{test.n, test.height, test.width, test.channels};
  if (!path.empty() && read_cached_images(path, shape, test.labels, out.images)) {
    if (stats) {
      ++stats->hits;
      stats->seconds_reading += seconds_since(t0);
    }
    return out;
  }
  const uint64_t key = holdout_key(suite_seed, h.id);
  const int hh = static_cast<int>(test.height), ww = static_cast<int>(test.width),
            cc = static_cast<int>(test.channels);
  if (h.kind == HoldoutSpec::Kind::kCorruption) {
    corrupt_images(h.corruption, h.severity, test.images.data(), out.images.data(), test.n, hh, ww, cc,
                   key, threads);
  } else {
    const ProfileApplier applier(*h.profile);
    profile_images(applier, test.images.data(), out.images.data(), test.n, hh, ww, cc, key, threads);
  }
  if (!path.empty()) write_cached_images(path, shape, out.images, out.labels, "hold-out " + h.id);
  if (stats) {
    ++stats->misses;
    stats->seconds_making += seconds_since(t0);
  }
  return out;
}

Dataset load_external_holdout(const DataSourceSpec& data, const std::vector<std::string>& class_names,
                              int64_t channels) {
  Dataset d = load_dataset(data);
  std::map<std::string, int64_t> index;
  for (size_t k = 0; k < class_names.size(); ++k) index[class_names[k]] = static_cast<int64_t>(k);
  std::vector<int64_t> to(d.class_names.size(), -1);
  for (size_t k = 0; k < d.class_names.size(); ++k) {
    auto it = index.find(d.class_names[k]);
    if (it != index.end()) to[k] = it->second;
  }
  // An .npz or IDX file carries no names: its classes are exactly "0".."m", and its labels are
  // training class indices. Any other naming is matched by name (never a mix of the two).
  bool indices = true;
  for (size_t k = 0; k < d.class_names.size(); ++k) indices = indices && d.class_names[k] == std::to_string(k);
  if (indices) {
    for (size_t k = 0; k < d.class_names.size(); ++k) to[k] = k < class_names.size() ? static_cast<int64_t>(k) : -1;
  }
  // Only classes that occur matter: an unused trailing name is harmless.
  std::vector<bool> used(d.class_names.size(), false);
  for (int64_t l : d.labels) used[static_cast<size_t>(l)] = true;
  std::vector<std::string> bad;
  for (size_t k = 0; k < d.class_names.size(); ++k) {
    if (to[k] < 0 && used[k]) bad.push_back(d.class_names[k]);
  }
  if (!bad.empty()) {
    throw InputError(data.path, fmt::format("classes {} are not among the training classes ({})",
                                            fmt::join(bad, ", "), fmt::join(class_names, ", ")));
  }
  for (auto& l : d.labels) l = to[static_cast<size_t>(l)];
  d.class_names = class_names;
  if (d.channels == 3 && channels == 1) {
    Dataset grey = d;
    grey.channels = 1;
    grey.images.resize(static_cast<size_t>(d.n * d.height * d.width));
    for (int64_t i = 0; i < d.n; ++i) {
      const cv::Mat rgb(static_cast<int>(d.height), static_cast<int>(d.width), CV_8UC3, d.image(i));
      cv::Mat g(static_cast<int>(d.height), static_cast<int>(d.width), CV_8UC1, grey.image(i));
      cv::cvtColor(rgb, g, cv::COLOR_RGB2GRAY);
    }
    d = std::move(grey);
  }
  return d;
}

}  // namespace gauntlet
