// The content-addressed cache of made image sets under <out>/cache/: perturbed hold-outs and
// expanded training sets. An entry is named by a hash of everything its pixels are a function of,
// is used only when it holds exactly the shape and labels expected, and only saves time: an entry
// that is missing, damaged or foreign is made again, and one that cannot be stored costs a warning.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet {

class Hasher;

/// Adds to `h` what can change a pixel besides the inputs: gauntlet's result-affecting sources
/// (source hash), OpenCV's and libjpeg's versions, and the compiler.
void hash_code_identity(Hasher& h);

/// Reads `path` into `images` when it holds uint8 images of exactly `shape` (N, H, W, C) and
/// exactly `labels`; false when it is missing, damaged or holds anything else.
bool read_cached_images(const std::string& path, const std::vector<int64_t>& shape,
                        const std::vector<int64_t>& labels, std::vector<uint8_t>& images);

/// Stores images and labels at `path` atomically; a failure prints a warning naming `what`.
/// `images` is lent to the writer (no copy of a set that may be gigabytes) and is back, unchanged,
/// when this returns.
void write_cached_images(const std::string& path, const std::vector<int64_t>& shape,
                         std::vector<uint8_t>& images, const std::vector<int64_t>& labels,
                         const std::string& what);

}  // namespace gauntlet
