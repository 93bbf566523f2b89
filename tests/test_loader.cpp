#include <catch2/catch.hpp>

#include <map>
#include <numeric>
#include <set>

#include "harness/loader.hpp"
#include "harness/previews.hpp"

namespace gauntlet {
namespace {

Dataset random_gray(int64_t n, int64_t side, uint64_t seed) {
  Dataset d;
  d.n = n;
  d.height = d.width = side;
  d.channels = 1;
  d.class_names = {"a", "b", "c"};
  d.source = "test";
  Rng rng{seed};
  d.images.resize(n * side * side);
  for (auto& px : d.images) px = static_cast<uint8_t>(rng.below(256));
  for (int64_t i = 0; i < n; ++i) d.labels.push_back(i % 3);
  return d;
}

// Shuffled batches keyed by `key`, normalised to x / 255 (mean 0, std 1), so values map back to bytes.
LoaderOptions shuffled_unit_range(int64_t batch_size, uint64_t key) {
  LoaderOptions o;
  o.batch_size = batch_size;
  o.shuffle = true;
  o.key = key;
  o.norm = {{0.f, 0.f, 0.f}, {1.f, 1.f, 1.f}};
  return o;
}

std::vector<Batch> epoch_batches(const PreparedSet& p, LoaderOptions o, int64_t epoch) {
  Loader loader(p, o);
  loader.start_epoch(epoch);
  std::vector<Batch> out;
  Batch b;
  while (loader.next(b)) out.push_back(b);
  return out;
}

TEST_CASE("prepare resizes and replicates gray to RGB", "[loader]") {
  const Dataset d = random_gray(5, 28, 1);
  const PreparedSet p = prepare(d, 32, 3);
  CHECK(p.n == 5);
  CHECK(p.side == 32);
  CHECK(p.channels == 3);
  REQUIRE(p.images.size() == 5u * 32 * 32 * 3);
  for (size_t px = 0; px < 32 * 32; ++px) {
    REQUIRE(p.images[px * 3] == p.images[px * 3 + 1]);
    REQUIRE(p.images[px * 3] == p.images[px * 3 + 2]);
  }
  CHECK(p.labels == d.labels);
  // Same size and channels: the pixels pass through untouched.
  const PreparedSet same = prepare(d, 28, 1);
  CHECK(same.images == d.images);
}

TEST_CASE("prepare refuses RGB data for a 1-channel model", "[loader]") {
  Dataset d = random_gray(2, 8, 1);
  d.channels = 3;
  d.images.resize(2 * 8 * 8 * 3);
  CHECK_THROWS_AS(prepare(d, 8, 1), std::invalid_argument);
}

TEST_CASE("batches are normalised NCHW floats in the data's order without shuffling", "[loader]") {
  Dataset d = random_gray(3, 4, 2);
  d.images[0] = 255;  // image 0, pixel (0,0)
  d.images[1] = 0;    // image 0, pixel (0,1)
  const PreparedSet p = prepare(d, 4, 3);
  LoaderOptions o;
  o.batch_size = 2;
  const auto batches = epoch_batches(p, o, 0);
  REQUIRE(batches.size() == 2);
  CHECK(batches[0].images.sizes() == torch::IntArrayRef({2, 3, 4, 4}));
  CHECK(batches[1].images.sizes() == torch::IntArrayRef({1, 3, 4, 4}));
  CHECK(batches[0].labels[1].item<int64_t>() == 1);
  // mean 0.5, std 0.5: 255 -> 1, 0 -> -1, in every channel.
  for (int c = 0; c < 3; ++c) {
    CHECK(batches[0].images[0][c][0][0].item<float>() == Approx(1.0f));
    CHECK(batches[0].images[0][c][0][1].item<float>() == Approx(-1.0f));
  }
}

TEST_CASE("augmented, shuffled batches do not depend on the number of loader threads", "[loader]") {
  const Dataset d = random_gray(50, 28, 3);
  const PreparedSet p = prepare(d, 32, 3);
  const Pipeline pipeline({HFlipOptions{0.5}, RotateOptions{1.0, 20.0, Fill::kReflect, 0}});
  LoaderOptions o;
  o.batch_size = 8;
  o.shuffle = true;
  o.key = 42;
  o.pipeline = &pipeline;
  for (int64_t epoch : {1, 2}) {
    o.threads = 1;
    const auto one = epoch_batches(p, o, epoch);
    o.threads = 3;
    const auto three = epoch_batches(p, o, epoch);
    REQUIRE(one.size() == three.size());
    for (size_t b = 0; b < one.size(); ++b) {
      REQUIRE(torch::equal(one[b].images, three[b].images));
      REQUIRE(torch::equal(one[b].labels, three[b].labels));
    }
  }
}

TEST_CASE("the augmentation preview shows exactly the images the loader trains on", "[loader][previews]") {
  const Dataset d = random_gray(12, 20, 5);
  const PreparedSet p = prepare(d, 24, 3);
  const Pipeline pipeline({HFlipOptions{0.5}, RotateOptions{1.0, 30.0, Fill::kReflect, 0}});
  const uint64_t key = 7;
  constexpr int kDraws = 3;
  const std::vector<GridRow> rows = augmentation_preview(p, d.class_names, pipeline, key, 2, kDraws);
  REQUIRE(rows.size() == 2);  // max_rows 2 of 3 classes: the first image of classes a and b
  CHECK(rows[0].label == "#0 (a)");
  CHECK(rows[1].label == "#1 (b)");
  // The loader in data order, values in [0, 1] (mean 0, std 1): x * 255 gives back the bytes.
  LoaderOptions o;
  o.batch_size = 4;
  o.key = key;
  o.pipeline = &pipeline;
  o.norm = {{0.f, 0.f, 0.f}, {1.f, 1.f, 1.f}};
  for (int epoch = 0; epoch < kDraws; ++epoch) {
    const torch::Tensor first = epoch_batches(p, o, epoch).front().images;
    for (int64_t i = 0; i < 2; ++i) {
      const torch::Tensor bytes =
          first[i].permute({1, 2, 0}).mul(255.0).round().to(torch::kUInt8).contiguous();
      const cv::Mat& shown = rows[static_cast<size_t>(i)].images[static_cast<size_t>(epoch + 1)];
      REQUIRE(shown.isContinuous());
      INFO("epoch " << epoch << " image " << i);
      CHECK(std::equal(shown.data, shown.data + shown.total() * shown.elemSize(), bytes.data_ptr<uint8_t>()));
    }
  }
  // Column 0 is the image untouched, and a draw differs from it (the pipeline did something).
  CHECK(std::equal(rows[0].images[0].data, rows[0].images[0].data + 24 * 24 * 3, p.images.data()));
  CHECK_FALSE(std::equal(rows[0].images[1].data, rows[0].images[1].data + 24 * 24 * 3, p.images.data()));
}

TEST_CASE("each epoch visits every sample once, in a new order", "[loader]") {
  Dataset d = random_gray(20, 4, 4);
  for (int64_t i = 0; i < d.n; ++i) d.images[i * 16] = static_cast<uint8_t>(i);  // tag each image
  const PreparedSet p = prepare(d, 4, 1);
  const LoaderOptions o = shuffled_unit_range(6, 7);
  auto order = [&](int64_t epoch) {
    std::vector<int> seen;
    for (const auto& b : epoch_batches(p, o, epoch)) {
      for (int64_t j = 0; j < b.images.size(0); ++j) {
        seen.push_back(static_cast<int>(std::lround(b.images[j][0][0][0].item<float>() * 255)));
      }
    }
    return seen;
  };
  const auto e1 = order(1), e2 = order(2);
  CHECK(std::set<int>(e1.begin(), e1.end()).size() == 20);
  CHECK(e1.size() == 20);
  CHECK(e1 != e2);
  CHECK(order(1) == e1);
}

TEST_CASE("drop_last drops only the incomplete batch", "[loader]") {
  const PreparedSet p = prepare(random_gray(13, 4, 5), 4, 1);
  LoaderOptions o;
  o.batch_size = 4;
  o.drop_last = true;
  CHECK(epoch_batches(p, o, 0).size() == 3);
  o.drop_last = false;
  CHECK(epoch_batches(p, o, 0).size() == 4);
}

// 11 tagged images: 7 of class 0, 3 of class 1, 1 of class 2.
PreparedSet imbalanced() {
  Dataset d = random_gray(11, 4, 9);
  for (int64_t i = 0; i < d.n; ++i) {
    d.images[i * 16] = static_cast<uint8_t>(i);
    d.labels[i] = i < 7 ? 0 : i < 10 ? 1 : 2;
  }
  return prepare(d, 4, 1);
}

// The tagged sample indices an epoch visits, in order.
std::vector<int> visited(const PreparedSet& p, const LoaderOptions& o, int64_t epoch) {
  std::vector<int> seen;
  for (const auto& b : epoch_batches(p, o, epoch)) {
    for (int64_t j = 0; j < b.images.size(0); ++j) {
      const int idx = static_cast<int>(std::lround(b.images[j][0][0][0].item<float>() * 255));
      CHECK(b.labels[j].item<int64_t>() == p.labels[idx]);
      seen.push_back(idx);
    }
  }
  return seen;
}

TEST_CASE("imbalance samplers give every class the largest or the smallest count per epoch", "[loader]") {
  const PreparedSet p = imbalanced();
  LoaderOptions o = shuffled_unit_range(4, 3);
  struct Row {
    Sampler sampler;
    int64_t per_class;
  };
  const Row row = GENERATE(Row{Sampler::kOversample, 7}, Row{Sampler::kUndersample, 1});
  o.sampler = row.sampler;
  CHECK(sampled_length(p.labels, row.sampler) == 3 * row.per_class);
  CHECK(Loader(p, o).batches_per_epoch() == (3 * row.per_class + 3) / 4);
  for (int64_t epoch : {0, 1, 2}) {
    const auto seen = visited(p, o, epoch);
    REQUIRE(seen.size() == static_cast<size_t>(3 * row.per_class));
    std::array<int64_t, 3> count{};
    std::map<int, int> times;
    for (int idx : seen) {
      ++count[p.labels[idx]];
      ++times[idx];
    }
    CHECK(count == std::array<int64_t, 3>{row.per_class, row.per_class, row.per_class});
    if (row.sampler == Sampler::kOversample) {
      // Every sample at least once; class 1 (3 samples for 7 draws) 2 or 3 times each.
      CHECK(times.size() == 11);
      CHECK(times[10] == 7);
      for (int idx : {7, 8, 9}) CHECK((times[idx] == 2 || times[idx] == 3));
    } else {
      CHECK(times.size() == 3);  // without replacement
    }
  }
  // Per epoch a new draw, the same for any number of loader threads.
  CHECK(visited(p, o, 1) != visited(p, o, 2));
  LoaderOptions three = o;
  three.threads = 3;
  CHECK(visited(p, three, 1) == visited(p, o, 1));
}

TEST_CASE("sampler none keeps the plain order and length", "[loader]") {
  const PreparedSet p = imbalanced();
  LoaderOptions o;
  o.batch_size = 4;
  o.norm.mean = {0, 0, 0};
  o.norm.std = {1, 1, 1};
  CHECK(sampled_length(p.labels, Sampler::kNone) == 11);
  std::vector<int> plain(11);
  std::iota(plain.begin(), plain.end(), 0);
  CHECK(visited(p, o, 0) == plain);
  CHECK(visited(p, o, 5) == plain);
}

}  // namespace
}  // namespace gauntlet
