// synthetic:bloodcell — a procedural stand-in for the blood-smear challenge data (specs/seeds.md):
// RGB crops of a pale, stained background with red cells (erythrocytes) and one central cell of one
// of the 8 classes (basophil, eosinophil, erythroblast, immature granulocyte, lymphocyte, monocyte,
// neutrophil, platelet). Nucleus shape, chromatin texture, granules, cytoplasm colour and cell size
// follow the class; stain, illumination, scale, rotation and position vary per image, and the
// class frequencies follow BloodMNIST's imbalance. Planted dirt, at known indices: out-of-
// distribution images (cartoon drawings with flat saturated colours and thick outlines, text/meme
// stills), exact duplicates of clean images, and duplicates carrying a different label.
//
// Every image is a pure function of (seed, index): a Philox stream per image (core/rng.hpp), so the
// set is identical whatever the thread count that draws it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/dataset.hpp"

namespace gauntlet {

struct BloodcellOptions {
  int64_t n = 2000;        ///< images in all, dirt included
  uint64_t seed = 0;       ///< everything follows from it
  int64_t size = 96;       ///< side in pixels (16..512)
  int64_t outliers = 0;    ///< out-of-distribution images (half cartoons, half text stills)
  int64_t duplicates = 0;  ///< exact copies (pixels and label) of clean images
  int64_t conflicts = 0;   ///< copies of clean images with a different label
  int threads = 0;         ///< 0: all cores; the images do not depend on it
};

/// Where the dirt went: 0-based indices into the generated set, each list ascending.
struct BloodcellTruth {
  std::vector<int64_t> outliers;
  std::vector<std::pair<int64_t, int64_t>> duplicates;  ///< (original, copy), same label
  std::vector<std::pair<int64_t, int64_t>> conflicts;   ///< (original, copy), different label
};

/// The 8 class names in label order.
const std::vector<std::string>& bloodcell_classes();

/// Generates the set (parallel over images; deterministic). Throws InputError for options out of
/// range (dirt larger than half the set, size outside 16..512, n outside 1..10^7).
Dataset generate_bloodcell(const BloodcellOptions& o, BloodcellTruth* truth = nullptr);

}  // namespace gauntlet
