// PNG writing with zlib alone, for preview images (`gauntlet perturb --preview`, `augment
// --preview`). OpenCV's imgcodecs would do it, but it pulls GDAL and a dozen codecs into the core,
// which DESIGN rules out; a PNG encoder is a page of code over zlib.
//
// Output: 8-bit greyscale, RGB or RGBA, not interlaced, each row filtered with the filter type
// (None, Sub, Up, Average, Paeth) whose output has the smallest sum of absolute values, as libpng
// chooses, and deflated at zlib's default level.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet {

/// The bytes of a PNG file holding `pixels`: `height` rows top to bottom, each `width` pixels of
/// `channels` interleaved bytes (1 grey, 3 RGB, 4 RGBA), rows packed without padding.
/// Throws std::invalid_argument for a width or height below 1, channels other than 1, 3 or 4, or
/// null `pixels`.
std::vector<uint8_t> encode_png(const uint8_t* pixels, int width, int height, int channels);

/// encode_png written to `path` atomically (see write_file_atomic): a crash leaves the old file or
/// the new one. Missing parent folders are created. Throws std::invalid_argument as encode_png
/// does, and std::runtime_error naming `path` when it cannot be written.
void write_png(const std::string& path, const uint8_t* pixels, int width, int height, int channels);

}  // namespace gauntlet
