// The optimizers a cell can train with, and parameter groups (per-group learning-rate multiplier,
// weight decay on or off) for all of them.
//
// sgd, adam, adamw and rmsprop are LibTorch's own. Two are written here, as LibTorch writes Adam
// (options, per-parameter state and optimizer classes, state saved through its archives):
// - Nadam: torch.optim.NAdam's update (Dozat, "Incorporating Nesterov Momentum into Adam", ICLR
//   2016 workshop, with PyTorch's momentum schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi))), as
//   PyTorch documents it and as torch >= 2.0 computes it. torch 1.13's default (single-tensor)
//   path multiplies mu_t into the next product twice (fixed upstream in pytorch#92699); its
//   foreach=True path, the documented formula and torch 2.x agree with this class.
// - Lion: Chen et al., "Symbolic Discovery of Optimization Algorithms", 2023, Algorithm 2:
//     c = b1 m + (1 - b1) g;  theta -= lr (sign(c) + wd theta);  m = b2 m + (1 - b2) g.
//
// make_optimizer() builds any of them over ParamGroupSpecs; set_lr() then moves every group's lr
// with the base lr, keeping each group's multiplier (what schedules call once per epoch).
#pragma once

#include <torch/torch.h>

#include "harness/optimizer_options.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gauntlet {

// --- options (optimizer_options.hpp) -------------------------------------------------------------

// optimizer_names() and default_optimizer_options() are there too.

// --- parameter groups ----------------------------------------------------------------------------

using NamedParameters = std::vector<std::pair<std::string, torch::Tensor>>;

/// A group of parameters trained at base lr * lr_scale, with or without weight decay.
struct ParamGroupSpec {
  std::string name;  ///< for messages and logs, e.g. "backbone.no_decay"
  std::vector<torch::Tensor> params;
  double lr_scale = 1.0;
  bool weight_decay = true;  ///< false: weight_decay 0 in this group (norm layers, biases)
};

/// `module`'s parameters that require grad, in named_parameters() order.
NamedParameters trainable_parameters(const torch::nn::Module& module);

/// {decay, no_decay}: no_decay holds the parameters of dim() <= 1, i.e. biases and the weights
/// and biases of BatchNorm/LayerNorm/GroupNorm (timm's param_groups_weight_decay rule).
std::pair<NamedParameters, NamedParameters> split_no_decay(const NamedParameters& params);

/// {matching, rest}: matching holds the parameters whose name starts with `prefix` (e.g.
/// "classifier." for the head; give the trailing dot, or "fc" also takes "fc2.weight").
std::pair<NamedParameters, NamedParameters> split_by_prefix(const NamedParameters& params,
                                                            const std::string& prefix);

/// How group_parameters() splits a module.
struct GroupingOptions {
  /// Parameters whose name starts with this are the head; the rest the backbone. Empty: no split.
  std::string head_prefix;
  double head_lr_scale = 1.0;
  double backbone_lr_scale = 1.0;
  /// Put 1-D parameters (biases, norm weights) in groups without weight decay.
  bool no_decay_for_1d = true;
};

/// The module's trainable parameters as up to four groups (head/backbone x decay/no_decay, named
/// "head.decay", "backbone.no_decay", ...; without a head prefix "decay" and "no_decay"), empty
/// groups left out. Throws std::invalid_argument when a head prefix matches no parameter.
std::vector<ParamGroupSpec> group_parameters(const torch::nn::Module& module,
                                             const GroupingOptions& options);

// --- the factory and learning-rate access --------------------------------------------------------

/// An optimizer over `groups` (group i of the optimizer is groups[i], empty groups kept so the
/// indices match). Throws std::invalid_argument for an unknown name, a negative or non-finite
/// hyper-parameter, no groups, or a parameter in two groups.
/// The optimizer it returns also saves (Optimizer::save) the base lr, each group's lr and lr
/// scale, and load() restores them, so a checkpoint restores the learning rates with the state;
/// LibTorch's own load() keeps the lrs the optimizer had. load() throws c10::Error when the saved
/// groups' lr scales differ from this optimizer's (a checkpoint of another grouping).
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimizerOptions& options,
                                                        const std::vector<ParamGroupSpec>& groups);

/// Sets the base lr: every group trains at base_lr * its lr_scale. On an optimizer not made by
/// make_optimizer every group gets base_lr.
void set_lr(torch::optim::Optimizer& optimizer, double base_lr);

/// The base lr last set (at construction or by set_lr); for an optimizer not made by
/// make_optimizer, the first group's lr.
double current_lr(const torch::optim::Optimizer& optimizer);

/// Each group's lr as the optimizer will use it at its next step.
std::vector<double> group_lrs(const torch::optim::Optimizer& optimizer);

// --- NAdam ---------------------------------------------------------------------------------------

struct NadamOptions : public torch::optim::OptimizerCloneableOptions<NadamOptions> {
  NadamOptions(double lr = 2e-3);
  TORCH_ARG(double, lr) = 2e-3;
  typedef std::tuple<double, double> betas_t;
  TORCH_ARG(betas_t, betas) = std::make_tuple(0.9, 0.999);
  TORCH_ARG(double, eps) = 1e-8;
  /// L2 penalty added to the gradient, as torch.optim.NAdam (not decoupled).
  TORCH_ARG(double, weight_decay) = 0;
  TORCH_ARG(double, momentum_decay) = 4e-3;

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override;
  void set_lr(const double lr) override;
};

struct NadamParamState : public torch::optim::OptimizerCloneableParamState<NadamParamState> {
  TORCH_ARG(int64_t, step) = 0;
  /// prod_{i<=t} mu_i, in double (torch.optim.NAdam keeps a float32 tensor).
  TORCH_ARG(double, mu_product) = 1.0;
  TORCH_ARG(torch::Tensor, exp_avg);
  TORCH_ARG(torch::Tensor, exp_avg_sq);

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

class Nadam : public torch::optim::Optimizer {
 public:
  explicit Nadam(std::vector<torch::optim::OptimizerParamGroup> param_groups,
                 NadamOptions defaults = {});
  explicit Nadam(std::vector<torch::Tensor> params, NadamOptions defaults = {});

  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

// --- Lion ----------------------------------------------------------------------------------------

struct LionOptions : public torch::optim::OptimizerCloneableOptions<LionOptions> {
  LionOptions(double lr = 1e-4);
  TORCH_ARG(double, lr) = 1e-4;
  typedef std::tuple<double, double> betas_t;
  /// b1 interpolates the update direction, b2 the momentum that is kept.
  TORCH_ARG(betas_t, betas) = std::make_tuple(0.9, 0.99);
  /// Decoupled: theta -= lr wd theta, on the parameter before this step's update.
  TORCH_ARG(double, weight_decay) = 0;

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override;
  void set_lr(const double lr) override;
};

struct LionParamState : public torch::optim::OptimizerCloneableParamState<LionParamState> {
  TORCH_ARG(int64_t, step) = 0;  ///< steps taken (the update does not use it)
  TORCH_ARG(torch::Tensor, exp_avg);

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

class Lion : public torch::optim::Optimizer {
 public:
  explicit Lion(std::vector<torch::optim::OptimizerParamGroup> param_groups,
                LionOptions defaults = {});
  explicit Lion(std::vector<torch::Tensor> params, LionOptions defaults = {});

  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

}  // namespace gauntlet
