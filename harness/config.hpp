// Typed configuration of one cell's ingredients, and their JSON form. This file is the one place
// where suite JSON becomes the options structs of models/ and augmentations/ (which know no JSON),
// and where each struct is written back as JSON with every default filled in: that normalised form
// is what result.json records and what a cell id hashes.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "augmentations/mix_options.hpp"
#include "augmentations/profile_options.hpp"
#include "augmentations/transform_options.hpp"
#include "models/backbone_options.hpp"

namespace gauntlet {

struct BackboneSpec {
  std::string name;
  BackboneOptions options;
};

/// Offline expansion (as the seeds grew their training sets x2-x6): `copies` augmented copies of
/// every training image, drawn once per cell by `ops` (copy c of image i keyed by (cell, c, i)),
/// after the originals when keep_original. 0 copies: none.
struct ExpandConfig {
  int copies = 0;
  std::vector<TransformOptions> ops;
  bool keep_original = true;
};

/// One value of the augmentation axis: the per-epoch pipeline, offline expansion, batch mixing.
/// A suite may write it as a bare pipeline (a list of ops) when it only has per-epoch ops.
struct AugmentationConfig {
  std::vector<TransformOptions> ops;  ///< applied anew every epoch
  ExpandConfig expand;
  MixOptions mix;
};

struct OptimizerConfig {
  std::string name = "sgd";  ///< sgd | adam
  double lr = 0.01;
  double momentum = 0.9;  ///< sgd
  bool nesterov = false;  ///< sgd
  double beta1 = 0.9;     ///< adam
  double beta2 = 0.999;   ///< adam
  double eps = 1e-8;      ///< adam
  double weight_decay = 0.0;
};

struct LossConfig {
  std::string name = "cross_entropy";
  double label_smoothing = 0.0;
};

/// A value the schema accepted but the code cannot use (a range with min > max), with the JSON
/// pointer of where it is, relative to the value handed in ("/1" for a pipeline's second op), so
/// that callers can name the exact place in the file.
class ValueError : public std::invalid_argument {
 public:
  ValueError(std::string pointer, const std::string& what)
      : std::invalid_argument(what), pointer_(std::move(pointer)) {}
  const std::string& pointer() const { return pointer_; }

 private:
  std::string pointer_;
};

// Each *_from_json takes a value the suite schema has already accepted (a name or an object).
BackboneSpec backbone_from_json(const nlohmann::json& j);
nlohmann::json to_json(const BackboneSpec& b);

std::vector<TransformOptions> pipeline_from_json(const nlohmann::json& j);
nlohmann::json pipeline_to_json(const std::vector<TransformOptions>& ops);

/// A pipeline (list of ops) or an augmentation object {"ops", "expand", "mix"}; "expand": k is
/// shorthand for k copies made by "ops", which then are not applied per epoch.
AugmentationConfig augmentation_from_json(const nlohmann::json& j);
/// Normalised: a bare pipeline when there is neither expansion nor mixing (so such values keep
/// the cell ids they always had), else the object with every field.
nlohmann::json to_json(const AugmentationConfig& a);

/// A profile object ({"name", "description", "k", "ops", "weights"}) that the schema's
/// $defs/profile accepted; throws std::invalid_argument for what the schema cannot say (k beyond
/// the number of ops, weights not one per op, a severity range with min > max).
Profile profile_from_json(const nlohmann::json& j);
/// Normalised: k as [min, max], ops with every option, weights filled.
nlohmann::json profile_to_json(const Profile& p);

OptimizerConfig optimizer_from_json(const nlohmann::json& j);
nlohmann::json to_json(const OptimizerConfig& o);

LossConfig loss_from_json(const nlohmann::json& j);
nlohmann::json to_json(const LossConfig& l);

}  // namespace gauntlet
