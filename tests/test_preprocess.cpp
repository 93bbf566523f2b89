// Unit tests of harness/preprocess: centre crop (torchvision's rounding of the offset), the resize
// modes, normalisation presets, the dataset z-score, and the suite key's parsing.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

#include "harness/command_io.hpp"
#include "harness/preprocess.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;

// n images of side x side x channels whose byte at (i, y, x, c) is a distinct function of all four.
Dataset pattern(int64_t n, int64_t side, int64_t channels) {
  Dataset d;
  d.n = n;
  d.height = d.width = side;
  d.channels = channels;
  d.class_names = {"a", "b"};
  for (int64_t i = 0; i < n; ++i) {
    d.labels.push_back(i % 2);
    for (int64_t y = 0; y < side; ++y) {
      for (int64_t x = 0; x < side; ++x) {
        for (int64_t c = 0; c < channels; ++c) d.images.push_back(static_cast<uint8_t>(7 * i + 16 * y + x + 80 * c));
      }
    }
  }
  return d;
}

bool same_bytes(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

TEST_CASE("a centre crop keeps the middle window, its offset rounded half to even like torchvision's",
          "[preprocess]") {
  // (side, kept): offsets from torchvision 0.14 CenterCrop, int(round((side - kept) / 2.0)).
  struct Case {
    int64_t side, kept;
    double fraction;
    int offset;
  };
  const Case c = GENERATE(Case{10, 5, 0.5, 2}, Case{14, 7, 0.5, 4}, Case{11, 4, 0.36, 4}, Case{13, 4, 0.3, 4},
                          Case{9, 5, 5.0 / 9, 2}, Case{8, 8, 1.0, 0});
  INFO("side " << c.side << " kept " << c.kept);
  const Dataset d = pattern(2, c.side, 3);
  PreprocessOptions o;
  o.center_crop = c.fraction;
  const PreparedSet p = prepare(d, c.kept, 3, o);  // side = the crop: no resize
  for (int64_t i = 0; i < d.n; ++i) {
    const cv::Mat want = image_mat(d, i)(cv::Rect(c.offset, c.offset, static_cast<int>(c.kept), static_cast<int>(c.kept)));
    CHECK(same_bytes(image_mat(p, i), want));
  }
}

TEST_CASE("each resize mode is OpenCV's interpolation of that name; auto picks area or bilinear",
          "[preprocess]") {
  struct Case {
    const char* name;
    int64_t from, to;
    int interpolation;
  };
  const Case c = GENERATE(Case{"auto", 12, 5, cv::INTER_AREA}, Case{"auto", 5, 12, cv::INTER_LINEAR},
                          Case{"area", 5, 12, cv::INTER_AREA}, Case{"bilinear", 12, 5, cv::INTER_LINEAR},
                          Case{"bicubic", 12, 5, cv::INTER_CUBIC}, Case{"nearest", 12, 5, cv::INTER_NEAREST});
  INFO(c.name << " " << c.from << " -> " << c.to);
  const Dataset d = pattern(3, c.from, 3);
  const PreparedSet p = prepare(d, c.to, 3, preprocess_from_json({{"resize", c.name}}));
  for (int64_t i = 0; i < d.n; ++i) {
    cv::Mat want;
    cv::resize(image_mat(d, i), want, cv::Size(static_cast<int>(c.to), static_cast<int>(c.to)), 0, 0, c.interpolation);
    CHECK(same_bytes(image_mat(p, i), want));
  }
  // The modes differ on this image (else the table above would prove nothing).
  const Dataset big = pattern(3, 12, 3);
  const PreparedSet bicubic = prepare(big, 5, 3, preprocess_from_json({{"resize", "bicubic"}}));
  const PreparedSet nearest = prepare(big, 5, 3, preprocess_from_json({{"resize", "nearest"}}));
  CHECK(bicubic.images != nearest.images);
}

TEST_CASE("a crop then resize equals resizing the cropped window, gray replicated to RGB", "[preprocess]") {
  const Dataset d = pattern(2, 16, 1);
  PreprocessOptions o;
  o.center_crop = 0.75;  // 12 of 16, offset 2
  o.resize = ResizeMode::kBilinear;
  const PreparedSet p = prepare(d, 6, 3, o);
  for (int64_t i = 0; i < d.n; ++i) {
    cv::Mat small, rgb;
    cv::resize(image_mat(d, i)(cv::Rect(2, 2, 12, 12)), small, cv::Size(6, 6), 0, 0, cv::INTER_LINEAR);
    cv::cvtColor(small, rgb, cv::COLOR_GRAY2RGB);
    CHECK(same_bytes(image_mat(p, i), rgb));
  }
}

TEST_CASE("the presets are their published constants; backbone keeps the backbone's", "[preprocess]") {
  const PreparedSet none;
  const Normalization backbone{{0.1f, 0.2f, 0.3f}, {0.4f, 0.5f, 0.6f}};
  auto resolve = [&](const json& j) { return resolve_normalization(preprocess_from_json(j), backbone, none); };
  const Normalization imagenet = resolve({{"normalize", "imagenet"}});
  CHECK(imagenet.mean == std::array<float, 3>{0.485f, 0.456f, 0.406f});
  CHECK(imagenet.std == std::array<float, 3>{0.229f, 0.224f, 0.225f});
  CHECK(resolve({{"normalize", "minus_one_to_one"}}).mean == std::array<float, 3>{0.5f, 0.5f, 0.5f});
  CHECK(resolve({{"normalize", "minus_one_to_one"}}).std == std::array<float, 3>{0.5f, 0.5f, 0.5f});
  CHECK(resolve({{"normalize", "zero_to_one"}}).mean == std::array<float, 3>{0.f, 0.f, 0.f});
  CHECK(resolve({{"normalize", "zero_to_one"}}).std == std::array<float, 3>{1.f, 1.f, 1.f});
  CHECK(resolve(json::object()).mean == backbone.mean);
  CHECK(resolve(json::object()).std == backbone.std);
  const Normalization custom = resolve(json::parse(R"({"normalize": {"mean": 0.25, "std": [0.5, 1, 2]}})"));
  CHECK(custom.mean == std::array<float, 3>{0.25f, 0.25f, 0.25f});
  CHECK(custom.std == std::array<float, 3>{0.5f, 1.f, 2.f});
}

TEST_CASE("dataset normalisation is the training images' per-channel z-score", "[preprocess]") {
  const Dataset d = pattern(5, 6, 3);
  const PreparedSet p = prepare(d, 6, 3);
  PreprocessOptions o;
  o.normalize = NormPreset::kDataset;
  const Normalization n = resolve_normalization(o, {}, p);
  for (int c = 0; c < 3; ++c) {
    double sum = 0, sum_sq = 0;
    const auto count = static_cast<double>(p.images.size() / 3);
    for (size_t i = static_cast<size_t>(c); i < p.images.size(); i += 3) {
      const double z = (p.images[i] / 255.0 - n.mean[static_cast<size_t>(c)]) / n.std[static_cast<size_t>(c)];
      sum += z;
      sum_sq += z * z;
    }
    INFO("channel " << c);
    CHECK(std::abs(sum / count) < 1e-5);
    CHECK(std::abs(sum_sq / count - 1.0) < 1e-5);
  }
  CHECK(n.mean[0] != n.mean[1]);  // the channels differ by 80 grey levels

  // A gray set: one statistic for all three; a constant set: std 1 (no division by zero).
  const Normalization gray = dataset_normalization(prepare(pattern(3, 4, 1), 4, 1));
  CHECK(gray.mean[0] == gray.mean[2]);
  CHECK(gray.std[0] == gray.std[1]);
  Dataset flat = pattern(2, 4, 1);
  std::fill(flat.images.begin(), flat.images.end(), uint8_t{51});
  const Normalization constant = dataset_normalization(prepare(flat, 4, 1));
  CHECK(constant.mean[0] == Approx(0.2f));
  CHECK(constant.std[0] == 1.0f);
}

TEST_CASE("preprocess options round-trip and bad values are rejected", "[preprocess]") {
  const json full = json::parse(R"({"resize": "bicubic", "center_crop": 0.875, "normalize": "dataset"})");
  CHECK(to_json(preprocess_from_json(full)) == full);
  const json custom = json::parse(R"({"resize": "auto", "center_crop": 1.0,
                                      "normalize": {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}})");
  CHECK(to_json(preprocess_from_json(custom)) == custom);
  CHECK(preprocess_from_json(json::object()).is_default());
  CHECK_FALSE(preprocess_from_json(json{{"center_crop", 0.9}}).is_default());
  for (const char* bad : {R"({"resize": "lanczos"})", R"({"center_crop": 0})", R"({"center_crop": 1.5})",
                          R"({"normalize": "custom"})", R"({"normalize": "z"})",
                          R"({"normalize": {"mean": [0.5, 0.5], "std": 1}})",
                          R"({"normalize": {"mean": 0.5, "std": 0}})"}) {
    INFO(bad);
    CHECK_THROWS_AS(preprocess_from_json(json::parse(bad)), std::invalid_argument);
  }
}

TEST_CASE("result.json's record gives back the normalisation used; older results the fallback",
          "[preprocess]") {
  PreprocessOptions o;
  o.normalize = NormPreset::kImagenet;
  const Normalization used{{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
  const json result{{"preprocess", preprocess_record(o, used, 3)}};
  CHECK(result["preprocess"]["normalize"] == "imagenet");
  const Normalization back = recorded_normalization(result, {});
  CHECK(back.mean == used.mean);
  CHECK(back.std == used.std);
  const Normalization gray = recorded_normalization({{"preprocess", preprocess_record(o, used, 1)}}, {});
  CHECK(gray.mean == std::array<float, 3>{0.485f, 0.485f, 0.485f});
  const Normalization fallback{{0.1f, 0.1f, 0.1f}, {0.2f, 0.2f, 0.2f}};
  CHECK(recorded_normalization(json::object(), fallback).mean == fallback.mean);
}

}  // namespace
}  // namespace gauntlet
