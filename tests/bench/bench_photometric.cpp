// Photometric transforms on 96x96 uint8 images (1 and 3 channels), one benchmark per op with p = 1
// and its default magnitudes, through a one-op Pipeline as training applies it.
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
void BM_Photometric(benchmark::State& state) {
  Options options;
  options.p = 1.0;
  const cv::Mat src = random_image(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const Pipeline pipeline({options});
  cv::Mat dst;
  uint64_t sample = 0;
  for (auto _ : state) {
    pipeline.apply(src, dst, 1, 0, sample++);
    benchmark::DoNotOptimize(dst.data);
  }
  if (dst.size() != src.size() || dst.type() != src.type()) state.SkipWithError("shape changed");
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(Options::kName);
}

#define PHOTOMETRIC_BENCHMARK(Options) \
  BENCHMARK_TEMPLATE(BM_Photometric, Options)->ArgsProduct({{96}, {1, 3}})->Unit(benchmark::kMicrosecond)

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
