// Offline expansion (harness/expand) and batch mixing in the Loader: the expanded set's layout and
// draws, independence from the thread count, the content-addressed cache (hit, damaged entry
// remade, nothing cached when disabled), the memory limit; mixed batches carry soft targets that
// do not depend on the loader thread count.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "augmentations/transform.hpp"
#include "harness/expand.hpp"
#include "harness/loader.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;

PreparedSet random_set(int64_t n, int64_t side, int64_t channels, uint64_t seed) {
  PreparedSet p;
  p.n = n;
  p.side = side;
  p.channels = channels;
  Rng rng{seed};
  p.images.resize(n * p.image_bytes());
  for (auto& px : p.images) px = static_cast<uint8_t>(rng.below(256));
  for (int64_t i = 0; i < n; ++i) p.labels.push_back(i % 4);
  return p;
}

ExpandConfig rotate_copies(int copies, bool keep) {
  ExpandConfig e;
  e.copies = copies;
  RotateOptions r;
  r.degrees = 30;
  e.ops = {r, HFlipOptions{}};
  e.keep_original = keep;
  return e;
}

TEST_CASE("expansion: originals, then each copy drawn by the pipeline keyed by (copy, image)", "[expand]") {
  const PreparedSet train = random_set(9, 12, 3, 1);
  const ExpandConfig e = rotate_copies(2, true);
  const PreparedSet out = expand_training_set(train, e, 77, "", 1);
  REQUIRE(out.n == 27);
  CHECK(out.side == 12);
  CHECK(out.channels == 3);
  REQUIRE(out.images.size() == 27u * train.image_bytes());
  CHECK(std::equal(train.images.begin(), train.images.end(), out.images.begin()));
  for (int c = 0; c < 3; ++c) {
    CHECK(std::equal(train.labels.begin(), train.labels.end(), out.labels.begin() + c * 9));
  }
  const Pipeline pipe(e.ops);
  const size_t bytes = train.image_bytes();
  for (int c = 1; c <= 2; ++c) {
    for (int64_t i = 0; i < train.n; ++i) {
      cv::Mat src(12, 12, CV_8UC3, const_cast<uint8_t*>(train.images.data() + i * bytes)), dst;
      pipe.apply(src, dst, 77, c, i);
      const uint8_t* got = out.images.data() + (c * train.n + i) * bytes;
      REQUIRE(std::equal(dst.ptr<uint8_t>(), dst.ptr<uint8_t>() + bytes, got));
    }
  }
  // Copies differ from each other and from the originals.
  CHECK_FALSE(std::equal(out.images.begin(), out.images.begin() + 9 * bytes, out.images.begin() + 9 * bytes));
  CHECK_FALSE(std::equal(out.images.begin() + 9 * bytes, out.images.begin() + 18 * bytes, out.images.begin() + 18 * bytes));

  const PreparedSet no_orig = expand_training_set(train, rotate_copies(2, false), 77, "", 1);
  REQUIRE(no_orig.n == 18);
  CHECK(std::equal(no_orig.images.begin(), no_orig.images.end(), out.images.begin() + 9 * bytes));
}

TEST_CASE("expansion does not depend on the thread count", "[expand]") {
  const PreparedSet train = random_set(31, 10, 1, 2);
  const ExpandConfig e = rotate_copies(3, true);
  const PreparedSet one = expand_training_set(train, e, 5, "", 1);
  const PreparedSet three = expand_training_set(train, e, 5, "", 3);
  CHECK(one.images == three.images);
  CHECK(one.labels == three.labels);
  CHECK(expand_training_set(train, e, 6, "", 1).images != one.images);
}

TEST_CASE("expansion is cached by content; a damaged entry is made again", "[expand]") {
  testing::TempDir dir;
  const PreparedSet train = random_set(8, 10, 3, 3);
  const ExpandConfig e = rotate_copies(1, true);
  ExpandStats st;
  const PreparedSet first = expand_training_set(train, e, 9, dir.path().string(), 1, &st);
  CHECK_FALSE(st.cache_hit);
  std::vector<fs::path> entries;
  for (const auto& f : fs::directory_iterator(dir.path())) entries.push_back(f.path());
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].filename().string().rfind("expand-", 0) == 0);

  const PreparedSet second = expand_training_set(train, e, 9, dir.path().string(), 1, &st);
  CHECK(st.cache_hit);
  CHECK(second.images == first.images);
  CHECK(second.labels == first.labels);

  // Another key, other images, other ops: other entries.
  expand_training_set(train, e, 10, dir.path().string(), 1, &st);
  CHECK_FALSE(st.cache_hit);
  PreparedSet other = train;
  other.images[0] ^= 1;
  expand_training_set(other, e, 9, dir.path().string(), 1, &st);
  CHECK_FALSE(st.cache_hit);
  expand_training_set(train, rotate_copies(2, true), 9, dir.path().string(), 1, &st);
  CHECK_FALSE(st.cache_hit);

  { std::ofstream(entries[0], std::ios::binary | std::ios::trunc) << "not an npz"; }
  const PreparedSet again = expand_training_set(train, e, 9, dir.path().string(), 1, &st);
  CHECK_FALSE(st.cache_hit);
  CHECK(again.images == first.images);
  expand_training_set(train, e, 9, dir.path().string(), 1, &st);
  CHECK(st.cache_hit);
}

TEST_CASE("expansion refuses a set that would not fit its memory limit", "[expand]") {
  const PreparedSet train = random_set(10, 8, 3, 4);
  CHECK_THROWS_WITH(expand_training_set(train, rotate_copies(4, true), 1, "", 1, nullptr, 10 * 8 * 8 * 3 * 4),
                    Catch::Matchers::Contains("expand: 4 copies of 10 images"));
  CHECK_NOTHROW(expand_training_set(train, rotate_copies(3, true), 1, "", 1, nullptr, 10 * 8 * 8 * 3 * 4));
}

TEST_CASE("mixed batches carry soft targets, identical for any loader thread count", "[expand]") {
  const PreparedSet train = random_set(50, 8, 3, 5);
  MixOptions mix;
  mix.mixup_alpha = 0.4;
  mix.cutmix_alpha = 1.0;
  LoaderOptions o;
  o.batch_size = 16;
  o.shuffle = true;
  o.key = 11;
  o.mix = &mix;
  o.num_classes = 4;
  auto epoch = [&](int threads) {
    o.threads = threads;
    Loader loader(train, o);
    loader.start_epoch(2);
    std::vector<Batch> out;
    Batch b;
    while (loader.next(b)) out.push_back(b);
    return out;
  };
  const auto one = epoch(1), three = epoch(3);
  REQUIRE(one.size() == 4);
  REQUIRE(three.size() == 4);
  int soft = 0;
  for (size_t b = 0; b < one.size(); ++b) {
    REQUIRE(one[b].targets.defined());
    CHECK(one[b].targets.size(0) == one[b].labels.size(0));
    CHECK(one[b].targets.size(1) == 4);
    CHECK(torch::equal(one[b].images, three[b].images));
    CHECK(torch::equal(one[b].targets, three[b].targets));
    CHECK(torch::allclose(one[b].targets.sum(1), torch::ones({one[b].targets.size(0)})));
    soft += std::get<0>(one[b].targets.max(1)).lt(1.0f).sum().item<int>();
  }
  // prob 1: every row whose partner has another label (about 3 in 4) has a soft target, unless
  // CutMix drew an empty box.
  CHECK(soft >= 25);
  o.mix = nullptr;
  o.threads = 1;
  Loader plain(train, o);
  plain.start_epoch(2);
  Batch b;
  REQUIRE(plain.next(b));
  CHECK_FALSE(b.targets.defined());
  CHECK(torch::equal(b.labels, one[0].labels));  // mixing changes no order
}

}  // namespace
}  // namespace gauntlet
