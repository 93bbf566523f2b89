// Geometric and masking transforms on 96x96x3 uint8 images (and 1 channel), one benchmark per op
// at a strong setting with p = 1.
#include <benchmark/benchmark.h>

#include "augmentations/transform.hpp"
#include "tests/bench/bench_util.hpp"

namespace gauntlet {
namespace {

using bench::random_image;
using bench::run_transform;

AffineOptions strong_affine() {
  AffineOptions o;
  o.degrees_min = -30;
  o.degrees_max = 30;
  o.shear_x_min = -10;
  o.shear_x_max = 10;
  o.fill = Fill::kReflect;
  return o;
}

RandomResizedCropOptions area_crop() {
  RandomResizedCropOptions o;
  o.interpolation = Interpolation::kArea;
  return o;
}

GridMaskOptions grid(double rotate) {
  GridMaskOptions o;
  o.p = 1.0;
  o.rotate = rotate;
  return o;
}

void BM_VFlip(benchmark::State& s) { run_transform(s, VFlipOptions{1.0}); }
void BM_Affine(benchmark::State& s) { run_transform(s, strong_affine()); }
void BM_Shear(benchmark::State& s) { run_transform(s, ShearOptions{}); }
void BM_Zoom(benchmark::State& s) { run_transform(s, ZoomOptions{}); }
void BM_Translate(benchmark::State& s) { run_transform(s, TranslateOptions{}); }
void BM_RandomResizedCrop(benchmark::State& s) { run_transform(s, RandomResizedCropOptions{}); }
void BM_RandomResizedCropArea(benchmark::State& s) { run_transform(s, area_crop()); }
void BM_CropPad(benchmark::State& s) { run_transform(s, CropPadOptions{}); }
void BM_SplitRotate(benchmark::State& s) { run_transform(s, SplitRotateOptions{}); }
void BM_GridMask(benchmark::State& s) { run_transform(s, grid(0.0)); }
void BM_GridMaskRotated(benchmark::State& s) { run_transform(s, grid(45.0)); }

BENCHMARK(BM_VFlip)->ArgsProduct({{96}, {1, 3}});
BENCHMARK(BM_Affine)->ArgsProduct({{96}, {1, 3}});
BENCHMARK(BM_Shear)->ArgsProduct({{96}, {1, 3}});
BENCHMARK(BM_Zoom)->ArgsProduct({{96}, {1, 3}});
BENCHMARK(BM_Translate)->ArgsProduct({{96}, {1, 3}});
BENCHMARK(BM_RandomResizedCrop)->ArgsProduct({{96}, {1, 3}});
BENCHMARK(BM_RandomResizedCropArea)->ArgsProduct({{96}, {1, 3}});
BENCHMARK(BM_CropPad)->ArgsProduct({{96}, {1, 3}});
BENCHMARK(BM_SplitRotate)->ArgsProduct({{96}, {1, 3}});
BENCHMARK(BM_GridMask)->ArgsProduct({{96}, {1, 3}});
BENCHMARK(BM_GridMaskRotated)->ArgsProduct({{96}, {1, 3}});

}  // namespace
}  // namespace gauntlet

BENCHMARK_MAIN();
