// Device and precision (harness/compute): the option checks, autocast switching LibTorch's CPU ops
// to bf16 only inside its scope, the fp16 loss scaler's unscale / skip / back-off / growth rule,
// channels-last placement, and a bf16 training run on the CPU. (CUDA, fp16 and pinned memory need
// a GPU, which CI does not have; see docs/training.md.)
#include <catch2/catch.hpp>

#include <limits>

#include "harness/compute.hpp"
#include "harness/trainer.hpp"
#include "models/registry.hpp"

namespace gauntlet {
namespace {

TEST_CASE("compute options: names, and what this machine cannot do", "[compute]") {
  CHECK(precision_from_name("bf16") == Precision::kBFloat16);
  CHECK(std::string(precision_name(Precision::kFloat16)) == "fp16");
  CHECK_THROWS_WITH(precision_from_name("fp8"), Catch::Contains("expected fp32, bf16 or fp16"));
  const ComputeOptions cpu = make_compute_options("cpu", "bf16", true);
  CHECK(cpu.device.is_cpu());
  CHECK(cpu.channels_last);
  CHECK_THROWS_WITH(make_compute_options("cpu", "fp16", false), Catch::Contains("fp16 needs --device cuda"));
  CHECK_THROWS_WITH(make_compute_options("tpu", "fp32", false), Catch::Contains("expected cpu, cuda or auto"));
  if (!torch::cuda::is_available()) {
    CHECK(make_compute_options("auto", "fp32", false).device.is_cpu());
    CHECK_THROWS_WITH(make_compute_options("cuda", "fp32", false), Catch::Contains("no CUDA device"));
  }
}

TEST_CASE("autocast runs matmul in bf16 inside its scope only", "[compute]") {
  const torch::Tensor a = torch::randn({4, 4}), b = torch::randn({4, 4});
  ComputeOptions c;
  {
    AutocastScope off(c);  // fp32: no autocast
    CHECK(torch::mm(a, b).scalar_type() == torch::kFloat32);
  }
  c.precision = Precision::kBFloat16;
  {
    AutocastScope on(c);
    CHECK(torch::mm(a, b).scalar_type() == torch::kBFloat16);
  }
  CHECK(torch::mm(a, b).scalar_type() == torch::kFloat32);
  {
    AutocastScope outer(c);
    {
      AutocastScope inner(c);
      CHECK(torch::mm(a, b).scalar_type() == torch::kBFloat16);
    }
    CHECK(torch::mm(a, b).scalar_type() == torch::kBFloat16);  // the inner scope restored the outer's
  }
  CHECK(torch::mm(a, b).scalar_type() == torch::kFloat32);
}

TEST_CASE("the loss scaler unscales, skips overflowing steps, backs off and grows", "[compute]") {
  LossScaler off(false);
  const torch::Tensor loss = torch::tensor(2.0);
  CHECK(off.scale(loss).item<double>() == 2.0);
  LossScaler s(true, 1024.0, 3);
  CHECK(s.scale(loss).item<double>() == 2048.0);
  torch::Tensor p = torch::zeros({3}, torch::requires_grad());
  p.mutable_grad() = torch::tensor({1024.0, 2048.0, -512.0});
  CHECK(s.unscale({p}));
  CHECK(torch::equal(p.grad(), torch::tensor({1.0, 2.0, -0.5})));
  p.mutable_grad() = torch::tensor({1.0, std::numeric_limits<double>::infinity(), 0.0}).to(torch::kFloat32);
  CHECK_FALSE(s.unscale({p}));
  s.update(false);
  CHECK(s.state().scale == 512.0);
  CHECK(s.state().good_steps == 0);
  s.update(true);
  s.update(true);
  CHECK(s.state().scale == 512.0);
  s.update(true);  // the third finite step in a row doubles it
  CHECK(s.state().scale == 1024.0);
  CHECK(s.state().good_steps == 0);
}

TEST_CASE("channels-last placement keeps values and changes the layout", "[compute]") {
  torch::manual_seed(1);
  auto model = make_backbone("simple_cnn", SimpleCnnOptions().channels({4}).convs_per_block(1).hidden(0), 3);
  model.ptr()->eval();
  const torch::Tensor x = torch::randn({2, 3, 8, 8});
  const torch::Tensor before = model.forward(x);
  ComputeOptions c;
  c.channels_last = true;
  place_module(*model.ptr(), c);
  bool any_4d = false;
  for (const auto& p : model.ptr()->parameters()) {
    if (p.dim() == 4) {
      any_4d = true;
      CHECK(p.is_contiguous(torch::MemoryFormat::ChannelsLast));
    }
  }
  CHECK(any_4d);
  const torch::Tensor in = place_input(x, c);
  CHECK(in.is_contiguous(torch::MemoryFormat::ChannelsLast));
  CHECK(torch::allclose(model.forward(in), before, 1e-5, 1e-6));
}

TEST_CASE("bf16 autocast trains on the CPU to finite losses that differ from fp32's", "[compute]") {
  PreparedSet train;
  train.n = 48;
  train.side = 8;
  train.channels = 3;
  Rng rng{2};
  for (int64_t i = 0; i < train.n; ++i) {
    train.labels.push_back(i % 3);
    for (size_t b = 0; b < train.image_bytes(); ++b) {
      train.images.push_back(static_cast<uint8_t>(50 * (i % 3) + rng.below(80)));
    }
  }
  auto run = [&](Precision p) {
    torch::manual_seed(5);
    auto model = make_backbone("simple_cnn", SimpleCnnOptions().channels({4}).convs_per_block(1).hidden(0), 3);
    TrainSetup s;
    PhaseSetup ph;
    ph.epochs = 2;
    ph.optimizer.options = default_optimizer_options("adam");
    s.phases = {ph};
    s.batch_size = 16;
    s.num_classes = 3;
    s.compute.precision = p;
    Progress quiet(stderr, false);
    return train_model(model, nullptr, train, train, s, quiet).history;
  };
  const auto fp32 = run(Precision::kFloat32);
  const auto bf16 = run(Precision::kBFloat16);
  REQUIRE(bf16.size() == 2);
  CHECK(std::isfinite(bf16[1].train_loss));
  CHECK(bf16[1].train_loss != fp32[1].train_loss);
  CHECK(bf16[1].train_loss == Approx(fp32[1].train_loss).epsilon(0.05));
}

}  // namespace
}  // namespace gauntlet
