// The in-memory image set every layer passes around: uint8 images in NHWC order, one integer label
// each, and the class names. Deliberately plain (no torch, no OpenCV) so that data sources, audits,
// augmentations and reports can share it without pulling in heavy headers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet {

struct Dataset {
  int64_t n = 0;
  int64_t height = 0;
  int64_t width = 0;
  int64_t channels = 0;
  std::vector<uint8_t> images;  ///< n * height * width * channels bytes, NHWC
  std::vector<int64_t> labels;  ///< n values in [0, class_names.size())
  std::vector<std::string> class_names;
  std::string source;  ///< the data spec it was loaded from

  int64_t num_classes() const { return static_cast<int64_t>(class_names.size()); }
  size_t image_bytes() const { return static_cast<size_t>(height * width * channels); }
  const uint8_t* image(int64_t i) const { return images.data() + i * image_bytes(); }
  uint8_t* image(int64_t i) { return images.data() + i * image_bytes(); }
};

/// The images and labels at `indices`, in that order; shape and class names are kept.
Dataset select(const Dataset& d, const std::vector<int64_t>& indices);

/// Count of each class among `d.labels`.
std::vector<int64_t> class_counts(const Dataset& d);

/// Throws InputError (naming d.source) unless sizes agree and every label is in range.
void check_consistent(const Dataset& d);

/// Content hash of shape, pixels, labels and class names: 16 hex digits (XXH3-64).
std::string fingerprint(const Dataset& d);

}  // namespace gauntlet
