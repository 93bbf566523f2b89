// Unit tests of augmentations/photometric: every op keeps shape and type, p = 0 and magnitude 0
// are identities, outputs are pure functions of the Rng key, options round-trip through JSON and
// match the suite schema's defaults, and the op-specific properties (invert twice, solarize 0 and
// 256, posterize 8, grey channels, equalize's full range, hue's half turns) hold. Value parity with
// torchvision is tests/parity/transforms_photometric_parity.py.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <set>
#include <string>
#include <vector>

#include "augmentations/photometric.hpp"
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

// A smooth colour image: gradients with some texture, closer to a photograph than noise is.
cv::Mat smooth_image(int rows, int cols, int type) {
  cv::Mat m(rows, cols, type);
  const int ch = m.channels();
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      for (int c = 0; c < ch; ++c) {
        const double v = 128 + 90 * std::sin(0.11 * x + 0.7 * c) * std::cos(0.07 * y - 0.3 * c) + 20 * ((x * 7 + y * 3 + c) % 5 - 2);
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

template <typename T>
T with_p(T o, double p) {
  o.p = p;
  return o;
}

// Every photometric op with p = 1 and its default magnitudes.
std::vector<TransformOptions> all_ops() {
  return {with_p(BrightnessOptions{}, 1),   with_p(ContrastOptions{}, 1),   with_p(SaturationOptions{}, 1),
          with_p(HueOptions{}, 1),          with_p(ColorJitterOptions{}, 1), with_p(GammaOptions{}, 1),
          with_p(GrayscaleOptions{}, 1),    with_p(ChannelShuffleOptions{}, 1), with_p(EqualizeOptions{}, 1),
          with_p(AutocontrastOptions{}, 1), with_p(PosterizeOptions{}, 1),  with_p(SolarizeOptions{}, 1),
          with_p(InvertOptions{}, 1),       with_p(SharpnessOptions{}, 1),  with_p(GaussianBlurOptions{}, 1),
          with_p(GaussianNoiseOptions{}, 1), with_p(JpegOptions{}, 1)};
}

// The ops whose output depends on a draw beyond p.
const std::set<std::string> kRandom = {"brightness", "contrast",  "saturation",     "hue",
                                       "color_jitter", "gamma",   "channel_shuffle", "posterize",
                                       "sharpness",  "gaussian_blur", "gaussian_noise", "jpeg"};

TEST_CASE("photometric ops keep size, type and channels, and only read their source",
          "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const auto [rows, cols] = GENERATE(table<int, int>({{13, 50}, {96, 96}, {2, 3}}));
  const cv::Mat src = random_image(rows, cols, type, 1);
  const cv::Mat before = src.clone();
  for (const auto& o : all_ops()) {
    INFO(transform_name(o) << " on " << rows << "x" << cols << "x" << CV_MAT_CN(type));
    for (uint64_t key = 0; key < 3; ++key) {
      const cv::Mat dst = run(o, src, key);
      CHECK(dst.rows == rows);
      CHECK(dst.cols == cols);
      CHECK(dst.type() == type);
    }
  }
  CHECK(same_bytes(src, before));
}

TEST_CASE("photometric ops with p = 0 are identities", "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const cv::Mat src = random_image(13, 50, type, 2);
  for (const auto& o : all_ops()) {
    INFO(transform_name(o));
    const TransformOptions off = std::visit([](auto x) -> TransformOptions { return with_p(x, 0.0); }, o);
    for (uint64_t key = 0; key < 10; ++key) REQUIRE(same_bytes(run(off, src, key), src));
  }
}

TEST_CASE("photometric ops at magnitude 0 are identities", "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const cv::Mat src = random_image(13, 50, type, 3);
  ColorJitterOptions jitter;
  jitter.brightness_min = jitter.brightness_max = 1;
  jitter.contrast_min = jitter.contrast_max = 1;
  jitter.saturation_min = jitter.saturation_max = 1;
  jitter.hue_min = jitter.hue_max = 0;
  GaussianBlurOptions blur;
  blur.kernel_size = 1;
  const std::vector<TransformOptions> identities = {
      BrightnessOptions{1, 1, 1}, ContrastOptions{1, 1, 1},  SaturationOptions{1, 1, 1},
      HueOptions{1, 0, 0},        jitter,                    GammaOptions{1, 1, 1},
      PosterizeOptions{1, 8, 8},  SolarizeOptions{1, 256},   SharpnessOptions{1, 1, 1},
      GaussianNoiseOptions{1, 0, 0}, blur};
  for (const auto& o : identities) {
    INFO(transform_name(o));
    for (uint64_t key = 0; key < 5; ++key) REQUIRE(same_bytes(run(o, src, key), src));
  }
}

TEST_CASE("photometric ops are pure functions of the Rng key", "[augmentations]") {
  const cv::Mat src = smooth_image(32, 40, CV_8UC3);
  for (const auto& o : all_ops()) {
    const std::string name = transform_name(o);
    INFO(name);
    const cv::Mat a = run(o, src, 11);
    CHECK(same_bytes(a, run(o, src, 11)));
    if (kRandom.count(name) == 0) continue;
    bool differs = false;
    for (uint64_t key = 12; key < 20 && !differs; ++key) differs = !same_bytes(a, run(o, src, key));
    CHECK(differs);
  }
}

TEST_CASE("photometric ops may write over their source", "[augmentations]") {
  const cv::Mat src = smooth_image(17, 23, CV_8UC3);
  for (const auto& o : all_ops()) {
    INFO(transform_name(o));
    cv::Mat in_place = src.clone();
    Rng rng{5};
    make_transform(o)->apply(in_place, in_place, rng);
    CHECK(same_bytes(in_place, run(o, src, 5)));
  }
}

TEST_CASE("photometric options round-trip through JSON with every field", "[augmentations]") {
  const json ops = json::parse(R"([
    {"op": "brightness", "p": 0.25, "factor": [0.5, 1.5]},
    {"op": "contrast", "p": 0.5, "factor": [0.25, 2.0]},
    {"op": "saturation", "p": 0.75, "factor": [0.0, 3.0]},
    {"op": "hue", "p": 0.5, "shift": [-0.5, 0.25]},
    {"op": "color_jitter", "p": 0.8, "brightness": [0.5, 1.5], "contrast": [0.75, 1.25],
     "saturation": [0.0, 2.0], "hue": [-0.25, 0.5]},
    {"op": "gamma", "p": 0.5, "gamma": [0.5, 2.0]},
    {"op": "grayscale", "p": 0.2},
    {"op": "channel_shuffle", "p": 0.25},
    {"op": "equalize", "p": 0.75},
    {"op": "autocontrast", "p": 0.25},
    {"op": "posterize", "p": 0.5, "bits": [2, 6]},
    {"op": "solarize", "p": 0.5, "threshold": 200},
    {"op": "invert", "p": 0.125},
    {"op": "sharpness", "p": 0.5, "factor": [0.0, 4.0]},
    {"op": "gaussian_blur", "p": 0.5, "kernel_size": 7, "sigma": [0.5, 3.0]},
    {"op": "gaussian_noise", "p": 0.5, "sigma": [1.0, 30.0]},
    {"op": "jpeg", "p": 0.5, "quality": [10, 60]}
  ])");
  CHECK(pipeline_to_json(pipeline_from_json(ops)) == ops);
  CHECK(pipeline_from_json(ops).size() == all_ops().size());
}

TEST_CASE("the suite schema rejects bad photometric values with the JSON pointer",
          "[augmentations]") {
  auto [op, pointer, expected] = GENERATE(table<std::string, std::string, std::string>({
      {R"({"op": "brightness", "factor": [-0.5, 1.0]})", "/axes/augmentation/a/0/factor/0", "must be >= 0"},
      {R"({"op": "hue", "shift": [-0.1, 0.7]})", "/axes/augmentation/a/0/shift/1", "must be <= 0.5"},
      {R"({"op": "posterize", "bits": [4, 9]})", "/axes/augmentation/a/0/bits/1", "must be <= 8"},
      {R"({"op": "solarize", "threshold": 300})", "/axes/augmentation/a/0/threshold", "must be <= 256"},
      {R"({"op": "gaussian_blur", "kernel_size": 33})", "/axes/augmentation/a/0/kernel_size",
       "must be <= 31"},
      {R"({"op": "gaussian_blur", "kernel_size": 4})", "/axes/augmentation/a/0",
       "gaussian_blur: kernel_size 4 is not a positive odd number"},
      {R"({"op": "jpeg", "quality": [0, 50]})", "/axes/augmentation/a/0/quality/0", "must be >= 1"},
      {R"({"op": "invert", "p": 1.5})", "/axes/augmentation/a/0/p", "must be <= 1"},
      {R"({"op": "gamma", "gama": [1, 2]})", "/axes/augmentation/a/0/gama", "unknown key"},
      {R"({"op": "contrast", "factor": [1.5, 0.5]})", "/axes/augmentation/a/0",
       "contrast: factor [1.5, 0.5] has min > max"},
  }));
  INFO(op);
  const std::string msg = testing::op_schema_error(op);
  CHECK_THAT(msg, Contains("bad.json: " + pointer + ": ") && Contains(expected));
}

TEST_CASE("invert twice, solarize 0 and 256, and posterize 8 behave as defined", "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const cv::Mat src = random_image(13, 50, type, 4);
  cv::Mat once, twice, expected;
  invert(src, once);
  invert(once, twice);
  CHECK(same_bytes(twice, src));
  cv::bitwise_not(src, expected);
  CHECK(same_bytes(once, expected));
  cv::Mat s0, s256, s128, p8, p1;
  solarize(src, s0, 0);
  solarize(src, s256, 256);
  CHECK(same_bytes(s0, once));
  CHECK(same_bytes(s256, src));
  solarize(src, s128, 128);
  posterize(src, p8, 8);
  CHECK(same_bytes(p8, src));
  posterize(src, p1, 1);
  for (size_t i = 0; i < src.total() * src.channels(); ++i) {
    const uint8_t v = src.data[i];
    REQUIRE(s128.data[i] == (v >= 128 ? 255 - v : v));
    REQUIRE(p1.data[i] == (v & 0x80));
  }
}

TEST_CASE("grayscale gives equal channels and keeps grey images", "[augmentations]") {
  const cv::Mat rgb = random_image(13, 50, CV_8UC3, 5);
  const cv::Mat out = run(GrayscaleOptions{1.0}, rgb);
  REQUIRE(out.type() == CV_8UC3);
  for (size_t i = 0; i < out.total(); ++i) {
    REQUIRE(out.data[3 * i] == out.data[3 * i + 1]);
    REQUIRE(out.data[3 * i] == out.data[3 * i + 2]);
  }
  // torchvision's weights 0.2989, 0.587, 0.114, truncated.
  const uint8_t* p = rgb.data;
  CHECK(out.data[0] == static_cast<int>(0.2989f * p[0] + 0.587f * p[1] + 0.114f * p[2]));
  const cv::Mat grey = random_image(13, 50, CV_8UC1, 6);
  CHECK(same_bytes(run(GrayscaleOptions{1.0}, grey), grey));
  // A grey RGB image stays grey under saturation.
  CHECK(same_bytes(run(SaturationOptions{1, 0, 0}, out), run(GrayscaleOptions{1.0}, out)));
}

TEST_CASE("channel_shuffle permutes the channels and keeps grey images", "[augmentations]") {
  const cv::Mat src = random_image(13, 50, CV_8UC3, 7);
  std::vector<cv::Mat> in;
  cv::split(src, in);
  std::set<std::vector<int>> seen;
  for (uint64_t key = 0; key < 60; ++key) {
    std::vector<cv::Mat> out;
    cv::split(run(ChannelShuffleOptions{1.0}, src, key), out);
    std::vector<int> perm;
    for (const cv::Mat& o : out) {
      int from = -1;
      for (int c = 0; c < 3; ++c) {
        if (same_bytes(o, in[c])) from = c;
      }
      REQUIRE(from >= 0);
      perm.push_back(from);
    }
    REQUIRE(std::set<int>(perm.begin(), perm.end()).size() == 3);
    seen.insert(perm);
  }
  CHECK(seen.size() == 6);
  const cv::Mat grey = random_image(13, 50, CV_8UC1, 8);
  CHECK(same_bytes(run(ChannelShuffleOptions{1.0}, grey), grey));
}

TEST_CASE("equalize and autocontrast stretch a low-contrast image to 0..255", "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  cv::Mat src = random_image(40, 50, type, 9);
  src.convertTo(src, -1, 1.0 / 16, 100);  // values 100..116 in every channel
  for (const cv::Mat& out : {run(EqualizeOptions{1.0}, src), run(AutocontrastOptions{1.0}, src)}) {
    std::vector<cv::Mat> channels;
    cv::split(out, channels);
    for (const cv::Mat& c : channels) {
      double lo = 0, hi = 0;
      cv::minMaxLoc(c, &lo, &hi);
      CHECK(lo == 0);
      CHECK(hi == 255);
    }
  }
  // A constant image has nothing to stretch.
  const cv::Mat flat(8, 8, type, cv::Scalar::all(77));
  CHECK(same_bytes(run(EqualizeOptions{1.0}, flat), flat));
  CHECK(same_bytes(run(AutocontrastOptions{1.0}, flat), flat));
}

TEST_CASE("hue: two half turns come back to the image up to rounding", "[augmentations]") {
  const cv::Mat src = smooth_image(24, 30, CV_8UC3);
  cv::Mat half, full;
  adjust_hue(src, half, 0.5);
  adjust_hue(half, full, 0.5);
  CHECK_FALSE(same_bytes(half, src));
  cv::Mat diff;
  cv::absdiff(full, src, diff);
  CHECK(cv::norm(diff, cv::NORM_INF) <= 2);  // each pass truncates, as torchvision's does
  CHECK(cv::mean(diff)[0] < 1.0);
  cv::Mat neg;
  adjust_hue(src, neg, -0.5);
  cv::absdiff(neg, half, diff);
  CHECK(cv::norm(diff, cv::NORM_INF) <= 1);
}

TEST_CASE("color_jitter applies the single-factor kernels", "[augmentations]") {
  const cv::Mat src = smooth_image(20, 24, CV_8UC3);
  ColorJitterOptions o;
  o.contrast_min = o.contrast_max = 1;
  o.saturation_min = o.saturation_max = 1;
  o.hue_min = o.hue_max = 0;
  o.brightness_min = o.brightness_max = 1.3;
  cv::Mat expected;
  adjust_brightness(src, expected, 1.3);
  CHECK(same_bytes(run(o, src), expected));
  o.brightness_min = o.brightness_max = 1;
  o.saturation_min = o.saturation_max = 0.4;
  adjust_saturation(src, expected, 0.4);
  CHECK(same_bytes(run(o, src), expected));
  // With all four on, the order is drawn: some keys give different results at fixed factors.
  ColorJitterOptions all{1, 1.3, 1.3, 0.7, 0.7, 0.5, 0.5, 0.2, 0.2};
  std::set<std::vector<uint8_t>> outputs;
  for (uint64_t key = 0; key < 24; ++key) {
    const cv::Mat out = run(all, src, key);
    outputs.insert(std::vector<uint8_t>(out.data, out.data + out.total() * 3));
  }
  CHECK(outputs.size() > 4);
}

TEST_CASE("brightness, contrast and sharpness follow torchvision's blend", "[augmentations]") {
  const cv::Mat src = random_image(13, 50, CV_8UC3, 10);
  cv::Mat b, c, s;
  adjust_brightness(src, b, 0.0);
  CHECK(cv::countNonZero(b.reshape(1)) == 0);
  adjust_brightness(src, b, 2.0);
  for (size_t i = 0; i < src.total() * 3; ++i) REQUIRE(b.data[i] == std::min(255, 2 * src.data[i]));
  adjust_contrast(src, c, 0.0);  // a flat image at the truncated grey mean
  double lo = 0, hi = 0;
  cv::minMaxLoc(c.reshape(1), &lo, &hi);
  CHECK(lo == hi);
  adjust_sharpness(src, s, 0.0);  // the smoothed image inside, the source on the border
  CHECK(same_bytes(s.row(0), src.row(0)));
  CHECK(same_bytes(s.col(src.cols - 1), src.col(src.cols - 1)));
  CHECK_FALSE(same_bytes(s, src));
}

TEST_CASE("gaussian_noise has the drawn sigma and zero mean before clipping", "[augmentations]") {
  const cv::Mat src(64, 64, CV_8UC3, cv::Scalar::all(128));
  const cv::Mat out = run(GaussianNoiseOptions{1, 10, 10}, src);
  cv::Mat diff;
  out.convertTo(diff, CV_64F);
  diff -= cv::Scalar::all(128);
  cv::Scalar mean, stddev;
  cv::meanStdDev(diff.reshape(1), mean, stddev);
  CHECK(std::abs(mean[0]) < 0.5);
  CHECK(std::abs(stddev[0] - 10) < 0.5);
}

TEST_CASE("gaussian_blur and jpeg keep a flat image nearly flat", "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const cv::Mat flat(20, 30, type, cv::Scalar::all(90));
  CHECK(cv::norm(run(GaussianBlurOptions{1, 7, 2, 2}, flat), flat, cv::NORM_INF) == 0);
  CHECK(cv::norm(run(JpegOptions{1, 50, 50}, flat), flat, cv::NORM_INF) <= 1);
}

}  // namespace
}  // namespace gauntlet
