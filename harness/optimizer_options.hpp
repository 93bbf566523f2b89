// The options of an optimizer as data (no LibTorch): light enough for the suite layer.
// optimizers.hpp builds optimizers from them.
#pragma once

#include <string>
#include <vector>

namespace gauntlet {

/// One optimizer and its hyper-parameters. Fields an optimizer does not use are ignored. The
/// in-class defaults are SGD's; default_optimizer_options(name) gives each optimizer's own
/// defaults (torch.optim's; the Lion paper's for lion).
struct OptimizerOptions {
  std::string name = "sgd";  ///< sgd | adam | adamw | rmsprop | nadam | lion
  double lr = 0.01;          ///< base learning rate; group i trains at lr * lr_scale_i
  /// sgd, adam, rmsprop, nadam: L2 penalty added to the gradient (g += wd theta).
  /// adamw, lion: decoupled decay (theta -= lr wd theta), as their papers define it.
  double weight_decay = 0.0;
  double momentum = 0.0;  ///< sgd (dampening 0), rmsprop
  bool nesterov = false;  ///< sgd
  double beta1 = 0.9;     ///< adam, adamw, nadam, lion
  double beta2 = 0.999;   ///< adam, adamw, nadam, lion
  double eps = 1e-8;      ///< adam, adamw, nadam, rmsprop
  /// rmsprop: smoothing constant of the squared-gradient average (Keras rho).
  double alpha = 0.99;
  /// rmsprop: divide by the gradient's estimated standard deviation, not its root mean square.
  bool centered = false;
  double momentum_decay = 4e-3;  ///< nadam: psi of mu_t = beta1 (1 - 0.5 * 0.96^(t psi))
};

/// The names make_optimizer() accepts, in a fixed order (for listings and sweeps).
const std::vector<std::string>& optimizer_names();

/// `name`'s defaults: sgd lr 0.01 and momentum 0.9 (gauntlet's; torch has no default lr and
/// momentum 0); adam lr 1e-3, betas (0.9, 0.999), eps 1e-8; adamw the same with weight_decay 1e-2;
/// rmsprop lr 1e-2, alpha 0.99, eps 1e-8; nadam lr 2e-3, betas (0.9, 0.999), eps 1e-8,
/// momentum_decay 4e-3; lion lr 1e-4, betas (0.9, 0.99). Throws std::invalid_argument for an
/// unknown name.
OptimizerOptions default_optimizer_options(const std::string& name);

}  // namespace gauntlet
