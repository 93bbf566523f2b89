// Unit tests of augmentations/corruption: the size tables, the parameter tables of
// shared/specs/corruptions.md, contrast against an independent computation of the reference
// formula, gaussian noise keyed by its Rng, and the errors for unknown names and severities.
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <opencv2/core.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "augmentations/corruption.hpp"
#include "tests/test_images.hpp"

namespace gauntlet {
namespace {

using testing::random_image;
using testing::same_bytes;

using Catch::Matchers::Contains;

const double kPi = std::acos(-1.0);

double mean_abs_change(const cv::Mat& a, const cv::Mat& b) {
  return cv::norm(a, b, cv::NORM_L1) / static_cast<double>(a.total() * a.channels());
}

// The reference's contrast, written out from the spec: x = img / 255, m = per-channel mean of x
// over height and width, (x - m) * c + m, clipped to [0, 1], times 255, truncated to uint8.
cv::Mat reference_contrast(const cv::Mat& img, double c) {
  const int ch = img.channels();
  const int n = img.rows * img.cols;
  std::vector<double> mean(ch, 0.0);
  for (int y = 0; y < img.rows; ++y) {
    for (int x = 0; x < img.cols; ++x) {
      for (int k = 0; k < ch; ++k) mean[k] += img.ptr<uint8_t>(y)[x * ch + k] / 255.0;
    }
  }
  for (double& m : mean) m /= n;
  cv::Mat out(img.size(), img.type());
  for (int y = 0; y < img.rows; ++y) {
    for (int x = 0; x < img.cols; ++x) {
      for (int k = 0; k < ch; ++k) {
        double v = (img.ptr<uint8_t>(y)[x * ch + k] / 255.0 - mean[k]) * c + mean[k];
        v = std::min(1.0, std::max(0.0, v));
        out.ptr<uint8_t>(y)[x * ch + k] = static_cast<uint8_t>(v * 255);
      }
    }
  }
  return out;
}

TEST_CASE("size_table_for picks the table by the longer side", "[corruptions]") {
  auto [height, width, want, name] = GENERATE(table<int, int, SizeTable, std::string>({
      {28, 28, SizeTable::kSmall, "small"},
      {48, 48, SizeTable::kSmall, "small"},
      {49, 49, SizeTable::kMedium, "medium"},
      {64, 64, SizeTable::kMedium, "medium"},
      {159, 159, SizeTable::kMedium, "medium"},
      {160, 160, SizeTable::kLarge, "large"},
      {224, 224, SizeTable::kLarge, "large"},
      {20, 49, SizeTable::kMedium, "medium"},
      {49, 20, SizeTable::kMedium, "medium"},
      {160, 10, SizeTable::kLarge, "large"},
      {10, 160, SizeTable::kLarge, "large"},
  }));
  INFO(height << "x" << width);
  CHECK(size_table_for(height, width) == want);
  CHECK(std::string(size_table_name(size_table_for(height, width))) == name);
}

TEST_CASE("corruption_parameters follows the spec's tables", "[corruptions]") {
  using Row = std::array<double, 5>;
  auto [name, size, row] = GENERATE(table<std::string, SizeTable, Row>({
      {"gaussian_noise", SizeTable::kSmall, {.04, .06, .08, .09, .10}},
      {"gaussian_noise", SizeTable::kMedium, {.04, .08, .12, .15, .18}},
      {"gaussian_noise", SizeTable::kLarge, {.08, .12, .18, .26, .38}},
      {"contrast", SizeTable::kSmall, {.75, .5, .4, .3, .15}},
      {"contrast", SizeTable::kMedium, {.4, .3, .2, .1, .05}},
      {"contrast", SizeTable::kLarge, {.4, .3, .2, .1, .05}},
  }));
  for (int severity = 1; severity <= 5; ++severity) {
    INFO(name << " " << size_table_name(size) << " severity " << severity);
    CHECK(corruption_parameters(name, severity, size)[0] == row[severity - 1]);
  }
}

TEST_CASE("contrast equals the reference formula exactly", "[corruptions]") {
  auto [rows, cols, channels] = GENERATE(table<int, int, int>({{28, 28, 1}, {32, 32, 3}}));
  const cv::Mat img = random_image(rows, cols, CV_8UC(channels), 100 + channels);
  const SizeTable size = size_table_for(rows, cols);
  REQUIRE(size == SizeTable::kSmall);
  for (int severity = 1; severity <= 5; ++severity) {
    INFO(rows << "x" << cols << "x" << channels << ", severity " << severity);
    Rng rng{1};
    cv::Mat out;
    apply_corruption("contrast", severity, img, out, size, rng);
    REQUIRE(out.size() == img.size());
    REQUIRE(out.type() == img.type());
    const cv::Mat expected =
        reference_contrast(img, corruption_parameters("contrast", severity, size)[0]);
    CHECK(cv::norm(out, expected, cv::NORM_INF) == 0);
  }
}

TEST_CASE("contrast leaves a constant image unchanged", "[corruptions]") {
  // Every pixel is its channel's mean, so (x - m) * c + m = m = x at any severity.
  const uint8_t value = GENERATE(0, 1, 128, 254, 255);
  const cv::Mat img(8, 8, CV_8UC3, cv::Scalar::all(value));
  for (int severity = 1; severity <= 5; ++severity) {
    INFO("value " << int{value} << ", severity " << severity);
    Rng rng{1};
    cv::Mat out;
    apply_corruption("contrast", severity, img, out, SizeTable::kLarge, rng);
    CHECK(same_bytes(out, img));
  }
}

TEST_CASE("a corruption of a view equals that of its copy", "[corruptions]") {
  const cv::Mat big = random_image(40, 40, CV_8UC3, 5);
  const cv::Mat view = big(cv::Rect(3, 5, 28, 30));
  REQUIRE_FALSE(view.isContinuous());
  for (const char* name : {"contrast", "gaussian_noise"}) {
    INFO(name);
    cv::Mat from_view, from_copy;
    Rng a{4};
    apply_corruption(name, 3, view, from_view, SizeTable::kSmall, a);
    Rng b{4};
    apply_corruption(name, 3, view.clone(), from_copy, SizeTable::kSmall, b);
    CHECK(same_bytes(from_view, from_copy));
  }
}

TEST_CASE("gaussian_noise is a pure function of the image and the Rng key", "[corruptions]") {
  const int channels = GENERATE(1, 3);
  const cv::Mat img = random_image(32, 32, CV_8UC(channels), 7);
  cv::Mat a, b, c;
  Rng ka{42, 1};
  apply_corruption("gaussian_noise", 3, img, a, SizeTable::kSmall, ka);
  Rng kb{42, 1};
  apply_corruption("gaussian_noise", 3, img, b, SizeTable::kSmall, kb);
  Rng kc{42, 2};
  apply_corruption("gaussian_noise", 3, img, c, SizeTable::kSmall, kc);
  CHECK(a.size() == img.size());
  CHECK(a.type() == img.type());
  CHECK(same_bytes(a, b));
  CHECK_FALSE(same_bytes(a, c));
  CHECK_FALSE(same_bytes(a, img));
}

TEST_CASE("gaussian_noise adds N(0, c) to x / 255 per element, then clips and truncates",
          "[corruptions]") {
  const cv::Mat img = random_image(16, 16, CV_8UC3, 8);
  const double c = corruption_parameters("gaussian_noise", 5, SizeTable::kLarge)[0];
  Rng rng{9};
  cv::Mat out;
  apply_corruption("gaussian_noise", 5, img, out, SizeTable::kLarge, rng);
  // Elements in row-major HWC order, one normal draw each, from a stream with the same key.
  Rng draws{9};
  const uint8_t* in = img.ptr<uint8_t>();
  const uint8_t* got = out.ptr<uint8_t>();
  int clipped_low = 0, clipped_high = 0;
  for (size_t i = 0; i < img.total() * 3; ++i) {
    const double v = std::min(1.0, std::max(0.0, in[i] / 255.0 + c * draws.normal()));
    const auto want = static_cast<uint8_t>(v * 255);
    INFO("element " << i);
    REQUIRE(got[i] == want);
    clipped_low += want == 0;
    clipped_high += want == 255;
  }
  // sigma .38 on a uniform image: both ends clip somewhere.
  CHECK(clipped_low > 0);
  CHECK(clipped_high > 0);
}

TEST_CASE("gaussian_noise changes the image more at each severity", "[corruptions]") {
  // Mid-grey, so that no draw clips (4 sigma of .10 is 102 levels): the mean absolute change is
  // then E|floor(255 c z)|, which is 255 c sqrt(2 / pi) to well within its standard error.
  const cv::Mat img(48, 48, CV_8UC3, cv::Scalar::all(128));
  const double n = 48 * 48 * 3;
  double previous = 0;
  for (int severity = 1; severity <= 5; ++severity) {
    INFO("severity " << severity);
    Rng rng{77};
    cv::Mat out;
    apply_corruption("gaussian_noise", severity, img, out, SizeTable::kSmall, rng);
    const double change = mean_abs_change(out, img);
    const double sigma = 255 * corruption_parameters("gaussian_noise", severity, SizeTable::kSmall)[0];
    const double expected = sigma * std::sqrt(2 / kPi);
    const double standard_error = sigma * std::sqrt(1 - 2 / kPi) / std::sqrt(n);
    CHECK(change > previous);
    CHECK(std::abs(change - expected) < 4 * standard_error);
    previous = change;
  }
}

TEST_CASE("unknown corruptions and severities outside 1..5 are std::invalid_argument",
          "[corruptions]") {
  const cv::Mat img = random_image(8, 8, CV_8UC1, 1);
  cv::Mat out;
  Rng rng{1};
  CHECK_THROWS_AS(apply_corruption("blur", 1, img, out, SizeTable::kSmall, rng),
                  std::invalid_argument);
  CHECK_THROWS_WITH(apply_corruption("blur", 1, img, out, SizeTable::kSmall, rng),
                    Contains("unknown corruption \"blur\""));
  CHECK_THROWS_WITH(corruption_parameters("Contrast", 1, SizeTable::kSmall)[0],
                    Contains("unknown corruption \"Contrast\""));
  for (const char* name : {"gaussian_noise", "contrast"}) {
    for (int severity : {0, 6, -1}) {
      INFO(name << " severity " << severity);
      CHECK_THROWS_AS(apply_corruption(name, severity, img, out, SizeTable::kSmall, rng),
                      std::invalid_argument);
      CHECK_THROWS_WITH(corruption_parameters(name, severity, SizeTable::kMedium)[0],
                        Contains("severity must be 1..5, got " + std::to_string(severity)));
    }
  }
  CHECK(out.empty());  // nothing was written
}

TEST_CASE("corruption ids are unique and name their family", "[corruptions]") {
  const auto& infos = corruption_infos();
  std::set<std::string> ids;
  for (const auto& c : infos) {
    INFO(c.id);
    CHECK(ids.insert(c.id).second);
    CHECK(has_corruption(c.id));
    CHECK((c.family == kImageNetC || c.family == kBloodMnistC));
    CHECK(c.id == (c.family == kImageNetC ? c.name : c.family + "." + c.name));
    CHECK(corruption_id(c.name, c.family) == c.id);
    CHECK(corruption_id(c.id) == c.id);
  }
  CHECK_FALSE(has_corruption("blur"));
  CHECK_FALSE(has_corruption(""));
  CHECK_THROWS_WITH(corruption_id("blur"), Contains("unknown corruption \"blur\""));
  CHECK_THROWS_WITH(corruption_id("gaussian_noise", kBloodMnistC),
                    Contains("is not in family \"bloodmnist-c\" (it is in imagenet-c)"));
}

}  // namespace
}  // namespace gauntlet
