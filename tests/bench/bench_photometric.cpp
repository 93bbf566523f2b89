// Photometric transforms on 96x96 uint8 images (1 and 3 channels), one benchmark per op with p = 1
// and its default magnitudes, through a one-op Pipeline as training applies it.
#include <benchmark/benchmark.h>

#include "tests/bench/bench_util.hpp"

namespace gauntlet {
namespace {

using bench::BM_DefaultOp;

#define PHOTOMETRIC_BENCHMARK(Options) \
  BENCHMARK_TEMPLATE(BM_DefaultOp, Options)->ArgsProduct({{96}, {1, 3}})->Unit(benchmark::kMicrosecond)

PHOTOMETRIC_BENCHMARK(BrightnessOptions);
PHOTOMETRIC_BENCHMARK(ContrastOptions);
PHOTOMETRIC_BENCHMARK(SaturationOptions);
PHOTOMETRIC_BENCHMARK(HueOptions);
PHOTOMETRIC_BENCHMARK(ColorJitterOptions);
PHOTOMETRIC_BENCHMARK(GammaOptions);
PHOTOMETRIC_BENCHMARK(GrayscaleOptions);
PHOTOMETRIC_BENCHMARK(ChannelShuffleOptions);
PHOTOMETRIC_BENCHMARK(EqualizeOptions);
PHOTOMETRIC_BENCHMARK(AutocontrastOptions);
PHOTOMETRIC_BENCHMARK(PosterizeOptions);
PHOTOMETRIC_BENCHMARK(SolarizeOptions);
PHOTOMETRIC_BENCHMARK(InvertOptions);
PHOTOMETRIC_BENCHMARK(SharpnessOptions);
PHOTOMETRIC_BENCHMARK(GaussianBlurOptions);
PHOTOMETRIC_BENCHMARK(GaussianNoiseOptions);
PHOTOMETRIC_BENCHMARK(JpegOptions);

}  // namespace
}  // namespace gauntlet

BENCHMARK_MAIN();
