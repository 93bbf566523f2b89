// `gauntlet audit`: what is wrong with a data set, before anyone trains on it. The seeds' challenge
// data held ~1800 exact duplicates, duplicates with conflicting labels and planted cartoon/meme
// images; this finds those kinds of dirt and says why each image was flagged.
//
// - Exact duplicates: images with identical pixels (XXH3-64 of the pixels, confirmed byte by byte),
//   in groups; a group whose images carry more than one label is also a conflict.
// - Near duplicates: pairs whose perceptual hashes (OpenCV img_hash PHash: 32x32 grey DCT, 64 bits)
//   differ in at most `near_threshold` bits (default 4 of 64: resizing, re-encoding and mild noise
//   stay within it, distinct images of the same kind are ~20-32 apart), excluding pairs that are
//   exact duplicates. All pairs are compared: N^2/2 popcounts, ~0.2 s for N = 20,000.
// - Outliers, from two independent signals, each a robust z-score (x - median) / (1.4826 MAD) over
//   the whole set:
//     colour: per-image mean R, G, B, grey contrast, mean saturation, share of saturated pixels,
//             share of near-black pixels; the largest |z| of the seven;
//     texture: chi-square distance of the image's LBP histogram (256 codes of the 8 neighbours of
//             each grey pixel) to the per-bin median histogram of its class (of all images when the
//             class has fewer than 20), z of that distance (one-sided: only far is odd). Drawings
//             and text stills have flat areas and hard edges that natural micrographs lack.
//   An image is an outlier when either z exceeds its threshold (colour 10, texture 22: the texture
//   distance is heavy-tailed, clean synthetic:bloodcell crops reach z ~ 20 at 96 px); its score is the larger z over its
//   threshold (>= 1 when flagged), its reasons name each signal over the threshold and the value.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "harness/core/dataset.hpp"
#include "harness/synthetic_bloodcell.hpp"

namespace gauntlet {

struct AuditOptions {
  int near_threshold = 4;       ///< pHash Hamming distance (bits of 64) counted as near duplicate
  double colour_z = 10.0;       ///< robust z of a colour statistic that makes an outlier
  double texture_z = 22.0;      ///< robust z of the histogram distance that makes an outlier
  int threads = 0;              ///< 0: all cores; the result does not depend on it
};

struct AuditOutlier {
  int64_t index = 0;
  double score = 0;  ///< max(colour z / colour_z, texture z / texture_z)
  std::vector<std::string> reasons;
};

struct AuditReport {
  std::vector<std::string> class_names;
  std::vector<int64_t> class_counts;
  double imbalance_ratio = 0;  ///< largest class count / smallest non-empty one
  std::vector<std::vector<int64_t>> duplicates;  ///< exact-duplicate groups, ascending
  std::vector<std::vector<int64_t>> conflicts;   ///< those groups with more than one label
  std::vector<std::tuple<int64_t, int64_t, int>> near_duplicates;  ///< (i, j, Hamming distance)
  std::vector<AuditOutlier> outliers;  ///< ascending by index
};

AuditReport audit_dataset(const Dataset& d, const AuditOptions& o = {});

/// audit.json as the issue fixes it: class_counts, imbalance_ratio, duplicates, conflicts,
/// near_duplicates, outliers (0-based indices), plus the source, n and the options used.
std::string audit_json(const Dataset& d, const AuditReport& r, const AuditOptions& o);
std::string audit_markdown(const Dataset& d, const AuditReport& r, const AuditOptions& o);

/// Writes DIR/audit.json, DIR/audit.md and DIR/audit.png (a contact sheet of flagged images; when
/// nothing is flagged, of the first images), each atomically.
void write_audit(const std::string& dir, const Dataset& d, const AuditReport& r, const AuditOptions& o);

/// data.clean: what `gauntlet audit` finds, dropped from the source before subset and split (the
/// separate test source is never cleaned). Indices dropped are recorded in result.json.
struct CleanOptions {
  bool duplicates = false;  ///< drop exact duplicates, keeping the first of each group
  bool conflicts = false;   ///< drop every image of a duplicate group with more than one label
  bool outliers = false;    ///< drop the audit's outliers
  double colour_z = 10.0;   ///< the audit's outlier thresholds (AuditOptions)
  double texture_z = 22.0;
  bool any() const { return duplicates || conflicts || outliers; }
};

/// What data.clean drops: indices into `d`, each list ascending, and the set kept.
struct CleanResult {
  std::vector<int64_t> duplicates, conflicts, outliers;  ///< dropped for each reason (disjoint)
  std::vector<int64_t> kept;
};
CleanResult clean_dataset(const Dataset& d, const CleanOptions& o, int threads = 0);

/// An audit scored against dirt planted at known places (synthetic:bloodcell). A planted copy is
/// found when one reported group holds it and its original (conflicts: a conflicts group); a
/// planted outlier when it is among the outliers. Clean images are those neither planted nor an
/// original of a planted copy; one is flagged when it is an outlier or in a duplicate group.
struct AuditScore {
  int64_t duplicates = 0, duplicates_found = 0;
  int64_t conflicts = 0, conflicts_found = 0;
  int64_t outliers = 0, outliers_found = 0;
  int64_t clean = 0, clean_flagged = 0;
  std::string truth_json;  ///< the planted indices: {"outliers": [...], "duplicates": [[i, j]], "conflicts": [[i, j]]}
};
AuditScore score_planted(const Dataset& d, const AuditReport& r, const BloodcellTruth& truth);

}  // namespace gauntlet
