// Optimizers against their update equations written out in double arithmetic (torch.optim's
// documented algorithms; the Lion paper's Algorithm 2), parameter groups, lr access and
// checkpoint round trips. Parity with torch.optim itself: tests/parity/optimizers_parity.py.
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "harness/optimizers.hpp"
#include "harness/torch_compat.hpp"

namespace gauntlet {
namespace {

using Vec = std::vector<double>;

// A parameter of four float32 values and three steps of fixed gradients. Element 3's second
// gradient is small against its first, so momentum decides the sign of Lion's second update.
const std::vector<float> kP0 = {0.5f, -1.25f, 2.0f, -0.75f};
const std::vector<std::vector<float>> kGrads = {
    {0.1f, -0.3f, 0.02f, 1.5f}, {-0.2f, 0.25f, 0.05f, -0.05f}, {0.3f, 0.1f, -0.4f, 0.2f}};

Vec as_doubles(const std::vector<float>& v) { return Vec(v.begin(), v.end()); }

Vec values(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kFloat64).contiguous();
  return Vec(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

ParamGroupSpec group_of(std::vector<torch::Tensor> params, double lr_scale = 1.0,
                        bool weight_decay = true) {
  ParamGroupSpec g;
  g.name = "g";
  g.params = std::move(params);
  g.lr_scale = lr_scale;
  g.weight_decay = weight_decay;
  return g;
}

// Runs `steps` steps of `o` on kP0 with kGrads; returns the parameter after each step.
std::vector<Vec> run(const OptimizerOptions& o, size_t steps) {
  torch::Tensor p = torch::tensor(kP0).requires_grad_();
  auto opt = make_optimizer(o, {group_of({p})});
  std::vector<Vec> out;
  for (size_t s = 0; s < steps; ++s) {
    p.mutable_grad() = torch::tensor(kGrads[s]);
    opt->step();
    out.push_back(values(p));
  }
  return out;
}

void check_close(const Vec& got, const Vec& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(got[i] == Approx(want[i]).epsilon(1e-6).margin(1e-9));
  }
}

// --- the update equations, one element at a time, in double -------------------------------------

// SGD (torch.optim.SGD, dampening 0): d = g + wd p; b = d (first step) or mu b + d;
// d = d + mu b (nesterov) or b; p -= lr d.
std::vector<Vec> sgd_ref(double lr, double mu, bool nesterov, double wd, size_t steps) {
  Vec p = as_doubles(kP0), b(p.size(), 0.0);
  std::vector<Vec> out;
  for (size_t s = 0; s < steps; ++s) {
    for (size_t i = 0; i < p.size(); ++i) {
      double d = kGrads[s][i] + wd * p[i];
      if (mu != 0) {
        b[i] = s == 0 ? d : mu * b[i] + d;
        d = nesterov ? d + mu * b[i] : b[i];
      }
      p[i] -= lr * d;
    }
    out.push_back(p);
  }
  return out;
}

// Adam and AdamW (Kingma & Ba; Loshchilov & Hutter): AdamW first decays p by lr wd p, Adam adds
// wd p to the gradient; m, v moving averages; p -= lr m_hat / (sqrt(v_hat) + eps).
std::vector<Vec> adam_ref(double lr, double b1, double b2, double eps, double wd, bool decoupled,
                          size_t steps) {
  Vec p = as_doubles(kP0);
  Vec m(kP0.size(), 0.0);
  Vec v(kP0.size(), 0.0);
  std::vector<Vec> out;
  for (size_t s = 0; s < steps; ++s) {
    const double t = static_cast<double>(s + 1);
    for (size_t i = 0; i < p.size(); ++i) {
      double g = kGrads[s][i];
      if (decoupled) {
        p[i] -= lr * wd * p[i];
      } else {
        g += wd * p[i];
      }
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const double m_hat = m[i] / (1 - std::pow(b1, t)), v_hat = v[i] / (1 - std::pow(b2, t));
      p[i] -= lr * m_hat / (std::sqrt(v_hat) + eps);
    }
    out.push_back(p);
  }
  return out;
}

// RMSprop (torch.optim.RMSprop): v = a v + (1 - a) g^2; centered: ga = a ga + (1 - a) g and
// the denominator is sqrt(v - ga^2) + eps, else sqrt(v) + eps; with momentum b = mu b + g / den,
// p -= lr b; without, p -= lr g / den.
std::vector<Vec> rmsprop_ref(double lr, double a, double eps, double wd, double mu, bool centered,
                             size_t steps) {
  Vec p = as_doubles(kP0), v(p.size(), 0.0), ga(p.size(), 0.0), b(p.size(), 0.0);
  std::vector<Vec> out;
  for (size_t s = 0; s < steps; ++s) {
    for (size_t i = 0; i < p.size(); ++i) {
      const double g = kGrads[s][i] + wd * p[i];
      v[i] = a * v[i] + (1 - a) * g * g;
      double den;
      if (centered) {
        ga[i] = a * ga[i] + (1 - a) * g;
        den = std::sqrt(v[i] - ga[i] * ga[i]) + eps;
      } else {
        den = std::sqrt(v[i]) + eps;
      }
      if (mu > 0) {
        b[i] = mu * b[i] + g / den;
        p[i] -= lr * b[i];
      } else {
        p[i] -= lr * g / den;
      }
    }
    out.push_back(p);
  }
  return out;
}

// NAdam as torch.optim.NAdam documents it:
//   mu_t = b1 (1 - 0.5 * 0.96^(t psi));  m_hat = mu_{t+1} m_t / (1 - prod_{i<=t+1} mu_i)
//        + (1 - mu_t) g_t / (1 - prod_{i<=t} mu_i);  v_hat = v_t / (1 - b2^t);
//   p -= lr m_hat / (sqrt(v_hat) + eps), with g += wd p first.
std::vector<Vec> nadam_ref(double lr, double b1, double b2, double eps, double wd, double psi,
                           size_t steps) {
  auto mu_at = [&](double t) { return b1 * (1 - 0.5 * std::pow(0.96, t * psi)); };
  Vec p = as_doubles(kP0), m(p.size(), 0.0), v(p.size(), 0.0);
  std::vector<Vec> out;
  for (size_t s = 0; s < steps; ++s) {
    const double t = static_cast<double>(s + 1);
    double prod_t = 1;
    for (int i = 1; i <= static_cast<int>(t); ++i) prod_t *= mu_at(i);
    const double prod_next = prod_t * mu_at(t + 1);
    for (size_t i = 0; i < p.size(); ++i) {
      const double g = kGrads[s][i] + wd * p[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const double m_hat =
          mu_at(t + 1) * m[i] / (1 - prod_next) + (1 - mu_at(t)) * g / (1 - prod_t);
      const double v_hat = v[i] / (1 - std::pow(b2, t));
      p[i] -= lr * m_hat / (std::sqrt(v_hat) + eps);
    }
    out.push_back(p);
  }
  return out;
}

// Lion (Chen et al. 2023, Algorithm 2): c = b1 m + (1 - b1) g; p -= lr (sign(c) + wd p);
// m = b2 m + (1 - b2) g.
std::vector<Vec> lion_ref(double lr, double b1, double b2, double wd, size_t steps) {
  Vec p = as_doubles(kP0), m(p.size(), 0.0);
  std::vector<Vec> out;
  for (size_t s = 0; s < steps; ++s) {
    for (size_t i = 0; i < p.size(); ++i) {
      const double g = kGrads[s][i];
      const double c = b1 * m[i] + (1 - b1) * g;
      const double sign = c > 0 ? 1.0 : (c < 0 ? -1.0 : 0.0);
      p[i] -= lr * (sign + wd * p[i]);
      m[i] = b2 * m[i] + (1 - b2) * g;
    }
    out.push_back(p);
  }
  return out;
}

OptimizerOptions options_for(const std::string& name) {
  OptimizerOptions o = default_optimizer_options(name);
  o.lr = 0.05;
  return o;
}

void check_steps(const std::vector<Vec>& got, const std::vector<Vec>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t s = 0; s < got.size(); ++s) {
    INFO("after step " << s + 1);
    check_close(got[s], want[s]);
  }
}

TEST_CASE("sgd steps follow torch.optim.SGD's equations", "[training]") {
  auto o = options_for("sgd");
  o.weight_decay = 0.01;
  SECTION("plain") { check_steps(run(o, 1), sgd_ref(0.05, 0, false, 0.01, 1)); }
  SECTION("momentum") {
    o.momentum = 0.9;
    check_steps(run(o, 2), sgd_ref(0.05, 0.9, false, 0.01, 2));
  }
  SECTION("nesterov") {
    o.momentum = 0.9;
    o.nesterov = true;
    check_steps(run(o, 2), sgd_ref(0.05, 0.9, true, 0.01, 2));
  }
}

TEST_CASE("adam and adamw steps follow their equations (L2 vs decoupled decay)", "[training]") {
  auto o = options_for("adam");
  o.beta1 = 0.8;
  o.beta2 = 0.95;
  o.eps = 1e-6;
  o.weight_decay = 0.1;
  check_steps(run(o, 2), adam_ref(0.05, 0.8, 0.95, 1e-6, 0.1, false, 2));
  o.name = "adamw";
  check_steps(run(o, 2), adam_ref(0.05, 0.8, 0.95, 1e-6, 0.1, true, 2));
  // The two decays differ, so the check above can tell them apart.
  CHECK(adam_ref(0.05, 0.8, 0.95, 1e-6, 0.1, false, 2)[1][2] !=
        Approx(adam_ref(0.05, 0.8, 0.95, 1e-6, 0.1, true, 2)[1][2]).epsilon(1e-4));
}

TEST_CASE("rmsprop steps follow torch.optim.RMSprop's equations", "[training]") {
  auto o = options_for("rmsprop");
  o.alpha = 0.9;
  o.eps = 1e-6;
  o.weight_decay = 0.01;
  const bool centered = GENERATE(false, true);
  const double momentum = GENERATE(0.0, 0.5);
  INFO("centered " << centered << ", momentum " << momentum);
  o.centered = centered;
  o.momentum = momentum;
  check_steps(run(o, 2), rmsprop_ref(0.05, 0.9, 1e-6, 0.01, momentum, centered, 2));
}

TEST_CASE("nadam steps follow torch.optim.NAdam's documented equations", "[training]") {
  auto o = options_for("nadam");
  o.weight_decay = 0.01;
  o.momentum_decay = 0.1;  // larger than the default so mu_t moves visibly between steps
  check_steps(run(o, 3), nadam_ref(0.05, 0.9, 0.999, 1e-8, 0.01, 0.1, 3));
  o.weight_decay = 0;
  o.momentum_decay = 4e-3;
  check_steps(run(o, 2), nadam_ref(0.05, 0.9, 0.999, 1e-8, 0, 4e-3, 2));
}

TEST_CASE("lion steps follow the paper's Algorithm 2", "[training]") {
  auto o = options_for("lion");
  const double wd = GENERATE(0.0, 0.5);
  INFO("weight decay " << wd);
  o.weight_decay = wd;
  const auto want = lion_ref(0.05, 0.9, 0.99, wd, 3);
  check_steps(run(o, 3), want);
  // Without momentum in the direction (b1 = 0) element 3's second step would go the other way:
  // the steps checked above depend on the carried momentum.
  CHECK(lion_ref(0.05, 0.0, 0.99, wd, 2)[1][3] != Approx(want[1][3]).epsilon(1e-3));
}

TEST_CASE("default_optimizer_options gives torch.optim's and the Lion paper's defaults",
          "[training]") {
  CHECK(default_optimizer_options("adam").lr == 1e-3);
  CHECK(default_optimizer_options("adamw").weight_decay == 1e-2);
  CHECK(default_optimizer_options("rmsprop").alpha == 0.99);
  CHECK(default_optimizer_options("nadam").lr == 2e-3);
  CHECK(default_optimizer_options("nadam").momentum_decay == 4e-3);
  const auto lion = default_optimizer_options("lion");
  CHECK(lion.lr == 1e-4);
  CHECK(lion.beta1 == 0.9);
  CHECK(lion.beta2 == 0.99);
  CHECK(lion.weight_decay == 0);
  CHECK_THROWS_WITH(default_optimizer_options("adagrad"), Catch::Contains("unknown optimizer"));
  for (const auto& name : optimizer_names()) CHECK(default_optimizer_options(name).name == name);
}

// --- groups
// ---------------------------------------------------------------------------------------

TEST_CASE("a no-decay group skips weight decay and an lr scale scales the step", "[training]") {
  // SGD: decay group p -= lr (g + wd p); no-decay group at lr * 0.1: p -= 0.1 lr g.
  torch::Tensor a = torch::tensor(kP0).requires_grad_();
  torch::Tensor b = torch::tensor(kP0).requires_grad_();
  auto o = options_for("sgd");
  o.weight_decay = 0.2;
  auto opt = make_optimizer(o, {group_of({a}, 1.0, true), group_of({b}, 0.1, false)});
  a.mutable_grad() = torch::tensor(kGrads[0]);
  b.mutable_grad() = torch::tensor(kGrads[0]);
  opt->step();
  Vec want_a, want_b;
  for (size_t i = 0; i < kP0.size(); ++i) {
    want_a.push_back(kP0[i] - 0.05 * (kGrads[0][i] + 0.2 * kP0[i]));
    want_b.push_back(kP0[i] - 0.005 * kGrads[0][i]);
  }
  check_close(values(a), want_a);
  check_close(values(b), want_b);
  CHECK(group_lrs(*opt) == Vec{0.05, 0.05 * 0.1});
}

TEST_CASE("adamw's decoupled decay is off in a no-decay group", "[training]") {
  torch::Tensor a = torch::tensor(kP0).requires_grad_();
  torch::Tensor b = torch::tensor(kP0).requires_grad_();
  auto o = options_for("adamw");
  o.weight_decay = 0.3;
  auto opt = make_optimizer(o, {group_of({a}, 1.0, true), group_of({b}, 0.5, false)});
  for (size_t s = 0; s < 2; ++s) {
    a.mutable_grad() = torch::tensor(kGrads[s]);
    b.mutable_grad() = torch::tensor(kGrads[s]);
    opt->step();
  }
  check_close(values(a), adam_ref(0.05, 0.9, 0.999, 1e-8, 0.3, true, 2)[1]);
  check_close(values(b), adam_ref(0.025, 0.9, 0.999, 1e-8, 0.0, true, 2)[1]);
}

TEST_CASE("every optimizer applies each group's lr scale and weight-decay switch", "[training]") {
  // A grouped optimizer equals two single-group optimizers at lr * scale, one without decay.
  const std::string name = GENERATE(from_range(optimizer_names()));
  INFO(name);
  auto o = options_for(name);
  o.weight_decay = 0.1;
  o.momentum = name == "sgd" || name == "rmsprop" ? 0.5 : 0.0;
  auto train = [&](const std::vector<ParamGroupSpec>& groups, torch::optim::Optimizer& opt) {
    for (size_t s = 0; s < 2; ++s) {
      for (const auto& g : groups) {
        for (auto& p : g.params) p.mutable_grad() = torch::tensor(kGrads[s]);
      }
      opt.step();
    }
  };
  torch::Tensor a = torch::tensor(kP0).requires_grad_(), b = torch::tensor(kP0).requires_grad_();
  const std::vector<ParamGroupSpec> groups = {group_of({a}, 1.0, true), group_of({b}, 0.25, false)};
  auto grouped = make_optimizer(o, groups);
  train(groups, *grouped);

  torch::Tensor a1 = torch::tensor(kP0).requires_grad_(), b1 = torch::tensor(kP0).requires_grad_();
  auto o_b = o;
  o_b.lr = o.lr * 0.25;
  o_b.weight_decay = 0;
  auto opt_a = make_optimizer(o, {group_of({a1})});
  auto opt_b = make_optimizer(o_b, {group_of({b1})});
  train({group_of({a1})}, *opt_a);
  train({group_of({b1})}, *opt_b);
  CHECK(torch::equal(a, a1));
  CHECK(torch::equal(b, b1));
  // The scale and the decay switch changed something, so the equalities above could fail.
  CHECK_FALSE(torch::equal(a, b));
}

TEST_CASE("set_lr moves every group with the base lr and keeps the multipliers", "[training]") {
  const std::string name = GENERATE(from_range(optimizer_names()));
  INFO(name);
  torch::Tensor a = torch::tensor(kP0).requires_grad_(), b = torch::tensor(kP0).requires_grad_();
  auto opt = make_optimizer(options_for(name), {group_of({a}, 1.0), group_of({b}, 0.1)});
  CHECK(current_lr(*opt) == 0.05);
  set_lr(*opt, 0.0);  // a warm-up from 0 must not lose the multipliers
  CHECK(group_lrs(*opt) == Vec{0.0, 0.0});
  set_lr(*opt, 0.2);
  CHECK(current_lr(*opt) == 0.2);
  CHECK(group_lrs(*opt) == Vec{0.2, 0.2 * 0.1});
  CHECK_THROWS_WITH(set_lr(*opt, -1), Catch::Contains("lr must be"));
  opt->add_param_group(torch::optim::OptimizerParamGroup({torch::zeros({2}).requires_grad_()}));
  CHECK_THROWS_WITH(set_lr(*opt, 0.1), Catch::Contains("groups added after make_optimizer"));
}

TEST_CASE("set_lr changes the step size the next step uses", "[training]") {
  torch::Tensor p = torch::tensor(kP0).requires_grad_();
  auto opt = make_optimizer(options_for("sgd"), {group_of({p}, 0.5)});
  set_lr(*opt, 0.4);
  p.mutable_grad() = torch::tensor(kGrads[0]);
  opt->step();
  Vec want;
  for (size_t i = 0; i < kP0.size(); ++i) want.push_back(kP0[i] - 0.2 * kGrads[0][i]);
  check_close(values(p), want);
}

TEST_CASE("set_lr and current_lr work on a plain LibTorch optimizer", "[training]") {
  torch::Tensor p = torch::tensor(kP0).requires_grad_();
  torch::optim::Adam adam({p}, torch::optim::AdamOptions(0.01));
  set_lr(adam, 0.3);
  CHECK(current_lr(adam) == 0.3);
  // LibTorch 1.13's documented access to a group's options, which set_lr's get_lr/set_lr mirror.
  CHECK(static_cast<torch::optim::AdamOptions&>(adam.param_groups()[0].options()).lr() == 0.3);
}

struct SmallNet : torch::nn::Module {
  SmallNet() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 2, 3)));
    bn = register_module("bn", torch::nn::BatchNorm2d(2));
    fc = register_module("fc", torch::nn::Linear(2, 3));
    frozen = register_parameter("frozen", torch::zeros({4, 4}), /*requires_grad=*/false);
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Linear fc{nullptr};
  torch::Tensor frozen;
};

std::vector<std::string> names_of(const NamedParameters& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.first);
  return out;
}

TEST_CASE("parameters split into decay / no-decay and head / backbone", "[training]") {
  SmallNet net;
  const NamedParameters all = trainable_parameters(net);
  CHECK(names_of(all) == std::vector<std::string>{"conv.weight", "conv.bias", "bn.weight",
                                                  "bn.bias", "fc.weight", "fc.bias"});
  const auto [decay, no_decay] = split_no_decay(all);
  CHECK(names_of(decay) == std::vector<std::string>{"conv.weight", "fc.weight"});
  CHECK(names_of(no_decay) ==
        std::vector<std::string>{"conv.bias", "bn.weight", "bn.bias", "fc.bias"});
  const auto [head, backbone] = split_by_prefix(all, "fc.");
  CHECK(names_of(head) == std::vector<std::string>{"fc.weight", "fc.bias"});
  CHECK(backbone.size() == 4);

  GroupingOptions g;
  g.head_prefix = "fc.";
  g.backbone_lr_scale = 0.1;
  const auto groups = group_parameters(net, g);
  REQUIRE(groups.size() == 4);
  CHECK(groups[0].name == "head.decay");
  CHECK(groups[0].params.size() == 1);
  CHECK(groups[0].lr_scale == 1.0);
  CHECK(groups[0].weight_decay);
  CHECK(groups[1].name == "head.no_decay");
  CHECK_FALSE(groups[1].weight_decay);
  CHECK(groups[2].name == "backbone.decay");
  CHECK(groups[2].lr_scale == 0.1);
  CHECK(groups[3].name == "backbone.no_decay");
  CHECK(groups[3].params.size() == 3);
  CHECK(groups[3].params[1].is_same(net.bn->weight));

  GroupingOptions plain;
  plain.no_decay_for_1d = false;
  const auto one = group_parameters(net, plain);
  REQUIRE(one.size() == 1);
  CHECK(one[0].params.size() == 6);
  GroupingOptions bad;
  bad.head_prefix = "classifier.";
  CHECK_THROWS_WITH(group_parameters(net, bad), Catch::Contains("matches no trainable parameter"));

  auto opt = make_optimizer(options_for("adamw"), groups);
  CHECK(opt->param_groups().size() == 4);
  CHECK(group_lrs(*opt) == Vec{0.05, 0.05, 0.05 * 0.1, 0.05 * 0.1});
  CHECK(static_cast<torch::optim::AdamWOptions&>(opt->param_groups()[3].options()).weight_decay() ==
        0);
  CHECK(static_cast<torch::optim::AdamWOptions&>(opt->param_groups()[2].options()).weight_decay() ==
        default_optimizer_options("adamw").weight_decay);
}

TEST_CASE("make_optimizer rejects bad options and groups", "[training]") {
  torch::Tensor p = torch::tensor(kP0).requires_grad_();
  auto bad = [&](OptimizerOptions o) { return make_optimizer(o, {group_of({p})}); };
  auto o = options_for("adam");
  o.name = "adagrad";
  CHECK_THROWS_WITH(bad(o), Catch::Contains("unknown optimizer \"adagrad\""));
  o = options_for("adam");
  o.lr = -1;
  CHECK_THROWS_WITH(bad(o), Catch::Contains("adam: lr must be"));
  o = options_for("lion");
  o.beta2 = 1.0;
  CHECK_THROWS_WITH(bad(o), Catch::Contains("lion: beta2 must be in [0, 1)"));
  o = options_for("sgd");
  o.momentum = 0.0;
  o.nesterov = true;
  CHECK_THROWS_WITH(bad(o), Catch::Contains("nesterov needs momentum"));
  o = options_for("rmsprop");
  o.alpha = std::nan("");
  CHECK_THROWS_WITH(bad(o), Catch::Contains("rmsprop: alpha"));
  CHECK_THROWS_WITH(make_optimizer(options_for("sgd"), {}), Catch::Contains("no parameter groups"));
  CHECK_THROWS_WITH(make_optimizer(options_for("sgd"), {group_of({p}), group_of({p})}),
                    Catch::Contains("also in an earlier group"));
  CHECK_THROWS_WITH(make_optimizer(options_for("sgd"), {group_of({p}, -0.5)}),
                    Catch::Contains("lr_scale must be"));
}

// --- checkpoints
// ----------------------------------------------------------------------------------

std::string save_to_string(const torch::optim::Optimizer& opt) {
  torch::serialize::OutputArchive archive;
  opt.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void load_from_string(torch::optim::Optimizer& opt, const std::string& bytes) {
  std::istringstream in(bytes);
  torch::serialize::InputArchive archive;
  archive.load_from(in);
  opt.load(archive);
}

TEST_CASE("a saved and loaded optimizer continues with identical steps", "[training]") {
  const std::string name = GENERATE(from_range(optimizer_names()));
  INFO(name);
  auto o = options_for(name);
  o.weight_decay = 0.05;
  o.momentum = name == "sgd" || name == "rmsprop" ? 0.9 : 0.0;
  o.centered = true;
  auto make = [&](torch::Tensor& a, torch::Tensor& b) {
    return make_optimizer(o, {group_of({a}, 1.0), group_of({b}, 0.3, false)});
  };
  auto step = [](torch::optim::Optimizer& opt, torch::Tensor& a, torch::Tensor& b, size_t s) {
    a.mutable_grad() = torch::tensor(kGrads[s % kGrads.size()]);
    b.mutable_grad() = torch::tensor(kGrads[(s + 1) % kGrads.size()]) * 2;
    opt.step();
  };
  torch::Tensor a = torch::tensor(kP0).requires_grad_(), b = torch::tensor(kP0).requires_grad_();
  auto opt = make(a, b);
  for (size_t s = 0; s < 3; ++s) step(*opt, a, b, s);
  set_lr(*opt, 0.037);  // a schedule moved the lr; the checkpoint must carry it
  const std::string bytes = save_to_string(*opt);

  // A new run: fresh parameters with the checkpoint's values, a fresh optimizer at the suite's lr.
  torch::Tensor a2 = a.detach().clone().requires_grad_(), b2 = b.detach().clone().requires_grad_();
  auto restored = make(a2, b2);
  CHECK(current_lr(*restored) == 0.05);
  load_from_string(*restored, bytes);
  CHECK(current_lr(*restored) == 0.037);
  CHECK(group_lrs(*restored) == group_lrs(*opt));

  // Without the state the continuation differs (the test below can fail).
  torch::Tensor a3 = a.detach().clone().requires_grad_(), b3 = b.detach().clone().requires_grad_();
  auto stateless = make(a3, b3);
  set_lr(*stateless, 0.037);

  for (size_t s = 3; s < 6; ++s) {
    step(*opt, a, b, s);
    step(*restored, a2, b2, s);
    step(*stateless, a3, b3, s);
  }
  CHECK(torch::equal(a, a2));
  CHECK(torch::equal(b, b2));
  CHECK_FALSE((torch::equal(a, a3) && torch::equal(b, b3)));
}

TEST_CASE("loading a checkpoint of another grouping fails", "[training]") {
  torch::Tensor a = torch::tensor(kP0).requires_grad_(), b = torch::tensor(kP0).requires_grad_();
  auto opt = make_optimizer(options_for("nadam"), {group_of({a}, 1.0), group_of({b}, 0.1)});
  a.mutable_grad() = torch::tensor(kGrads[0]);
  b.mutable_grad() = torch::tensor(kGrads[0]);
  opt->step();
  const std::string bytes = save_to_string(*opt);
  auto other = make_optimizer(options_for("nadam"), {group_of({a}, 1.0), group_of({b}, 0.5)});
  CHECK_THROWS_WITH(load_from_string(*other, bytes), Catch::Contains("lr scale"));
}

TEST_CASE("Nadam and Lion keep their state where LibTorch's serializer finds it", "[training]") {
  // optimizer_state_key must be the key LibTorch's own optimizers use, or a loaded state would
  // not reach its parameter.
  torch::Tensor p = torch::tensor(kP0).requires_grad_();
  torch::optim::Adam adam({p});
  p.mutable_grad() = torch::tensor(kGrads[0]);
  adam.step();
  CHECK(adam.state().count(compat::optimizer_state_key(p)) == 1);

  torch::Tensor q = torch::tensor(kP0).requires_grad_();
  Nadam nadam({q});
  q.mutable_grad() = torch::tensor(kGrads[0]);
  nadam.step();
  nadam.step();
  REQUIRE(nadam.state().count(compat::optimizer_state_key(q)) == 1);
  const auto& s = static_cast<const NadamParamState&>(
      *nadam.state().find(compat::optimizer_state_key(q))->second);
  CHECK(s.step() == 2);
  const double psi = 4e-3;
  CHECK(s.mu_product() ==
        Approx(0.9 * (1 - 0.5 * std::pow(0.96, psi)) * 0.9 * (1 - 0.5 * std::pow(0.96, 2 * psi)))
            .epsilon(1e-15));
}

}  // namespace
}  // namespace gauntlet
