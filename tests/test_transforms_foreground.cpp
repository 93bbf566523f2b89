// Unit tests of augmentations/foreground: foreground_mask keeps shape and type, p = 0 is the
// identity, the output is a pure function of the image and the Rng key, a disc (one colour, two, a
// cell with a nucleus) on a noisy background keeps its pixels while the background becomes
// fill_value, a flat image becomes fill_value everywhere, and the options round-trip through JSON
// and the suite schema.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <variant>
#include <vector>

#include "augmentations/foreground.hpp"
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

ForegroundMaskOptions options(double p, int clusters = 2, int fill_value = 0) {
  ForegroundMaskOptions o;
  o.p = p;
  o.clusters = clusters;
  o.fill_value = fill_value;
  return o;
}

cv::Mat run(const ForegroundMaskOptions& o, const cv::Mat& src, uint64_t key = 1) {
  Rng rng{key};
  cv::Mat dst;
  ForegroundMask(o).apply(src, dst, rng);
  return dst;
}

double distance(int x, int y, double cx, double cy) {
  return std::sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
}

// Background bytes lo..hi drawn from Rng{seed}; inside radius r of the centre, colour `disc`;
// inside radius r_inner (0: none), colour `inner`. Colours repeat over the channels as needed.
cv::Mat disc_image(int side, int type, double r, cv::Scalar disc, int lo, int hi, uint64_t seed,
                   double r_inner = 0.0, cv::Scalar inner = {}) {
  cv::Mat m = random_image(side, side, type, seed, lo, hi);
  const double c = (side - 1) / 2.0;
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      const double d = distance(x, y, c, c);
      if (d > r) continue;
      const cv::Scalar v = d <= r_inner ? inner : disc;
      uint8_t* px = m.ptr<uint8_t>(y) + x * m.channels();
      for (int ch = 0; ch < m.channels(); ++ch) px[ch] = static_cast<uint8_t>(v[ch]);
    }
  }
  return m;
}

TEST_CASE("foreground_mask keeps size, type and channels and only reads its source",
          "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const auto [rows, cols] =
      GENERATE(table<int, int>({{96, 96}, {21, 34}, {1, 1}, {1, 7}, {5, 1}, {2, 2}}));
  INFO(rows << " x " << cols);
  const cv::Mat src = random_image(rows, cols, type, 3);
  const cv::Mat before = src.clone();
  for (int clusters : {2, 3, 8}) {
    const cv::Mat dst = run(options(1.0, clusters, 9), src);
    CHECK(dst.rows == rows);
    CHECK(dst.cols == cols);
    CHECK(dst.type() == type);
  }
  CHECK(same_bytes(src, before));
}

TEST_CASE("foreground_mask with p = 0 is the identity", "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const cv::Mat src = disc_image(48, type, 15, cv::Scalar::all(220), 10, 40, 4);
  for (uint64_t key = 0; key < 8; ++key) CHECK(same_bytes(run(options(0.0), src, key), src));
}

TEST_CASE("foreground_mask is a pure function of image and Rng key, and may write over its source",
          "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const int clusters = GENERATE(2, 3, 8);
  INFO(clusters << " clusters");
  const cv::Mat src = random_image(96, 96, type, 5);
  const ForegroundMaskOptions o = options(0.5, clusters, 13);
  int masked = 0;
  for (uint64_t key = 0; key < 16; ++key) {
    const cv::Mat a = run(o, src, key);
    CHECK(same_bytes(a, run(o, src, key)));
    cv::Mat in_place = src.clone();
    Rng rng{key};
    ForegroundMask(o).apply(in_place, in_place, rng);
    CHECK(same_bytes(in_place, a));
    masked += same_bytes(a, src) ? 0 : 1;
    // Every pixel is either its source or fill_value on every channel.
    for (int y = 0; y < src.rows; ++y) {
      for (int x = 0; x < src.cols; ++x) {
        const uint8_t* s = src.ptr<uint8_t>(y) + x * src.channels();
        const uint8_t* d = a.ptr<uint8_t>(y) + x * src.channels();
        bool kept = true, filled = true;
        for (int ch = 0; ch < src.channels(); ++ch) {
          kept = kept && d[ch] == s[ch];
          filled = filled && d[ch] == 13;
        }
        if (!(kept || filled)) FAIL("pixel (" << x << ", " << y << ") is neither kept nor filled");
      }
    }
  }
  // p = 0.5 over 16 keys: both outcomes occur (probability 2^-15 each of not).
  CHECK(masked > 0);
  CHECK(masked < 16);
}

// Counts the pixels of `out` that equal `src`, those that are fill_value on every channel, and
// checks that away from the disc's edge (|d - r| > 1.5) the disc is kept and the rest is filled.
void check_disc(const cv::Mat& src, const cv::Mat& out, double r, int fill_value) {
  const double c = (src.cols - 1) / 2.0;
  int edge = 0, wrong_inside = 0, wrong_outside = 0, filled_edge = 0;
  for (int y = 0; y < src.rows; ++y) {
    for (int x = 0; x < src.cols; ++x) {
      const uint8_t* s = src.ptr<uint8_t>(y) + x * src.channels();
      const uint8_t* d = out.ptr<uint8_t>(y) + x * src.channels();
      bool kept = true, filled = true;
      for (int ch = 0; ch < src.channels(); ++ch) {
        kept = kept && d[ch] == s[ch];
        filled = filled && d[ch] == fill_value;
      }
      const double dist = distance(x, y, c, c);
      if (std::abs(dist - r) <= 1.5) {
        ++edge;
        filled_edge += filled ? 1 : 0;
        CHECK((kept || filled));
      } else if (dist < r) {
        wrong_inside += kept ? 0 : 1;
      } else {
        wrong_outside += filled ? 0 : 1;
      }
    }
  }
  INFO(edge << " edge pixels, " << filled_edge << " of them filled");
  CHECK(wrong_inside == 0);
  CHECK(wrong_outside == 0);
  CHECK(edge > 0);
}

TEST_CASE("foreground_mask fills the background around a disc and keeps the disc",
          "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const double r = GENERATE(14.0, 24.0, 36.0);  // 7%, 20% and 44% of the 96 x 96 image
  INFO((type == CV_8UC1 ? "grey" : "RGB") << ", radius " << r);
  SECTION("a bright disc on a dark, noisy background") {
    const cv::Mat src = disc_image(96, type, r, cv::Scalar(230, 180, 200), 15, 60, 6);
    check_disc(src, run(options(1.0, 2, 100), src), r, 100);
  }
  SECTION("a dark disc on a bright, noisy background") {
    const cv::Mat src = disc_image(96, type, r, cv::Scalar(40, 10, 70), 180, 235, 7);
    check_disc(src, run(options(1.0, 2, 100), src), r, 100);
  }
}

TEST_CASE("foreground_mask with 3 clusters keeps a cell and its nucleus on a smear",
          "[augmentations]") {
  // Light background, pink cell, dark purple nucleus: three colour groups, two of them foreground,
  // of 40%, 35% and 25% of the pixels, so that each holds one of the starting quantiles 1/6, 1/2
  // and 5/6 (a group of more than 1/K of the pixels starts with two centres and may stay split).
  const cv::Mat src = disc_image(96, CV_8UC3, 42, cv::Scalar(200, 120, 150), 215, 240, 8, 27,
                                 cv::Scalar(70, 30, 110));
  check_disc(src, run(options(1.0, 3, 0), src), 42, 0);
}

TEST_CASE("foreground_mask turns an image of one colour into fill_value everywhere",
          "[augmentations]") {
  // One colour is one cluster, and it holds the whole border: it is the background.
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const int clusters = GENERATE(2, 8);
  const cv::Mat flat(40, 30, type, cv::Scalar(90, 140, 30));
  const cv::Mat out = run(options(1.0, clusters, 7), flat);
  CHECK(same_bytes(out, cv::Mat(40, 30, type, cv::Scalar::all(7))));
}

TEST_CASE("foreground_mask options round-trip through JSON with every field", "[augmentations]") {
  const json full = json::parse(R"([
    {"op": "foreground_mask", "p": 0.5, "clusters": 3, "iterations": 4, "fill_value": 9}
  ])");
  CHECK(pipeline_to_json(pipeline_from_json(full)) == full);
  const std::vector<TransformOptions> ops = pipeline_from_json(full);
  const auto& o = std::get<ForegroundMaskOptions>(ops.at(0));
  CHECK(o.p == 0.5);
  CHECK(o.clusters == 3);
  CHECK(o.iterations == 4);
  CHECK(o.fill_value == 9);
}

TEST_CASE("the suite schema rejects bad foreground_mask values with the JSON pointer",
          "[augmentations]") {
  auto [op, pointer, expected] = GENERATE(table<std::string, std::string, std::string>({
      {R"({"op": "foreground_mask", "clusters": 9})", "/axes/augmentation/a/0/clusters",
       "must be <= 8"},
      {R"({"op": "foreground_mask", "clusters": 1})", "/axes/augmentation/a/0/clusters",
       "must be >= 2"},
      {R"({"op": "foreground_mask", "iterations": 0})", "/axes/augmentation/a/0/iterations",
       "must be >= 1"},
      {R"({"op": "foreground_mask", "fill_value": 256})", "/axes/augmentation/a/0/fill_value",
       "must be <= 255"},
      {R"({"op": "foreground_mask", "fill": "mean"})", "/axes/augmentation/a/0/fill",
       "unknown key"},
  }));
  INFO(op);
  const std::string msg = testing::op_schema_error(op);
  CHECK_THAT(msg, Contains("bad.json: " + pointer + ": ") && Contains(expected));
}

}  // namespace
}  // namespace gauntlet
