#include "harness/data_source.hpp"

#include <cstring>

#include <filesystem>

#include "harness/core/error.hpp"
#include "harness/core/idx.hpp"
#include "harness/core/npy.hpp"
#include "harness/image_folder.hpp"

namespace gauntlet {
namespace {

// Class ids are dense 0..K-1; a larger id is a broken file, not a 10-billion-class problem.
constexpr int64_t kMaxClasses = 100000;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> numbered_classes(const std::vector<int64_t>& labels) {
  int64_t k = 0;
  for (int64_t y : labels) k = std::max(k, y + 1);
  std::vector<std::string> names;
  for (int64_t c = 0; c < k; ++c) names.push_back(std::to_string(c));
  return names;
}

// images (N,H,W) or (N,H,W,C) uint8 + labels (N) -> Dataset.
Dataset from_arrays(const Array& images, const Array& labels, const std::string& where,
                    const std::string& labels_where) {
  if (images.dtype != "u1") {
    throw InputError(where, "images must be uint8, got dtype " + images.dtype);
  }
  if (images.shape.size() != 3 && images.shape.size() != 4) {
    throw InputError(where, "images must have shape (N,H,W) or (N,H,W,C), got " +
                                std::to_string(images.shape.size()) + " dimensions");
  }
  Dataset d;
  d.n = images.shape[0];
  d.height = images.shape[1];
  d.width = images.shape[2];
  d.channels = images.shape.size() == 4 ? images.shape[3] : 1;
  if (d.channels != 1 && d.channels != 3) {
    throw InputError(where, "images must have 1 or 3 channels in the last dimension (NHWC), got " +
                                std::to_string(d.channels));
  }
  if (labels.shape.size() != 1 && !(labels.shape.size() == 2 && labels.shape[1] == 1)) {
    throw InputError(labels_where, "labels must have shape (N) or (N,1)");
  }
  if (labels.shape[0] != d.n) {
    throw InputError(labels_where, std::to_string(labels.shape[0]) + " labels for " +
                                       std::to_string(d.n) + " images");
  }
  d.images = images.data;
  d.labels = to_int64(labels, labels_where);
  for (int64_t i = 0; i < d.n; ++i) {
    if (d.labels[i] < 0 || d.labels[i] >= kMaxClasses) {
      throw InputError(labels_where, "label " + std::to_string(d.labels[i]) + " of image " +
                                         std::to_string(i) + " is outside 0.." +
                                         std::to_string(kMaxClasses - 1));
    }
  }
  d.class_names = numbered_classes(d.labels);
  return d;
}

Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path) {
  const Array images = read_idx(images_path);
  const Array labels = read_idx(labels_path);
  return from_arrays(images, labels, images_path, labels_path);
}

Dataset load_dataset_unchecked(const DataSourceSpec& spec) {
  const std::string& p = spec.path;
  Dataset d;
  if (p.rfind("fashion-mnist:", 0) == 0) {
    const std::string part = p.substr(14);
    if (part != "train" && part != "test") {
      throw InputError(p, "expected fashion-mnist:train or fashion-mnist:test");
    }
    const std::string stem = std::string(kFashionMnistDir) + "/" + (part == "train" ? "train" : "t10k");
    if (!std::filesystem::exists(stem + "-images-idx3-ubyte.gz")) {
      throw InputError(p, std::string("Fashion-MNIST not found under ") + kFashionMnistDir +
                              " (install Debian's dataset-fashion-mnist: ci/setup.sh does)");
    }
    d = load_idx_pair(stem + "-images-idx3-ubyte.gz", stem + "-labels-idx1-ubyte.gz");
    d.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                     "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  } else if (ends_with(p, ".npz")) {
    const auto arrays = read_npz(p);
    for (const std::string* key : {&spec.images_key, &spec.labels_key}) {
      if (arrays.find(*key) == arrays.end()) {
        std::string have;
        for (const auto& [name, a] : arrays) have += (have.empty() ? "" : ", ") + name;
        throw InputError(p, "no array \"" + *key + "\" in the archive (it has: " +
                                (have.empty() ? "none" : have) + ")");
      }
    }
    d = from_arrays(arrays.at(spec.images_key), arrays.at(spec.labels_key),
                    p + "[" + spec.images_key + "]", p + "[" + spec.labels_key + "]");
  } else if (std::filesystem::is_directory(p)) {
    d = load_image_folder(p);
  } else if (p.find("images-idx3-ubyte") != std::string::npos) {
    std::string labels = p;
    labels.replace(labels.find("images-idx3"), 11, "labels-idx1");
    d = load_idx_pair(p, labels);
  } else {
    const bool scheme = p.find(':') != std::string::npos;
    throw InputError(p, std::filesystem::exists(p) || scheme
                            ? "unknown data spec: expected fashion-mnist:train|test, a .npz file, a folder of "
                              "class sub-folders, or an IDX *-images-idx3-ubyte[.gz] file"
                            : "no such file or folder");
  }
  d.source = p;
  check_consistent(d);
  return d;
}

}  // namespace

Dataset load_dataset(const DataSourceSpec& spec) {
  // A folder we may not list, a file that vanishes: the user's input, not a gauntlet bug.
  try {
    return load_dataset_unchecked(spec);
  } catch (const std::filesystem::filesystem_error& e) {
    const std::string where = e.path1().empty() ? spec.path : e.path1().string();
    throw InputError(where, "cannot read: " + e.code().message());
  }
}

Array images_array(const Dataset& d) {
  Array a;
  a.dtype = "u1";
  a.shape = {d.n, d.height, d.width, d.channels};
  a.data = d.images;
  return a;
}

Array labels_array(const Dataset& d) {
  Array a;
  a.dtype = "i8";
  a.shape = {d.n};
  a.data.resize(d.labels.size() * sizeof(int64_t));
  std::memcpy(a.data.data(), d.labels.data(), a.data.size());
  return a;
}

void write_dataset_npz(const std::string& path, const Dataset& d) {
  const Array images = images_array(d), labels = labels_array(d);
  write_npz(path, {{"images", &images}, {"labels", &labels}});
}

}  // namespace gauntlet
