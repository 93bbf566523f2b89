// `gauntlet perturb`: the hold-out code of `run` on any data, to inspect or export it. The images
// are those `run` evaluates on when --seed is the suite's seed and DATA its test images: the same
// corrupt_images / profile_images with the same hold-out keys.
#pragma once

#include <string>

namespace gauntlet {

struct PerturbOptions {
  std::string data;         ///< a data spec (DESIGN.md, Formats)
  std::string corruptions;  ///< comma-separated names or ids, or a family ("imagenet-c", "bloodmnist-c", "all")
  std::string family;       ///< where a name is in both families; "" means ImageNet-C
  int severity = 0;         ///< 1..5; 0 = all five (preview only)
  std::string profile;      ///< a built-in profile or a profile file, instead of corruptions
  std::string out;          ///< FILE.npz: keys images (uint8 NHWC) and labels
  std::string preview;      ///< FILE.png: rows = corruptions, columns = clean + severities
  int index = 0;            ///< the image the preview shows
  int cell_side = 96;       ///< preview cell size in pixels
  uint64_t seed = 0;
  int threads = 1;
};

/// Runs the command; prints what it wrote. Throws InputError on bad input.
void perturb(const PerturbOptions& o);

}  // namespace gauntlet
