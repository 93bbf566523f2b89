// Unit tests of augmentations/policies: RandAugment, TrivialAugmentWide and AugMix keep shape and
// type, p = 0 is the identity, magnitude 0 makes every op an identity except AutoContrast,
// Equalize and Solarize (which flips 255 only), outputs are pure functions of the Rng key, options
// round-trip through JSON and match the suite schema, RandAugment's mean pixel change grows with
// its magnitude, and the Gamma/Beta/Dirichlet samplers have the right moments.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "augmentations/photometric.hpp"
#include "augmentations/policies.hpp"
#include "augmentations/transform.hpp"
#include "harness/config.hpp"
#include "harness/suite.hpp"
#include "tests/test_images.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

using testing::random_image;
using testing::same_bytes;

using Catch::Matchers::Contains;
using nlohmann::json;

// A smooth image whose pattern varies with `seed`: closer to a photograph than noise is.
cv::Mat smooth_image(int rows, int cols, int type, uint64_t seed = 0) {
  Rng rng{seed, 77};
  const double fx = rng.uniform(0.05, 0.3), fy = rng.uniform(0.05, 0.3), ph = rng.uniform(0, 6.28);
  const double amp = rng.uniform(30, 100), mean = rng.uniform(60, 190);
  cv::Mat m(rows, cols, type);
  const int ch = m.channels();
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      for (int c = 0; c < ch; ++c) {
        const double v = mean + amp * std::sin(fx * x + 0.7 * c + ph) * std::cos(fy * y - 0.3 * c) +
                         10 * ((x * 7 + y * 3 + c) % 5 - 2);
        m.ptr<uint8_t>(y)[x * ch + c] = cv::saturate_cast<uint8_t>(v);
      }
    }
  }
  return m;
}

cv::Mat run(const TransformOptions& o, const cv::Mat& src, uint64_t key = 1) {
  Rng rng{key};
  cv::Mat dst;
  make_transform(o)->apply(src, dst, rng);
  return dst;
}

std::vector<TransformOptions> all_ops() { return {RandAugmentOptions{}, TrivialAugmentOptions{}, AugMixOptions{}}; }

TEST_CASE("policies keep size, type and channels, and only read their source", "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const auto [rows, cols] = GENERATE(table<int, int>({{13, 50}, {96, 96}, {2, 3}}));
  const cv::Mat src = random_image(rows, cols, type, 1);
  const cv::Mat before = src.clone();
  for (const auto& o : all_ops()) {
    INFO(transform_name(o) << " on " << rows << "x" << cols << "x" << CV_MAT_CN(type));
    for (uint64_t key = 0; key < 20; ++key) {
      const cv::Mat dst = run(o, src, key);
      CHECK(dst.rows == rows);
      CHECK(dst.cols == cols);
      CHECK(dst.type() == type);
    }
  }
  CHECK(same_bytes(src, before));
}

TEST_CASE("policies with p = 0 are identities", "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const cv::Mat src = random_image(13, 50, type, 2);
  for (auto o : all_ops()) {
    INFO(transform_name(o));
    std::visit([](auto& x) { x.p = 0.0; }, o);
    for (uint64_t key = 0; key < 10; ++key) REQUIRE(same_bytes(run(o, src, key), src));
  }
}

TEST_CASE("policies are pure functions of the Rng key and may write over their source",
          "[augmentations]") {
  const cv::Mat src = smooth_image(32, 40, CV_8UC3);
  for (const auto& o : all_ops()) {
    INFO(transform_name(o));
    const cv::Mat a = run(o, src, 11);
    CHECK(same_bytes(a, run(o, src, 11)));
    bool differs = false;
    for (uint64_t key = 12; key < 20 && !differs; ++key) differs = !same_bytes(a, run(o, src, key));
    CHECK(differs);
    cv::Mat in_place = src.clone();
    Rng rng{11};
    make_transform(o)->apply(in_place, in_place, rng);
    CHECK(same_bytes(in_place, a));
  }
}

TEST_CASE("p does not shift the draws: p = 1 and p = 0.5 agree wherever p = 0.5 fires",
          "[augmentations]") {
  const cv::Mat src = smooth_image(24, 24, CV_8UC3);
  for (auto o : all_ops()) {
    INFO(transform_name(o));
    auto half = o;
    std::visit([](auto& x) { x.p = 0.5; }, half);
    int fired = 0;
    for (uint64_t key = 0; key < 20; ++key) {
      const cv::Mat h = run(half, src, key);
      if (same_bytes(h, src)) continue;
      ++fired;
      CHECK(same_bytes(h, run(o, src, key)));
    }
    CHECK(fired > 0);
  }
}

TEST_CASE("at magnitude 0 every op is an identity except AutoContrast, Equalize and Solarize at 255",
          "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const cv::Mat src = random_image(13, 50, type, 3, 1, 254);  // autocontrast changes it too
  for (int i = 0; i < kNumPolicyOps; ++i) {
    const auto op = static_cast<PolicyOp>(i);
    INFO(policy_op_name(op));
    for (const PolicySpace space : {PolicySpace::kRandAugment, PolicySpace::kTrivialAugmentWide}) {
      const double v = policy_op_parameter(space, op, 0.0, src.size());
      for (const double sign : {1.0, -1.0}) {
        cv::Mat dst;
        apply_policy_op(src, dst, op, policy_op_signed(op) ? sign * v : v, 5);
        const bool identity = same_bytes(dst, src);
        CHECK(identity == (op != PolicyOp::kAutoContrast && op != PolicyOp::kEqualize));
      }
    }
  }
  // Solarize at magnitude 0 (threshold 255) flips exactly the 255s, as torchvision's does.
  cv::Mat white(4, 4, type, cv::Scalar::all(255)), dst;
  apply_policy_op(white, dst, PolicyOp::kSolarize, policy_op_parameter(PolicySpace::kRandAugment,
                                                                       PolicyOp::kSolarize, 0.0, white.size()), 1);
  CHECK(cv::countNonZero(dst.reshape(1)) == 0);
  // AugMix's Posterize starts at 4 bits, so it is no identity at magnitude 0.
  CHECK(policy_op_parameter(PolicySpace::kAugMix, PolicyOp::kPosterize, 0.0, src.size()) == 4.0);
}

TEST_CASE("RandAugment at magnitude 0 gives the input, its autocontrast or its equalisation",
          "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const cv::Mat src = random_image(16, 20, type, 4, 1, 254);
  cv::Mat ac, eq;
  autocontrast(src, ac);
  equalize(src, eq);
  RandAugmentOptions o;
  o.num_ops = 1;
  o.magnitude = 0.0;
  int unchanged = 0;
  for (uint64_t key = 0; key < 100; ++key) {
    const cv::Mat dst = run(o, src, key);
    const bool same = same_bytes(dst, src);
    unchanged += same;
    CHECK((same || same_bytes(dst, ac) || same_bytes(dst, eq)));
  }
  CHECK(unchanged > 70);  // 12 of the 14 ops are identities at 0
}

TEST_CASE("policy op parameters follow torchvision's tables", "[augmentations]") {
  const cv::Size size(331, 200);
  using S = PolicySpace;
  using P = PolicyOp;
  CHECK(policy_op_parameter(S::kRandAugment, P::kTranslateX, 1.0, size) == Approx(150.0));
  CHECK(policy_op_parameter(S::kRandAugment, P::kRotate, 9.0 / 30.0, size) == Approx(9.0));
  CHECK(policy_op_parameter(S::kRandAugment, P::kPosterize, 1.0, size) == 4.0);
  CHECK(policy_op_parameter(S::kRandAugment, P::kSolarize, 1.0, size) == 0.0);
  CHECK(policy_op_parameter(S::kTrivialAugmentWide, P::kTranslateY, 1.0, size) == 32.0);
  CHECK(policy_op_parameter(S::kTrivialAugmentWide, P::kRotate, 1.0, size) == 135.0);
  CHECK(policy_op_parameter(S::kTrivialAugmentWide, P::kPosterize, 1.0, size) == 2.0);
  CHECK(policy_op_parameter(S::kAugMix, P::kTranslateY, 1.0, size) == Approx(200.0 / 3.0));
  CHECK(policy_op_parameter(S::kAugMix, P::kPosterize, 1.0, size) == 0.0);
  CHECK(policy_op_signed(P::kShearX));
  CHECK_FALSE(policy_op_signed(P::kSolarize));
  // A translation is a whole-pixel shift with zero fill, positive to the right.
  const cv::Mat src = random_image(5, 6, CV_8UC1, 9, 1, 255);
  cv::Mat dst;
  apply_policy_op(src, dst, P::kTranslateX, 2.7, 1);
  CHECK(cv::countNonZero(dst.colRange(0, 2)) == 0);
  CHECK(same_bytes(dst.colRange(2, 6), src.colRange(0, 4)));
}

TEST_CASE("RandAugment magnitude is monotonic in mean pixel change", "[augmentations]") {
  const std::vector<double> magnitudes = {0.0, 0.25, 0.5, 0.75, 1.0};
  std::vector<double> change(magnitudes.size(), 0.0);
  const int n = 200;
  for (int i = 0; i < n; ++i) {
    const cv::Mat src = smooth_image(32, 32, i % 2 ? CV_8UC3 : CV_8UC1, static_cast<uint64_t>(i));
    for (size_t j = 0; j < magnitudes.size(); ++j) {
      RandAugmentOptions o;
      o.magnitude = magnitudes[j];
      const cv::Mat dst = run(o, src, static_cast<uint64_t>(i));
      change[j] += cv::norm(dst, src, cv::NORM_L1) / static_cast<double>(src.total() * src.channels()) / n;
    }
  }
  for (size_t j = 0; j < magnitudes.size(); ++j) {
    INFO("magnitude " << magnitudes[j] << ": mean |change| " << change[j]);
    CHECK(std::isfinite(change[j]));
    if (j > 0) CHECK(change[j] > change[j - 1]);  // strictly increasing
  }
}

TEST_CASE("Gamma, Beta and Dirichlet samplers have the right moments", "[augmentations]") {
  const int n = 40000;
  for (const double k : {0.3, 1.0, 2.5, 9.0}) {
    INFO("Gamma shape " << k);
    Rng rng{42, static_cast<uint64_t>(k * 10)};
    double s = 0, s2 = 0;
    for (int i = 0; i < n; ++i) {
      const double x = sample_gamma(rng, k);
      REQUIRE(x >= 0.0);
      s += x;
      s2 += x * x;
    }
    const double mean = s / n, var = s2 / n - mean * mean;
    CHECK(mean == Approx(k).epsilon(0.03));
    CHECK(var == Approx(k).epsilon(0.08));
  }
  for (const auto& [a, b] : std::vector<std::pair<double, double>>{{1, 1}, {0.5, 0.5}, {2, 5}}) {
    INFO("Beta " << a << ", " << b);
    Rng rng{43, static_cast<uint64_t>(a * 10 + b)};
    double s = 0, s2 = 0;
    for (int i = 0; i < n; ++i) {
      const double x = sample_beta(rng, a, b);
      REQUIRE((x >= 0.0 && x <= 1.0));
      s += x;
      s2 += x * x;
    }
    const double mean = s / n, var = s2 / n - mean * mean;
    const double ab = a + b;
    CHECK(mean == Approx(a / ab).margin(0.01));
    CHECK(var == Approx(a * b / (ab * ab * (ab + 1))).epsilon(0.06));
  }
  {
    const std::vector<double> alpha = {1.0, 2.0, 3.0};
    Rng rng{44};
    std::vector<double> mean(3, 0.0);
    for (int i = 0; i < n; ++i) {
      const std::vector<double> w = sample_dirichlet(rng, alpha);
      REQUIRE(w[0] + w[1] + w[2] == Approx(1.0));
      for (int j = 0; j < 3; ++j) mean[j] += w[j] / n;
    }
    for (int j = 0; j < 3; ++j) CHECK(mean[j] == Approx(alpha[j] / 6.0).margin(0.01));
  }
}

TEST_CASE("policy options round-trip through JSON with every field", "[augmentations]") {
  const json ops = json::parse(R"([
    {"op": "rand_augment", "p": 0.5, "num_ops": 3, "magnitude": 0.75, "magnitude_std": 0.25},
    {"op": "trivial_augment", "p": 0.25, "num_magnitude_bins": 11},
    {"op": "aug_mix", "p": 0.75, "severity": 7, "width": 4, "depth": 2, "alpha": 0.5}
  ])");
  CHECK(pipeline_to_json(pipeline_from_json(ops)) == ops);
  CHECK(pipeline_from_json(ops).size() == all_ops().size());
}

TEST_CASE("the suite schema rejects bad policy values with the JSON pointer", "[augmentations]") {
  auto [op, pointer, expected] = GENERATE(table<std::string, std::string, std::string>({
      {R"({"op": "rand_augment", "magnitude": 1.5})", "/axes/augmentation/a/0/magnitude", "must be <= 1"},
      {R"({"op": "rand_augment", "num_ops": -1})", "/axes/augmentation/a/0/num_ops", "must be >= 0"},
      {R"({"op": "trivial_augment", "num_magnitude_bins": 1})", "/axes/augmentation/a/0/num_magnitude_bins",
       "must be >= 2"},
      {R"({"op": "aug_mix", "severity": 11})", "/axes/augmentation/a/0/severity", "must be <= 10"},
      {R"({"op": "aug_mix", "depth": -2})", "/axes/augmentation/a/0/depth", "must be >= -1"},
      {R"({"op": "aug_mix", "mixture_width": 3})", "/axes/augmentation/a/0/mixture_width", "unknown key"},
  }));
  INFO(op);
  const std::string msg = testing::op_schema_error(op);
  CHECK_THAT(msg, Contains("bad.json: " + pointer + ": ") && Contains(expected));
}

}  // namespace
}  // namespace gauntlet
