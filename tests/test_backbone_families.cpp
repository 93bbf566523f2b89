// ConvNeXt, Inception v3 and the pre-activation ResNet: counts, names, initialisation and the
// options torchvision / timm give them (their outputs are checked against the references by
// tests/parity/backbones_parity.py).
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <map>

#include "models/convnext.hpp"
#include "models/inception.hpp"
#include "models/registry.hpp"
#include "models/resnetv2.hpp"
#include "models/state_dict.hpp"

namespace gauntlet {
namespace {


const std::array<int64_t, 4> kResNetV2_50{3, 4, 6, 3};

std::map<std::string, torch::Tensor> state_of(const torch::nn::Module& m) {
  const auto state = named_state(m);
  return {state.begin(), state.end()};
}

// sigma of a zero-mean normal sample from its median |value| (0.6745 sigma): robust to the rare
// clamped value of trunc_normal_(a=-2, b=2) (an exact -1 from uniform_, 2^-24 per draw, becomes
// -2), which moves a sample std of 1e6 values at sigma 0.001 by 2x.
double robust_std(const torch::Tensor& t) { return t.abs().median().item<double>() / 0.6745; }

int64_t count_parameters(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

TEST_CASE("convnext_tiny, inception_v3 and resnetv2_50 have their references' counts", "[models]") {
  // num_classes=1000: torchvision 0.14's convnext_tiny() and inception_v3(aux_logits=False,
  // init_weights=True), and timm's resnetv2_50 (the reference module of backbones_parity.py),
  // counted once by /usr/bin/python3: sum(p.numel() for p in m.parameters()), len(state_dict()).
  auto [name, parameters, entries] = GENERATE(table<std::string, int64_t, size_t>({
      {"convnext_tiny", 28589128, 182},
      {"inception_v3", 23834568, 566},
      {"resnetv2_50", 25549352, 300},
  }));
  INFO(name);
  torch::nn::AnyModule m = make_backbone(name, backbone_info(name).default_options, 1000);
  CHECK(count_parameters(*m.ptr()) == parameters);
  CHECK(named_state(*m.ptr()).size() == entries);
}

TEST_CASE("convnext sizes are data and the drop probability grows linearly", "[models]") {
  CHECK(convnext_arch("small").depths == std::array<int64_t, 4>{3, 3, 27, 3});
  CHECK(convnext_arch("large").dims == std::array<int64_t, 4>{192, 384, 768, 1536});
  CHECK_THROWS_WITH(convnext_arch("huge"), Catch::Contains("convnext: no size \"huge\""));
  // torchvision's per-model default stochastic_depth_prob.
  CHECK(std::get<ConvNeXtOptions>(backbone_info("convnext_tiny").default_options)
            .stochastic_depth_prob() == 0.1);
  CHECK(std::get<ConvNeXtOptions>(backbone_info("convnext_small").default_options)
            .stochastic_depth_prob() == 0.4);

  torch::manual_seed(0);
  ConvNeXt m(convnext_arch("tiny"), 3, 10);
  const auto s = state_of(*m);
  CHECK(s.at("features.1.0.layer_scale").sizes() == torch::IntArrayRef({96, 1, 1}));
  CHECK(s.at("features.1.0.layer_scale").eq(1e-6f).all().item<bool>());
  CHECK(s.at("features.1.0.block.0.weight").sizes() == torch::IntArrayRef({96, 1, 7, 7}));
  CHECK(s.at("features.2.1.weight").sizes() == torch::IntArrayRef({192, 96, 2, 2}));
  CHECK(s.at("classifier.2.weight").sizes() == torch::IntArrayRef({10, 768}));
  // trunc_normal_(std=0.02), zero biases.
  CHECK(robust_std(s.at("features.5.0.block.3.weight")) == Approx(0.02).epsilon(0.02));
  CHECK(s.at("features.5.0.block.3.bias").eq(0).all().item<bool>());
}

TEST_CASE("a CNBlock drops its branch with its stochastic depth probability in training only",
          "[models]") {
  torch::manual_seed(0);
  CNBlock always(8, 1.0, 1.0), never(8, 1.0, 0.0), half(8, 1.0, 0.5);
  const torch::Tensor x = torch::randn({4000, 8, 2, 2});
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(always->forward(x), x));  // p = 1: the identity in training
  CHECK_FALSE(torch::equal(never->forward(x), x));
  // p = 0.5: about half the samples keep x exactly, the others get x + 2 * branch.
  const torch::Tensor kept = (half->forward(x) == x).flatten(1).all(1).to(torch::kFloat);
  CHECK(kept.mean().item<double>() == Approx(0.5).margin(0.04));  // 5 sigma of 4000 draws
  always->eval();
  CHECK_FALSE(torch::equal(always->forward(x), x));
}

TEST_CASE("inception_v3 keeps aux logits aside in training and needs 75 px", "[models]") {
  torch::manual_seed(0);
  Inception3 m(3, 1000, InceptionOptions().aux_logits(true));
  // torchvision's inception_v3(aux_logits=True, init_weights=True) at 1000 classes (its meta
  // num_params) and len(state_dict()).
  CHECK(count_parameters(*m) == 27161264);
  const auto s = state_of(*m);
  CHECK(s.size() == 580);
  CHECK(robust_std(s.at("AuxLogits.fc.weight")) == Approx(0.001).epsilon(0.02));
  CHECK(robust_std(s.at("AuxLogits.conv1.conv.weight")) == Approx(0.01).epsilon(0.02));
  CHECK(robust_std(s.at("Mixed_6e.branch7x7_2.conv.weight")) == Approx(0.1).epsilon(0.02));
  CHECK(s.at("Mixed_7c.branch3x3dbl_3b.conv.weight").sizes() == torch::IntArrayRef({384, 384, 3, 1}));
  CHECK(m->named_modules()["Mixed_5b.branch1x1.bn"]->as<torch::nn::BatchNorm2d>()->options.eps() ==
        0.001);

  // The aux head needs torchvision's 299 px (a 17x17 Mixed_6e map) in training.
  torch::NoGradGuard no_grad;
  m->train();
  const torch::Tensor logits = m->forward(torch::randn({2, 3, 299, 299}));
  CHECK(logits.sizes() == torch::IntArrayRef({2, 1000}));
  CHECK(m->aux_logits().sizes() == torch::IntArrayRef({2, 1000}));
  m->eval();
  CHECK(m->forward(torch::randn({1, 3, 75, 75})).sizes() == torch::IntArrayRef({1, 1000}));
  CHECK_FALSE(m->aux_logits().defined());
  CHECK_THROWS_WITH(m->forward(torch::randn({1, 3, 74, 74})), Catch::Contains("H >= 75"));
  CHECK(backbone_info("inception_v3").defaults.min_input_size == 75);
  CHECK_THROWS_WITH(Inception3(3, 0, InceptionOptions().aux_logits(true)),
                    Catch::Contains("aux_logits needs the built-in classifier"));
}

TEST_CASE("inception_v3 transform_input maps ImageNet normalisation to the -1..1 scaling", "[models]") {
  // A pixel p normalised with ImageNet's mean/std is (p - 0.5) / 0.5 after the transform: an
  // input of 0.5 everywhere, ImageNet-normalised, must give the output of all zeros untransformed.
  torch::manual_seed(0);
  Inception3 plain(3, 4);
  Inception3 transformed(3, 4, InceptionOptions().transform_input(true));
  load_state_dict(*transformed, state_of(*plain));
  plain->eval();
  transformed->eval();
  const auto mean = torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1});
  const auto std = torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1});
  const torch::Tensor x = (torch::full({1, 3, 80, 80}, 0.5f) - mean) / std;
  torch::NoGradGuard no_grad;
  CHECK(torch::allclose(transformed->forward(x), plain->forward(torch::zeros({1, 3, 80, 80})),
                        1e-4, 1e-5));
}

TEST_CASE("resnetv2_50 is timm's pre-activation layout", "[models]") {
  torch::manual_seed(0);
  ResNetV2 m(kResNetV2_50, 3, 10);
  const auto s = state_of(*m);
  CHECK(s.at("stem.conv.weight").sizes() == torch::IntArrayRef({64, 3, 7, 7}));
  CHECK(s.count("stem.conv.bias") == 0);
  // Every stage's first block projects its shortcut (stage 0 too: 64 -> 256), no other block.
  CHECK(s.at("stages.0.blocks.0.downsample.conv.weight").sizes() ==
        torch::IntArrayRef({256, 64, 1, 1}));
  CHECK(s.at("stages.3.blocks.0.downsample.conv.weight").sizes() ==
        torch::IntArrayRef({2048, 1024, 1, 1}));
  CHECK(s.count("stages.1.blocks.1.downsample.conv.weight") == 0);
  // Pre-activation: norm1 sees the block's input width, stride on the 3x3.
  CHECK(s.at("stages.1.blocks.0.norm1.weight").sizes() == torch::IntArrayRef({256}));
  CHECK(s.at("stages.1.blocks.0.conv2.weight").sizes() == torch::IntArrayRef({128, 128, 3, 3}));
  CHECK(s.at("norm.running_var").sizes() == torch::IntArrayRef({2048}));
  CHECK(s.at("head.fc.weight").sizes() == torch::IntArrayRef({10, 2048, 1, 1}));
  CHECK(s.at("head.fc.weight").std().item<double>() == Approx(0.01).epsilon(0.1));
  CHECK(s.at("head.fc.bias").eq(0).all().item<bool>());
  ResNetV2 zero(kResNetV2_50, 3, 10, ResNetV2Options().zero_init_last(true));
  CHECK(state_of(*zero).at("stages.2.blocks.3.conv3.weight").eq(0).all().item<bool>());
  CHECK_FALSE(state_of(*zero).at("stages.2.blocks.3.conv2.weight").eq(0).all().item<bool>());
}

}  // namespace
}  // namespace gauntlet
