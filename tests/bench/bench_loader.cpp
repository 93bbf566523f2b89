// Loader throughput (harness/loader.cpp): model-ready float batches (shuffle, augmentation,
// normalisation, prefetch) from 96 x 96 RGB uint8 images, as training draws them, for 1, 2 and
// 4 loader threads, with no augmentation ("plain") and with the shared training chain
// (tests/bench/chain.hpp). One iteration = one epoch over all images; items_per_second is
// images/s. The trainer's compute is not in the loop: this is how fast the pipeline alone can feed.
//
// GAUNTLET_BENCH_IMAGES sets the image count (default 2048; ctest uses 128).
// By hand: build/tests/bench/bench_loader --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "harness/config.hpp"
#include "harness/core/rng.hpp"
#include "harness/loader.hpp"
#include "tests/bench/chain.hpp"

namespace gauntlet {
namespace {

constexpr int64_t kSide = 96;
constexpr int64_t kBatch = 64;

const PreparedSet& images() {
  static const PreparedSet set = [] {
    const char* v = std::getenv("GAUNTLET_BENCH_IMAGES");
    PreparedSet s;
    s.n = v != nullptr && *v != '\0' ? std::atoll(v) : 2048;
    s.side = kSide;
    s.channels = 3;
    s.images.resize(static_cast<size_t>(s.n) * s.image_bytes());
    Rng rng{3};
    // Smooth content (blurring noise would be slower to make and no more realistic): a ramp per
    // image plus low-amplitude noise.
    for (int64_t i = 0; i < s.n; ++i) {
      uint8_t* img = s.images.data() + static_cast<size_t>(i) * s.image_bytes();
      for (int64_t p = 0; p < kSide * kSide * 3; ++p) {
        img[p] = static_cast<uint8_t>((p / 3 % kSide + i) % 200 + rng.below(40));
      }
      s.labels.push_back(i % 10);
    }
    return s;
  }();
  return set;
}

void BM_Loader(benchmark::State& state, bool augment) {
  const Pipeline chain(pipeline_from_json(nlohmann::json::parse(bench::kChainJson)));
  LoaderOptions o;
  o.batch_size = kBatch;
  o.shuffle = true;
  o.key = 11;
  o.threads = static_cast<int>(state.range(0));
  o.pipeline = augment ? &chain : nullptr;
  Loader loader(images(), o);
  int64_t epoch = 0, seen = 0;
  Batch batch;
  for (auto _ : state) {
    loader.start_epoch(epoch++);
    while (loader.next(batch)) {
      seen += batch.images.size(0);
      benchmark::DoNotOptimize(batch.images.data_ptr());
    }
  }
  if (seen != state.iterations() * images().n ||
      batch.images.sizes() != torch::IntArrayRef{batch.images.size(0), 3, kSide, kSide}) {
    state.SkipWithError("batches do not cover the epoch at the model's shape");
  }
  state.SetItemsProcessed(seen);
}

}  // namespace
}  // namespace gauntlet

int main(int argc, char** argv) {
  using namespace gauntlet;
  for (bool augment : {false, true}) {
    benchmark::RegisterBenchmark(augment ? "loader/chain" : "loader/plain", BM_Loader, augment)
        ->ArgName("threads")
        ->Arg(1)
        ->Arg(2)
        ->Arg(4)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
