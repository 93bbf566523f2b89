// Unit tests of the ImageNet-C digital family and the MedMNIST-C blood family beyond the
// registry-wide properties: their parameter tables against shared/specs/corruptions.md, the
// digital kernels (PIL's BOX resize, skimage's HSV, the JPEG round trip) on hand-checked cases,
// grey-image special cases, and statistical checks of the random ops (elastic displacement size,
// ink blots, bubbles). Element-wise parity with Python is tests/parity/corruption_refs/.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "augmentations/corruption.hpp"
#include "augmentations/corruption_kernels.hpp"
#include "tests/test_images.hpp"

namespace gauntlet {
namespace {

using testing::random_image;

using Rows = std::vector<std::vector<double>>;

void check_rows(const std::string& id, SizeTable table, const Rows& want) {
  for (int s = 1; s <= 5; ++s) {
    const CorruptionParams got = corruption_parameters(id, s, table);
    INFO(id << " " << size_table_name(table) << " severity " << s);
    REQUIRE(got.size() == want[s - 1].size());
    for (size_t k = 0; k < got.size(); ++k) CHECK(got[k] == Approx(want[s - 1][k]));
  }
}

cv::Mat apply(const std::string& id, int severity, const cv::Mat& img, uint64_t key = 1) {
  cv::Mat out;
  Rng rng{key};
  apply_corruption(id, severity, img, out, size_table_for(img.rows, img.cols), rng);
  return out;
}

TEST_CASE("digital parameter tables are the spec's", "[corruptions]") {
  const auto S = SizeTable::kSmall, M = SizeTable::kMedium, L = SizeTable::kLarge;
  check_rows("brightness", S, {{.05}, {.1}, {.15}, {.2}, {.3}});
  check_rows("brightness", M, {{.1}, {.2}, {.3}, {.4}, {.5}});
  check_rows("brightness", L, {{.1}, {.2}, {.3}, {.4}, {.5}});
  check_rows("contrast", S, {{.75}, {.5}, {.4}, {.3}, {.15}});
  check_rows("contrast", L, {{.4}, {.3}, {.2}, {.1}, {.05}});
  // (alpha, sigma, jitter) in pixels at the reference side, then that side.
  check_rows("elastic_transform", S,
             {{0, 0, 2.56, 32},
              {1.6, 6.4, 2.24, 32},
              {2.56, 1.92, 1.92, 32},
              {3.2, 1.28, 1.6, 32},
              {3.2, .96, .96, 32}});
  check_rows("elastic_transform", M,
             {{0, 0, 5.12, 64},
              {3.2, 19.2, 3.84, 64},
              {6.4, 5.12, 3.84, 64},
              {6.4, 1.92, 1.92, 64},
              {10.24, 1.92, 1.28, 64}});
  check_rows("elastic_transform", L,
             {{488, 170.8, 24.4, 224},
              {488, 19.52, 48.8, 224},
              {12.2, 2.44, 4.88, 224},
              {17.08, 2.44, 4.88, 224},
              {29.28, 2.44, 4.88, 224}});
  check_rows("pixelate", S, {{.95}, {.9}, {.85}, {.75}, {.65}});
  check_rows("pixelate", M, {{.9}, {.8}, {.7}, {.6}, {.5}});
  check_rows("pixelate", L, {{.6}, {.5}, {.4}, {.3}, {.25}});
  check_rows("jpeg_compression", S, {{80}, {65}, {58}, {50}, {40}});
  check_rows("jpeg_compression", M, {{65}, {58}, {50}, {40}, {25}});
  check_rows("jpeg_compression", L, {{25}, {18}, {15}, {10}, {7}});
  check_rows("saturate", S, {{.3, 0}, {.1, 0}, {1.5, 0}, {2, .1}, {2.5, .2}});
  check_rows("saturate", M, {{.3, 0}, {.1, 0}, {2, 0}, {5, .1}, {30, .2}});
  check_rows("saturate", L, {{.3, 0}, {.1, 0}, {2, 0}, {5, .1}, {20, .2}});
}

TEST_CASE("blood parameter tables are the spec's at every size", "[corruptions]") {
  const std::vector<std::pair<std::string, Rows>> blood = {
      {"pixelate", {{.6}, {.5}, {.4}, {.3}, {.25}}},
      {"jpeg_compression", {{50}, {30}, {15}, {10}, {7}}},
      {"defocus_blur", {{2, .01}, {3, .1}, {4, .1}, {5, .1}, {6, .1}}},
      {"motion_blur", {{3, 3}, {5, 5}, {10, 5}, {10, 7}, {10, 9}}},
      {"brightness_up", {{1.1}, {1.2}, {1.3}, {1.35}, {1.4}}},
      {"brightness_down", {{.9}, {.8}, {.7}, {.6}, {.5}}},
      {"contrast_up", {{1.1}, {1.15}, {1.2}, {1.25}, {1.3}}},
      {"contrast_down", {{.9}, {.8}, {.7}, {.6}, {.5}}},
      {"saturate", {{.05}, {.10}, {.15}, {.17}, {.20}}},
      {"stain_deposit", {{1, 24}, {2, 24}, {3, 24}, {3, 24}, {3, 32}}},
      {"bubble", {{5, 10}, {7, 10}, {10, 10}, {12, 12}, {15, 12}}},
  };
  for (const auto& [name, rows] : blood) {
    for (auto t : {SizeTable::kSmall, SizeTable::kMedium, SizeTable::kLarge}) {
      check_rows(std::string(kBloodMnistC) + "." + name, t, rows);
    }
  }
}

TEST_CASE("digital and blood entries come in the spec's order with their flags", "[corruptions]") {
  std::vector<std::string> digital, blood;
  for (const auto& c : corruption_infos()) {
    if (c.family == kBloodMnistC) {
      blood.push_back(c.name);
      CHECK(c.in_mce);
    }
    if (c.id == "saturate") CHECK_FALSE(c.in_mce);
    if (c.id == "brightness" || c.id == "elastic_transform" || c.id == "pixelate" ||
        c.id == "jpeg_compression") {
      CHECK(c.in_mce);
    }
  }
  const std::vector<std::string> order = {"brightness", "contrast",         "elastic_transform",
                                          "pixelate",   "jpeg_compression", "saturate"};
  const auto& infos = corruption_infos();
  auto it = std::find_if(infos.begin(), infos.end(),
                         [](const CorruptionInfo& c) { return c.id == "brightness"; });
  REQUIRE(std::distance(it, infos.end()) >= 6);
  for (size_t k = 0; k < order.size(); ++k, ++it) CHECK(it->id == order[k]);
  CHECK(blood == std::vector<std::string>{"pixelate", "jpeg_compression", "defocus_blur",
                                          "motion_blur", "brightness_up", "brightness_down",
                                          "contrast_up", "contrast_down", "saturate",
                                          "stain_deposit", "bubble"});
}

TEST_CASE("digital and blood ops take tiny and rectangular images", "[corruptions]") {
  std::vector<std::string> ids = {"brightness", "elastic_transform", "pixelate", "jpeg_compression",
                                  "saturate"};
  for (const auto& c : corruption_infos()) {
    if (c.family == kBloodMnistC) ids.push_back(c.id);
  }
  const std::vector<cv::Size> sizes = {{8, 8}, {31, 9}, {97, 150}, {200, 260}};
  for (const auto& id : ids) {
    for (const cv::Size& size : sizes) {
      for (int channels : {1, 3}) {
        const cv::Mat img = random_image(size.height, size.width, CV_8UC(channels), 3);
        for (int severity = 1; severity <= 5; ++severity) {
          INFO(id << " " << size << " x" << channels << " severity " << severity);
          const cv::Mat out = apply(id, severity, img);
          CHECK(out.size() == img.size());
          CHECK(out.type() == img.type());
        }
      }
    }
  }
}

// Expected values are PIL 9.4's Image.resize(..., Image.BOX) on the same arrays.
TEST_CASE("resize_box is PIL's BOX resampling", "[corruptions]") {
  auto row = [](std::vector<uint8_t> v) { return cv::Mat(v, true).reshape(1, 1); };
  cv::Mat out, back;
  corruptions::resize_box(row({0, 10, 20, 31}), out, 2, 1);
  CHECK(cv::norm(out, row({5, 26}), cv::NORM_INF) == 0);  // 25.5 rounds up
  corruptions::resize_box(out, back, 4, 1);
  CHECK(cv::norm(back, row({5, 5, 26, 26}), cv::NORM_INF) == 0);
  // Three to two: PIL's box leaves the half-covered middle pixel out of the second output.
  corruptions::resize_box(row({0, 100, 200}), out, 2, 1);
  CHECK(cv::norm(out, row({50, 200}), cv::NORM_INF) == 0);
  corruptions::resize_box(row({7, 200}), out, 5, 1);
  CHECK(cv::norm(out, row({7, 7, 200, 200, 200}), cv::NORM_INF) == 0);
  cv::Mat grid(3, 4, CV_8U);
  for (int i = 0; i < 12; ++i) grid.at<uint8_t>(i / 4, i % 4) = static_cast<uint8_t>(20 * i);
  corruptions::resize_box(grid, out, 3, 2);
  const cv::Mat want = (cv::Mat_<uint8_t>(2, 3) << 40, 70, 100, 160, 190, 220);
  CHECK(cv::norm(out, want, cv::NORM_INF) == 0);
  // Channels are resampled alike and independently.
  const cv::Mat rgb = random_image(9, 13, CV_8UC3, 4);
  std::vector<cv::Mat> planes;
  cv::split(rgb, planes);
  corruptions::resize_box(rgb, out, 5, 7);
  for (int k = 0; k < 3; ++k) {
    cv::Mat one, got;
    corruptions::resize_box(planes[k], one, 5, 7);
    cv::extractChannel(out, got, k);
    CHECK(cv::norm(one, got, cv::NORM_INF) == 0);
  }
}

TEST_CASE("rgb_to_hsv and hsv_to_rgb follow skimage", "[corruptions]") {
  // (r, g, b) -> (h, s, v), as skimage.color.rgb2hsv gives them.
  const std::vector<std::array<double, 6>> cases = {{1, 0, 0, 0, 1, 1},
                                                    {.2, .4, .6, 7.0 / 12, 2.0 / 3, .6},
                                                    {.5, .5, .5, 0, 0, .5},
                                                    {1, 0, .5, 11.0 / 12, 1, 1},
                                                    {0, 0, 0, 0, 0, 0},
                                                    {.3, .9, .3, 1.0 / 3, 2.0 / 3, .9},
                                                    {.25, .25, .75, 2.0 / 3, 2.0 / 3, .75}};
  for (int depth : {CV_32F, CV_64F}) {
    for (const auto& c : cases) {
      INFO("rgb " << c[0] << " " << c[1] << " " << c[2] << " depth " << depth);
      cv::Mat rgb(1, 1, CV_64FC3, cv::Scalar(c[0], c[1], c[2])), hsv, back;
      rgb.convertTo(rgb, depth);
      corruptions::rgb_to_hsv(rgb, hsv);
      REQUIRE(hsv.depth() == depth);
      cv::Mat h64;
      hsv.convertTo(h64, CV_64F);
      const auto v = h64.at<cv::Vec3d>(0, 0);
      CHECK(v[0] == Approx(c[3]).margin(1e-6));
      CHECK(v[1] == Approx(c[4]).margin(1e-6));
      CHECK(v[2] == Approx(c[5]).margin(1e-6));
      corruptions::hsv_to_rgb(hsv, back);
      back.convertTo(back, CV_64F);
      const auto r = back.at<cv::Vec3d>(0, 0);
      for (int k = 0; k < 3; ++k) CHECK(r[k] == Approx(c[k]).margin(1e-6));
    }
  }
  // Hue 1 is sector 0, like hue 0.
  cv::Mat hsv(1, 1, CV_64FC3, cv::Scalar(1.0, .5, .8)), rgb;
  corruptions::hsv_to_rgb(hsv, rgb);
  CHECK(rgb.at<cv::Vec3d>(0, 0)[0] == Approx(.8));
  CHECK(rgb.at<cv::Vec3d>(0, 0)[2] == Approx(.4));
}

TEST_CASE("jpeg_roundtrip keeps size and channels and loses more at lower quality",
          "[corruptions]") {
  cv::Mat smooth(37, 23, CV_8UC3);  // odd sizes: partial MCUs in both directions
  for (int y = 0; y < smooth.rows; ++y) {
    for (int x = 0; x < smooth.cols; ++x) {
      smooth.at<cv::Vec3b>(y, x) =
          cv::Vec3b(static_cast<uint8_t>(4 * x + 40), static_cast<uint8_t>(3 * y + 60), 120);
    }
  }
  double previous = -1;
  for (int q : {95, 50, 10}) {
    cv::Mat out;
    corruptions::jpeg_roundtrip(smooth, out, q);
    REQUIRE(out.size() == smooth.size());
    REQUIRE(out.type() == smooth.type());
    const double err = cv::norm(out, smooth, cv::NORM_L1);
    if (q == 95) CHECK(cv::norm(out, smooth, cv::NORM_INF) <= 6);
    CHECK(err > previous);
    previous = err;
  }
  // A grey image is coded as one grey component and stays one channel.
  cv::Mat grey = random_image(16, 24, CV_8UC1, 9), out;
  corruptions::jpeg_roundtrip(grey, out, 80);
  CHECK(out.type() == CV_8UC1);
  CHECK(out.size() == grey.size());
}

TEST_CASE("grey images: brightness adds c, saturate passes them through", "[corruptions]") {
  const cv::Mat grey = random_image(40, 40, CV_8UC1, 5);
  for (int s = 1; s <= 5; ++s) {
    const double c = corruption_parameters("brightness", s, SizeTable::kSmall)[0];
    const cv::Mat out = apply("brightness", s, grey);
    for (int i = 0; i < 40 * 40; ++i) {
      const int v = grey.ptr<uint8_t>()[i];
      CHECK(out.ptr<uint8_t>()[i] == static_cast<int>(std::min(1.0, v / 255.0 + c) * 255));
    }
    CHECK(cv::norm(apply("saturate", s, grey), grey, cv::NORM_INF) == 0);
    CHECK(cv::norm(apply("bloodmnist-c.saturate", s, grey), grey, cv::NORM_INF) == 0);
  }
}

TEST_CASE("blood brightness and contrast are PIL's blends", "[corruptions]") {
  // Worked by hand in single precision: 200 * 1.1f = 220.0000048 -> 220; 250 * 1.4f -> 255;
  // 201 * 0.9f = 180.9 -> 180.
  cv::Mat img = (cv::Mat_<uint8_t>(1, 3) << 200, 250, 201);
  CHECK(apply("bloodmnist-c.brightness_up", 1, img).at<uint8_t>(0, 0) == 220);
  CHECK(apply("bloodmnist-c.brightness_up", 5, img).at<uint8_t>(0, 1) == 255);
  CHECK(apply("bloodmnist-c.brightness_down", 1, img).at<uint8_t>(0, 2) == 180);
  // Contrast pulls towards int(mean luma + 0.5): for a uniform RGB image that is its luma, which
  // is left as it is; for (10, 20, 30), luma 18.
  cv::Mat flat(4, 4, CV_8UC3, cv::Scalar(10, 20, 30));
  const cv::Mat out = apply("bloodmnist-c.contrast_down", 5, flat);
  const cv::Vec3b px = out.at<cv::Vec3b>(2, 2);
  CHECK(px == cv::Vec3b(14, 19, 24));  // 18 + 0.5 (x - 18), truncated
}

// Fits a + b x + c y to v over the pixels in `mask` and returns the residuals' standard deviation.
double affine_residual_std(const cv::Mat& v, const cv::Mat& mask) {
  std::vector<double> rows, rhs;
  for (int y = 0; y < v.rows; ++y) {
    for (int x = 0; x < v.cols; ++x) {
      if (!mask.at<uint8_t>(y, x)) continue;
      rows.insert(rows.end(), {1.0, static_cast<double>(x), static_cast<double>(y)});
      rhs.push_back(v.at<double>(y, x));
    }
  }
  const int n = static_cast<int>(rhs.size());
  cv::Mat a(n, 3, CV_64F, rows.data()), b(n, 1, CV_64F, rhs.data()), coef;
  cv::solve(a, b, coef, cv::DECOMP_SVD);
  const cv::Mat r = b - a * coef;
  return std::sqrt(r.dot(r) / n);
}

TEST_CASE("elastic_transform displaces pixels by the size its fields predict", "[corruptions]") {
  // A horizontal ramp (value = column) read back after the warp gives the column each pixel
  // sampled. Away from the reflecting edges, an affine fit takes out the random affine; what is
  // left is the x displacement field (std alpha * sqrt(1/3) * sum of squared kernel weights, the
  // smoothed U(-1, 1)) plus the uint8 truncation (variance 1/12).
  const int side = 224;
  cv::Mat ramp(side, side, CV_8UC1);
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) ramp.at<uint8_t>(y, x) = static_cast<uint8_t>(x + 16);
  }
  for (int severity : {3, 4, 5}) {
    const CorruptionParams p =
        corruption_parameters("elastic_transform", severity, SizeTable::kLarge);
    const double alpha = p[0], sigma = p[1];
    const int r = static_cast<int>(3 * sigma + 0.5);
    double sum = 0, sum2 = 0;
    for (int j = -r; j <= r; ++j) {
      const double w = std::exp(-0.5 * j * j / (sigma * sigma));
      sum += w;
      sum2 += w * w;
    }
    const double field_std = alpha * std::sqrt(1.0 / 3.0) * sum2 / (sum * sum);
    const double want = std::sqrt(field_std * field_std + 1.0 / 12.0);
    double total = 0;
    const int images = 6;
    for (int k = 0; k < images; ++k) {
      const cv::Mat out = apply("elastic_transform", severity, ramp, 100 + k);
      cv::Mat v;
      out.convertTo(v, CV_64F);
      cv::Mat mask = cv::Mat::zeros(side, side, CV_8U);
      mask(cv::Rect(40, 40, side - 80, side - 80)) = 1;
      total += affine_residual_std(v, mask);
    }
    INFO("severity " << severity << ": predicted " << want);
    CHECK(total / images == Approx(want).epsilon(0.1));
  }
  // A constant image stays constant, to the one level that cv2.warpAffine's float weights cost the
  // reference too (its output on this image has 29 and 30 for 30).
  const cv::Mat flat(50, 70, CV_8UC3, cv::Scalar(30, 140, 250));
  for (int s = 1; s <= 5; ++s) {
    CHECK(cv::norm(apply("elastic_transform", s, flat), flat, cv::NORM_INF) <= 1);
  }
}

TEST_CASE("stain_deposit blackens 1..M blots of the scaled size inside the margins",
          "[corruptions]") {
  for (int side : {64, 224}) {
    const double s = side / 224.0;
    for (int severity = 1; severity <= 5; ++severity) {
      const CorruptionParams p =
          corruption_parameters("bloodmnist-c.stain_deposit", severity, SizeTable::kLarge);
      const int n = static_cast<int>(std::lround(p[1] * s));
      const int margin = static_cast<int>(std::lround(10 * s));
      double fill = 0;
      int draws = 0;
      std::vector<int> counts(4, 0);
      for (int k = 0; k < 40; ++k) {
        const cv::Mat img = random_image(side, side, CV_8UC3, 7 + k, 1);  // no black pixel before
        const cv::Mat out = apply("bloodmnist-c.stain_deposit", severity, img, 1000 + k);
        cv::Mat black;
        cv::inRange(out, cv::Scalar(0, 0, 0), cv::Scalar(0, 0, 0), black);
        // Untouched pixels keep their values; touched ones are black in every channel.
        cv::Mat diff;
        cv::absdiff(out, img, diff);
        cv::Mat unchanged;
        cv::inRange(diff, cv::Scalar(0, 0, 0), cv::Scalar(0, 0, 0), unchanged);
        CHECK(cv::countNonZero(black) == side * side - cv::countNonZero(unchanged));
        const cv::Rect box = cv::boundingRect(black);
        CHECK(box.x >= margin);
        CHECK(box.y >= margin);
        CHECK(box.x + box.width <= side - margin);
        CHECK(box.y + box.height <= side - margin);
        cv::Mat labels;
        const int blobs = cv::connectedComponents(black, labels, 8) - 1;
        CHECK(blobs >= 1);
        CHECK(blobs <= p[0]);
        if (blobs >= 1 && blobs <= 3) ++counts[blobs];
        if (blobs == 1) {
          fill += cv::countNonZero(black) / static_cast<double>(n * n);
          ++draws;
        }
      }
      INFO(side << " px severity " << severity);
      // The blots fill about as much of their box as the reference's masks (45-80%).
      if (draws > 0) CHECK(fill / draws > 0.4);
      if (draws > 0) CHECK(fill / draws < 0.85);
      // With M > 1 the count is uniform on 1..M: every count turns up in 40 draws.
      if (p[0] == 3) CHECK(counts[3] > 0);
    }
  }
}

TEST_CASE("bubble only whitens, with PIL's paste of alpha 100 and 130", "[corruptions]") {
  const cv::Mat img = random_image(224, 224, CV_8UC3, 21);
  for (int severity = 1; severity <= 5; ++severity) {
    const CorruptionParams p =
        corruption_parameters("bloodmnist-c.bubble", severity, SizeTable::kLarge);
    const cv::Mat out = apply("bloodmnist-c.bubble", severity, img, 77);
    size_t changed = 0;
    for (int y = 0; y < img.rows; ++y) {
      for (int x = 0; x < img.cols; ++x) {
        const cv::Vec3b a = img.at<cv::Vec3b>(y, x), b = out.at<cv::Vec3b>(y, x);
        if (a == b) continue;
        ++changed;
        // Every channel of a covered pixel is blended with one of the two alphas.
        bool matched = false;
        for (int alpha : {100, 130}) {
          bool all = true;
          for (int k = 0; k < 3; ++k) {
            const int want =
                static_cast<int>(std::lround((a[k] * (255.0 - alpha) + 255.0 * alpha) / 255.0));
            all = all && std::abs(b[k] - want) <= 1 && b[k] >= a[k];
          }
          matched = matched || all;
        }
        CHECK(matched);
      }
    }
    // At least 7 discs of radius >= 3 + a ring of 2; at most N discs of radius R + 2.
    const double min_area = 7 * 3.14159 * 3.5 * 3.5 * 0.5;  // overlaps and edges tolerated
    const double max_area = p[1] * 3.14159 * (p[0] + 2.5) * (p[0] + 2.5);
    INFO("severity " << severity << ": " << changed << " pixels whitened");
    CHECK(changed > min_area);
    CHECK(changed < max_area);
  }
}

TEST_CASE("blood defocus and motion blur smooth texture and keep flat images flat",
          "[corruptions]") {
  const cv::Mat texture = random_image(224, 224, CV_8UC3, 31);
  const cv::Mat flat(224, 224, CV_8UC3, cv::Scalar(90, 91, 92));
  for (const char* id : {"bloodmnist-c.defocus_blur", "bloodmnist-c.motion_blur"}) {
    INFO(id);
    cv::Mat d;
    cv::absdiff(apply(id, 5, texture), texture, d);
    CHECK(cv::mean(d)[0] > 10);
    // One level of slack: the references truncate float sums of weights that add up to 1.
    CHECK(cv::norm(apply(id, 5, flat), flat, cv::NORM_INF) <= 1);
  }
}

}  // namespace
}  // namespace gauntlet
