// Augmentation policies (RandAugment, TrivialAugmentWide, AugMix) on 96x96 uint8 images (1 and 3
// channels) with their default options and p = 1, through a one-op Pipeline as training applies it.
#include <benchmark/benchmark.h>

#include "augmentations/transform.hpp"

namespace gauntlet {
namespace {

cv::Mat random_image(int side, int channels) {
  cv::Mat img(side, side, channels == 3 ? CV_8UC3 : CV_8UC1);
  Rng rng{7};
  for (size_t i = 0; i < img.total() * img.channels(); ++i) img.data[i] = static_cast<uint8_t>(rng.below(256));
  return img;
}

template <typename Options>
void BM_Policy(benchmark::State& state) {
  Options options;
  options.p = 1.0;
  const cv::Mat src = random_image(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const Pipeline pipeline({options});
  cv::Mat dst;
  uint64_t sample = 0;
  for (auto _ : state) {
    pipeline.apply(src, dst, 1, 0, sample++);  // a new sample each time: the ops drawn vary
    benchmark::DoNotOptimize(dst.data);
  }
  if (dst.size() != src.size() || dst.type() != src.type()) state.SkipWithError("shape changed");
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(Options::kName);
}

#define POLICY_BENCHMARK(Options) \
  BENCHMARK_TEMPLATE(BM_Policy, Options)->ArgsProduct({{96}, {1, 3}})->Unit(benchmark::kMicrosecond)

POLICY_BENCHMARK(RandAugmentOptions);
POLICY_BENCHMARK(TrivialAugmentOptions);
POLICY_BENCHMARK(AugMixOptions);

}  // namespace
}  // namespace gauntlet

BENCHMARK_MAIN();
