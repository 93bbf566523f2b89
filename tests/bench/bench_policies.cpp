// Augmentation policies (RandAugment, TrivialAugmentWide, AugMix) on 96x96 uint8 images (1 and 3
// channels) with their default options and p = 1, through a one-op Pipeline as training applies it.
#include <benchmark/benchmark.h>

#include "tests/bench/bench_util.hpp"

namespace gauntlet {
namespace {

using bench::BM_DefaultOp;

#define POLICY_BENCHMARK(Options) \
  BENCHMARK_TEMPLATE(BM_DefaultOp, Options)->ArgsProduct({{96}, {1, 3}})->Unit(benchmark::kMicrosecond)

POLICY_BENCHMARK(RandAugmentOptions);
POLICY_BENCHMARK(TrivialAugmentOptions);
POLICY_BENCHMARK(AugMixOptions);

}  // namespace
}  // namespace gauntlet

BENCHMARK_MAIN();
