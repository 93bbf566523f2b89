// One training augmentation chain, built from JSON through pipeline_from_json as a suite file
// would give it, timed with Pipeline::apply over a set of 96 x 96 RGB uint8 images on one thread:
//   random_resized_crop (scale [0.5, 1], 96 x 96) -> hflip (p 0.5) -> rotate (15 degrees)
//   -> color_jitter (0.4, 0.4, 0.4, 0.1) -> gaussian_blur (kernel 5, sigma [0.1, 2.0])
// "chain" runs the whole chain; "op/<name>" runs each op alone on the same images, to see which
// one dominates. One iteration = one pass over all the images (after an untimed warm-up pass);
// items_per_second is images/s. Counters out_rows/out_cols/out_channels/out_u8 and
// mean_abs_change (mean |output - input| per pixel value, 0..255, from one extra untimed pass)
// let tests/bench/compare/augment_chain.py check that the output is sane.
//
// Images: the .npz named by GAUNTLET_CHAIN_NPZ (member "images", uint8 [N, 96, 96, 3], as
// augment_chain.py writes it); when unset, GAUNTLET_BENCH_IMAGES (default 2000; ctest uses 8)
// synthetic tinted images are generated here, so no file is needed.
//
// Run by hand (the comparison with torchvision 0.14 is augment_chain.py's "drive" mode):
//   cmake --build build-b1 -j1 --target bench_chain
//   GAUNTLET_CHAIN_NPZ=/tmp/chain_images.npz build-b1/tests/bench/bench_chain --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "augmentations/transform.hpp"
#include "harness/config.hpp"
#include "harness/core/npy.hpp"
#include "tests/bench/chain.hpp"

namespace gauntlet {
namespace {

constexpr int kSide = 96;
constexpr size_t kImageBytes = static_cast<size_t>(kSide) * kSide * 3;

using bench::kChainJson;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

// Smooth synthetic scenes (a blob on a gradient) with a per-image colour tint.
std::vector<uint8_t> synthetic_images(int n) {
  std::vector<uint8_t> all(static_cast<size_t>(n) * kImageBytes);
  for (int i = 0; i < n; ++i) {
    const double cx = 30 + (i * 17) % 36, cy = 30 + (i * 29) % 36, r = 18 + (i * 7) % 14;
    const double tint[3] = {0.9 + 0.1 * (i % 3), 0.8, 1.0 - 0.1 * (i % 2)};
    uint8_t* img = all.data() + static_cast<size_t>(i) * kImageBytes;
    for (int y = 0; y < kSide; ++y) {
      for (int x = 0; x < kSide; ++x) {
        const double d = std::hypot(x - cx, y - cy);
        const double v = (d < r ? 200.0 - 2.0 * d : 0.0) + 0.4 * (x + y) * ((i % 4) + 1) / 4.0;
        for (int c = 0; c < 3; ++c) {
          img[(y * kSide + x) * 3 + c] = cv::saturate_cast<uint8_t>(v * tint[c]);
        }
      }
    }
  }
  return all;
}

const std::vector<uint8_t>& images() {
  static const std::vector<uint8_t> out = [] {
    const char* path = std::getenv("GAUNTLET_CHAIN_NPZ");
    if (path == nullptr || *path == '\0') return synthetic_images(env_int("GAUNTLET_BENCH_IMAGES", 2000));
    const auto arrays = read_npz(path);
    const Array& a = arrays.at("images");
    if (a.dtype != "u1" || a.shape.size() != 4 || a.shape[1] != kSide || a.shape[2] != kSide ||
        a.shape[3] != 3) {
      throw std::runtime_error(std::string(path) + ": expected images uint8 [N, 96, 96, 3]");
    }
    return a.data;
  }();
  return out;
}

int count() { return static_cast<int>(images().size() / kImageBytes); }

cv::Mat image(int i) {
  return cv::Mat(kSide, kSide, CV_8UC3, const_cast<uint8_t*>(images().data()) + static_cast<size_t>(i) * kImageBytes);
}

void run_pipeline(benchmark::State& state, const Pipeline& pipeline) {
  const int n = count();
  cv::Mat dst;
  for (int i = 0; i < n; ++i) pipeline.apply(image(i), dst, 1, 1000, i);  // warm-up pass
  uint64_t epoch = 0;
  for (auto _ : state) {
    for (int i = 0; i < n; ++i) {
      pipeline.apply(image(i), dst, 1, epoch, i);
      benchmark::DoNotOptimize(dst.data);
    }
    ++epoch;
  }
  state.SetItemsProcessed(state.iterations() * n);

  // Sanity, untimed: output geometry and the mean change per pixel value over one pass.
  double change = 0;
  for (int i = 0; i < n; ++i) {
    const cv::Mat src = image(i);
    pipeline.apply(src, dst, 1, 0, i);
    if (dst.size() != src.size() || dst.type() != src.type()) {
      state.SkipWithError("output shape or type differs from the input");
      return;
    }
    change += cv::norm(src, dst, cv::NORM_L1);
  }
  state.counters["out_rows"] = dst.rows;
  state.counters["out_cols"] = dst.cols;
  state.counters["out_channels"] = dst.channels();
  state.counters["out_u8"] = dst.depth() == CV_8U ? 1 : 0;
  state.counters["mean_abs_change"] = change / (static_cast<double>(n) * kImageBytes);
}

void BM_Chain(benchmark::State& state) {
  const Pipeline pipeline(pipeline_from_json(nlohmann::json::parse(kChainJson)));
  run_pipeline(state, pipeline);
}

void BM_Op(benchmark::State& state, int k) {
  const auto ops = pipeline_from_json(nlohmann::json::parse(kChainJson));
  const Pipeline pipeline({ops.at(static_cast<size_t>(k))});
  run_pipeline(state, pipeline);
}

}  // namespace
}  // namespace gauntlet

int main(int argc, char** argv) {
  using namespace gauntlet;
  benchmark::RegisterBenchmark("chain", BM_Chain)->Unit(benchmark::kMillisecond)->UseRealTime();
  const auto chain = nlohmann::json::parse(kChainJson);
  for (size_t k = 0; k < chain.size(); ++k) {
    benchmark::RegisterBenchmark(("op/" + chain[k].at("op").get<std::string>()).c_str(), BM_Op,
                                 static_cast<int>(k))
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
