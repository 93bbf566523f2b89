// What a hold-out profile is, as data (no OpenCV, no JSON): light enough for the suite layer.
// profile.hpp applies it.
#pragma once

#include <string>
#include <vector>

#include "augmentations/transform_options.hpp"

namespace gauntlet {

struct Profile {
  std::string name;  ///< hold-out id p.<name>
  std::string description;
  int k_min = 1;     ///< ops per image, drawn uniformly from k_min..k_max
  int k_max = 1;
  std::vector<TransformOptions> ops;
  std::vector<double> weights;  ///< one per op, > 0; empty means all 1
};

}  // namespace gauntlet
