// Per-image transforms and corruptions on uint8 images (1 and 3 channels, 32 and 96 px).
#include <benchmark/benchmark.h>

#include "augmentations/corruption.hpp"
#include "augmentations/transform.hpp"
#include "tests/bench/bench_util.hpp"

namespace gauntlet {
namespace {

using bench::random_image;
using bench::run_transform;

void BM_HFlip(benchmark::State& state) { run_transform(state, HFlipOptions{1.0}); }
void BM_Rotate(benchmark::State& state) { run_transform(state, RotateOptions{1.0, 30.0, Fill::kReflect, 0}); }
BENCHMARK(BM_HFlip)->ArgsProduct({{32, 96}, {1, 3}});
BENCHMARK(BM_Rotate)->ArgsProduct({{32, 96}, {1, 3}});

// On noise, the worst case for K-means: it rarely settles, so all `iterations` run.
void BM_ForegroundMask(benchmark::State& state, int clusters) {
  ForegroundMaskOptions o;
  o.clusters = clusters;
  run_transform(state, o);
}
BENCHMARK_CAPTURE(BM_ForegroundMask, k2, 2)->ArgsProduct({{32, 96}, {1, 3}});
BENCHMARK_CAPTURE(BM_ForegroundMask, k8, 8)->ArgsProduct({{96}, {1, 3}});

void BM_Corruption(benchmark::State& state, const char* name) {
  const cv::Mat src = random_image(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const SizeTable table = size_table_for(src.rows, src.cols);
  cv::Mat dst;
  uint64_t i = 0;
  for (auto _ : state) {
    Rng rng{3, i++};
    apply_corruption(name, 3, src, dst, table, rng);
    benchmark::DoNotOptimize(dst.data);
  }
  if (dst.size() != src.size() || dst.type() != src.type()) state.SkipWithError("shape changed");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_Corruption, gaussian_noise, "gaussian_noise")->ArgsProduct({{32, 96}, {1, 3}});
BENCHMARK_CAPTURE(BM_Corruption, contrast, "contrast")->ArgsProduct({{32, 96}, {1, 3}});

}  // namespace
}  // namespace gauntlet

BENCHMARK_MAIN();
