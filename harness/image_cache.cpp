#include "harness/image_cache.hpp"

#include <fmt/format.h>

#include <cstring>
#include <filesystem>

#include "augmentations/corruption.hpp"
#include "harness/build_info.hpp"
#include "harness/core/hash.hpp"
#include "harness/core/npy.hpp"

namespace gauntlet {
namespace {

Array labels_of(const std::vector<int64_t>& labels) {
  Array a;
  a.dtype = "i8";
  a.shape = {static_cast<int64_t>(labels.size())};
  a.data.resize(labels.size() * sizeof(int64_t));
  if (!labels.empty()) std::memcpy(a.data.data(), labels.data(), a.data.size());
  return a;
}

}  // namespace

void hash_code_identity(Hasher& h) {
  h.update(std::string(gauntlet_source_hash())).update(corruption_backends()).update(std::string(compiler_id()));
}

bool read_cached_images(const std::string& path, const std::vector<int64_t>& shape,
                        const std::vector<int64_t>& labels, std::vector<uint8_t>& images) {
  try {
    if (!std::filesystem::exists(path)) return false;
    auto arrays = read_npz(path);
    const Array& im = arrays.at("images");
    const Array& lb = arrays.at("labels");
    if (im.dtype != "u1" || im.shape != shape || lb.dtype != "i8" || lb.data != labels_of(labels).data) {
      return false;
    }
    images = std::move(arrays.at("images").data);
    return true;
  } catch (const std::exception&) {
    return false;  // damaged or foreign: make it again
  }
}

void write_cached_images(const std::string& path, const std::vector<int64_t>& shape,
                         std::vector<uint8_t>& images, const std::vector<int64_t>& labels,
                         const std::string& what) {
  Array im;
  im.dtype = "u1";
  im.shape = shape;
  im.data.swap(images);
  try {
    const Array lb = labels_of(labels);
    write_npz(path, {{"images", &im}, {"labels", &lb}});
  } catch (const std::exception& e) {
    fmt::print(stderr, "gauntlet: warning: {} not cached: {}\n", what, e.what());
  }
  images.swap(im.data);
}

}  // namespace gauntlet
