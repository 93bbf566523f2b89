// A suite: the declarative grid a user writes (suites/*.json), validated against the suite schema
// compiled into the binary, and expanded into cells (one combination of the axes plus a seed).
// Errors name the file, the JSON pointer and what was expected; see DESIGN.md, Formats.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "augmentations/profile_options.hpp"
#include "harness/audit.hpp"
#include "harness/config.hpp"
#include "harness/preprocess.hpp"

namespace gauntlet {

struct DataSourceSpec {
  std::string path;  ///< data spec: "fashion-mnist:train", "x.npz", "...-images-idx3-ubyte.gz"
  std::string images_key = "images";
  std::string labels_key = "labels";
  std::string split{};   ///< .npz with MedMNIST keys: "train", "val" or "test" ("" = not given)
  std::string layout{};  ///< .npz 4-d images: "nhwc" or "nchw" ("" = read from the shape)
};

struct DataConfig {
  DataSourceSpec source;
  CleanOptions clean;
  bool has_test = false;  ///< a separate test source instead of a split of `source`
  DataSourceSpec test;
  int64_t subset = 0;       ///< 0: all of the source
  int64_t test_subset = 0;  ///< 0: all of the test source
  double val_fraction = 0.1;
  int64_t folds = 0;  ///< > 0: stratified k-fold, fold `fold` is val (val_fraction unused)
  int64_t fold = 0;
  double test_fraction = 0.1;
  int64_t input_size = 0;  ///< 0: the backbone's default
  PreprocessOptions preprocess;  ///< crop, resize and normalisation of every split and hold-out
};

/// An external hold-out x.<name>: any data source with the training classes.
struct ExternalHoldout {
  std::string name;
  DataSourceSpec data;
};

struct EvalConfig {
  std::vector<std::string> corruptions;  ///< ids; the family shorthands are expanded
  std::vector<int> severities{1, 2, 3, 4, 5};
  int64_t batch_size = 256;
  std::vector<Profile> profiles;          ///< hold-outs p.<name>
  std::vector<ExternalHoldout> holdouts;  ///< hold-outs x.<name>
  std::string baseline;                   ///< "backbone/augmentation/loss/optimizer" labels, or ""
  std::string mce_measure = "error";      ///< "error" (ImageNet-C) or "balanced_error" (MedMNIST-C)
  /// What the model looks at (harness/explain.hpp), stored in <cell>/explain/; not part of the
  /// cell id (it changes no metric). All 0: nothing computed or drawn.
  int64_t explain_per_class = 2;     ///< images per class with saliency and Grad-CAM maps
  int64_t explain_pca_images = 1000;  ///< test images in the PCA of backbone features
  /// Rows of explain/augmentation_preview.png and test images of explain/profile_preview.png
  /// (harness/previews.hpp); 0: no preview grids.
  int64_t explain_previews = 4;
};

/// One value of an axis: its label (what tables show) and its normalised JSON (defaults filled).
struct AxisValue {
  std::string label;
  nlohmann::json value;
};

struct Cell {
  std::string backbone;  ///< labels into Suite's axes
  std::string augmentation;
  std::string loss;
  std::string optimizer;
  int64_t seed = 0;
};

struct Suite {
  std::string path;
  std::string name;
  std::string description;
  uint64_t seed = 0;
  DataConfig data;
  std::vector<AxisValue> backbones, augmentations, losses, optimizers;
  std::vector<int64_t> seeds{0};
  TrainConfig train;
  EvalConfig evaluate;
  std::vector<std::string> report_formats{"md", "html", "tex", "csv"};
  std::vector<Cell> cells;  ///< the expansion: grid minus exclude plus include, in stable order
  nlohmann::json json;      ///< the suite as validated (after --set overrides)
};

/// Reads, applies `overrides` ("PATH=VALUE", PATH a JSON pointer or dotted path, VALUE JSON or a
/// bare string), validates and expands. Throws InputError naming `path` and every problem found.
Suite load_suite(const std::string& path, const std::vector<std::string>& overrides = {});

/// The same from an already parsed document; `path` is used in messages.
Suite parse_suite(nlohmann::json doc, const std::string& path,
                  const std::vector<std::string>& overrides = {});

const AxisValue& axis_value(const std::vector<AxisValue>& axis, const std::string& label);

/// Everything that determines a cell's result, normalised: the input of its cell id.
nlohmann::json resolved_config(const Suite& suite, const Cell& cell);

/// 16 hex digits: hash of the resolved config, the dataset fingerprint and the gauntlet version.
std::string make_cell_id(const nlohmann::json& config, const std::string& dataset_fingerprint);

/// "backbone/augmentation/loss/optimizer/seed" for messages.
std::string cell_title(const Cell& c);

/// "backbone/augmentation/loss/optimizer": the axis labels of a cell, or of a result's
/// config.labels; what evaluate.baseline names.
std::string axes_title(const Cell& c);
std::string axes_title(const nlohmann::json& labels);

/// The built-in profiles (profiles/*.json compiled in), in name order.
const std::vector<Profile>& builtin_profiles();

/// The built-in profile of that name, if there is one.
std::optional<Profile> builtin_profile(const std::string& name);

/// Whether a profile reference names a file (it has a '/' or ends in .json) rather than a
/// built-in profile.
bool is_profile_path(const std::string& ref);

/// Reads an augmentation pipeline file (a JSON list of ops, as an augmentation axis value),
/// validated against the schema's $defs/pipeline. Throws InputError naming the file.
std::vector<TransformOptions> load_pipeline_file(const std::string& path);

/// Reads a profile JSON file, validated against the schema's $defs/profile. Throws InputError
/// naming the file.
Profile load_profile_file(const std::string& path);

/// JSON-pointer "/a/b" or dotted "a.b" -> pointer; throws InputError on an empty or malformed path.
nlohmann::json::json_pointer override_pointer(const std::string& path);

}  // namespace gauntlet
