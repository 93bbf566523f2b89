// Data sources: turn a data spec (DESIGN.md, Formats) into a Dataset. Each kind of source is one
// entry of a registry (a scheme like "synthetic:" or a path pattern like "*.npz" -> a loader), so
// that adding a kind adds an entry, not a branch. Registered:
//   fashion-mnist:train | fashion-mnist:test  Debian's dataset-fashion-mnist (IDX .gz files)
//   synthetic:bloodcell?n=&seed=&size=...     procedural blood-smear crops (synthetic_bloodcell.hpp)
//   PATH.npz[?images=K&labels=K|?split=S][&layout=nhwc|nchw]
//                                             challenge keys images/labels, MedMNIST keys
//                                             <split>_images/<split>_labels, or keys named by the user
//   PATH-images-idx3-ubyte[.gz]               IDX images; labels from the matching labels-idx1 file
//   FOLDER/                                   one sub-folder per class of images (image_folder.hpp)
// Options come after '?' as key=value pairs joined by '&', or (in a suite) as keys of the JSON
// object form; giving one both ways, or one the source does not know, is an error.
//
// .npz images: (N,H,W) grey, or (N,H,W,C) / (N,C,H,W) with C in {1,3}. The layout is read from the
// shape when only one of the two readings has C in {1,3}; otherwise `layout` must say it. dtype
// uint8 as is; other integer dtypes must hold values in 0..255; float dtypes (f4, f8) must be
// finite and in [0,255]: when the whole array's maximum is <= 1 it is taken as [0,1] and scaled by
// 255, else as [0,255]; both are rounded to the nearest integer. NaN, Inf and values outside the
// range are refused, naming the first offending element.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/core/array.hpp"
#include "harness/core/dataset.hpp"
#include "harness/suite.hpp"
#include "harness/synthetic_bloodcell.hpp"

namespace gauntlet {

/// Loads and checks a data set. Throws InputError naming the spec or file and what is wrong.
Dataset load_dataset(const DataSourceSpec& spec);

/// A spec with its '?key=value&...' options split off the path and merged with the JSON-form
/// fields (images, labels, split, layout). Throws InputError for a malformed or doubled option.
struct ParsedSource {
  std::string spec;                           ///< the full spec, as errors name it
  std::string path;                           ///< before '?'
  std::map<std::string, std::string> options;  ///< after '?' plus the JSON-form fields
};
ParsedSource parse_source(const DataSourceSpec& spec);

/// One registered kind of source.
struct SourceKind {
  std::string name;                             ///< "npz", "synthetic", ...
  std::string pattern;                          ///< what `gauntlet --help` and errors show
  std::vector<std::string> options;             ///< option keys it accepts
  std::function<bool(const std::string& path)> matches;
  std::function<Dataset(const ParsedSource&)> load;
};
/// The registered kinds in matching order (first match wins).
const std::vector<SourceKind>& source_kinds();

/// images (N,H,W) / (N,H,W,C) / (N,C,H,W) of any accepted dtype + labels (N) or (N,1) -> Dataset,
/// by the rules above. `layout` is "", "nhwc" or "nchw". Exposed for tests and other sources.
Dataset dataset_from_arrays(const Array& images, const Array& labels, const std::string& where,
                            const std::string& labels_where, const std::string& layout = "");

/// Where a synthetic source planted its dirt (regenerates it). Throws InputError for a spec that
/// is not synthetic:bloodcell.
BloodcellTruth planted_dirt(const DataSourceSpec& spec);

/// A Dataset as .npz arrays: `images` uint8 (N, H, W, C) and `labels` int64 (N).
Array images_array(const Dataset& d);
Array labels_array(const Dataset& d);
/// Writes both, atomically (write_npz), as `gauntlet perturb` and the hold-out cache store them.
void write_dataset_npz(const std::string& path, const Dataset& d);

/// Where Debian's dataset-fashion-mnist puts its files.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

}  // namespace gauntlet
