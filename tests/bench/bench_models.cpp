// Model compute per registered backbone, on tensors already in memory (no data pipeline):
//   "forward/<name>":  eval mode under InferenceMode, as evaluation runs it;
//   "train/<name>":    train mode, forward + cross-entropy + backward + SGD step, as training does;
//   "forward_cl/<name>", "train_cl/<name>": the same with the model and input in channels-last
//                      memory format, as `gauntlet run --channels-last` places them (oneDNN's NHWC);
// and "matmul/<n>": float32 n x n matrix products, the machine's measured FLOP/s that model FLOP
// utilisation is reported against (BENCHMARKS.md). items_per_second is images/s (matmul: FLOP/s).
//
// Environment (all optional):
//   GAUNTLET_BENCH_SIDE     input side (default 96)
//   GAUNTLET_BENCH_BATCH    batch size (default 64)
//   GAUNTLET_BENCH_MODELS   comma-separated backbone names (default: every registered backbone)
//   GAUNTLET_BENCH_THREADS  LibTorch intra-op threads (default: as LibTorch chooses, the cores)
// ctest runs simple_cnn and resnet18 at batch 2 for a moment, so the program never rots.
//
// By hand: build/tests/bench/bench_models --benchmark_filter='train/' --benchmark_min_time=5
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "harness/compute.hpp"
#include "models/registry.hpp"

namespace gauntlet {
namespace {

constexpr int64_t kNumClasses = 10;

int64_t env_int(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoll(v) : fallback;
}

std::vector<std::string> selected_models() {
  std::vector<std::string> names;
  const char* v = std::getenv("GAUNTLET_BENCH_MODELS");
  if (v == nullptr || *v == '\0') {
    for (const auto& info : backbone_infos()) names.push_back(info.name);
    return names;
  }
  std::stringstream list(v);
  for (std::string name; std::getline(list, name, ',');) {
    if (!name.empty()) names.push_back(backbone_info(name).name);  // throws for an unknown name
  }
  return names;
}

struct Workload {
  torch::nn::AnyModule model;
  torch::Tensor input, labels;
};

Workload make_workload(const std::string& name, bool channels_last) {
  torch::manual_seed(0);
  const BackboneInfo& info = backbone_info(name);
  const int64_t side = env_int("GAUNTLET_BENCH_SIDE", 96);
  const int64_t batch = env_int("GAUNTLET_BENCH_BATCH", 64);
  const ComputeOptions compute = make_compute_options("cpu", "fp32", channels_last);
  Workload w{make_backbone(name, info.default_options, kNumClasses),
             place_input(torch::randn({batch, info.defaults.in_channels, side, side}), compute),
             torch::randint(kNumClasses, {batch}, torch::kLong)};
  place_module(*w.model.ptr(), compute);
  return w;
}

void check_logits(benchmark::State& state, const torch::Tensor& y, int64_t batch) {
  if (y.dim() != 2 || y.size(0) != batch || y.size(1) != kNumClasses ||
      !torch::isfinite(y).all().item<bool>()) {
    state.SkipWithError("logits are not a finite (batch, classes) tensor");
  }
}

void BM_Forward(benchmark::State& state, const std::string& name, bool channels_last) {
  Workload w = make_workload(name, channels_last);
  w.model.ptr()->eval();
  torch::InferenceMode guard;
  torch::Tensor y = w.model.forward(w.input);  // warm-up: oneDNN picks its kernels here
  for (auto _ : state) {
    y = w.model.forward(w.input);
    benchmark::DoNotOptimize(y.data_ptr());
  }
  check_logits(state, y, w.input.size(0));
  state.SetItemsProcessed(state.iterations() * w.input.size(0));
}

void BM_Train(benchmark::State& state, const std::string& name, bool channels_last) {
  Workload w = make_workload(name, channels_last);
  w.model.ptr()->train();
  torch::optim::SGD sgd(w.model.ptr()->parameters(), torch::optim::SGDOptions(1e-3).momentum(0.9));
  auto step = [&] {
    sgd.zero_grad();
    torch::Tensor y = w.model.forward(w.input);
    torch::nn::functional::cross_entropy(y, w.labels).backward();
    sgd.step();
    return y;
  };
  torch::Tensor y = step();  // warm-up
  for (auto _ : state) {
    y = step();
    benchmark::DoNotOptimize(y.data_ptr());
  }
  check_logits(state, y.detach(), w.input.size(0));
  state.SetItemsProcessed(state.iterations() * w.input.size(0));
}

// items_per_second = FLOP/s (2 n^3 per product).
void BM_Matmul(benchmark::State& state) {
  const int64_t n = state.range(0);
  torch::manual_seed(0);
  const torch::Tensor a = torch::randn({n, n}), b = torch::randn({n, n});
  torch::Tensor c = torch::mm(a, b);
  for (auto _ : state) {
    torch::mm_out(c, a, b);
    benchmark::DoNotOptimize(c.data_ptr());
  }
  // Sanity: one entry against its dot product in double.
  const double ref = (a[0].to(torch::kDouble) * b.select(1, 0).to(torch::kDouble)).sum().item<double>();
  if (std::abs(c[0][0].item<double>() - ref) > 1e-2) {
    state.SkipWithError("matmul result is wrong");
  }
  state.SetItemsProcessed(state.iterations() * 2 * n * n * n);
}

}  // namespace
}  // namespace gauntlet

int main(int argc, char** argv) {
  using namespace gauntlet;
  const int64_t threads = env_int("GAUNTLET_BENCH_THREADS", 0);
  if (threads > 0) torch::set_num_threads(static_cast<int>(threads));
  benchmark::RegisterBenchmark("matmul", BM_Matmul)->Arg(256)->Arg(1024)->UseRealTime();
  for (const std::string& name : selected_models()) {
    for (const bool cl : {false, true}) {
      const std::string suffix = std::string(cl ? "_cl/" : "/") + name;
      benchmark::RegisterBenchmark(("forward" + suffix).c_str(), BM_Forward, name, cl)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("train" + suffix).c_str(), BM_Train, name, cl)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  benchmark::AddCustomContext("torch_threads", std::to_string(torch::get_num_threads()));
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
