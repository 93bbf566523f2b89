#include "harness/core/dataset.hpp"

#include <cstring>

#include "harness/core/error.hpp"
#include "harness/core/hash.hpp"

namespace gauntlet {

Dataset select(const Dataset& d, const std::vector<int64_t>& indices) {
  Dataset out;
  out.height = d.height;
  out.width = d.width;
  out.channels = d.channels;
  out.class_names = d.class_names;
  out.source = d.source;
  out.n = static_cast<int64_t>(indices.size());
  const size_t bytes = d.image_bytes();
  out.images.resize(bytes * indices.size());
  out.labels.resize(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    std::memcpy(out.images.data() + k * bytes, d.image(indices[k]), bytes);
    out.labels[k] = d.labels[indices[k]];
  }
  return out;
}

std::vector<int64_t> class_counts(const Dataset& d) {
  std::vector<int64_t> counts(d.class_names.size(), 0);
  for (int64_t y : d.labels) ++counts.at(y);
  return counts;
}

void check_consistent(const Dataset& d) {
  if (d.n <= 0) throw InputError(d.source, "the data set has no images");
  if (d.height <= 0 || d.width <= 0 || (d.channels != 1 && d.channels != 3)) {
    throw InputError(d.source, "images must be HxWx1 or HxWx3 with positive sides, got " +
                                   std::to_string(d.height) + "x" + std::to_string(d.width) + "x" +
                                   std::to_string(d.channels));
  }
  if (d.images.size() != static_cast<size_t>(d.n) * d.image_bytes()) {
    throw InputError(d.source, "pixel buffer size does not match the image count and shape");
  }
  if (d.labels.size() != static_cast<size_t>(d.n)) {
    throw InputError(d.source, std::to_string(d.n) + " images but " +
                                   std::to_string(d.labels.size()) + " labels");
  }
  if (d.class_names.empty()) throw InputError(d.source, "no classes");
  for (int64_t i = 0; i < d.n; ++i) {
    if (d.labels[i] < 0 || d.labels[i] >= d.num_classes()) {
      throw InputError(d.source, "label " + std::to_string(d.labels[i]) + " of image " +
                                     std::to_string(i) + " is outside 0.." +
                                     std::to_string(d.num_classes() - 1));
    }
  }
}

std::string fingerprint(const Dataset& d) {
  Hasher h;
  h.update_u64(d.n).update_u64(d.height).update_u64(d.width).update_u64(d.channels);
  h.update(d.images.data(), d.images.size());
  for (int64_t y : d.labels) h.update_u64(static_cast<uint64_t>(y));
  for (const auto& name : d.class_names) h.update(name);
  return h.hex();
}

}  // namespace gauntlet
