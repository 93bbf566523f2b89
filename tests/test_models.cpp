#include <catch2/catch.hpp>

#include "models/registry.hpp"
#include "models/simple_cnn.hpp"

namespace gauntlet {
namespace {

int64_t count_parameters(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

TEST_CASE("every registered backbone builds and runs one forward at its input size", "[models]") {
  for (const auto& info : backbone_infos()) {
    INFO(info.name);
    torch::manual_seed(0);
    torch::nn::AnyModule m = make_backbone(info.name, info.default_options, 7);
    m.ptr()->eval();
    const auto x = torch::randn({2, info.defaults.in_channels, info.defaults.input_size,
                                 info.defaults.input_size});
    const torch::Tensor y = m.forward(x);
    CHECK(y.sizes() == torch::IntArrayRef({2, 7}));
    CHECK(torch::isfinite(y).all().item<bool>());
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
