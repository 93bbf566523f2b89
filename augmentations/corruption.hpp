// Corruptions: the perturbations that turn a clean hold-out into a shifted one, with severities
// 1..5 and parameter tables chosen by image side, after the ImageNet-C / CIFAR-10-C / Tiny
// ImageNet-C protocols (Hendrycks & Dietterich, "Benchmarking Neural Network Robustness to Common
// Corruptions and Perturbations", ICLR 2019). See shared/specs/corruptions.md for every parameter.
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

struct CorruptionInfo {
  std::string name;
  std::string family;  ///< "imagenet-c" (later also "bloodmnist-c")
  std::string summary;
};

/// Every registered corruption, in registry order.
const std::vector<CorruptionInfo>& corruption_infos();
bool has_corruption(const std::string& name);

/// Applies corruption `name` at `severity` (1..5) to a uint8 HxWxC image (C = 1 or 3).
/// Throws std::invalid_argument for an unknown name or a severity outside 1..5.
void apply_corruption(const std::string& name, int severity, const cv::Mat& src, cv::Mat& dst,
                      SizeTable table, Rng& rng);

/// The parameter the corruption uses at this severity and table (for records and tests).
double corruption_parameter(const std::string& name, int severity, SizeTable table);

}  // namespace gauntlet
