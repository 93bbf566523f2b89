// The image-folder data source: one sub-folder per class, images read with OpenCV's imgcodecs
// (PNG, JPEG, BMP, TIFF, WebP; the build option GAUNTLET_WITH_IMGCODECS, on by default, brings it
// in). Classes are the sub-folders in name order, or the order of a `classes` file (one name per
// line) when the folder has one. Files in name order within a class. Images of other sizes than the
// most common one are resized to it (area interpolation when shrinking); if any image has colour
// the set is RGB and grey images are replicated.
#pragma once

#include <string>

#include "harness/core/dataset.hpp"

namespace gauntlet {

/// Throws InputError naming the folder or file: no class folders, a class without images, an
/// image that cannot be read (zero bytes, not an image), a `classes` file naming a missing folder
/// or leaving one out.
Dataset load_image_folder(const std::string& dir);

/// Whether this build can read image folders.
bool image_folders_supported();

}  // namespace gauntlet
