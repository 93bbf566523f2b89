// Typed configuration of one cell's ingredients, and their JSON form. This file is the one place
// where suite JSON becomes the options structs of models/ and augmentations/ (which know no JSON),
// and where each struct is written back as JSON with every default filled in: that normalised form
// is what result.json records and what a cell id hashes.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "augmentations/mix_options.hpp"
#include "augmentations/profile_options.hpp"
#include "augmentations/transform_options.hpp"
#include "harness/loss_options.hpp"
#include "harness/optimizer_options.hpp"
#include "harness/sampler.hpp"
#include "harness/schedules.hpp"
#include "models/backbone_options.hpp"
#include "models/head_options.hpp"

namespace gauntlet {

struct BackboneSpec {
  std::string name;
  BackboneOptions options;
  /// Initial weights (models/weights.hpp): a path as the suite layer resolved it (relative to
  /// the suite file), and the XXH3-64 of its content, which puts the weights into the cell id.
  std::string weights;
  std::string weights_xxh3;
  /// A TorchScript file (resolved and hashed likewise) that replaces the architecture `name`
  /// builds; `name` still gives input size, mean/std and the classifier's name. Code: loaded
  /// only with the user's opt-in (run --allow-torchscript).
  std::string torchscript;
  std::string torchscript_xxh3;
  HeadOptions head;  ///< std::monostate: the backbone's own classifier
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

/// One value of the optimizer axis: the optimizer, its lr schedule, and how its parameters are
/// grouped (head vs backbone lr, no weight decay on norms and biases).
struct OptimizerConfig {
  OptimizerOptions options;
  ScheduleOptions schedule;  ///< per epoch of a phase; cosine's total_epochs 0: the phase's epochs
  bool no_decay_norm_bias = false;  ///< no weight decay on 1-D parameters (biases, norm weights)
  double head_lr_scale = 1.0;       ///< the classifier trains at lr * head_lr_scale
  double backbone_lr_scale = 1.0;   ///< everything else at lr * backbone_lr_scale
};

/// One value of the loss axis. `balanced` asks for class weights n / (K count_k) from the
/// training labels (sklearn's "balanced"), filled in by the runner.
struct LossConfig {
  LossOptions options;
  bool balanced = false;
};

/// What a phase freezes (requires_grad off; BatchNorm layers in it stay in inference mode, as
/// Keras does for layers that are not trainable).
struct FreezeConfig {
  enum class Mode { kNone, kBackbone, kFraction, kBlocks };
  Mode mode = Mode::kNone;
  double fraction = 0.0;  ///< kFraction: this share of the parameter tensors, from the input side
  int64_t blocks = 0;     ///< kBlocks: the first n top-level blocks (child modules)
};

/// One training phase: its epochs, what is frozen, an optimizer (null: the cell's; an object
/// without "name": fields that override the cell's, e.g. {"lr": 1e-5}; with "name": another
/// optimizer) and its callbacks (absent: the train section's).
struct PhaseConfig {
  int64_t epochs = 0;  ///< 0: train.epochs
  FreezeConfig freeze;
  nlohmann::json optimizer;  ///< as the suite wrote it, or null
  std::optional<EarlyStoppingOptions> early_stopping;
  std::optional<ReduceLROnPlateauOptions> reduce_on_plateau;
};

/// Keras-style weight penalties added to the loss: l1 sum|W| + l2 sum W^2 over the kernels (the
/// parameters of dim > 1) whose names start with one of `layers` (empty: every kernel).
struct RegularizationConfig {
  double l1 = 0.0;
  double l2 = 0.0;
  std::vector<std::string> layers;
};

/// The suite's train section.
struct TrainConfig {
  int64_t epochs = 10;
  int64_t batch_size = 64;
  std::optional<EarlyStoppingOptions> early_stopping;
  std::optional<ReduceLROnPlateauOptions> reduce_on_plateau;
  double ema_decay = 0.0;       ///< model EMA of the weights, evaluated beside them; 0: off
  double grad_clip_norm = 0.0;  ///< clip the global gradient norm to this; 0: off
  RegularizationConfig regularization;
  std::optional<double> dropout;  ///< sets p of every dropout layer of the backbone
  std::vector<PhaseConfig> phases;  ///< empty: one phase of `epochs` with the cell's optimizer
  Sampler sampler = Sampler::kNone;  ///< class-imbalance sampling of the training epochs
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

/// The suite's train section (absent keys: defaults); to_json writes epochs and batch_size, and the
/// other fields when they are not at their defaults (so older cell ids stay).
TrainConfig train_from_json(const nlohmann::json& j);
nlohmann::json to_json(const TrainConfig& t);

/// The optimizer of a phase: the cell's (`cell`, normalised), with the phase's overrides merged
/// in, or the phase's own when it names one.
OptimizerConfig phase_optimizer(const nlohmann::json& cell, const nlohmann::json& phase_optimizer);

}  // namespace gauntlet
