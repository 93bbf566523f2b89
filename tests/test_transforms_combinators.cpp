// Unit tests of augmentations/combinators: sequence, one_of and some_of apply exactly the ops they
// say, with the frequencies their weights give, are pure functions of their Rng, nest, round-trip
// through JSON, and name the place of a bad value inside nested ops.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <set>
#include <string>
#include <vector>

#include "augmentations/combinators.hpp"
#include "augmentations/transform.hpp"
#include "harness/config.hpp"
#include "harness/suite.hpp"
#include "tests/test_images.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;
using testing::random_image;
using testing::same_bytes;

cv::Mat run(const TransformOptions& o, const cv::Mat& src, uint64_t key) {
  Rng rng{key};
  cv::Mat dst;
  make_transform(o)->apply(src, dst, rng);
  return dst;
}

cv::Mat flipped(const cv::Mat& m, int code) {
  cv::Mat out;
  cv::flip(m, out, code);
  return out;
}

cv::Mat inverted(const cv::Mat& m) { return cv::Scalar::all(255) - m; }

// Deterministic ops (p = 1, nothing drawn) so that every output names the ops that made it.
const TransformOptions kH = HFlipOptions{1.0};
const TransformOptions kV = VFlipOptions{1.0};
const TransformOptions kInvert = InvertOptions{1.0};

TEST_CASE("choose_weighted picks distinct indices, clips k, and follows the weights", "[augmentations]") {
  Rng rng{5};
  for (int t = 0; t < 200; ++t) {
    const auto c = choose_weighted(rng, {1.0, 2.0, 3.0, 4.0}, 3);
    REQUIRE(c.size() == 3);
    CHECK(std::set<size_t>(c.begin(), c.end()).size() == 3);
    for (size_t j : c) CHECK(j < 4);
  }
  CHECK(choose_weighted(rng, {1.0, 1.0}, 5).size() == 2);
  CHECK(choose_weighted(rng, {}, 1).empty());
  // One pick from weights 1:3: the second index about 75% of the time (binomial sd 0.3% at 20k).
  int second = 0;
  const int n = 20000;
  for (int t = 0; t < n; ++t) second += choose_weighted(rng, {1.0, 3.0}, 1)[0] == 1;
  CHECK(second / double(n) == Approx(0.75).margin(0.015));
}

TEST_CASE("sequence applies its ops in order, or none with probability 1 - p", "[augmentations]") {
  const cv::Mat img = random_image(12, 17, CV_8UC3, 3);
  CHECK(same_bytes(run(SequenceOptions{1.0, {kH, kV}}, img, 1), flipped(img, -1)));
  CHECK(same_bytes(run(SequenceOptions{1.0, {kInvert, kH}}, img, 1), flipped(inverted(img), 1)));
  CHECK(same_bytes(run(SequenceOptions{0.0, {kH, kV}}, img, 1), img));
  CHECK(same_bytes(run(SequenceOptions{1.0, {}}, img, 1), img));
  // A random child draws from the sequence's stream: the same key gives the same bytes.
  const SequenceOptions rot{1.0, {RotateOptions{}, BrightnessOptions{}}};
  CHECK(same_bytes(run(rot, img, 9), run(rot, img, 9)));
  CHECK_FALSE(same_bytes(run(rot, img, 9), run(rot, img, 10)));
  // p = 0.5: about half the images change.
  int changed = 0;
  for (uint64_t k = 0; k < 2000; ++k) changed += !same_bytes(run(SequenceOptions{0.5, {kH}}, img, k), img);
  CHECK(changed / 2000.0 == Approx(0.5).margin(0.05));
}

TEST_CASE("one_of applies exactly one op, chosen by weight", "[augmentations]") {
  const cv::Mat img = random_image(10, 13, CV_8UC1, 4);
  const cv::Mat h = flipped(img, 1), v = flipped(img, 0);
  const OneOfOptions o{1.0, {kH, kV}, {1.0, 3.0}};
  int got_v = 0;
  const int n = 4000;
  for (uint64_t k = 0; k < n; ++k) {
    const cv::Mat out = run(o, img, k);
    const bool is_h = same_bytes(out, h), is_v = same_bytes(out, v);
    REQUIRE(is_h != is_v);
    got_v += is_v;
  }
  CHECK(got_v / double(n) == Approx(0.75).margin(0.03));
  CHECK(same_bytes(run(OneOfOptions{0.0, {kH, kV}, {}}, img, 1), img));
  CHECK(same_bytes(run(OneOfOptions{1.0, {}, {}}, img, 1), img));
  CHECK_THROWS_AS(make_transform(OneOfOptions{1.0, {kH, kV}, {1.0}}), std::invalid_argument);
  CHECK_THROWS_AS(make_transform(OneOfOptions{1.0, {kH, kV}, {1.0, 0.0}}), std::invalid_argument);
}

TEST_CASE("some_of applies n distinct ops, in the listed or a random order", "[augmentations]") {
  const cv::Mat img = random_image(9, 14, CV_8UC3, 6);
  // Every subset of {hflip, vflip, invert} in listed order, by its bytes.
  std::map<std::string, cv::Mat> subsets = {
      {"", img},
      {"h", flipped(img, 1)},
      {"v", flipped(img, 0)},
      {"i", inverted(img)},
      {"hv", flipped(img, -1)},
      {"hi", inverted(flipped(img, 1))},
      {"vi", inverted(flipped(img, 0))},
      {"hvi", inverted(flipped(img, -1))}};
  auto which = [&](const cv::Mat& out) {
    std::string found = "?";
    for (const auto& [name, m] : subsets) {
      if (same_bytes(out, m)) found = name;
    }
    return found;
  };
  SomeOfOptions o;
  o.ops = {kH, kV, kInvert};
  o.n_min = o.n_max = 2;
  std::map<std::string, int> seen;
  for (uint64_t k = 0; k < 600; ++k) ++seen[which(run(o, img, k))];
  CHECK(seen.size() == 3);  // hv, hi, vi and nothing else
  for (const char* pair : {"hv", "hi", "vi"}) CHECK(seen[pair] > 150);

  o.n_min = 0;
  o.n_max = 3;
  seen.clear();
  for (uint64_t k = 0; k < 800; ++k) ++seen[which(run(o, img, k))];
  CHECK(seen.count("?") == 0);
  CHECK(seen.size() == 8);  // every subset, n uniform in 0..3
  CHECK(seen[""] == Approx(200).margin(60));
  CHECK(seen["hvi"] == Approx(200).margin(60));

  o.n_min = o.n_max = 5;  // clipped to the 3 ops
  CHECK(same_bytes(run(o, img, 1), subsets["hvi"]));

  // Order matters for invert and solarize(128): invert(solarize(x)) != solarize(invert(x)).
  const cv::Mat gray = random_image(16, 16, CV_8UC1, 8);
  SolarizeOptions sol;
  sol.p = 1.0;
  SomeOfOptions both;
  both.ops = {kInvert, sol};
  both.n_min = both.n_max = 2;
  std::set<std::string> orders;
  auto bytes = [](const cv::Mat& m) { return std::string(m.ptr<char>(), m.total()); };
  for (uint64_t k = 0; k < 50; ++k) orders.insert(bytes(run(both, gray, k)));
  CHECK(orders.size() == 1);
  both.random_order = true;
  orders.clear();
  for (uint64_t k = 0; k < 50; ++k) orders.insert(bytes(run(both, gray, k)));
  CHECK(orders.size() == 2);

  SomeOfOptions bad;
  bad.n_min = 2;
  bad.n_max = 1;
  CHECK_THROWS_AS(make_transform(bad), std::invalid_argument);
}

TEST_CASE("combinators nest, and a pipeline of them is a pure function of its key", "[augmentations]") {
  const json j = json::parse(R"([
    {"op": "one_of", "ops": [
      {"op": "sequence", "ops": [{"op": "rotate", "degrees": 30}, {"op": "hflip"}]},
      {"op": "some_of", "n": [1, 2], "ops": [{"op": "brightness"}, {"op": "gaussian_blur"}, {"op": "erase"}]}
    ], "weights": [2, 1]}
  ])");
  const Pipeline pipe(pipeline_from_json(j));
  const cv::Mat img = random_image(32, 32, CV_8UC3, 11);
  cv::Mat a, b, c;
  pipe.apply(img, a, 7, 1, 3);
  pipe.apply(img, b, 7, 1, 3);
  pipe.apply(img, c, 7, 1, 4);
  CHECK(same_bytes(a, b));
  CHECK_FALSE(same_bytes(a, c));
  CHECK(a.size() == img.size());
  CHECK(a.type() == img.type());
}

TEST_CASE("combinators round-trip through JSON and point at bad values inside their ops", "[augmentations]") {
  const json full = json::parse(R"([
    {"op": "sequence", "p": 0.5, "ops": [{"op": "hflip", "p": 0.25}]},
    {"op": "one_of", "p": 1.0, "ops": [{"op": "vflip", "p": 1.0}, {"op": "invert", "p": 0.5}], "weights": [1.0, 2.0]},
    {"op": "some_of", "p": 0.75, "n": [0, 2], "ops": [{"op": "invert", "p": 0.5}], "weights": [], "random_order": true}
  ])");
  CHECK(pipeline_to_json(pipeline_from_json(full)) == full);
  const json n_short = json::parse(R"([{"op": "some_of", "n": 2, "ops": []}])");
  CHECK(pipeline_to_json(pipeline_from_json(n_short))[0]["n"] == json::array({2, 2}));

  const json deep = json::parse(R"([{"op": "hflip"}, {"op": "one_of", "ops": [
    {"op": "sequence", "ops": [{"op": "vflip"}, {"op": "brightness", "factor": [1.5, 0.5]}]}]}])");
  try {
    pipeline_from_json(deep);
    FAIL("no error");
  } catch (const ValueError& e) {
    CHECK(e.pointer() == "/1/ops/0/ops/1");
    CHECK_THAT(e.what(), Catch::Matchers::Contains("min > max"));
  }
  const json weights = json::parse(R"([{"op": "one_of", "ops": [{"op": "vflip"}], "weights": [1, 2]}])");
  try {
    pipeline_from_json(weights);
    FAIL("no error");
  } catch (const ValueError& e) {
    CHECK(e.pointer() == "/0/weights");
    CHECK_THAT(e.what(), Catch::Matchers::Contains("2 weights for 1 ops"));
  }

  // In a suite the message names the file and the full pointer.
  json suite = json::parse(R"({"name": "unit", "data": {"source": "fashion-mnist:train"},
    "axes": {"backbone": ["simple_cnn"], "loss": ["cross_entropy"], "optimizer": ["sgd"]}})");
  suite["axes"]["augmentation"] = json::array({deep});
  CHECK_THROWS_WITH(parse_suite(suite, "nested.json"),
                    Catch::Matchers::Contains("nested.json") &&
                        Catch::Matchers::Contains("/axes/augmentation/0/1/ops/0/ops/1"));
  // The schema checks inside nested ops too (an unknown option two levels down).
  suite["axes"]["augmentation"] =
      json::parse(R"([[{"op": "one_of", "ops": [{"op": "sequence", "ops": [{"op": "vflip", "q": 1}]}]}]])");
  CHECK_THROWS_WITH(parse_suite(suite, "nested.json"), Catch::Matchers::Contains("/axes/augmentation/0/0/ops/0/ops/0"));
}

}  // namespace
}  // namespace gauntlet
