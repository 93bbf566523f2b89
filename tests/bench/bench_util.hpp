// What the per-op benchmark programs share: a deterministic noise image, and timing one transform
// through a one-op Pipeline as training applies it (a new sample index each iteration, so ops
// that draw a different plan per sample are measured across plans).
#pragma once

#include <benchmark/benchmark.h>

#include "augmentations/transform.hpp"

namespace gauntlet::bench {

inline cv::Mat random_image(int side, int channels) {
  cv::Mat img(side, side, channels == 3 ? CV_8UC3 : CV_8UC1);
  Rng rng{7};
  for (size_t i = 0; i < img.total() * img.channels(); ++i) {
    img.data[i] = static_cast<uint8_t>(rng.below(256));
  }
  return img;
}

/// state.range(0): side, state.range(1): channels.
inline void run_transform(benchmark::State& state, const TransformOptions& options) {
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
}

/// One op with its default options and p = 1, labelled with its name.
template <typename Options>
void BM_DefaultOp(benchmark::State& state) {
  Options options;
  options.p = 1.0;
  run_transform(state, options);
  state.SetLabel(Options::kName);
}

}  // namespace gauntlet::bench
