#include "harness/data_source.hpp"

#include <cmath>
#include <cstring>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <type_traits>

#include "harness/core/error.hpp"
#include "harness/core/idx.hpp"
#include "harness/core/npy.hpp"
#include "harness/image_folder.hpp"
#include "harness/synthetic_bloodcell.hpp"

namespace gauntlet {
namespace {

// Class ids are dense 0..K-1; a larger id is a broken file, not a 10-billion-class problem.
constexpr int64_t kMaxClasses = 100000;

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::vector<std::string> numbered_classes(const std::vector<int64_t>& labels) {
  int64_t k = 0;
  for (int64_t y : labels) k = std::max(k, y + 1);
  std::vector<std::string> names;
  for (int64_t c = 0; c < k; ++c) names.push_back(std::to_string(c));
  return names;
}

// Element i of an integer array, checked to be a pixel value.
template <typename T>
void integer_pixels(const Array& a, const std::string& where, uint8_t* out) {
  const int64_t n = a.numel();
  for (int64_t i = 0; i < n; ++i) {
    const T v = array_detail::load<T>(a.data.data() + i * sizeof(T));
    bool negative = false;
    if constexpr (std::is_signed_v<T>) negative = v < 0;
    if (negative || static_cast<uint64_t>(v) > 255) {
      throw InputError(where, a.dtype + " images must hold values in 0..255; element " +
                                  std::to_string(i) + " is " + std::to_string(v));
    }
    out[i] = static_cast<uint8_t>(v);
  }
}

// Floats: finite, in [0,255]; a whole array with maximum <= 1 is [0,1] and scaled by 255.
template <typename T>
void float_pixels(const Array& a, const std::string& where, uint8_t* out) {
  const int64_t n = a.numel();
  double hi = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double v = array_detail::load<T>(a.data.data() + i * sizeof(T));
    if (!std::isfinite(v) || v < 0.0 || v > 255.0) {
      throw InputError(where, "float images must be finite and in [0,1] or [0,255]; element " +
                                  std::to_string(i) + " is " + array_detail::format_double(v));
    }
    hi = std::max(hi, v);
  }
  const double scale = hi <= 1.0 ? 255.0 : 1.0;
  for (int64_t i = 0; i < n; ++i) {
    const double v = array_detail::load<T>(a.data.data() + i * sizeof(T));
    out[i] = static_cast<uint8_t>(std::lround(std::min(255.0, v * scale)));
  }
}

std::vector<uint8_t> pixels_as_uint8(const Array& a, const std::string& where) {
  const std::string& t = a.dtype;
  if (t == "u1") return a.data;
  if (a.itemsize() == 0 || t == "b1") {
    throw InputError(where, "images must be uint8, another integer type with values 0..255, or "
                            "float32/float64; got dtype " + t);
  }
  if (a.data.size() != static_cast<uint64_t>(a.numel()) * a.itemsize()) {
    throw InputError(where, "array bytes do not match its shape");
  }
  std::vector<uint8_t> out(static_cast<size_t>(a.numel()));
  if (t == "i1") integer_pixels<int8_t>(a, where, out.data());
  else if (t == "u2") integer_pixels<uint16_t>(a, where, out.data());
  else if (t == "i2") integer_pixels<int16_t>(a, where, out.data());
  else if (t == "u4") integer_pixels<uint32_t>(a, where, out.data());
  else if (t == "i4") integer_pixels<int32_t>(a, where, out.data());
  else if (t == "u8") integer_pixels<uint64_t>(a, where, out.data());
  else if (t == "i8") integer_pixels<int64_t>(a, where, out.data());
  else if (t == "f4") float_pixels<float>(a, where, out.data());
  else float_pixels<double>(a, where, out.data());
  return out;
}

bool is_channel_count(int64_t c) { return c == 1 || c == 3; }

// "nhwc" or "nchw" for a 4-d shape: the option when given, else the one reading with C in {1,3}.
std::string resolve_layout(const std::vector<int64_t>& s, const std::string& layout,
                           const std::string& where) {
  const std::string shape = "(" + std::to_string(s[0]) + "," + std::to_string(s[1]) + "," +
                            std::to_string(s[2]) + "," + std::to_string(s[3]) + ")";
  if (!layout.empty()) {
    const int64_t c = layout == "nhwc" ? s[3] : s[1];
    if (!is_channel_count(c)) {
      throw InputError(where, "layout " + layout + " reads shape " + shape + " as " +
                                  std::to_string(c) + " channels; 1 or 3 are supported");
    }
    return layout;
  }
  const bool last = is_channel_count(s[3]), first = is_channel_count(s[1]);
  if (last && !first) return "nhwc";
  if (first && !last) return "nchw";
  if (!first && !last) {
    throw InputError(where, "images of shape " + shape +
                                " have neither 1 nor 3 channels in the last (NHWC) or second (NCHW) "
                                "dimension");
  }
  throw InputError(where, "images of shape " + shape +
                              " could be NHWC or NCHW; say which with the option layout=nhwc|nchw");
}

std::vector<uint8_t> nchw_to_nhwc(const std::vector<uint8_t>& src, int64_t n, int64_t c, int64_t h,
                                  int64_t w) {
  std::vector<uint8_t> dst(src.size());
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* s = src.data() + i * c * h * w;
    uint8_t* d = dst.data() + i * c * h * w;
    for (int64_t ch = 0; ch < c; ++ch) {
      for (int64_t p = 0; p < h * w; ++p) d[p * c + ch] = s[ch * h * w + p];
    }
  }
  return dst;
}

Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path) {
  const Array images = read_idx(images_path);
  const Array labels = read_idx(labels_path);
  return dataset_from_arrays(images, labels, images_path, labels_path);
}

std::string option(const ParsedSource& s, const std::string& key, const std::string& fallback = "") {
  const auto it = s.options.find(key);
  return it == s.options.end() ? fallback : it->second;
}

int64_t int_option(const ParsedSource& s, const std::string& key, int64_t fallback, int64_t lo,
                   int64_t hi) {
  const std::string v = option(s, key);
  if (v.empty()) return fallback;
  size_t used = 0;
  long long x = 0;
  try {
    x = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || x < lo || x > hi) {
    throw InputError(s.spec, "option " + key + "=" + v + " must be an integer in " +
                                 std::to_string(lo) + ".." + std::to_string(hi));
  }
  return x;
}

// --- the sources -------------------------------------------------------------------------------

Dataset load_fashion_mnist(const ParsedSource& s) {
  const std::string part = s.path.substr(std::strlen("fashion-mnist:"));
  if (part != "train" && part != "test") {
    throw InputError(s.spec, "expected fashion-mnist:train or fashion-mnist:test");
  }
  const std::string stem = std::string(kFashionMnistDir) + "/" + (part == "train" ? "train" : "t10k");
  if (!std::filesystem::exists(stem + "-images-idx3-ubyte.gz")) {
    throw InputError(s.spec, std::string("Fashion-MNIST not found under ") + kFashionMnistDir +
                                 " (install Debian's dataset-fashion-mnist: ci/setup.sh does)");
  }
  Dataset d = load_idx_pair(stem + "-images-idx3-ubyte.gz", stem + "-labels-idx1-ubyte.gz");
  d.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return d;
}

BloodcellOptions bloodcell_options(const ParsedSource& s) {
  const std::string kind = s.path.substr(std::strlen("synthetic:"));
  if (kind != "bloodcell") throw InputError(s.spec, "unknown generator \"" + kind + "\" (have: bloodcell)");
  BloodcellOptions o;
  o.n = int_option(s, "n", o.n, 1, 10000000);
  o.seed = static_cast<uint64_t>(int_option(s, "seed", 0, 0, std::numeric_limits<int64_t>::max()));
  o.size = int_option(s, "size", o.size, 16, 512);
  o.outliers = int_option(s, "outliers", 0, 0, o.n);
  o.duplicates = int_option(s, "duplicates", 0, 0, o.n);
  o.conflicts = int_option(s, "conflicts", 0, 0, o.n);
  return o;
}

Dataset generate_synthetic(const ParsedSource& s, BloodcellTruth* truth) {
  try {
    return generate_bloodcell(bloodcell_options(s), truth);
  } catch (const InputError& e) {
    throw InputError(s.spec, e.what());
  }
}

Dataset load_synthetic(const ParsedSource& s) { return generate_synthetic(s, nullptr); }

Dataset load_npz(const ParsedSource& s) {
  const std::string& p = s.path;
  const std::string split = option(s, "split");
  std::string images_key = option(s, "images"), labels_key = option(s, "labels");
  if (!split.empty() && (!images_key.empty() || !labels_key.empty())) {
    throw InputError(s.spec, "give either split (MedMNIST keys <split>_images/<split>_labels) or "
                             "images/labels keys, not both");
  }
  if (!split.empty()) {
    images_key = split + "_images";
    labels_key = split + "_labels";
  }
  if (images_key.empty()) images_key = "images";
  if (labels_key.empty()) labels_key = "labels";
  const auto arrays = read_npz(p);
  for (const std::string* key : {&images_key, &labels_key}) {
    if (arrays.find(*key) != arrays.end()) continue;
    std::vector<std::string> have, splits;
    for (const auto& [name, a] : arrays) {
      have.push_back(name);
      if (ends_with(name, "_images") && arrays.count(name.substr(0, name.size() - 7) + "_labels")) {
        splits.push_back(name.substr(0, name.size() - 7));
      }
    }
    if (split.empty() && option(s, "images").empty() && !splits.empty()) {
      throw InputError(p, "no array \"images\": this archive has MedMNIST keys; choose a split with " +
                              p + "?split=" + splits.front() + " (or \"split\" in the suite; it has: " +
                              join(splits, ", ") + ")");
    }
    throw InputError(p, "no array \"" + *key + "\" in the archive (it has: " +
                            (have.empty() ? "none" : join(have, ", ")) + ")");
  }
  return dataset_from_arrays(arrays.at(images_key), arrays.at(labels_key), p + "[" + images_key + "]",
                             p + "[" + labels_key + "]", option(s, "layout"));
}

Dataset load_idx(const ParsedSource& s) {
  std::string labels = s.path;
  labels.replace(labels.find("images-idx3"), 11, "labels-idx1");
  return load_idx_pair(s.path, labels);
}

Dataset load_folder(const ParsedSource& s) { return load_image_folder(s.path); }

}  // namespace

ParsedSource parse_source(const DataSourceSpec& spec) {
  ParsedSource s;
  s.spec = spec.path;
  const size_t q = spec.path.find('?');
  s.path = spec.path.substr(0, q);
  if (q != std::string::npos) {
    const std::string query = spec.path.substr(q + 1);
    size_t begin = 0;
    while (begin <= query.size()) {
      const size_t end = std::min(query.find('&', begin), query.size());
      const std::string item = query.substr(begin, end - begin);
      const size_t eq = item.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
        throw InputError(s.spec, "option \"" + item + "\" is not key=value (options: ?key=value&key=value)");
      }
      const std::string key = item.substr(0, eq);
      if (!s.options.emplace(key, item.substr(eq + 1)).second) {
        throw InputError(s.spec, "option " + key + " given twice");
      }
      begin = end + 1;
    }
  }
  // The JSON object form's fields; the defaults of images/labels are not options.
  const std::vector<std::pair<std::string, std::string>> fields{
      {"images", spec.images_key == "images" ? "" : spec.images_key},
      {"labels", spec.labels_key == "labels" ? "" : spec.labels_key},
      {"split", spec.split},
      {"layout", spec.layout}};
  for (const auto& [key, value] : fields) {
    if (value.empty()) continue;
    if (!s.options.emplace(key, value).second) {
      throw InputError(s.spec, "option " + key + " given both in the spec and as a JSON field");
    }
  }
  if (s.options.count("layout") && s.options["layout"] != "nhwc" && s.options["layout"] != "nchw") {
    throw InputError(s.spec, "layout must be nhwc or nchw, got " + s.options["layout"]);
  }
  return s;
}

const std::vector<SourceKind>& source_kinds() {
  static const std::vector<SourceKind> kinds{
      {"fashion-mnist", "fashion-mnist:train|test", {},
       [](const std::string& p) { return starts_with(p, "fashion-mnist:"); }, load_fashion_mnist},
      {"synthetic", "synthetic:bloodcell?n=&seed=&size=&outliers=&duplicates=&conflicts=",
       {"n", "seed", "size", "outliers", "duplicates", "conflicts"},
       [](const std::string& p) { return starts_with(p, "synthetic:"); }, load_synthetic},
      {"npz", "FILE.npz[?split=S|?images=K&labels=K][&layout=nhwc|nchw]",
       {"images", "labels", "split", "layout"},
       [](const std::string& p) { return ends_with(p, ".npz"); }, load_npz},
      {"folder", "FOLDER/ (one sub-folder per class)", {},
       [](const std::string& p) { return std::filesystem::is_directory(p); }, load_folder},
      {"idx", "FILE-images-idx3-ubyte[.gz]", {},
       [](const std::string& p) { return p.find("images-idx3-ubyte") != std::string::npos; }, load_idx},
  };
  return kinds;
}

// load_dataset without the translation of filesystem errors.
static Dataset load_dataset_unchecked(const DataSourceSpec& spec) {
  const ParsedSource s = parse_source(spec);
  for (const SourceKind& kind : source_kinds()) {
    if (!kind.matches(s.path)) continue;
    for (const auto& [key, value] : s.options) {
      if (std::find(kind.options.begin(), kind.options.end(), key) == kind.options.end()) {
        throw InputError(s.spec, "unknown option " + key + " for a " + kind.name + " source" +
                                     (kind.options.empty() ? std::string(" (it takes none)")
                                                           : " (it takes: " + join(kind.options, ", ") + ")"));
      }
    }
    Dataset d = kind.load(s);
    d.source = spec.path;
    check_consistent(d);
    return d;
  }
  std::vector<std::string> patterns;
  for (const SourceKind& kind : source_kinds()) patterns.push_back(kind.pattern);
  const bool scheme = s.path.find(':') != std::string::npos;
  throw InputError(s.spec, std::filesystem::exists(s.path) || scheme
                               ? "unknown data spec: expected one of " + join(patterns, ", ")
                               : "no such file or folder");
}

Dataset dataset_from_arrays(const Array& images, const Array& labels, const std::string& where,
                            const std::string& labels_where, const std::string& layout) {
  const auto& s = images.shape;
  if (s.size() != 3 && s.size() != 4) {
    throw InputError(where, "images must have shape (N,H,W), (N,H,W,C) or (N,C,H,W), got " +
                                std::to_string(s.size()) + " dimensions");
  }
  for (int64_t dim : s) {
    if (dim <= 0) throw InputError(where, "images have an empty or negative dimension");
  }
  Dataset d;
  d.n = s[0];
  const std::string lay = s.size() == 4 ? resolve_layout(s, layout, where) : "nhwc";
  d.channels = s.size() == 3 ? 1 : (lay == "nhwc" ? s[3] : s[1]);
  d.height = lay == "nhwc" ? s[1] : s[2];
  d.width = lay == "nhwc" ? s[2] : s[3];
  if (labels.shape.empty() || (labels.shape.size() != 1 && !(labels.shape.size() == 2 && labels.shape[1] == 1))) {
    throw InputError(labels_where, "labels must have shape (N) or (N,1)");
  }
  if (labels.shape[0] != d.n) {
    throw InputError(labels_where, std::to_string(labels.shape[0]) + " labels for " +
                                       std::to_string(d.n) + " images");
  }
  d.labels = to_int64(labels, labels_where);
  for (int64_t i = 0; i < d.n; ++i) {
    if (d.labels[i] < 0 || d.labels[i] >= kMaxClasses) {
      throw InputError(labels_where, "label " + std::to_string(d.labels[i]) + " of image " +
                                         std::to_string(i) + " is outside 0.." +
                                         std::to_string(kMaxClasses - 1));
    }
  }
  d.images = pixels_as_uint8(images, where);
  if (lay == "nchw" && d.channels > 1) d.images = nchw_to_nhwc(d.images, d.n, d.channels, d.height, d.width);
  d.class_names = numbered_classes(d.labels);
  return d;
}

BloodcellTruth planted_dirt(const DataSourceSpec& spec) {
  const ParsedSource s = parse_source(spec);
  if (!starts_with(s.path, "synthetic:")) {
    throw InputError(spec.path, "only a synthetic: source knows where its dirt is (--truth needs one)");
  }
  BloodcellTruth truth;
  generate_synthetic(s, &truth);
  return truth;
}


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
