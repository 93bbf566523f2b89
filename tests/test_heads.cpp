// Replacement heads (models/heads.hpp): a head on any backbone keeps the backbone's tensor names
// and adds head.*; the RFF head approximates its Gaussian kernel; a learned scale trains.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "models/heads.hpp"
#include "models/registry.hpp"
#include "models/state_dict.hpp"

namespace gauntlet {
namespace {

using Shapes = std::map<std::string, std::vector<int64_t>>;

Shapes shapes_of(const torch::nn::Module& m) {
  Shapes out;
  for (const auto& [key, t] : named_state(m)) out[key] = t.sizes().vec();
  return out;
}

HeadOptions dense() {
  return DenseHeadOptions().hidden({16, 8}).activation(HeadActivation::kGelu).dropout(0.1);
}
HeadOptions rff() { return RffHeadOptions().features(32).scale(2.0); }

TEST_CASE("a head replaces the classifier and keeps the backbone's names", "[models]") {
  auto [name, head, features] = GENERATE(table<std::string, HeadOptions, int64_t>({
      {"simple_cnn", dense(), 128},
      {"resnet18", rff(), 512},
      {"vgg11", dense(), 512},
      {"convnext_tiny", rff(), 768},
      {"inception_v3", dense(), 2048},
      {"resnetv2_50", dense(), 2048},
      {"mobilenet_v2", rff(), 1280},
      {"mobilenet_v3_small", dense(), 576},  // the last conv's width: the hidden Linear goes too
      {"efficientnet_b0", rff(), 1280},
  }));
  INFO(name);
  const BackboneInfo& info = backbone_info(name);
  torch::manual_seed(0);
  const Shapes plain = shapes_of(*make_backbone(name, info.default_options, 5).ptr());
  torch::nn::AnyModule m = make_backbone(name, info.default_options, 5, head);
  const Shapes headed = shapes_of(*m.ptr());

  // Every tensor is the backbone's, same name and shape, or the new head's; what the backbone
  // loses is its classifier.
  const std::string classifier = info.defaults.classifier + ".";
  for (const auto& [key, shape] : headed) {
    INFO(key);
    if (key.rfind("head.", 0) == 0) continue;
    REQUIRE(plain.count(key) == 1);
    CHECK(plain.at(key) == shape);
  }
  for (const auto& [key, shape] : plain) {
    INFO(key);
    if (headed.count(key) == 0) CHECK(key.rfind(classifier, 0) == 0);
  }
  if (std::holds_alternative<DenseHeadOptions>(head)) {
    // [Dropout, Linear, GELU] x 2, Dropout, Linear.
    CHECK(headed.at("head.1.weight") == std::vector<int64_t>{16, features});
    CHECK(headed.at("head.4.weight") == std::vector<int64_t>{8, 16});
    CHECK(headed.at("head.7.weight") == std::vector<int64_t>{5, 8});
  } else {
    CHECK(headed.at("head.projection") == std::vector<int64_t>{32, features});
    CHECK(headed.at("head.offset") == std::vector<int64_t>{32});
    CHECK(headed.at("head.log_scale").empty());
    CHECK(headed.at("head.fc.weight") == std::vector<int64_t>{5, 32});
  }

  // eval() reaches the backbone; the output is (N, classes).
  m.ptr()->eval();
  const int64_t side = std::max<int64_t>(info.defaults.min_input_size, 32);
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({2, info.defaults.in_channels, side, side});
  const torch::Tensor y = m.forward(x);
  CHECK(y.sizes() == torch::IntArrayRef({2, 5}));
  CHECK(torch::isfinite(y).all().item<bool>());
  CHECK(torch::equal(y, m.forward(x)));  // eval: no dropout, no stochastic depth
}

TEST_CASE("the head follows the backbone's options", "[models]") {
  // simple_cnn's pooled width is its last block's channels: measured, not tabulated.
  torch::manual_seed(0);
  torch::nn::AnyModule m = make_backbone(
      "simple_cnn", SimpleCnnOptions().channels({4, 24}).convs_per_block(1), 3, dense());
  CHECK(shapes_of(*m.ptr()).at("head.1.weight") == std::vector<int64_t>{16, 24});
  CHECK_THROWS_WITH(make_head(8, 3, DenseHeadOptions().hidden({0})),
                    Catch::Contains("hidden widths must be >= 1"));
  CHECK_THROWS_WITH(RffHead(8, 3, RffHeadOptions().scale(0)), Catch::Contains("scale must be positive"));
}

TEST_CASE("random Fourier features approximate the Gaussian kernel", "[models]") {
  // z(x) . z(y) is the mean over D features of 2 cos(w.x + b) cos(w.y + b), each term in [-2, 2]
  // with expectation k(x, y) = exp(-|x - y|^2 / (2 s^2)). Hoeffding: P(|error| >= t) <=
  // 2 exp(-D t^2 / 8) = 4e-6 for D = 65536 and t = 0.04, so 0.04 cannot fail by chance; an error
  // in the scale or the sqrt(2 / D) factor moves some k by far more (0.6 -> 0.36 for s^2).
  const int64_t dim = 16, d = 65536;
  for (double scale : {0.5, 3.0}) {
    INFO("scale " << scale);
    torch::manual_seed(7);
    RffHead head(dim, 2, RffHeadOptions().features(d).scale(scale));
    for (double k : {0.95, 0.8, 0.6, 0.4, 0.2, 0.05}) {
      INFO("kernel " << k);
      // y at the distance that gives kernel value k: |x - y|^2 = -2 s^2 ln k.
      const torch::Tensor x = torch::randn({1, dim});
      const torch::Tensor u = torch::randn({1, dim});
      const torch::Tensor y = x + u / u.norm() * scale * std::sqrt(-2.0 * std::log(k));
      torch::NoGradGuard no_grad;
      const double approx = (head->features(x) * head->features(y)).sum().item<double>();
      CHECK(approx == Approx(k).margin(0.04));
      // |z(x)|^2 = 1 + mean of cos(2 (w.x + b)): also within the bound.
      CHECK((head->features(x) * head->features(x)).sum().item<double>() ==
            Approx(1.0).margin(0.04));
    }
  }
}

TEST_CASE("a learned RFF scale is a parameter with a gradient, a fixed one a buffer", "[models]") {
  torch::manual_seed(0);
  RffHead learned(6, 3, RffHeadOptions().features(64).scale(1.5).learn_scale(true));
  const auto params = learned->named_parameters();
  REQUIRE(params.contains("log_scale"));
  CHECK(params["log_scale"].item<double>() == Approx(std::log(1.5)));
  learned->forward(torch::randn({4, 6})).pow(2).sum().backward();
  const torch::Tensor g = params["log_scale"].grad();
  REQUIRE(g.defined());
  CHECK(g.item<double>() != 0.0);
  CHECK_FALSE(params.contains("projection"));  // fixed random features

  RffHead fixed(6, 3, RffHeadOptions().features(64));
  CHECK_FALSE(fixed->named_parameters().contains("log_scale"));
  CHECK(fixed->named_buffers().contains("log_scale"));
}

}  // namespace
}  // namespace gauntlet
