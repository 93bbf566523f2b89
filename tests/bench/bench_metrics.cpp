// Metric computation (harness/metrics.cpp) on N predictions of K classes.
#include <benchmark/benchmark.h>

#include "harness/core/rng.hpp"
#include "harness/metrics.hpp"

namespace gauntlet {
namespace {

void BM_ComputeMetrics(benchmark::State& state) {
  const int64_t n = state.range(0), k = state.range(1);
  std::vector<int64_t> labels(n), preds(n);
  Rng rng{1};
  for (int64_t i = 0; i < n; ++i) {
    labels[i] = static_cast<int64_t>(rng.below(k));
    preds[i] = rng.bernoulli(0.8) ? labels[i] : static_cast<int64_t>(rng.below(k));
  }
  for (auto _ : state) {
    const Metrics m = compute_metrics(labels, preds, k);
    benchmark::DoNotOptimize(m.accuracy);
  }
  // Sanity: about 80% + 20%/k of the predictions are right.
  const double acc = compute_metrics(labels, preds, k).accuracy;
  if (acc < 0.75 || acc > 0.9) state.SkipWithError("unexpected accuracy");
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ComputeMetrics)->ArgsProduct({{10'000, 1'000'000}, {8, 100}})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gauntlet

BENCHMARK_MAIN();
