// Corruptions: the perturbations that turn a clean hold-out into a shifted one, with severities
// 1..5 and parameter tables chosen by image side, after the ImageNet-C / CIFAR-10-C / Tiny
// ImageNet-C protocols (Hendrycks & Dietterich, "Benchmarking Neural Network Robustness to Common
// Corruptions and Perturbations", ICLR 2019) and MedMNIST-C (Di Salvo et al., 2024) for blood
// microscopy. See shared/specs/corruptions.md for every parameter.
#pragma once

#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "harness/core/rng.hpp"

namespace gauntlet {

/// Which parameter table applies: <= 48 px small (CIFAR-10-C), 49-159 medium (Tiny ImageNet-C
/// where it has the corruption, else ImageNet-C), >= 160 large (ImageNet-C).
enum class SizeTable { kSmall, kMedium, kLarge };

/// The table for an image of this size, by its longer side.
SizeTable size_table_for(int height, int width);
const char* size_table_name(SizeTable t);

/// The two corruption families. A corruption's id is its name in ImageNet-C and
/// "bloodmnist-c.<name>" in the blood-microscopy family, so that ids are unique across families
/// and hold-out ids stay `c.<id>.<severity>`.
inline constexpr const char* kImageNetC = "imagenet-c";
inline constexpr const char* kBloodMnistC = "bloodmnist-c";

struct CorruptionInfo {
  std::string id;       ///< unique: "gaussian_noise", "bloodmnist-c.pixelate"
  std::string name;     ///< as in the spec's tables: "pixelate"
  std::string family;   ///< kImageNetC or kBloodMnistC
  std::string summary;  ///< the algorithm in one line
  bool deterministic;   ///< draws nothing from the Rng
  bool in_mce;          ///< averaged by the family's mCE (ImageNet-C's 15; all 11 of MedMNIST-C)
};

/// Every registered corruption, in registry order (ImageNet-C's order, then the extras, then
/// the blood family).
const std::vector<CorruptionInfo>& corruption_infos();
bool has_corruption(const std::string& id);

/// The registry entry of `id`; throws std::invalid_argument for an unknown id.
const CorruptionInfo& corruption_info(const std::string& id);

/// The versions of the libraries corruptions compute with (OpenCV, libjpeg): part of the hold-out
/// cache key, since another version can change a pixel.
std::string corruption_backends();

/// The id of `name` in `family` (empty family: ImageNet-C where the name is there, else the
/// only family that has it). Throws std::invalid_argument naming the choices when there is none.
std::string corruption_id(const std::string& name, const std::string& family = "");

/// The parameters of one severity: a single value (gaussian_noise's sigma) or a tuple
/// (defocus_blur's radius and alias blur), in the order of the spec's tables.
using CorruptionParams = std::vector<double>;

/// Applies corruption `id` at `severity` (1..5) to a uint8 HxWxC image (C = 1 or 3); `dst` gets
/// the same size and type. Every random draw comes from `rng`. Throws std::invalid_argument for
/// an unknown id or a severity outside 1..5.
void apply_corruption(const std::string& id, int severity, const cv::Mat& src, cv::Mat& dst,
                      SizeTable table, Rng& rng);

/// The parameters the corruption uses at this severity and table (for records and tests).
CorruptionParams corruption_parameters(const std::string& id, int severity, SizeTable table);

/// The hold-out id of a corruption at a severity: "c.<id>.<severity>".
std::string corruption_holdout_id(const std::string& id, int severity);

/// The key every draw of hold-out `holdout_id` derives from under suite seed `seed`; image i of
/// the hold-out draws from Rng{key, i}. `gauntlet run`, `gauntlet perturb` and the cache share it,
/// so the same (seed, corruption, severity) gives the same images everywhere.
uint64_t holdout_key(uint64_t seed, const std::string& holdout_id);

/// Corrupts n uint8 images of height x width x channels (NHWC, contiguous) from `src` into `dst`
/// (which must not alias it): image i with Rng{key, i}, with the table for its size. The images
/// are split over `threads` threads; the result does not depend on that number.
void corrupt_images(const std::string& id, int severity, const uint8_t* src, uint8_t* dst, int64_t n,
                    int height, int width, int channels, uint64_t key, int threads = 1);

}  // namespace gauntlet
