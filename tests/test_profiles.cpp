// Unit tests of hold-out profiles and the two ops they brought: the choice of ops per image
// (k in range, distinct, in profile order, weighted frequencies), keyed determinism and thread
// independence of profile_images, invalid profiles; `erase` with torchvision RandomErasing
// semantics; `corrupt` against apply_corruption on the same Rng stream; the JSON form of
// profiles and ops; the built-in profiles; and the suite's evaluate.profiles, holdouts, baseline,
// mce and family shorthands.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <map>
#include <opencv2/core.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "augmentations/corrupt_op.hpp"
#include "augmentations/corruption.hpp"
#include "augmentations/occlusion.hpp"
#include "augmentations/profile.hpp"
#include "augmentations/transform.hpp"
#include "harness/build_info.hpp"
#include "harness/config.hpp"
#include "harness/core/error.hpp"
#include "harness/suite.hpp"
#include "tests/test_images.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

using testing::random_image;
using testing::same_bytes;

using Catch::Matchers::Contains;
using nlohmann::json;
using testing::input_error;
using testing::TempDir;

CorruptOptions corrupt(const std::string& id, int lo, int hi, double p = 1.0) {
  CorruptOptions o;
  o.corruption = id;
  o.severity_min = lo;
  o.severity_max = hi;
  o.p = p;
  return o;
}

EraseOptions erase(double p, EraseFill fill = EraseFill::kRandom, int value = 0) {
  EraseOptions o;
  o.p = p;
  o.fill = fill;
  o.value = value;
  return o;
}

// Six cheap ops on small images: geometry, photometry, noise and occlusion.
Profile mixed_profile(int k_min, int k_max, std::vector<double> weights = {}) {
  Profile p;
  p.name = "mixed";
  p.k_min = k_min;
  p.k_max = k_max;
  RotateOptions rot;
  rot.degrees = 20;
  HFlipOptions flip;
  flip.p = 1.0;
  p.ops = {rot,
           flip,
           corrupt("brightness", 1, 5),
           corrupt("contrast", 2, 4),
           corrupt("gaussian_noise", 1, 5),
           erase(1.0)};
  p.weights = std::move(weights);
  return p;
}

// The 15 corruptions of ImageNet-C's mCE, in ImageNet-C's (and the registry's) order.
// clang-format off
const std::vector<std::string> kImageNetC15 = {
    "gaussian_noise", "shot_noise", "impulse_noise",
    "defocus_blur", "glass_blur", "motion_blur", "zoom_blur",
    "snow", "frost", "fog", "brightness",
    "contrast", "elastic_transform", "pixelate", "jpeg_compression"};
// clang-format on

std::vector<std::string> registry_mce_ids(const std::string& family) {
  std::vector<std::string> out;
  for (const auto& c : corruption_infos()) {
    if (c.family == family && c.in_mce) out.push_back(c.id);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// ProfileApplier

TEST_CASE("a profile picks k_min to k_max distinct ops, in profile order", "[profiles]") {
  const ProfileApplier applier(mixed_profile(2, 4, {1, 0.5, 2, 1, 3, 0.25}));
  std::map<size_t, int> k_seen;
  for (uint64_t key = 0; key < 2000; ++key) {
    const auto chosen = applier.chosen_ops(key, key % 7);
    INFO("key " << key);
    REQUIRE(chosen.size() >= 2);
    REQUIRE(chosen.size() <= 4);
    ++k_seen[chosen.size()];
    for (size_t i = 0; i < chosen.size(); ++i) {
      CHECK(chosen[i] < 6);
      if (i > 0) CHECK(chosen[i - 1] < chosen[i]);  // strictly increasing: distinct and ordered
    }
  }
  // k is uniform over 2..4: every value shows up often.
  for (size_t k : {2u, 3u, 4u}) CHECK(k_seen[k] > 500);
}

TEST_CASE("k = number of ops picks every op", "[profiles]") {
  const ProfileApplier applier(mixed_profile(6, 6));
  for (uint64_t key = 0; key < 50; ++key) {
    CHECK(applier.chosen_ops(key, 3) == std::vector<size_t>{0, 1, 2, 3, 4, 5});
  }
}

TEST_CASE("with k = 1 ops are chosen in proportion to their weights", "[profiles]") {
  const std::vector<double> weights = {1, 2, 3, 4, 0.5, 1.5};
  const ProfileApplier applier(mixed_profile(1, 1, weights));
  const int n = 4000;
  std::vector<int> count(weights.size(), 0);
  for (uint64_t key = 0; key < static_cast<uint64_t>(n); ++key) {
    const auto chosen = applier.chosen_ops(key * 7919 + 11, 0);
    REQUIRE(chosen.size() == 1);
    ++count[chosen[0]];
  }
  double total = 0;
  for (double w : weights) total += w;
  for (size_t j = 0; j < weights.size(); ++j) {
    const double p = weights[j] / total;
    const double se = std::sqrt(p * (1 - p) / n);
    const double freq = static_cast<double>(count[j]) / n;
    INFO("op " << j << ": frequency " << freq << ", expected " << p << " +- 4 x " << se);
    CHECK(std::abs(freq - p) < 4 * se);
  }
}

TEST_CASE("unweighted k = 1 choices are uniform", "[profiles]") {
  const ProfileApplier applier(mixed_profile(1, 1));
  const int n = 3000;
  std::vector<int> count(6, 0);
  for (uint64_t i = 0; i < static_cast<uint64_t>(n); ++i) ++count[applier.chosen_ops(42, i)[0]];
  const double p = 1.0 / 6, se = std::sqrt(p * (1 - p) / n);
  for (int c : count) CHECK(std::abs(static_cast<double>(c) / n - p) < 4 * se);
}

TEST_CASE("a profile's output is a function of key and index", "[profiles]") {
  const ProfileApplier applier(mixed_profile(2, 3));
  const cv::Mat img = random_image(16, 16, CV_8UC3, 5);
  cv::Mat a, b, c, d;
  applier.apply(img, a, 1234, 7);
  applier.apply(img, b, 1234, 7);
  applier.apply(img, c, 1235, 7);
  applier.apply(img, d, 1234, 8);
  CHECK(same_bytes(a, b));
  CHECK_FALSE(same_bytes(a, c));
  CHECK_FALSE(same_bytes(a, d));
  CHECK(a.size() == img.size());
  CHECK(a.type() == img.type());
  CHECK(same_bytes(img, random_image(16, 16, CV_8UC3, 5)));  // the source is left alone
}

TEST_CASE("apply composes the chosen ops in order, op j drawing from Rng{key, index, j}",
          "[profiles]") {
  const Profile p = mixed_profile(2, 4, {1, 1, 1, 1, 2, 1});
  const ProfileApplier applier(p);
  for (uint64_t index = 0; index < 6; ++index) {
    const cv::Mat img = random_image(12, 12, CV_8UC3, 100 + index);
    cv::Mat want = img.clone();
    for (size_t j : applier.chosen_ops(99, index)) {
      Rng rng{99, index, j};
      cv::Mat next;
      make_transform(p.ops[j])->apply(want, next, rng);
      want = next;
    }
    cv::Mat got;
    applier.apply(img, got, 99, index);
    INFO("index " << index);
    CHECK(same_bytes(got, want));
  }
}

TEST_CASE("profile_images is apply per image and does not depend on the thread count",
          "[profiles]") {
  const ProfileApplier applier(mixed_profile(1, 3, {2, 1, 1, 1, 2, 1}));
  const int n = 10, h = 12, w = 14;
  for (int channels : {1, 3}) {
    std::vector<uint8_t> src(static_cast<size_t>(n) * h * w * channels);
    Rng rng{77, static_cast<uint64_t>(channels)};
    for (auto& v : src) v = static_cast<uint8_t>(rng.below(256));
    std::vector<uint8_t> one(src.size()), three(src.size());
    profile_images(applier, src.data(), one.data(), n, h, w, channels, 555, 1);
    profile_images(applier, src.data(), three.data(), n, h, w, channels, 555, 3);
    INFO("channels " << channels);
    CHECK(one == three);
    CHECK(one != src);
    const size_t bytes = static_cast<size_t>(h) * w * channels;
    for (int i = 0; i < n; ++i) {
      const cv::Mat in(h, w, CV_8UC(channels), src.data() + i * bytes);
      const cv::Mat got(h, w, CV_8UC(channels), one.data() + i * bytes);
      cv::Mat want;
      applier.apply(in, want, 555, static_cast<uint64_t>(i));
      INFO("image " << i);
      CHECK(same_bytes(got, want));
    }
  }
}

TEST_CASE("invalid profiles are refused", "[profiles]") {
  Profile no_ops;
  no_ops.name = "empty";
  CHECK_THROWS_AS(ProfileApplier(no_ops), std::invalid_argument);
  CHECK_THROWS_AS(ProfileApplier(mixed_profile(1, 7)), std::invalid_argument);  // k > ops
  CHECK_THROWS_AS(ProfileApplier(mixed_profile(7, 7)), std::invalid_argument);
  CHECK_THROWS_AS(ProfileApplier(mixed_profile(0, 2)), std::invalid_argument);  // k_min < 1
  CHECK_THROWS_AS(ProfileApplier(mixed_profile(3, 2)), std::invalid_argument);  // min > max
  CHECK_THROWS_AS(ProfileApplier(mixed_profile(1, 1, {1, 1, 1})), std::invalid_argument);
  CHECK_THROWS_AS(ProfileApplier(mixed_profile(1, 1, {1, 1, 1, 1, 1, 1, 1})),
                  std::invalid_argument);
  CHECK_THROWS_AS(ProfileApplier(mixed_profile(1, 1, {1, 1, 0, 1, 1, 1})), std::invalid_argument);
  CHECK_THROWS_AS(ProfileApplier(mixed_profile(1, 1, {1, 1, -2, 1, 1, 1})), std::invalid_argument);
  CHECK_THROWS_AS(ProfileApplier(mixed_profile(1, 1, {1, 1, std::nan(""), 1, 1, 1})),
                  std::invalid_argument);
  Profile bad_op = mixed_profile(1, 1);
  bad_op.ops.push_back(corrupt("no_such_corruption", 1, 5));
  CHECK_THROWS_AS(ProfileApplier(bad_op), std::invalid_argument);
  CHECK_NOTHROW(ProfileApplier(mixed_profile(1, 6)));
}

// ---------------------------------------------------------------------------------------------
// erase

// The bounding box of the pixels where a and b differ (empty when none do).
cv::Rect changed_box(const cv::Mat& a, const cv::Mat& b) {
  int x0 = a.cols, y0 = a.rows, x1 = -1, y1 = -1;
  const int ch = a.channels();
  for (int y = 0; y < a.rows; ++y) {
    for (int x = 0; x < a.cols; ++x) {
      for (int k = 0; k < ch; ++k) {
        if (a.ptr<uint8_t>(y)[x * ch + k] == b.ptr<uint8_t>(y)[x * ch + k]) continue;
        x0 = std::min(x0, x);
        y0 = std::min(y0, y);
        x1 = std::max(x1, x);
        y1 = std::max(y1, y);
      }
    }
  }
  return x1 < 0 ? cv::Rect() : cv::Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
}

TEST_CASE("erase with p = 1 fills one rectangle of the drawn area with the constant value",
          "[profiles]") {
  auto [rows, cols, channels] =
      GENERATE(table<int, int, int>({{32, 32, 3}, {24, 40, 1}, {40, 20, 3}}));
  EraseOptions o = erase(1.0, EraseFill::kConstant, 77);
  o.scale_min = 0.05;
  o.scale_max = 0.25;
  const Erase op(o);
  cv::Mat img = random_image(rows, cols, CV_8UC(channels), 3);
  for (size_t i = 0; i < img.total() * channels; ++i) {
    if (img.data[i] == 77) img.data[i] = 78;  // no value already equals the fill value
  }
  const double area = static_cast<double>(rows) * cols;
  int erased = 0;
  for (uint64_t key = 0; key < 200; ++key) {
    Rng rng{key};
    cv::Mat out;
    op.apply(img, out, rng);
    REQUIRE(out.size() == img.size());
    REQUIRE(out.type() == img.type());
    const cv::Rect box = changed_box(img, out);
    if (box.empty()) continue;  // ten tries that did not fit: unchanged, as torchvision does
    ++erased;
    INFO(rows << "x" << cols << "x" << channels << " key " << key << ": box " << box);
    // Every value inside the box is the fill value, so the change is exactly that rectangle.
    cv::Mat inside = out(box).reshape(1);
    CHECK(cv::countNonZero(inside != 77) == 0);
    CHECK(box.width < cols);
    CHECK(box.height < rows);
    // Each side is a drawn real side rounded to an integer, so the drawn sides lay within half a
    // pixel of the box's: their area must meet [scale_min, scale_max] x image area, and their
    // aspect ratio h / w must meet [ratio_min, ratio_max].
    const double h = box.height, w = box.width;
    CHECK((h + 0.5) * (w + 0.5) >= o.scale_min * area);
    CHECK((h - 0.5) * (w - 0.5) <= o.scale_max * area);
    CHECK((h + 0.5) / (w - 0.5) >= o.ratio_min);
    CHECK((h - 0.5) / (w + 0.5) <= o.ratio_max);
  }
  CHECK(erased > 180);
}

TEST_CASE("erase with random fill changes only one rectangle and is keyed", "[profiles]") {
  const Erase op(erase(1.0));
  const cv::Mat img(32, 32, CV_8UC3, cv::Scalar::all(0));
  for (uint64_t key = 0; key < 50; ++key) {
    Rng r1{key}, r2{key}, r3{key + 1000};
    cv::Mat a, b, c;
    op.apply(img, a, r1);
    op.apply(img, b, r2);
    op.apply(img, c, r3);
    CHECK(same_bytes(a, b));
    const cv::Rect box = changed_box(img, a);
    if (box.empty()) continue;
    CHECK((box.height - 0.5) * (box.width - 0.5) <= 0.33 * 32 * 32);
    // Uniform noise: nearly every value in the box differs from the black it replaced.
    const cv::Mat inside = a(box).reshape(1);
    CHECK(cv::countNonZero(inside) > 0.9 * inside.total());
  }
}

TEST_CASE("erase with p = 0 is the identity", "[profiles]") {
  const Erase op(erase(0.0, EraseFill::kConstant, 0));
  for (int channels : {1, 3}) {
    const cv::Mat img = random_image(20, 24, CV_8UC(channels), 9);
    for (uint64_t key = 0; key < 20; ++key) {
      Rng rng{key};
      cv::Mat out;
      op.apply(img, out, rng);
      CHECK(same_bytes(out, img));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// corrupt

TEST_CASE("corrupt at one severity s is apply_corruption at s on the Rng after its draws",
          "[profiles]") {
  const auto id = GENERATE(as<std::string>{}, "gaussian_noise", "contrast", "impulse_noise");
  const cv::Mat img = random_image(16, 16, CV_8UC3, 21);
  const Corrupt op(corrupt(id, 3, 3));
  for (uint64_t key = 0; key < 5; ++key) {
    Rng rng{key};
    cv::Mat got;
    op.apply(img, got, rng);
    // corrupt_op.cpp draws bernoulli(p), then the severity in [min, max], then hands the stream
    // to the corruption.
    Rng ref{key};
    REQUIRE(ref.bernoulli(1.0));
    REQUIRE(ref.below(1) == 0);
    cv::Mat want;
    apply_corruption(id, 3, img, want, size_table_for(16, 16), ref);
    INFO(id << " key " << key);
    CHECK(same_bytes(got, want));
  }
}

TEST_CASE("corrupt draws its severity uniformly from the range", "[profiles]") {
  const cv::Mat img = random_image(16, 16, CV_8UC1, 4);
  const Corrupt op(corrupt("gaussian_noise", 2, 4));
  std::set<int> severities;
  for (uint64_t key = 0; key < 30; ++key) {
    Rng rng{key};
    cv::Mat got;
    op.apply(img, got, rng);
    Rng ref{key};
    ref.bernoulli(1.0);
    const int severity = 2 + static_cast<int>(ref.below(3));
    severities.insert(severity);
    cv::Mat want;
    apply_corruption("gaussian_noise", severity, img, want, SizeTable::kSmall, ref);
    CHECK(same_bytes(got, want));
  }
  CHECK(severities == std::set<int>{2, 3, 4});
}

TEST_CASE("corrupt with p = 0 is the identity, and bad corruptions and ranges throw",
          "[profiles]") {
  const cv::Mat img = random_image(16, 16, CV_8UC3, 8);
  const Corrupt off(corrupt("gaussian_noise", 1, 5, 0.0));
  Rng rng{1};
  cv::Mat out;
  off.apply(img, out, rng);
  CHECK(same_bytes(out, img));
  CHECK_THROWS_AS(Corrupt(corrupt("no_such_corruption", 1, 5)), std::invalid_argument);
  CHECK_THROWS_AS(Corrupt(corrupt("stain_deposit", 1, 5)),
                  std::invalid_argument);  // a name, not an id
  CHECK_THROWS_AS(Corrupt(corrupt("contrast", 0, 3)), std::invalid_argument);
  CHECK_THROWS_AS(Corrupt(corrupt("contrast", 2, 6)), std::invalid_argument);
  CHECK_THROWS_AS(Corrupt(corrupt("contrast", 4, 2)), std::invalid_argument);
  CHECK_THROWS_AS(make_transform(corrupt("no_such_corruption", 1, 5)), std::invalid_argument);
  CHECK_NOTHROW(Corrupt(corrupt("bloodmnist-c.bubble", 1, 5)));
}

// ---------------------------------------------------------------------------------------------
// JSON form

TEST_CASE("pipeline_from_json reads corrupt and erase ops with their defaults", "[profiles]") {
  const auto ops = pipeline_from_json(json::parse(R"([
    {"op": "corrupt", "corruption": "fog"},
    {"op": "corrupt", "corruption": "stain_deposit", "severity": 4, "p": 0.25},
    {"op": "corrupt", "corruption": "bloodmnist-c.pixelate", "severity": [2, 3]},
    {"op": "erase"},
    {"op": "erase", "p": 1, "scale": [0.1, 0.2], "ratio": [0.5, 2], "fill": "constant", "value": 128}
  ])"));
  REQUIRE(ops.size() == 5);
  const auto& c0 = std::get<CorruptOptions>(ops[0]);
  CHECK(c0.corruption == "fog");
  CHECK(c0.p == 1.0);
  CHECK(c0.severity_min == 1);
  CHECK(c0.severity_max == 5);
  const auto& c1 = std::get<CorruptOptions>(ops[1]);
  CHECK(c1.corruption == "bloodmnist-c.stain_deposit");  // a blood-only name becomes its id
  CHECK(c1.p == 0.25);
  CHECK(c1.severity_min == 4);
  CHECK(c1.severity_max == 4);
  const auto& c2 = std::get<CorruptOptions>(ops[2]);
  CHECK(c2.corruption == "bloodmnist-c.pixelate");
  CHECK(c2.severity_min == 2);
  CHECK(c2.severity_max == 3);
  const auto& e0 = std::get<EraseOptions>(ops[3]);
  CHECK(e0.p == 0.5);
  CHECK(e0.scale_min == 0.02);
  CHECK(e0.scale_max == 0.33);
  CHECK(e0.ratio_min == 0.3);
  CHECK(e0.ratio_max == 3.3);
  CHECK(e0.fill == EraseFill::kRandom);
  CHECK(e0.value == 0);
  const auto& e1 = std::get<EraseOptions>(ops[4]);
  CHECK(e1.p == 1.0);
  CHECK(e1.scale_min == 0.1);
  CHECK(e1.scale_max == 0.2);
  CHECK(e1.ratio_min == 0.5);
  CHECK(e1.ratio_max == 2.0);
  CHECK(e1.fill == EraseFill::kConstant);
  CHECK(e1.value == 128);

  CHECK(pipeline_to_json(ops) == json::parse(R"([
    {"op": "corrupt", "p": 1.0, "corruption": "fog", "severity": [1, 5]},
    {"op": "corrupt", "p": 0.25, "corruption": "bloodmnist-c.stain_deposit", "severity": [4, 4]},
    {"op": "corrupt", "p": 1.0, "corruption": "bloodmnist-c.pixelate", "severity": [2, 3]},
    {"op": "erase", "p": 0.5, "scale": [0.02, 0.33], "ratio": [0.3, 3.3], "fill": "random", "value": 0},
    {"op": "erase", "p": 1.0, "scale": [0.1, 0.2], "ratio": [0.5, 2.0], "fill": "constant", "value": 128}
  ])"));
  // The normal form reads back to itself.
  CHECK(pipeline_to_json(pipeline_from_json(pipeline_to_json(ops))) == pipeline_to_json(ops));
}

TEST_CASE("corrupt ops with a reversed severity range or an unknown corruption throw",
          "[profiles]") {
  CHECK_THROWS_AS(pipeline_from_json(json::parse(R"([{"op": "corrupt", "corruption": "fog",
                                                      "severity": [4, 2]}])")),
                  std::invalid_argument);
  CHECK_THROWS_AS(pipeline_from_json(json::parse(R"([{"op": "corrupt", "corruption": "smog"}])")),
                  std::invalid_argument);
}

TEST_CASE("profile_from_json fills defaults and profile_to_json normalises", "[profiles]") {
  const Profile p = profile_from_json(json::parse(R"({
    "name": "mine",
    "ops": [{"op": "hflip", "p": 1}, {"op": "corrupt", "corruption": "contrast", "severity": 2}]
  })"));
  CHECK(p.name == "mine");
  CHECK(p.description.empty());
  CHECK(p.k_min == 1);
  CHECK(p.k_max == 1);
  CHECK(p.ops.size() == 2);
  CHECK(p.weights == std::vector<double>{1, 1});
  const json norm = profile_to_json(p);
  CHECK(norm == json::parse(R"({
    "name": "mine", "description": "", "k": [1, 1],
    "ops": [{"op": "hflip", "p": 1.0},
            {"op": "corrupt", "p": 1.0, "corruption": "contrast", "severity": [2, 2]}],
    "weights": [1.0, 1.0]
  })"));
  CHECK(profile_to_json(profile_from_json(norm)) == norm);

  const Profile q = profile_from_json(json::parse(R"({
    "name": "q", "description": "d", "k": [1, 2], "weights": [3, 0.5],
    "ops": [{"op": "erase", "p": 1}, {"op": "rotate"}]
  })"));
  CHECK(q.description == "d");
  CHECK(q.k_min == 1);
  CHECK(q.k_max == 2);
  CHECK(q.weights == std::vector<double>{3, 0.5});
  CHECK(profile_to_json(q).at("k") == json::array({1, 2}));
  const Profile r = profile_from_json(json::parse(R"({"name": "r", "k": 2,
      "ops": [{"op": "hflip"}, {"op": "rotate"}]})"));
  CHECK(r.k_min == 2);
  CHECK(r.k_max == 2);
}

TEST_CASE("profile_from_json refuses what the schema cannot say", "[profiles]") {
  const auto bad = GENERATE(
      as<std::string>{}, R"({"name": "a", "k": 3, "ops": [{"op": "hflip"}, {"op": "rotate"}]})",
      R"({"name": "a", "k": [2, 1], "ops": [{"op": "hflip"}, {"op": "rotate"}]})",
      R"({"name": "a", "weights": [1], "ops": [{"op": "hflip"}, {"op": "rotate"}]})",
      R"({"name": "a", "weights": [1, 2, 3], "ops": [{"op": "hflip"}, {"op": "rotate"}]})",
      R"({"name": "a", "ops": [{"op": "corrupt", "corruption": "fog", "severity": [5, 1]}]})");
  INFO(bad);
  CHECK_THROWS_AS(profile_from_json(json::parse(bad)), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Built-in profiles and profile files

TEST_CASE("the built-in profiles load, sorted by name, and each builds", "[profiles]") {
  const auto& all = builtin_profiles();
  std::vector<std::string> names;
  for (const auto& p : all) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"bloodmnist-c", "hidden-like", "imagenet-c"});
  for (const auto& p : all) {
    INFO(p.name);
    CHECK_FALSE(p.description.empty());
    CHECK(p.weights.size() == p.ops.size());
    CHECK_NOTHROW(ProfileApplier(p));
  }
  const Profile& hidden = all[1];
  CHECK(hidden.k_min == 2);
  CHECK(hidden.k_max == 4);
  CHECK(hidden.ops.size() == 15);
}

TEST_CASE("the imagenet-c and bloodmnist-c profiles hold their family's mCE corruptions",
          "[profiles]") {
  REQUIRE(registry_mce_ids(kImageNetC) == kImageNetC15);
  REQUIRE(registry_mce_ids(kBloodMnistC).size() == 11);
  for (const auto& [name, family] : std::vector<std::pair<std::string, std::string>>{
           {"imagenet-c", kImageNetC}, {"bloodmnist-c", kBloodMnistC}}) {
    const auto& all = builtin_profiles();
    const auto it =
        std::find_if(all.begin(), all.end(), [&, &name = name](const Profile& p) { return p.name == name; });
    REQUIRE(it != all.end());
    INFO(name);
    CHECK(it->k_min == 1);
    CHECK(it->k_max == 1);
    std::vector<std::string> ids;
    for (const auto& op : it->ops) {
      const auto& c = std::get<CorruptOptions>(op);
      ids.push_back(c.corruption);
      CHECK(c.severity_min == 1);
      CHECK(c.severity_max == 5);
      CHECK(c.p == 1.0);
    }
    CHECK(ids == registry_mce_ids(family));
    CHECK(std::set<double>(it->weights.begin(), it->weights.end()) == std::set<double>{1.0});
  }
}

TEST_CASE("load_profile_file reads a profile and names the file in errors", "[profiles]") {
  TempDir dir;
  const Profile p = load_profile_file(dir.write("ok.json", R"({"name": "ok", "k": [1, 2],
      "ops": [{"op": "erase", "p": 1, "fill": "constant", "value": 9}, {"op": "hflip"}]})"));
  CHECK(p.name == "ok");
  CHECK(p.k_max == 2);
  CHECK(std::get<EraseOptions>(p.ops[0]).value == 9);

  const std::string not_json = dir.write("broken.json", "{\"name\": ");
  CHECK_THAT(input_error([&] { load_profile_file(not_json); }),
             Contains(not_json) && Contains("not valid JSON"));
  const std::string schema = dir.write("schema.json", R"({"name": "s", "ops": [{"op": "blur"}]})");
  CHECK_THAT(input_error([&] { load_profile_file(schema); }),
             Contains(schema) && Contains("/ops/0"));
  const std::string zero_weight =
      dir.write("w.json", R"({"name": "w", "ops": [{"op": "hflip"}], "weights": [0]})");
  CHECK_THAT(input_error([&] { load_profile_file(zero_weight); }), Contains(zero_weight));
  const std::string k_big =
      dir.write("k.json", R"({"name": "k", "k": 2, "ops": [{"op": "hflip"}]})");
  CHECK_THAT(input_error([&] { load_profile_file(k_big); }), Contains(k_big) && Contains("k must"));
  const std::string reversed = dir.write(
      "r.json",
      R"({"name": "r", "ops": [{"op": "corrupt", "corruption": "fog", "severity": [4, 2]}]})");
  CHECK_THAT(input_error([&] { load_profile_file(reversed); }),
             Contains(reversed) && Contains("[4, 2]"));
  CHECK_THAT(input_error([&] { load_profile_file(dir.file("missing.json")); }),
             Contains("missing.json"));
}

// ---------------------------------------------------------------------------------------------
// Suites: evaluate.profiles, holdouts, baseline, mce and family shorthands

// The quick-start suite's shape, with one backbone and two optimizers: 2 cells.
json suite_doc(const json& evaluate) {
  json doc = json::parse(R"({
    "name": "profiles",
    "seed": 0,
    "data": {"source": "fashion-mnist:train", "test": "fashion-mnist:test", "split": {"val": 0.1},
             "input_size": 28},
    "axes": {
      "backbone": {"cnn": {"name": "simple_cnn", "channels": [16, 32, 64], "convs_per_block": 2}},
      "augmentation": {"none": []},
      "loss": ["cross_entropy"],
      "optimizer": {"sgd": {"name": "sgd", "lr": 0.05}, "adam": {"name": "adam", "lr": 0.002}},
      "seeds": [0, 1]
    },
    "train": {"epochs": 1, "batch_size": 64}
  })");
  doc["evaluate"] = evaluate;
  return doc;
}

TEST_CASE("a suite's evaluate.profiles takes built-in names, inline profiles and files",
          "[profiles]") {
  TempDir dir;
  dir.write("mine.json", R"({"name": "mine", "ops": [{"op": "hflip", "p": 1}]})");
  std::filesystem::create_directories(dir.path() / "profiles");
  dir.write("profiles/sub.json", R"({"name": "sub", "k": [1, 2],
      "ops": [{"op": "rotate"}, {"op": "corrupt", "corruption": "fog", "severity": [1, 2]}]})");
  const json evaluate = json::parse(R"({
    "corruptions": ["gaussian_noise"],
    "profiles": ["hidden-like", "mine.json", "profiles/sub.json",
                 {"name": "inline", "ops": [{"op": "erase", "p": 1}]}, "imagenet-c"]
  })");
  const Suite s = parse_suite(suite_doc(evaluate), dir.file("suite.json"));
  std::vector<std::string> names;
  for (const auto& p : s.evaluate.profiles) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"hidden-like", "mine", "sub", "inline", "imagenet-c"});
  CHECK(profile_to_json(s.evaluate.profiles[0]) == profile_to_json(builtin_profiles()[1]));
  CHECK(s.evaluate.profiles[2].k_max == 2);
  CHECK(std::get<CorruptOptions>(s.evaluate.profiles[2].ops[1]).severity_max == 2);
  // Profiles enter the resolved config (and so the cell id) normalised.
  const json resolved = resolved_config(s, s.cells.at(0));
  REQUIRE(resolved.at("evaluate").contains("profiles"));
  CHECK(resolved.at("evaluate").at("profiles").at(1) == profile_to_json(s.evaluate.profiles[1]));
}

TEST_CASE("a relative profile path is found beside the suite, not the working directory",
          "[profiles]") {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "nested" / "p");
  dir.write("nested/p/x.json", R"({"name": "x", "ops": [{"op": "hflip"}]})");
  const json evaluate = json::parse(R"({"profiles": ["p/x.json"]})");
  const Suite s = parse_suite(suite_doc(evaluate), dir.file("nested/suite.json"));
  REQUIRE(s.evaluate.profiles.size() == 1);
  CHECK(s.evaluate.profiles[0].name == "x");
  // Beside another suite the same relative path is missing, and the error names the file.
  CHECK_THAT(input_error([&] { parse_suite(suite_doc(evaluate), dir.file("suite.json")); }),
             Contains("x.json"));
}

TEST_CASE("an unknown profile name fails with did-you-mean text", "[profiles]") {
  const json evaluate = json::parse(R"({"profiles": ["imagenet-c", "hiden-like"]})");
  const std::string msg = input_error([&] { parse_suite(suite_doc(evaluate), "s.json"); });
  CHECK_THAT(msg, Contains("s.json") && Contains("/evaluate/profiles/1") &&
                      Contains("hiden-like") && Contains("did you mean \"hidden-like\"") &&
                      Contains("bloodmnist-c, hidden-like, imagenet-c"));
}

TEST_CASE("suite profiles that cannot work fail naming their JSON pointer", "[profiles]") {
  auto [evaluate, pointer, what] = GENERATE(table<std::string, std::string, std::string>({
      {R"({"profiles": [{"name": "r", "ops": [{"op": "corrupt", "corruption": "fog",
                                              "severity": [4, 2]}]}]})",
       "/evaluate/profiles/0", "[4, 2]"},
      {R"({"profiles": ["imagenet-c", {"name": "k", "k": 3, "ops": [{"op": "hflip"}]}]})",
       "/evaluate/profiles/1", "k must"},
      {R"({"profiles": [{"name": "w", "weights": [1, 2], "ops": [{"op": "hflip"}]}]})",
       "/evaluate/profiles/0", "weights"},
      {R"({"profiles": [{"name": "w", "weights": [0], "ops": [{"op": "hflip"}]}]})",
       "/evaluate/profiles/0/weights/0", ""},
      {R"({"profiles": [{"name": "e", "ops": []}]})", "/evaluate/profiles/0", ""},
      {R"({"profiles": ["hidden-like", {"name": "hidden-like", "ops": [{"op": "hflip"}]}]})",
       "/evaluate/profiles/1", "two profiles named"},
      {R"({"holdouts": [{"name": "a", "data": "a.npz"}, {"name": "a", "data": "b.npz"}]})",
       "/evaluate/holdouts/1", "two hold-outs named"},
      {R"({"baseline": "cnn/none/cross_entropy/rmsprop"})", "/evaluate/baseline", "no cell"},
      {R"({"baseline": "cnn/none/cross_entropy"})", "/evaluate/baseline", ""},
      {R"({"mce": "top5"})", "/evaluate/mce", ""},
  }));
  INFO(evaluate);
  CHECK_THAT(input_error([&, &evaluate = evaluate] { parse_suite(suite_doc(json::parse(evaluate)), "bad.json"); }),
             Contains("bad.json") && Contains(pointer) && Contains(what));
}

TEST_CASE("a reversed severity range in an augmentation's corrupt op names its pointer",
          "[profiles]") {
  json doc = suite_doc(json::object());
  doc["axes"]["augmentation"] = json::parse(
      R"({"noisy": [{"op": "corrupt", "corruption": "gaussian_noise", "severity": [4, 2]}]})");
  CHECK_THAT(input_error([&] { parse_suite(doc, "aug.json"); }),
             Contains("aug.json") && Contains("/axes/augmentation/noisy") && Contains("[4, 2]"));
}

TEST_CASE("a baseline excluded from the grid names no cell", "[profiles]") {
  json doc = suite_doc(json::parse(R"({"baseline": "cnn/none/cross_entropy/adam"})"));
  CHECK(parse_suite(doc, "ok.json").evaluate.baseline == "cnn/none/cross_entropy/adam");
  doc["exclude"] = json::parse(R"([{"optimizer": "adam"}])");
  CHECK_THAT(input_error([&] { parse_suite(doc, "ex.json"); }), Contains("/evaluate/baseline"));
}

TEST_CASE("evaluate.holdouts, baseline and mce are read, with defaults when absent", "[profiles]") {
  const Suite plain = parse_suite(suite_doc(json::object()), "p.json");
  CHECK(plain.evaluate.profiles.empty());
  CHECK(plain.evaluate.holdouts.empty());
  CHECK(plain.evaluate.baseline.empty());
  CHECK(plain.evaluate.mce_measure == "error");
  CHECK_FALSE(resolved_config(plain, plain.cells[0]).at("evaluate").contains("profiles"));
  CHECK_FALSE(resolved_config(plain, plain.cells[0]).at("evaluate").contains("holdouts"));

  const Suite s = parse_suite(suite_doc(json::parse(R"({
    "holdouts": [{"name": "real", "data": "shifted.npz"},
                 {"name": "keys", "data": {"path": "k.npz", "images": "x", "labels": "y"}}],
    "baseline": "cnn/none/cross_entropy/sgd",
    "mce": "balanced_error"
  })")),
                              "h.json");
  REQUIRE(s.evaluate.holdouts.size() == 2);
  CHECK(s.evaluate.holdouts[0].name == "real");
  CHECK(s.evaluate.holdouts[0].data.path == "shifted.npz");
  CHECK(s.evaluate.holdouts[0].data.images_key == "images");
  CHECK(s.evaluate.holdouts[1].data.path == "k.npz");
  CHECK(s.evaluate.holdouts[1].data.images_key == "x");
  CHECK(s.evaluate.holdouts[1].data.labels_key == "y");
  CHECK(s.evaluate.baseline == "cnn/none/cross_entropy/sgd");
  CHECK(s.evaluate.mce_measure == "balanced_error");
  CHECK(resolved_config(s, s.cells[0]).at("evaluate").at("holdouts").size() == 2);
}

TEST_CASE("family shorthands in evaluate.corruptions expand in registry order", "[profiles]") {
  const Suite imagenet =
      parse_suite(suite_doc(json::parse(R"({"corruptions": ["imagenet-c"]})")), "i.json");
  CHECK(imagenet.evaluate.corruptions == kImageNetC15);

  const Suite blood =
      parse_suite(suite_doc(json::parse(R"({"corruptions": ["bloodmnist-c"]})")), "b.json");
  CHECK(blood.evaluate.corruptions == registry_mce_ids(kBloodMnistC));
  CHECK(blood.evaluate.corruptions.size() == 11);

  // Written order is kept, an extra stays, and an id the shorthand also names appears once.
  const Suite mixed = parse_suite(
      suite_doc(json::parse(R"({"corruptions": ["speckle_noise", "contrast", "imagenet-c"]})")),
      "m.json");
  std::vector<std::string> want = {"speckle_noise", "contrast"};
  for (const auto& id : kImageNetC15) {
    if (id != "contrast") want.push_back(id);
  }
  CHECK(mixed.evaluate.corruptions == want);
}

TEST_CASE("the schema's corruption enum is exactly the registry's ids", "[profiles]") {
  const json schema = json::parse(suite_schema_text());
  std::vector<std::string> enum_ids = schema.at("$defs").at("corruption").at("enum");
  std::vector<std::string> registry;
  for (const auto& c : corruption_infos()) registry.push_back(c.id);
  CHECK(std::set<std::string>(enum_ids.begin(), enum_ids.end()).size() == enum_ids.size());
  CHECK(std::set<std::string>(enum_ids.begin(), enum_ids.end()) ==
        std::set<std::string>(registry.begin(), registry.end()));
  CHECK(enum_ids.size() == registry.size());
  // evaluate.corruptions takes the same ids plus the two family shorthands.
  std::vector<std::string> evaluate_ids =
      schema.at("$defs").at("evaluate").at("properties").at("corruptions").at("items").at("enum");
  std::vector<std::string> want = enum_ids;
  want.push_back("imagenet-c");
  want.push_back("bloodmnist-c");
  CHECK(evaluate_ids == want);
}

}  // namespace
}  // namespace gauntlet
