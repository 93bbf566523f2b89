// Generating perturbed hold-outs: every registered corruption at severities 1..5 over a set of
// 96 x 96 RGB images (Fashion-MNIST's 10,000 test images, enlarged and tinted so that colour ops
// have colour to work on), through corrupt_images as `gauntlet run` calls it, and reading one
// hold-out back from the cache. One iteration per benchmark: the numbers are whole hold-outs.
//   GAUNTLET_BENCH_IMAGES  images per hold-out (default 10000; ctest uses 8)
//   GAUNTLET_BENCH_THREADS threads for corrupt_images (default 2)
#include <benchmark/benchmark.h>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "augmentations/corruption.hpp"
#include "harness/core/npy.hpp"
#include "harness/data_source.hpp"

namespace gauntlet {
namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

constexpr int kSide = 96;

const std::vector<uint8_t>& images() {
  static const std::vector<uint8_t> out = [] {
    const int n = env_int("GAUNTLET_BENCH_IMAGES", 10000);
    const Dataset test = load_dataset({"fashion-mnist:test"});
    std::vector<uint8_t> all(static_cast<size_t>(n) * kSide * kSide * 3);
    for (int i = 0; i < n; ++i) {
      const cv::Mat grey(28, 28, CV_8UC1, const_cast<uint8_t*>(test.image(i % test.n)));
      cv::Mat big, rgb;
      cv::resize(grey, big, cv::Size(kSide, kSide), 0, 0, cv::INTER_LINEAR);
      cv::cvtColor(big, rgb, cv::COLOR_GRAY2RGB);
      rgb = rgb.mul(cv::Scalar(0.9 + 0.1 * (i % 3), 0.8, 1.0));
      std::copy(rgb.ptr<uint8_t>(), rgb.ptr<uint8_t>() + rgb.total() * 3,
                all.begin() + static_cast<size_t>(i) * kSide * kSide * 3);
    }
    return all;
  }();
  return out;
}

int64_t count() { return static_cast<int64_t>(images().size() / (kSide * kSide * 3)); }

void BM_HoldoutsOfCorruption(benchmark::State& state, std::string id) {
  const auto& src = images();
  std::vector<uint8_t> dst(src.size());
  const int threads = env_int("GAUNTLET_BENCH_THREADS", 2);
  for (auto _ : state) {
    for (int severity = 1; severity <= 5; ++severity) {
      corrupt_images(id, severity, src.data(), dst.data(), count(), kSide, kSide, 3,
                     holdout_key(0, corruption_holdout_id(id, severity)), threads);
    }
    benchmark::DoNotOptimize(dst.data());
  }
  state.SetItemsProcessed(state.iterations() * 5 * count());
  state.counters["time_per_image"] = benchmark::Counter(
      5.0 * static_cast<double>(count()) * state.iterations(), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_ReadCachedHoldout(benchmark::State& state) {
  const auto& src = images();
  Array a;
  a.dtype = "u1";
  a.shape = {count(), kSide, kSide, 3};
  a.data = src;
  const auto path = std::filesystem::temp_directory_path() / "gauntlet_bench_holdout.npz";
  write_npz(path.string(), {{"images", &a}});
  for (auto _ : state) {
    auto arrays = read_npz(path.string());
    benchmark::DoNotOptimize(arrays.at("images").data.data());
  }
  std::filesystem::remove(path);
  state.SetItemsProcessed(state.iterations() * count());
}

}  // namespace
}  // namespace gauntlet

int main(int argc, char** argv) {
  using namespace gauntlet;
  for (const auto& c : corruption_infos()) {
    benchmark::RegisterBenchmark(("holdouts/" + c.id).c_str(), BM_HoldoutsOfCorruption, c.id)
        ->Iterations(1)
        ->Unit(benchmark::kSecond)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark("read_cached_holdout", BM_ReadCachedHoldout)
      ->Iterations(3)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
