// Data sources: turn a data spec (DESIGN.md, Formats) into a Dataset. Supported here:
//   fashion-mnist:train | fashion-mnist:test  Debian's dataset-fashion-mnist (IDX .gz files)
//   PATH.npz                                  uint8 images (N,H,W) or (N,H,W,C), integer labels (N)
//   PATH-images-idx3-ubyte[.gz]               IDX images; labels from the matching labels-idx1 file
//   FOLDER/                                   one sub-folder per class of images (image_folder.hpp)
#pragma once

#include <string>

#include "harness/core/array.hpp"
#include "harness/core/dataset.hpp"
#include "harness/suite.hpp"

namespace gauntlet {

/// Loads and checks a data set. Throws InputError naming the spec or file and what is wrong.
Dataset load_dataset(const DataSourceSpec& spec);

/// A Dataset as .npz arrays: `images` uint8 (N, H, W, C) and `labels` int64 (N).
Array images_array(const Dataset& d);
Array labels_array(const Dataset& d);
/// Writes both, atomically (write_npz), as `gauntlet perturb` and the hold-out cache store them.
void write_dataset_npz(const std::string& path, const Dataset& d);

/// Where Debian's dataset-fashion-mnist puts its files.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

}  // namespace gauntlet
