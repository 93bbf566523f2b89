#include "harness/optimizers.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_set>

#include "harness/torch_compat.hpp"

namespace gauntlet {
namespace {

using torch::optim::OptimizerParamGroup;

// The learning-rate multipliers of make_optimizer's optimizers, reachable from a plain
// torch::optim::Optimizer& by dynamic_cast (set_lr, current_lr) without a side table.
class LrScales {
 public:
  LrScales(std::vector<double> scales, double base_lr)
      : scales_(std::move(scales)), base_lr_(base_lr) {}
  virtual ~LrScales() = default;
  const std::vector<double>& scales() const { return scales_; }
  double base_lr() const { return base_lr_; }
  void set_base_lr(double lr) { base_lr_ = lr; }

 private:
  std::vector<double> scales_;
  double base_lr_;
};

// An optimizer of any kind whose checkpoints also carry the learning rates: LibTorch's load()
// restores per-parameter state but keeps the param groups' current options.
template <typename Base>
class Grouped final : public Base, public LrScales {
 public:
  template <typename Options>
  Grouped(std::vector<OptimizerParamGroup> groups, const Options& defaults,
          std::vector<double> scales, double base_lr)
      : Base(std::move(groups), defaults), LrScales(std::move(scales), base_lr) {}

  void save(torch::serialize::OutputArchive& archive) const override {
    Base::save(archive);
    const auto& groups = this->param_groups();
    std::vector<double> lrs;
    for (const auto& g : groups) lrs.push_back(g.options().get_lr());
    archive.write("gauntlet/base_lr", torch::tensor(base_lr(), torch::kFloat64));
    archive.write("gauntlet/group_lrs", torch::tensor(lrs, torch::kFloat64));
    archive.write("gauntlet/lr_scales", torch::tensor(scales(), torch::kFloat64));
  }

  void load(torch::serialize::InputArchive& archive) override {
    Base::load(archive);
    torch::Tensor base, lrs, saved_scales;
    if (!archive.try_read("gauntlet/base_lr", base)) return;  // saved by a plain LibTorch optimizer
    archive.read("gauntlet/group_lrs", lrs);
    archive.read("gauntlet/lr_scales", saved_scales);
    auto& groups = this->param_groups();
    TORCH_CHECK(saved_scales.numel() == static_cast<int64_t>(scales().size()) &&
                    lrs.numel() == static_cast<int64_t>(groups.size()),
                "optimizer checkpoint has ", saved_scales.numel(),
                " parameter groups, this optimizer ", groups.size());
    for (size_t i = 0; i < groups.size(); ++i) {
      TORCH_CHECK(saved_scales[i].item<double>() == scales()[i], "optimizer checkpoint: group ", i,
                  " has lr scale ", saved_scales[i].item<double>(), ", this optimizer ",
                  scales()[i]);
      groups[i].options().set_lr(lrs[i].item<double>());
    }
    set_base_lr(base.item<double>());
  }
};

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

void require_nonnegative(double v, const std::string& optimizer, const std::string& field) {
  require(std::isfinite(v) && v >= 0,
          optimizer + ": " + field + " must be a finite number >= 0, got " + std::to_string(v));
}

void require_beta(double v, const std::string& optimizer, const std::string& field) {
  require(v >= 0 && v < 1,
          optimizer + ": " + field + " must be in [0, 1), got " + std::to_string(v));
}

// One LibTorch param group per spec: options are `defaults` with the group's lr and weight decay.
template <typename Options>
std::vector<OptimizerParamGroup> param_groups_of(const std::vector<ParamGroupSpec>& groups,
                                                 const Options& defaults, double base_lr) {
  std::vector<OptimizerParamGroup> out;
  for (const auto& spec : groups) {
    auto options = std::make_unique<Options>(defaults);
    options->lr(base_lr * spec.lr_scale);
    if (!spec.weight_decay) options->weight_decay(0);
    out.emplace_back(spec.params, std::move(options));
  }
  return out;
}

template <typename Optimizer, typename Options>
std::unique_ptr<torch::optim::Optimizer> build(const std::vector<ParamGroupSpec>& groups,
                                               const Options& defaults, double base_lr) {
  std::vector<double> scales;
  for (const auto& g : groups) scales.push_back(g.lr_scale);
  return std::make_unique<Grouped<Optimizer>>(param_groups_of(groups, defaults, base_lr), defaults,
                                              std::move(scales), base_lr);
}

void check_options(const OptimizerOptions& o) {
  const std::string& n = o.name;
  require_nonnegative(o.lr, n, "lr");
  require_nonnegative(o.weight_decay, n, "weight_decay");
  if (n == "sgd" || n == "rmsprop") require_nonnegative(o.momentum, n, "momentum");
  if (n == "sgd") require(!o.nesterov || o.momentum > 0, "sgd: nesterov needs momentum > 0");
  if (n == "adam" || n == "adamw" || n == "nadam" || n == "lion") {
    require_beta(o.beta1, n, "beta1");
    require_beta(o.beta2, n, "beta2");
  }
  if (n == "adam" || n == "adamw" || n == "nadam" || n == "rmsprop")
    require_nonnegative(o.eps, n, "eps");
  if (n == "rmsprop") require_nonnegative(o.alpha, n, "alpha");
  if (n == "nadam") require_nonnegative(o.momentum_decay, n, "momentum_decay");
}

void check_groups(const std::vector<ParamGroupSpec>& groups) {
  require(!groups.empty(), "make_optimizer: no parameter groups");
  std::unordered_set<const void*> seen;
  for (const auto& g : groups) {
    require(std::isfinite(g.lr_scale) && g.lr_scale >= 0,
            "parameter group \"" + g.name + "\": lr_scale must be a finite number >= 0, got " +
                std::to_string(g.lr_scale));
    for (const auto& p : g.params) {
      require(seen.insert(p.unsafeGetTensorImpl()).second,
              "parameter group \"" + g.name + "\": a parameter is also in an earlier group");
    }
  }
}

}  // namespace

// --- parameter groups ----------------------------------------------------------------------------

NamedParameters trainable_parameters(const torch::nn::Module& module) {
  NamedParameters out;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    if (item.value().requires_grad()) out.emplace_back(item.key(), item.value());
  }
  return out;
}

std::pair<NamedParameters, NamedParameters> split_no_decay(const NamedParameters& params) {
  std::pair<NamedParameters, NamedParameters> out;
  for (const auto& p : params) (p.second.dim() <= 1 ? out.second : out.first).push_back(p);
  return out;
}

std::pair<NamedParameters, NamedParameters> split_by_prefix(const NamedParameters& params,
                                                            const std::string& prefix) {
  std::pair<NamedParameters, NamedParameters> out;
  for (const auto& p : params) {
    (p.first.compare(0, prefix.size(), prefix) == 0 ? out.first : out.second).push_back(p);
  }
  return out;
}

std::vector<ParamGroupSpec> group_parameters(const torch::nn::Module& module,
                                             const GroupingOptions& options) {
  const NamedParameters all = trainable_parameters(module);
  std::vector<std::pair<std::string, NamedParameters>> parts;  // (name prefix, parameters)
  std::vector<double> scales;
  if (options.head_prefix.empty()) {
    parts.emplace_back("", all);
    scales.push_back(options.backbone_lr_scale);
  } else {
    auto [head, backbone] = split_by_prefix(all, options.head_prefix);
    if (head.empty()) {
      throw std::invalid_argument("head prefix \"" + options.head_prefix +
                                  "\" matches no trainable parameter");
    }
    parts.emplace_back("head.", std::move(head));
    scales.push_back(options.head_lr_scale);
    parts.emplace_back("backbone.", std::move(backbone));
    scales.push_back(options.backbone_lr_scale);
  }
  std::vector<ParamGroupSpec> out;
  auto add = [&](const std::string& name, const NamedParameters& ps, double scale, bool decay) {
    if (ps.empty()) return;
    ParamGroupSpec g;
    g.name = name;
    for (const auto& p : ps) g.params.push_back(p.second);
    g.lr_scale = scale;
    g.weight_decay = decay;
    out.push_back(std::move(g));
  };
  for (size_t i = 0; i < parts.size(); ++i) {
    if (options.no_decay_for_1d) {
      const auto [decay, no_decay] = split_no_decay(parts[i].second);
      add(parts[i].first + "decay", decay, scales[i], true);
      add(parts[i].first + "no_decay", no_decay, scales[i], false);
    } else {
      add(parts[i].first.empty() ? "all" : parts[i].first.substr(0, parts[i].first.size() - 1),
          parts[i].second, scales[i], true);
    }
  }
  return out;
}

// --- the factory ---------------------------------------------------------------------------------

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimizerOptions& o,
                                                        const std::vector<ParamGroupSpec>& groups) {
  const auto& names = optimizer_names();
  if (std::find(names.begin(), names.end(), o.name) == names.end()) {
    throw std::invalid_argument("unknown optimizer \"" + o.name + "\"");
  }
  check_options(o);
  check_groups(groups);
  if (o.name == "sgd") {
    return build<torch::optim::SGD>(groups,
                                    torch::optim::SGDOptions(o.lr)
                                        .momentum(o.momentum)
                                        .nesterov(o.nesterov)
                                        .weight_decay(o.weight_decay),
                                    o.lr);
  }
  if (o.name == "adam") {
    return build<torch::optim::Adam>(groups,
                                     torch::optim::AdamOptions(o.lr)
                                         .betas({o.beta1, o.beta2})
                                         .eps(o.eps)
                                         .weight_decay(o.weight_decay),
                                     o.lr);
  }
  if (o.name == "adamw") {
    return build<torch::optim::AdamW>(groups,
                                      torch::optim::AdamWOptions(o.lr)
                                          .betas({o.beta1, o.beta2})
                                          .eps(o.eps)
                                          .weight_decay(o.weight_decay),
                                      o.lr);
  }
  if (o.name == "rmsprop") {
    return build<torch::optim::RMSprop>(groups,
                                        torch::optim::RMSpropOptions(o.lr)
                                            .alpha(o.alpha)
                                            .eps(o.eps)
                                            .weight_decay(o.weight_decay)
                                            .momentum(o.momentum)
                                            .centered(o.centered),
                                        o.lr);
  }
  if (o.name == "nadam") {
    return build<Nadam>(groups,
                        NadamOptions(o.lr)
                            .betas({o.beta1, o.beta2})
                            .eps(o.eps)
                            .weight_decay(o.weight_decay)
                            .momentum_decay(o.momentum_decay),
                        o.lr);
  }
  return build<Lion>(
      groups, LionOptions(o.lr).betas({o.beta1, o.beta2}).weight_decay(o.weight_decay), o.lr);
}

void set_lr(torch::optim::Optimizer& optimizer, double base_lr) {
  require(std::isfinite(base_lr) && base_lr >= 0,
          "set_lr: lr must be a finite number >= 0, got " + std::to_string(base_lr));
  auto& groups = optimizer.param_groups();
  if (auto* s = dynamic_cast<LrScales*>(&optimizer)) {
    require(s->scales().size() == groups.size(),
            "set_lr: the optimizer has " + std::to_string(groups.size()) +
                " parameter groups but was made with " + std::to_string(s->scales().size()) +
                " (groups added after make_optimizer have no lr scale)");
    for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(base_lr * s->scales()[i]);
    s->set_base_lr(base_lr);
  } else {
    for (auto& g : groups) g.options().set_lr(base_lr);
  }
}

double current_lr(const torch::optim::Optimizer& optimizer) {
  if (const auto* s = dynamic_cast<const LrScales*>(&optimizer)) return s->base_lr();
  require(!optimizer.param_groups().empty(), "current_lr: optimizer has no parameter groups");
  return optimizer.param_groups().front().options().get_lr();
}

std::vector<double> group_lrs(const torch::optim::Optimizer& optimizer) {
  std::vector<double> out;
  for (const auto& g : optimizer.param_groups()) out.push_back(g.options().get_lr());
  return out;
}

// --- NAdam ---------------------------------------------------------------------------------------

NadamOptions::NadamOptions(double lr) : lr_(lr) {}

void NadamOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(betas);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eps);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum_decay);
}

void NadamOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(betas_t, betas);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, eps);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, momentum_decay);
}

double NadamOptions::get_lr() const { return lr(); }
void NadamOptions::set_lr(const double lr) { this->lr(lr); }

void NadamParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(mu_product);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg_sq);
}

void NadamParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, mu_product);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg_sq);
}

Nadam::Nadam(std::vector<torch::optim::OptimizerParamGroup> param_groups, NadamOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<NadamOptions>(defaults)) {
  TORCH_CHECK(defaults.lr() >= 0, "Invalid learning rate: ", defaults.lr());
  TORCH_CHECK(defaults.eps() >= 0, "Invalid epsilon value: ", defaults.eps());
  const auto [beta1, beta2] = defaults.betas();
  TORCH_CHECK(0 <= beta1 && beta1 < 1, "Invalid beta parameter at index 0: ", beta1);
  TORCH_CHECK(0 <= beta2 && beta2 < 1, "Invalid beta parameter at index 1: ", beta2);
  TORCH_CHECK(defaults.weight_decay() >= 0,
              "Invalid weight_decay value: ", defaults.weight_decay());
  TORCH_CHECK(defaults.momentum_decay() >= 0,
              "Invalid momentum_decay value: ", defaults.momentum_decay());
}

Nadam::Nadam(std::vector<torch::Tensor> params, NadamOptions defaults)
    : Nadam({torch::optim::OptimizerParamGroup(std::move(params))}, defaults) {}

torch::Tensor Nadam::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const NadamOptions&>(group.options());
    const auto [beta1, beta2] = o.betas();
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      torch::Tensor grad = p.grad();
      TORCH_CHECK(!grad.is_sparse(), "Nadam does not support sparse gradients");
      const auto key = compat::optimizer_state_key(p);
      if (state_.find(key) == state_.end()) {
        auto fresh = std::make_unique<NadamParamState>();
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        state_[key] = std::move(fresh);
      }
      auto& s = static_cast<NadamParamState&>(*state_[key]);
      s.step(s.step() + 1);
      const double t = static_cast<double>(s.step());
      const double bias_correction2 = 1 - std::pow(beta2, t);
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      const double mu = beta1 * (1 - 0.5 * std::pow(0.96, t * o.momentum_decay()));
      const double mu_next = beta1 * (1 - 0.5 * std::pow(0.96, (t + 1) * o.momentum_decay()));
      s.mu_product(s.mu_product() * mu);
      const double mu_product_next = s.mu_product() * mu_next;
      s.exp_avg().mul_(beta1).add_(grad, 1 - beta1);
      s.exp_avg_sq().mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      const torch::Tensor denom = s.exp_avg_sq().div(bias_correction2).sqrt().add_(o.eps());
      p.addcdiv_(grad, denom, -o.lr() * (1 - mu) / (1 - s.mu_product()));
      p.addcdiv_(s.exp_avg(), denom, -o.lr() * mu_next / (1 - mu_product_next));
    }
  }
  return loss;
}

void Nadam::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<NadamParamState, NadamOptions>(archive, *this);
}

void Nadam::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<NadamParamState, NadamOptions>(archive, *this);
}

// --- Lion ----------------------------------------------------------------------------------------

LionOptions::LionOptions(double lr) : lr_(lr) {}

void LionOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(betas);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
}

void LionOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(betas_t, betas);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
}

double LionOptions::get_lr() const { return lr(); }
void LionOptions::set_lr(const double lr) { this->lr(lr); }

void LionParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg);
}

void LionParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg);
}

Lion::Lion(std::vector<torch::optim::OptimizerParamGroup> param_groups, LionOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<LionOptions>(defaults)) {
  TORCH_CHECK(defaults.lr() >= 0, "Invalid learning rate: ", defaults.lr());
  const auto [beta1, beta2] = defaults.betas();
  TORCH_CHECK(0 <= beta1 && beta1 < 1, "Invalid beta parameter at index 0: ", beta1);
  TORCH_CHECK(0 <= beta2 && beta2 < 1, "Invalid beta parameter at index 1: ", beta2);
  TORCH_CHECK(defaults.weight_decay() >= 0,
              "Invalid weight_decay value: ", defaults.weight_decay());
}

Lion::Lion(std::vector<torch::Tensor> params, LionOptions defaults)
    : Lion({torch::optim::OptimizerParamGroup(std::move(params))}, defaults) {}

torch::Tensor Lion::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const LionOptions&>(group.options());
    const auto [beta1, beta2] = o.betas();
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const torch::Tensor& grad = p.grad();
      TORCH_CHECK(!grad.is_sparse(), "Lion does not support sparse gradients");
      const auto key = compat::optimizer_state_key(p);
      if (state_.find(key) == state_.end()) {
        auto fresh = std::make_unique<LionParamState>();
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        state_[key] = std::move(fresh);
      }
      auto& s = static_cast<LionParamState&>(*state_[key]);
      s.step(s.step() + 1);
      // Decay first: the paper's wd * theta is the parameter before this step's update.
      if (o.weight_decay() != 0) p.mul_(1 - o.lr() * o.weight_decay());
      const torch::Tensor direction = s.exp_avg().mul(beta1).add_(grad, 1 - beta1).sign_();
      p.add_(direction, -o.lr());
      s.exp_avg().mul_(beta2).add_(grad, 1 - beta2);
    }
  }
  return loss;
}

void Lion::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<LionParamState, LionOptions>(archive, *this);
}

void Lion::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<LionParamState, LionOptions>(archive, *this);
}

}  // namespace gauntlet
