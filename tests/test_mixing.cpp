// Unit tests of augmentations/mixing (MixUp, CutMix on float NCHW batches): exact mixed pixels and
// soft targets, CutMix's box swapped and lam set to the kept area, the switch and mix
// probabilities, Beta-distributed lam, purity in the Rng; and the augmentation value of a suite
// ({"ops", "expand", "mix"}) parsed, normalised and checked by the schema.
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "augmentations/mixing.hpp"
#include "harness/config.hpp"
#include "harness/suite.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;

struct Batch {
  int64_t n, c, h, w, k;
  std::vector<float> x;
  std::vector<int64_t> y;
  std::vector<float> t;
  Batch(int64_t n_, int64_t c_, int64_t h_, int64_t w_, int64_t k_, uint64_t seed)
      : n(n_), c(c_), h(h_), w(w_), k(k_), x(n_ * c_ * h_ * w_), y(n_), t(n_ * k_) {
    Rng rng{seed};
    for (auto& v : x) v = static_cast<float>(rng.uniform(-2, 2));
    for (int64_t i = 0; i < n; ++i) y[i] = static_cast<int64_t>(rng.below(k));
  }
  float px(int64_t i, int64_t ch, int64_t yy, int64_t xx) const { return x[((i * c + ch) * h + yy) * w + xx]; }
  MixResult mix(const MixOptions& o, uint64_t key) {
    Rng rng{key};
    return mix_batch(o, x.data(), n, c, h, w, y.data(), k, t.data(), rng);
  }
};

void check_targets(const Batch& b, const MixResult& r) {
  for (int64_t i = 0; i < b.n; ++i) {
    double sum = 0;
    for (int64_t j = 0; j < b.k; ++j) {
      const double want = (j == b.y[i] ? r.lam : 0.0) + (j == b.y[b.n - 1 - i] ? 1.0 - r.lam : 0.0);
      CHECK(b.t[i * b.k + j] == Approx(want).margin(1e-6));
      sum += b.t[i * b.k + j];
    }
    CHECK(sum == Approx(1.0).margin(1e-6));
  }
}

TEST_CASE("MixUp mixes each image with its mirror in the batch, and its targets by lam", "[augmentations]") {
  Batch b(7, 3, 5, 4, 4, 1);
  const Batch before = b;
  MixOptions o;
  o.mixup_alpha = 0.4;
  const MixResult r = b.mix(o, 3);
  REQUIRE(r.kind == MixKind::kMixUp);
  CHECK(r.lam > 0.0);
  CHECK(r.lam < 1.0);
  for (int64_t i = 0; i < b.n; ++i) {
    for (int64_t p = 0; p < b.c * b.h * b.w; ++p) {
      const float want = static_cast<float>(r.lam) * before.x[i * b.c * b.h * b.w + p] +
                         static_cast<float>(1.0 - r.lam) * before.x[(b.n - 1 - i) * b.c * b.h * b.w + p];
      REQUIRE(b.x[i * b.c * b.h * b.w + p] == Approx(want).margin(1e-6));
    }
  }
  check_targets(b, r);
  // The middle image of an odd batch is its own partner: unchanged, one-hot.
  for (int64_t p = 0; p < b.c * b.h * b.w; ++p) CHECK(b.x[3 * b.c * b.h * b.w + p] == Approx(before.x[3 * b.c * b.h * b.w + p]));
}

TEST_CASE("CutMix swaps a box with the mirror image and sets lam to the area kept", "[augmentations]") {
  Batch b(6, 2, 16, 12, 3, 2);
  const Batch before = b;
  MixOptions o;
  o.cutmix_alpha = 1.0;
  int boxes = 0;
  for (uint64_t key = 0; key < 20; ++key) {
    b = before;
    const MixResult r = b.mix(o, key);
    REQUIRE(r.kind == MixKind::kCutMix);
    const int64_t area = static_cast<int64_t>(r.box_y1 - r.box_y0) * (r.box_x1 - r.box_x0);
    CHECK(r.lam == Approx(1.0 - area / double(b.h * b.w)));
    boxes += area > 0;
    for (int64_t i = 0; i < b.n; ++i) {
      for (int64_t ch = 0; ch < b.c; ++ch) {
        for (int64_t yy = 0; yy < b.h; ++yy) {
          for (int64_t xx = 0; xx < b.w; ++xx) {
            const bool in = yy >= r.box_y0 && yy < r.box_y1 && xx >= r.box_x0 && xx < r.box_x1;
            REQUIRE(b.px(i, ch, yy, xx) == before.px(in ? b.n - 1 - i : i, ch, yy, xx));
          }
        }
      }
    }
    check_targets(b, r);
  }
  CHECK(boxes > 15);
}

TEST_CASE("mixing is off at alpha 0 or prob 0, switches by switch_prob, and is pure in its Rng", "[augmentations]") {
  Batch b(4, 1, 3, 3, 5, 3);
  const Batch before = b;
  MixOptions off;
  CHECK_FALSE(off.enabled());
  CHECK(b.mix(off, 1).kind == MixKind::kNone);
  CHECK(b.x == before.x);
  check_targets(b, MixResult{});  // one-hot
  MixOptions never;
  never.mixup_alpha = 1.0;
  never.prob = 0.0;
  CHECK(b.mix(never, 1).kind == MixKind::kNone);

  MixOptions both;
  both.mixup_alpha = both.cutmix_alpha = 1.0;
  both.switch_prob = 1.0;
  for (uint64_t key = 0; key < 20; ++key) CHECK(b.mix(both, key).kind == MixKind::kCutMix);
  both.switch_prob = 0.0;
  for (uint64_t key = 0; key < 20; ++key) CHECK(b.mix(both, key).kind == MixKind::kMixUp);
  both.switch_prob = 0.5;
  both.prob = 0.5;
  int mixed = 0, cut = 0;
  for (uint64_t key = 0; key < 2000; ++key) {
    const MixKind kind = b.mix(both, key).kind;
    mixed += kind != MixKind::kNone;
    cut += kind == MixKind::kCutMix;
  }
  CHECK(mixed / 2000.0 == Approx(0.5).margin(0.05));
  CHECK(cut / double(mixed) == Approx(0.5).margin(0.06));

  Batch a1 = before, a2 = before, a3 = before;
  MixOptions m;
  m.mixup_alpha = 0.2;
  CHECK(a1.mix(m, 8).lam == a2.mix(m, 8).lam);
  CHECK(a1.x == a2.x);
  CHECK(a3.mix(m, 9).lam != a1.mix(m, 8).lam);
}

TEST_CASE("MixUp's lam follows Beta(alpha, alpha)", "[augmentations]") {
  // Beta(a, a): mean 1/2, variance 1 / (4 (2a + 1)).
  for (double alpha : {0.2, 1.0, 4.0}) {
    INFO(alpha);
    MixOptions o;
    o.mixup_alpha = alpha;
    Batch b(2, 1, 1, 1, 2, 4);
    double sum = 0, sq = 0;
    const int n = 20000;
    for (int key = 0; key < n; ++key) {
      const double lam = b.mix(o, key).lam;
      sum += lam;
      sq += lam * lam;
    }
    const double mean = sum / n, var = sq / n - mean * mean;
    CHECK(mean == Approx(0.5).margin(0.01));
    CHECK(var == Approx(1.0 / (4 * (2 * alpha + 1))).epsilon(0.05));
  }
}

TEST_CASE("mix_batch refuses a label outside the classes", "[augmentations]") {
  Batch b(3, 1, 2, 2, 3, 5);
  b.y[2] = 3;
  MixOptions o;
  o.mixup_alpha = 1.0;
  CHECK_THROWS_AS(b.mix(o, 1), std::invalid_argument);
}

TEST_CASE("augmentation values: a bare pipeline, or ops with expand and mix", "[augmentations]") {
  const json bare = json::parse(R"([{"op": "hflip"}])");
  const AugmentationConfig a = augmentation_from_json(bare);
  CHECK(a.ops.size() == 1);
  CHECK(a.expand.copies == 0);
  CHECK_FALSE(a.mix.enabled());
  CHECK(to_json(a) == pipeline_to_json(a.ops));  // no expand, no mix: the cell id a pipeline always had
  CHECK(to_json(augmentation_from_json(json::parse(R"({"ops": [{"op": "hflip"}], "mix": {}})"))) ==
        pipeline_to_json(a.ops));

  // "expand": k moves the ops offline.
  const AugmentationConfig e = augmentation_from_json(json::parse(R"({"ops": [{"op": "vflip"}], "expand": 3})"));
  CHECK(e.ops.empty());
  CHECK(e.expand.copies == 3);
  REQUIRE(e.expand.ops.size() == 1);
  CHECK(std::holds_alternative<VFlipOptions>(e.expand.ops[0]));
  CHECK(e.expand.keep_original);

  const json full = json::parse(R"({
    "ops": [{"op": "hflip", "p": 0.5}],
    "expand": {"copies": 2, "ops": [{"op": "rotate", "p": 1.0, "degrees": 5.0, "fill": "constant", "fill_value": 0}],
               "keep_original": false},
    "mix": {"mixup_alpha": 0.2, "cutmix_alpha": 1.0, "prob": 0.8, "switch_prob": 0.3}})");
  CHECK(to_json(augmentation_from_json(full)) == full);

  const json bad = json::parse(R"({"expand": {"copies": 1, "ops": [{"op": "brightness", "factor": [2, 1]}]}})");
  try {
    augmentation_from_json(bad);
    FAIL("no error");
  } catch (const ValueError& err) {
    CHECK(err.pointer() == "/expand/ops/0");
  }

  // The suite: labels, the schema's checks, and a bad value's full pointer.
  json suite = json::parse(R"({"name": "unit", "data": {"source": "fashion-mnist:train"},
    "axes": {"backbone": ["simple_cnn"], "loss": ["cross_entropy"], "optimizer": ["sgd"]}})");
  suite["axes"]["augmentation"] = json::array({bare, full, json::parse(R"({"ops": [{"op": "vflip"}], "expand": 3})")});
  const Suite s = parse_suite(suite, "aug.json");
  REQUIRE(s.augmentations.size() == 3);
  CHECK(s.augmentations[0].label == "hflip");
  CHECK(s.augmentations[1].label == "hflip+expand2+mixup+cutmix");
  CHECK(s.augmentations[2].label == "vflip+expand3");
  suite["axes"]["augmentation"] = json::array({json::parse(R"({"mix": {"mixup_alpha": -1}})")});
  CHECK_THROWS_WITH(parse_suite(suite, "aug.json"), Catch::Matchers::Contains("/axes/augmentation/0/mix/mixup_alpha"));
  suite["axes"]["augmentation"] = json::array({json::parse(R"({"mix": {"alpha": 1}})")});
  CHECK_THROWS_WITH(parse_suite(suite, "aug.json"), Catch::Matchers::Contains("alpha"));
  suite["axes"]["augmentation"] = json::array({bad});
  CHECK_THROWS_WITH(parse_suite(suite, "aug.json"), Catch::Matchers::Contains("/axes/augmentation/0/expand/ops/0"));
}

}  // namespace
}  // namespace gauntlet
