// Saliency, Grad-CAM and feature PCA (harness/explain): against closed forms on a model small
// enough to differentiate by hand, and the PCA against an exactly known decomposition.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/explain.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

// logits = fc(mean_hw(conv1x1(x))): dscore_y/dA_k = fc.w[y, k] / (H W) at every position, so
// Grad-CAM is ReLU(sum_k fc.w[y, k] A_k) / (H W) (scaled) and the saliency is spatially constant.
struct PooledLinearImpl : torch::nn::Module {
  PooledLinearImpl() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 1).bias(false)));
    pool = register_module("pool", torch::nn::AdaptiveAvgPool2d(1));
    fc = register_module("fc", torch::nn::Linear(torch::nn::LinearOptions(4, 3).bias(false)));
  }
  torch::Tensor forward(torch::Tensor x) { return fc(pool(conv(x)).flatten(1)); }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::AdaptiveAvgPool2d pool{nullptr};
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(PooledLinear);

// No pooling at all: saliency only.
struct FlatLinearImpl : torch::nn::Module {
  FlatLinearImpl() { fc = register_module("fc", torch::nn::Linear(3 * 5 * 5, 3)); }
  torch::Tensor forward(torch::Tensor x) { return fc(x.flatten(1)); }
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(FlatLinear);

TEST_CASE("explain: the first images of each class, class by class", "[explain]") {
  const std::vector<int64_t> labels{2, 0, 2, 1, 0, 2, 0};
  CHECK(pick_per_class(labels, 3, 2) == std::vector<int64_t>{1, 4, 3, 0, 2});
  CHECK(pick_per_class(labels, 3, 1) == std::vector<int64_t>{1, 3, 0});
  CHECK(pick_per_class(labels, 4, 5).size() == labels.size());  // class 3 has none
  CHECK(pick_per_class(labels, 3, 0).empty());
}

TEST_CASE("explain: saliency and Grad-CAM of a pooled linear model match their closed forms", "[explain]") {
  torch::manual_seed(3);
  PooledLinear net;
  torch::nn::AnyModule model(net);
  net->eval();
  const torch::Tensor x = torch::randn({2, 3, 6, 5});
  const torch::Tensor y = torch::tensor({2, 0}, torch::kLong);
  const Attribution a = attribute(model, x, y);
  REQUIRE(a.saliency.sizes() == torch::IntArrayRef{2, 6, 5});
  REQUIRE(a.grad_cam.defined());
  REQUIRE(a.grad_cam.sizes() == torch::IntArrayRef{2, 6, 5});
  // d score / d x[c] = sum_k fc[y, k] conv[k, c] / 30: the same at every pixel, so scaled saliency is 1.
  CHECK(torch::allclose(a.saliency, torch::ones({2, 6, 5})));
  torch::NoGradGuard no_grad;
  const torch::Tensor fmap = net->conv(x);  // (2, 4, 6, 5); same size as the input: no resampling
  for (int64_t i = 0; i < 2; ++i) {
    const torch::Tensor w = net->fc->weight[y[i].item<int64_t>()].view({4, 1, 1});
    torch::Tensor cam = torch::relu((w * fmap[i]).sum(0));
    cam = cam / cam.max().clamp_min(1e-12);
    CHECK(torch::allclose(a.grad_cam[i], cam, 1e-5, 1e-6));
  }
}

TEST_CASE("explain: a model without global pooling gets saliency and no Grad-CAM", "[explain]") {
  torch::manual_seed(4);
  FlatLinear net;
  torch::nn::AnyModule model(net);
  const torch::Tensor x = torch::randn({1, 3, 5, 5});
  const Attribution a = attribute(model, x, torch::tensor({1}, torch::kLong));
  CHECK_FALSE(a.grad_cam.defined());
  // d score_1 / d x = fc.weight[1]: the saliency is its max |.| over channels, scaled.
  const torch::Tensor g = net->fc->weight[1].detach().view({3, 5, 5}).abs();
  const torch::Tensor expected = std::get<0>(g.max(0)) / g.max();
  CHECK(torch::allclose(a.saliency[0], expected, 1e-6, 1e-7));
}

TEST_CASE("explain: PCA recovers a known decomposition with fixed signs", "[explain]") {
  // Uncorrelated zero-mean scores u, v along orthonormal directions d1, d2 (no variance along a third).
  const torch::Tensor u = torch::tensor({3.0, -3.0, 1.5, -1.5, 0.0, 0.0}, torch::kDouble);
  const torch::Tensor v = torch::tensor({0.0, 0.0, 1.0, 1.0, -1.0, -1.0}, torch::kDouble);  // u . v = 0
  const torch::Tensor d1 = torch::tensor({0.6, 0.8, 0.0}, torch::kDouble);
  const torch::Tensor d2 = torch::tensor({0.0, 0.0, -1.0}, torch::kDouble);
  const torch::Tensor f = torch::outer(u, d1) + torch::outer(v, d2) + 5.0;  // offset: centring matters
  const Pca2 p = pca2(f.to(torch::kFloat));
  const double su = (u * u).sum().item<double>(), sv = (v * v).sum().item<double>();
  CHECK(p.explained[0] == Approx(su / (su + sv)).epsilon(1e-6));
  CHECK(p.explained[1] == Approx(sv / (su + sv)).epsilon(1e-6));
  // Largest loading positive: d1's is +0.8 (kept), d2's is -1 (flipped).
  CHECK(torch::allclose(p.scores.select(1, 0), u, 1e-5, 1e-5));
  CHECK(torch::allclose(p.scores.select(1, 1), -v, 1e-5, 1e-5));
}

TEST_CASE("explain: explain_model writes the grid, the PCA and its summary", "[explain]") {
  torch::manual_seed(5);
  PooledLinear net;
  torch::nn::AnyModule model(net);
  PreparedSet test;
  test.n = 12;
  test.side = 8;
  test.channels = 3;
  test.images.resize(static_cast<size_t>(test.n) * test.image_bytes());
  for (size_t i = 0; i < test.images.size(); ++i) test.images[i] = static_cast<uint8_t>((i * 37) % 251);
  for (int64_t i = 0; i < test.n; ++i) test.labels.push_back(i % 3);
  testing::TempDir tmp;
  const nlohmann::json s = explain_model(model, test, Normalization{}, {"a", "b<", "c"}, tmp.path().string(),
                                         ExplainOptions{2, 10}, ComputeOptions{});
  CHECK(s.at("images") == nlohmann::json({0, 3, 1, 4, 2, 5}));
  CHECK(s.at("pca").at("images") == 10);
  CHECK(s.at("pca").at("features") == 4);
  CHECK(std::filesystem::file_size(tmp.path() / "explain" / "grid.png") > 100);
  std::ifstream csv(tmp.path() / "explain" / "pca.csv");
  std::string line;
  int lines = 0;
  while (std::getline(csv, line)) ++lines;
  CHECK(lines == 11);  // header + 10 images
  CHECK(nlohmann::json::parse(std::ifstream(tmp.path() / "explain" / "explain.json")) == s);
  CHECK(net->is_training());  // restored
}

}  // namespace
}  // namespace gauntlet
