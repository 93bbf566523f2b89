// The hold-outs a cell is evaluated on (DESIGN.md, Formats: hold-out ids): `clean`, corruptions
// `c.<id>.<severity>`, profiles `p.<name>` and external sets `x.<name>`. Perturbed hold-outs are
// made once, deterministically from (suite seed, hold-out id) and the test images, and cached
// content-addressed under <out>/cache/, so a second model (or a second run, or another suite on
// the same test images) reads them instead of making them again.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "harness/core/dataset.hpp"
#include "harness/suite.hpp"

namespace gauntlet {

struct HoldoutSpec {
  enum class Kind { kClean, kCorruption, kProfile, kExternal };
  Kind kind = Kind::kClean;
  std::string id;
  std::string corruption;          ///< kCorruption
  int severity = 0;                ///< kCorruption
  const Profile* profile = nullptr;  ///< kProfile, into the suite
  const ExternalHoldout* external = nullptr;  ///< kExternal, into the suite
  nlohmann::json info;             ///< what result.json records under "holdouts"
};

/// Every hold-out of the suite, clean first, for test images of `height` x `width`.
std::vector<HoldoutSpec> holdout_specs(const Suite& s, int height, int width);

struct HoldoutCacheStats {
  int hits = 0, misses = 0;
  double seconds_making = 0, seconds_reading = 0;
};

/// The images of a clean, corruption or profile hold-out built from `test`: read from
/// `cache_dir` when a valid entry is there, else made (over `threads` threads) and stored there
/// atomically. A damaged cache entry is made again, never trusted. `cache_dir` "" disables it.
Dataset perturbed_holdout(const HoldoutSpec& h, const Dataset& test, uint64_t suite_seed,
                          const std::string& cache_dir, int threads, HoldoutCacheStats* stats = nullptr);

/// Loads an external hold-out and maps its classes onto `class_names` (the training classes): a
/// source without class names (.npz, IDX: classes "0".."m") by index, any other by name.
/// Any size is fine (the model's input preparation resizes); RGB images are turned grey (ITU-R
/// BT.601 luma) when the training images are grey (`channels` 1). Throws InputError naming the
/// data and the classes it cannot map.
Dataset load_external_holdout(const DataSourceSpec& data, const std::vector<std::string>& class_names,
                              int64_t channels);

}  // namespace gauntlet
