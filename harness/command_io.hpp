// Small pieces the data commands (perturb, augment) share: an image as a cv::Mat view, and
// output files whose paths the user chose, so that a path that cannot be written is bad input.
#pragma once

#include <opencv2/core.hpp>

#include <stdexcept>
#include <string>

#include "harness/core/dataset.hpp"
#include "harness/core/error.hpp"
#include "harness/preprocess.hpp"

namespace gauntlet {

/// Image i of `d` as a uint8 H x W x C view (no copy).
inline cv::Mat image_mat(const Dataset& d, int64_t i) {
  return cv::Mat(static_cast<int>(d.height), static_cast<int>(d.width),
                 CV_8UC(static_cast<int>(d.channels)), const_cast<uint8_t*>(d.image(i)));
}

/// Image i of a prepared (model-ready) set as a uint8 side x side x C view (no copy).
inline cv::Mat image_mat(const PreparedSet& p, int64_t i) {
  return cv::Mat(static_cast<int>(p.side), static_cast<int>(p.side), CV_8UC(static_cast<int>(p.channels)),
                 const_cast<uint8_t*>(p.images.data() + i * p.image_bytes()));
}

/// Runs `write`; a std::runtime_error from it (cannot create, write or rename) becomes an
/// InputError naming `flag`, so the command exits 2 with the path and the reason.
template <typename Write>
void write_output(const std::string& flag, Write&& write) {
  try {
    write();
  } catch (const std::runtime_error& e) {
    throw InputError(flag, e.what());
  }
}

}  // namespace gauntlet
