#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "models/efficientnet.hpp"
#include "models/mbconv_blocks.hpp"
#include "models/mobilenet.hpp"
#include "models/registry.hpp"
#include "models/resnet.hpp"
#include "models/simple_cnn.hpp"
#include "models/state_dict.hpp"
#include "models/vgg.hpp"

namespace gauntlet {
namespace {

int64_t count_parameters(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

TEST_CASE("every registered backbone builds and runs one forward at 96 px", "[models]") {
  // 96 px, the suite's default input side (at least what the backbone accepts, 75 for
  // inception_v3); every family's adaptive pooling takes any side. Default sizes: below.
  for (const auto& info : backbone_infos()) {
    INFO(info.name);
    torch::manual_seed(0);
    torch::nn::AnyModule m = make_backbone(info.name, info.default_options, 7);
    m.ptr()->eval();
    const int64_t side = std::max<int64_t>(info.defaults.min_input_size, 96);
    const auto x = torch::randn({2, info.defaults.in_channels, side, side});
    const torch::Tensor y = m.forward(x);
    CHECK(y.sizes() == torch::IntArrayRef({2, 7}));
    CHECK(torch::isfinite(y).all().item<bool>());
  }
}

TEST_CASE("one backbone of each torchvision family runs at its default input size", "[models]") {
  for (const char* name : {"resnet18", "vgg11"}) {
    INFO(name);
    const BackboneInfo& info = backbone_info(name);
    CHECK(info.defaults.input_size == 224);
    torch::manual_seed(0);
    torch::nn::AnyModule m = make_backbone(name, info.default_options, 5);
    m.ptr()->eval();
    const torch::Tensor y = m.forward(torch::randn({1, 3, 224, 224}));
    CHECK(y.sizes() == torch::IntArrayRef({1, 5}));
    CHECK(torch::isfinite(y).all().item<bool>());
  }
}

TEST_CASE("torchvision backbones have torchvision's parameter and state_dict counts", "[models]") {
  // torchvision 0.14 with num_classes=1000: sum(p.numel() for p in m.parameters()) and
  // len(m.state_dict()), printed once by /usr/bin/python3.
  auto [name, parameters, entries] = GENERATE(table<std::string, int64_t, size_t>({
      {"resnet18", 11689512, 122},   {"resnet34", 21797672, 218},   {"resnet50", 25557032, 320},
      {"resnet101", 44549160, 626},  {"resnet152", 60192808, 932},  {"vgg11", 132863336, 22},
      {"vgg11_bn", 132868840, 62},   {"vgg13", 133047848, 26},      {"vgg13_bn", 133053736, 76},
      {"vgg16", 138357544, 32},      {"vgg16_bn", 138365992, 97},   {"vgg19", 143667240, 38},
      {"vgg19_bn", 143678248, 118},
      {"mobilenet_v2", 3504872, 314},  {"mobilenet_v3_small", 2542856, 244},
      {"mobilenet_v3_large", 5483032, 312},  {"efficientnet_b0", 5288548, 360},
      {"efficientnet_b1", 7794184, 508},     {"efficientnet_b2", 9109994, 508},
      {"efficientnet_b3", 12233232, 574},    {"efficientnet_b4", 19341616, 706},
      {"efficientnet_b5", 30389784, 854},    {"efficientnet_b6", 43040704, 986},
      {"efficientnet_b7", 66347960, 1200},   {"efficientnet_v2_s", 21458488, 782},
      {"efficientnet_v2_m", 54139356, 1120}, {"efficientnet_v2_l", 118515272, 1548},
  }));
  INFO(name);
  torch::nn::AnyModule m = make_backbone(name, backbone_info(name).default_options, 1000);
  CHECK(count_parameters(*m.ptr()) == parameters);
  CHECK(named_state(*m.ptr()).size() == entries);
}

TEST_CASE("torchvision backbones name their tensors as torchvision does", "[models]") {
  auto shapes = [](const std::string& name) {
    torch::nn::AnyModule m = make_backbone(name, backbone_info(name).default_options, 10);
    std::map<std::string, std::vector<int64_t>> out;
    for (const auto& [key, t] : named_state(*m.ptr())) out[key] = t.sizes().vec();
    return out;
  };
  using Shape = std::vector<int64_t>;
  const auto r50 = shapes("resnet50");
  CHECK(r50.at("conv1.weight") == Shape{64, 3, 7, 7});
  CHECK(r50.at("layer1.0.downsample.0.weight") == Shape{256, 64, 1, 1});
  CHECK(r50.at("layer1.0.downsample.1.running_var") == Shape{256});
  CHECK(r50.at("layer2.0.conv2.weight") == Shape{128, 128, 3, 3});  // v1.5: stride on the 3x3
  CHECK(r50.at("layer4.2.bn3.num_batches_tracked") == Shape{});
  CHECK(r50.at("fc.weight") == Shape{10, 2048});
  CHECK(r50.count("layer1.1.downsample.0.weight") == 0);
  const auto r18 = shapes("resnet18");
  CHECK(r18.count("layer1.0.downsample.0.weight") == 0);  // 64 -> 64, stride 1: no projection
  CHECK(r18.at("layer2.0.downsample.0.weight") == Shape{128, 64, 1, 1});
  CHECK(r18.at("fc.bias") == Shape{10});
  const auto v11 = shapes("vgg11_bn");
  CHECK(v11.at("features.0.bias") == Shape{64});
  CHECK(v11.at("features.1.running_mean") == Shape{64});
  CHECK(v11.at("features.4.weight") == Shape{128, 64, 3, 3});  // conv, BN, ReLU, pool, conv
  CHECK(v11.at("classifier.0.weight") == Shape{4096, 512 * 7 * 7});
  CHECK(v11.at("classifier.3.weight") == Shape{4096, 4096});
  CHECK(v11.at("classifier.6.weight") == Shape{10, 4096});
  CHECK(shapes("vgg16").at("features.28.weight") == Shape{512, 512, 3, 3});
}

TEST_CASE("torchvision backbones are initialised as torchvision does", "[models]") {
  torch::manual_seed(0);
  ResNet r(resnet_arch(50), 3, 10);
  const auto state = named_state(*r);
  std::map<std::string, torch::Tensor> s(state.begin(), state.end());
  // kaiming_normal fan_out relu: std sqrt(2 / (out * k * k)); 64*7*7 = 3136.
  CHECK(s.at("conv1.weight").std().item<double>() == Approx(std::sqrt(2.0 / 3136)).epsilon(0.05));
  CHECK(s.at("layer1.0.bn3.weight").eq(1).all().item<bool>());
  CHECK(s.at("layer1.0.bn3.bias").eq(0).all().item<bool>());
  // Linear keeps PyTorch's default: uniform in +-1/sqrt(fan_in).
  CHECK(s.at("fc.weight").abs().max().item<double>() <= 1 / std::sqrt(2048.0));
  ResNet zero(resnet_arch(18), 3, 10, ResNetOptions().zero_init_residual(true));
  const auto zs = named_state(*zero);
  std::map<std::string, torch::Tensor> z(zs.begin(), zs.end());
  CHECK(z.at("layer3.1.bn2.weight").eq(0).all().item<bool>());
  CHECK(z.at("layer3.1.bn1.weight").eq(1).all().item<bool>());

  Vgg v(vgg_config(11), false, 3, 10, VggOptions().dropout(0.2));
  const auto vs = named_state(*v);
  std::map<std::string, torch::Tensor> w(vs.begin(), vs.end());
  CHECK(w.at("features.0.bias").eq(0).all().item<bool>());
  CHECK(w.at("classifier.3.weight").std().item<double>() == Approx(0.01).epsilon(0.01));
  CHECK(w.at("classifier.6.bias").eq(0).all().item<bool>());
  CHECK(v->named_modules()["classifier.2"]->as<torch::nn::Dropout>()->options.p() == 0.2);
}

TEST_CASE("MobileNet width multipliers round channels as torchvision does", "[models]") {
  // torchvision 0.14: mobilenet_v2(width_mult=0.5) and mobilenet_v3_large(width_mult=0.75) with
  // num_classes=10, sum(p.numel() for p in m.parameters()).
  CHECK(count_parameters(*MobileNetV2(3, 10, MobileNetOptions().width_mult(0.5))) == 700490);
  CHECK(count_parameters(*MobileNetV3(mobilenet_v3_config("large"), 3, 10,
                                      MobileNetOptions().width_mult(0.75))) == 2426186);
  CHECK_THROWS_WITH(mobilenet_v3_config("tiny"), Catch::Contains("no variant \"tiny\""));
  CHECK_THROWS_WITH(efficientnet_config("b8"), Catch::Contains("no variant \"b8\""));
}

TEST_CASE("EfficientNet variants carry torchvision's settings", "[models]") {
  auto [name, eps, momentum, dropout, input_size] =
      GENERATE(table<std::string, double, double, double, int64_t>({
          {"efficientnet_b0", 1e-5, 0.1, 0.2, 224},
          {"efficientnet_b4", 1e-5, 0.1, 0.4, 380},
          {"efficientnet_b5", 1e-3, 0.01, 0.4, 456},
          {"efficientnet_b7", 1e-3, 0.01, 0.5, 600},
          {"efficientnet_v2_s", 1e-3, 0.1, 0.2, 384},
          {"efficientnet_v2_l", 1e-3, 0.1, 0.4, 480},
          {"mobilenet_v3_small", 1e-3, 0.01, 0.2, 224},
          {"mobilenet_v2", 1e-5, 0.1, 0.2, 224},
      }));
  INFO(name);
  const BackboneInfo& info = backbone_info(name);
  CHECK(info.defaults.input_size == input_size);
  CHECK(info.defaults.classifier == "classifier");
  torch::nn::AnyModule m = make_backbone(name, info.default_options, 10);
  auto modules = m.ptr()->named_modules();
  const auto& bn = modules["features.0.1"]->as<torch::nn::BatchNorm2d>()->options;
  CHECK(bn.eps() == eps);
  CHECK(bn.momentum().value() == momentum);
  const std::string drop = name == "mobilenet_v3_small" ? "classifier.2" : "classifier.0";
  CHECK(modules[drop]->as<torch::nn::Dropout>()->options.p() == dropout);
}

TEST_CASE("EfficientNet's stochastic depth rises linearly and acts only in training", "[models]") {
  torch::manual_seed(0);
  EfficientNet net(efficientnet_config("b0"), 3, 10,
                   EfficientNetOptions().stochastic_depth_prob(0.4).drop_rate(0.3));
  auto modules = net->named_modules();
  auto p = [&](const std::string& block) {
    return modules[block + ".stochastic_depth"]->as<StochasticDepth>()->p();
  };
  // B0 has 16 blocks; block i drops with 0.4 * i / 16.
  CHECK(p("features.1.0") == 0.0);
  CHECK(p("features.2.1") == Approx(0.4 * 2 / 16));
  CHECK(p("features.7.0") == Approx(0.4 * 15 / 16));
  CHECK(modules["classifier.0"]->as<torch::nn::Dropout>()->options.p() == 0.3);
  // Linear: uniform in +-1/sqrt(out_features), as torchvision's EfficientNet init.
  CHECK(net->named_parameters()["classifier.1.weight"].abs().max().item<double>() <=
        1 / std::sqrt(10.0));

  StochasticDepth sd(0.25);
  const torch::Tensor x = torch::ones({4000, 2, 3, 3});
  const torch::Tensor y = sd->forward(x);
  // "row" mode: each sample is all zero or all 1 / 0.75.
  const torch::Tensor per_row = y.flatten(1);
  CHECK(per_row.eq(per_row.select(1, 0).unsqueeze(1)).all().item<bool>());
  CHECK((y.eq(0) | (y - 1 / 0.75).abs().lt(1e-6)).all().item<bool>());
  CHECK(y.select(1, 0).eq(0).to(torch::kDouble).mean().item<double>() == Approx(0.25).margin(0.03));
  sd->eval();
  CHECK(torch::equal(sd->forward(x), x));
  // In eval mode the whole network is deterministic (no dropout, no stochastic depth).
  net->eval();
  const torch::Tensor in = torch::randn({2, 3, 64, 64});
  CHECK(torch::equal(net->forward(in), net->forward(in)));
}

TEST_CASE("unknown depths are refused", "[models]") {
  CHECK_THROWS_WITH(resnet_arch(20), Catch::Contains("resnet: no depth 20"));
  CHECK_THROWS_WITH(vgg_config(12), Catch::Contains("vgg: no depth 12"));
}

TEST_CASE("load_state_dict copies by name and reports what does not fit", "[models]") {
  auto make = [] { return ResNet(resnet_arch(18), 3, 4); };
  torch::manual_seed(1);
  ResNet source = make();
  torch::manual_seed(2);
  ResNet target = make();
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& [k, t] : named_state(*source)) tensors[k] = t.clone();
  tensors["layer1.0.bn1.running_mean"].fill_(0.25);

  SECTION("everything matches: every tensor is copied") {
    const StateDictReport report = load_state_dict(*target, tensors);
    CHECK(report.ok());
    bool all_equal = true;
    for (const auto& [k, t] : named_state(*target)) all_equal = all_equal && torch::equal(t, tensors.at(k));
    CHECK(all_equal);
    CHECK(named_state(*target).size() == tensors.size());
  }
  SECTION("missing and unexpected names throw when strict and are reported when not") {
    tensors.erase("fc.bias");
    tensors["fc.extra"] = torch::zeros({1});
    const torch::Tensor before = target->named_parameters()["conv1.weight"].clone();
    CHECK_THROWS_WITH(load_state_dict(*target, tensors),
                      Catch::Contains("missing: fc.bias") && Catch::Contains("unexpected: fc.extra"));
    CHECK(torch::equal(target->named_parameters()["conv1.weight"], before));  // nothing copied
    const StateDictReport report = load_state_dict(*target, tensors, /*strict=*/false);
    CHECK(report.missing == std::vector<std::string>{"fc.bias"});
    CHECK(report.unexpected == std::vector<std::string>{"fc.extra"});
    CHECK(torch::equal(target->named_parameters()["conv1.weight"], tensors.at("conv1.weight")));
  }
  SECTION("a shape mismatch throws even when not strict") {
    tensors["fc.weight"] = torch::zeros({5, 512});
    CHECK_THROWS_WITH(load_state_dict(*target, tensors, /*strict=*/false),
                      Catch::Contains("shape mismatch: fc.weight: module [4, 512] vs tensor [5, 512]"));
  }
}

TEST_CASE("simple_cnn has the parameters its options describe", "[models]") {
  // conv 3->4 3x3 without bias (BN follows): 108; BN: 8; linear 4->2: 10.
  SimpleCnn net(3, 2, SimpleCnnOptions().channels({4}).convs_per_block(1).hidden(0).dropout(0));
  CHECK(count_parameters(*net) == 126);
  // Without BN the conv keeps its bias; a hidden layer of 5 adds 4*5+5 and 5*2+2 replaces 10.
  SimpleCnn plain(1, 2, SimpleCnnOptions().channels({4}).convs_per_block(1).batch_norm(false).hidden(5));
  CHECK(count_parameters(*plain) == 1 * 4 * 9 + 4 + 4 * 5 + 5 + 5 * 2 + 2);
}

TEST_CASE("simple_cnn accepts any input side and rejects a wrong channel count", "[models]") {
  SimpleCnn net(3, 10, SimpleCnnOptions().channels({8, 16}));
  net->eval();
  CHECK(net->forward(torch::zeros({1, 3, 28, 28})).sizes() == torch::IntArrayRef({1, 10}));
  CHECK(net->forward(torch::zeros({1, 3, 96, 96})).sizes() == torch::IntArrayRef({1, 10}));
  CHECK_THROWS_WITH(net->forward(torch::zeros({1, 1, 28, 28})),
                    Catch::Contains("expected (N, 3, H, W) input"));
}

TEST_CASE("the same seed gives the same initial weights", "[models]") {
  auto weights = [](uint64_t seed) {
    torch::manual_seed(seed);
    torch::nn::AnyModule m = make_backbone("simple_cnn", SimpleCnnOptions(), 10);
    std::vector<torch::Tensor> out;
    for (const auto& p : m.ptr()->parameters()) out.push_back(p.clone());
    return out;
  };
  const auto a = weights(1), b = weights(1), c = weights(2);
  REQUIRE(a.size() == b.size());
  bool all_equal = true, any_differs = false;
  for (size_t i = 0; i < a.size(); ++i) {
    all_equal = all_equal && torch::equal(a[i], b[i]);
    any_differs = any_differs || !torch::equal(a[i], c[i]);
  }
  CHECK(all_equal);
  CHECK(any_differs);
}

TEST_CASE("unknown backbones are refused with the known names", "[models]") {
  CHECK_THROWS_WITH(make_backbone("resnet9000", SimpleCnnOptions(), 10),
                    Catch::Contains("unknown backbone \"resnet9000\"") && Catch::Contains("simple_cnn"));
}

}  // namespace
}  // namespace gauntlet
