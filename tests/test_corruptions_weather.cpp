// Unit tests of the weather corruptions (snow, frost, fog, spatter): their parameter tables
// against the references' scripts, and the deterministic parts of each op, isolated through
// images that make them visible: a black, white or constant image turns the output into the
// layer the op adds, so the fog map's range, frost's blend, the snow layer's mean and spatter's
// colours can be checked with the Rng's draws left free. All four draw random numbers, so none
// has an element-wise parity reference.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "augmentations/corruption.hpp"

namespace gauntlet {
namespace {

using Row = std::vector<double>;
using Table = std::array<Row, 5>;

cv::Mat corrupt(const std::string& id, int severity, const cv::Mat& img, SizeTable table,
                uint64_t key) {
  Rng rng{key};
  cv::Mat out;
  apply_corruption(id, severity, img, out, table, rng);
  return out;
}

double luma(const cv::Vec3b& p) { return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]; }

TEST_CASE("weather parameter tables follow the references", "[corruptions]") {
  // small: make_cifar_c.py; medium: make_tinyimagenet_c.py; large: make_imagenet_c.py.
  auto [id, size, rows] = GENERATE(table<std::string, SizeTable, Table>({
      {"snow",
       SizeTable::kSmall,
       {{{.1, .2, 1, .6, 8, 3, .95},
         {.1, .2, 1, .5, 10, 4, .9},
         {.15, .3, 1.75, .55, 10, 4, .9},
         {.25, .3, 2.25, .6, 12, 6, .85},
         {.3, .3, 1.25, .65, 14, 12, .8}}}},
      {"snow",
       SizeTable::kMedium,
       {{{.1, .2, 1, .6, 8, 3, .8},
         {.1, .2, 1, .5, 10, 4, .8},
         {.15, .3, 1.75, .55, 10, 4, .7},
         {.25, .3, 2.25, .6, 12, 6, .65},
         {.3, .3, 1.25, .65, 14, 12, .6}}}},
      {"snow",
       SizeTable::kLarge,
       {{{.1, .3, 3, .5, 10, 4, .8},
         {.2, .3, 2, .5, 12, 4, .7},
         {.55, .3, 4, .9, 12, 8, .7},
         {.55, .3, 4.5, .85, 12, 8, .65},
         {.55, .3, 2.5, .85, 12, 12, .55}}}},
      {"frost", SizeTable::kSmall, {{{1, .2}, {1, .3}, {.9, .4}, {.85, .4}, {.75, .45}}}},
      {"frost", SizeTable::kMedium, {{{1, .3}, {.9, .4}, {.8, .45}, {.75, .5}, {.7, .55}}}},
      {"frost", SizeTable::kLarge, {{{1, .4}, {.8, .6}, {.7, .7}, {.65, .7}, {.6, .75}}}},
      {"fog", SizeTable::kSmall, {{{.2, 3}, {.5, 3}, {.75, 2.5}, {1, 2}, {1.5, 1.75}}}},
      {"fog", SizeTable::kMedium, {{{.4, 3}, {.7, 3}, {1, 2.5}, {1.5, 2}, {2, 1.75}}}},
      {"fog", SizeTable::kLarge, {{{1.5, 2}, {2, 2}, {2.5, 1.7}, {2.5, 1.5}, {3, 1.4}}}},
      {"spatter",
       SizeTable::kSmall,
       {{{.62, .1, .7, .7, .5, 0},
         {.65, .1, .8, .7, .5, 0},
         {.65, .3, 1, .69, .5, 0},
         {.65, .1, .7, .69, .6, 1},
         {.65, .1, .5, .68, .6, 1}}}},
      {"spatter",
       SizeTable::kMedium,
       {{{.62, .1, .7, .7, .6, 0},
         {.65, .1, .8, .7, .6, 0},
         {.65, .3, 1, .69, .6, 0},
         {.65, .1, .7, .68, .6, 1},
         {.65, .1, .5, .67, .6, 1}}}},
      {"spatter",
       SizeTable::kLarge,
       {{{.65, .3, 4, .69, .6, 0},
         {.65, .3, 3, .68, .6, 0},
         {.65, .3, 2, .68, .5, 0},
         {.65, .3, 1, .65, 1.5, 1},
         {.67, .4, 1, .65, 1.5, 1}}}},
  }));
  for (int severity = 1; severity <= 5; ++severity) {
    INFO(id << " " << size_table_name(size) << " severity " << severity);
    CHECK(corruption_parameters(id, severity, size) == rows[severity - 1]);
  }
}

TEST_CASE("weather corruptions are ImageNet-C's, random, and spatter is an extra",
          "[corruptions]") {
  for (const char* id : {"snow", "frost", "fog", "spatter"}) {
    INFO(id);
    bool found = false;
    for (const auto& info : corruption_infos()) {
      if (info.id != id) continue;
      found = true;
      CHECK(info.family == kImageNetC);
      CHECK_FALSE(info.deterministic);
      CHECK(info.in_mce == (std::string(id) != "spatter"));
    }
    CHECK(found);
  }
}

TEST_CASE("weather corruptions handle rectangular and tiny images in grey and colour",
          "[corruptions]") {
  auto [rows, cols] = GENERATE(table<int, int>({{8, 8}, {13, 8}, {8, 21}, {37, 100}, {300, 161}}));
  for (const char* id : {"snow", "frost", "fog", "spatter"}) {
    for (int channels : {1, 3}) {
      cv::Mat img(rows, cols, CV_8UC(channels));
      cv::randu(img, 0, 256);
      for (int severity = 1; severity <= 5; ++severity) {
        INFO(id << " " << rows << "x" << cols << "x" << channels << " severity " << severity);
        const cv::Mat out = corrupt(id, severity, img, size_table_for(rows, cols), 3);
        CHECK(out.size() == img.size());
        CHECK(out.type() == img.type());
      }
    }
  }
}

TEST_CASE("fog's plasma map spans 0..1 and the result keeps the clean maximum", "[corruptions]") {
  // On a white 256 x 256 image the map (mapsize 256, as the references draw it) is used whole and
  // max(x) = 1, so out = (1 + a P) / (1 + a): P = 0 somewhere gives 1 / (1 + a), P = 1 gives 1.
  const cv::Mat white(256, 256, CV_8UC3, cv::Scalar::all(255));
  for (int severity = 1; severity <= 5; ++severity) {
    const double a = corruption_parameters("fog", severity, SizeTable::kLarge)[0];
    for (uint64_t key : {1, 2, 3}) {
      INFO("severity " << severity << " key " << key);
      const cv::Mat out = corrupt("fog", severity, white, SizeTable::kLarge, key);
      double lo = 0, hi = 0;
      cv::minMaxLoc(out.reshape(1), &lo, &hi);
      CHECK(std::abs(lo - std::floor(255.0 / (1.0 + a))) <= 1);
      CHECK(hi >= 254);
      // The same map on every channel.
      std::vector<cv::Mat> planes;
      cv::split(out, planes);
      CHECK(cv::norm(planes[0], planes[1], cv::NORM_INF) == 0);
      CHECK(cv::norm(planes[0], planes[2], cv::NORM_INF) == 0);
    }
  }
  // Nothing exceeds the clean image's maximum, and a grey image is one channel of the colour one.
  cv::Mat img(50, 70, CV_8UC1);
  cv::randu(img, 20, 181);
  cv::Mat rgb;
  cv::cvtColor(img, rgb, cv::COLOR_GRAY2RGB);
  for (int severity = 1; severity <= 5; ++severity) {
    INFO("severity " << severity);
    const cv::Mat grey = corrupt("fog", severity, img, SizeTable::kLarge, 9);
    const cv::Mat colour = corrupt("fog", severity, rgb, SizeTable::kLarge, 9);
    double top = 0;
    cv::minMaxLoc(grey, nullptr, &top);
    CHECK(top <= 180);
    cv::Mat first;
    cv::extractChannel(colour, first, 0);
    CHECK(cv::norm(grey, first, cv::NORM_INF) == 0);
  }
}

TEST_CASE("fog is rougher at a smaller wibble decay", "[corruptions]") {
  // Large table, severities 3 and 4: the same strength a = 2.5, decays 1.7 and 1.5. On a white
  // 64 x 64 image the map is P = ((1 + a) out - 1) / a; its second differences (blind to the
  // large-scale slope) grow as the decay shrinks and the fine levels keep more of their wibble.
  const cv::Mat white(64, 64, CV_8UC1, cv::Scalar(255));
  auto roughness = [&](int severity) {
    const double a = corruption_parameters("fog", severity, SizeTable::kLarge)[0];
    double sum = 0;
    int n = 0;
    for (uint64_t key = 0; key < 10; ++key) {
      const cv::Mat out = corrupt("fog", severity, white, SizeTable::kLarge, key);
      cv::Mat map;
      out.convertTo(map, CV_64F, (1 + a) / (255.0 * a), -1 / a);
      for (int y = 0; y < 64; ++y) {
        const double* p = map.ptr<double>(y);
        for (int x = 1; x + 1 < 64; ++x, ++n) sum += std::abs(p[x + 1] - 2 * p[x] + p[x - 1]);
      }
    }
    return sum / n;
  };
  const double coarse = roughness(3), fine = roughness(4);
  INFO("decay 1.7: " << coarse << ", decay 1.5: " << fine);
  CHECK(fine > 1.3 * coarse);
}

TEST_CASE("frost blends a img + b texture, the texture frost-like in brightness and tint",
          "[corruptions]") {
  // With the same key the texture is the same: black gives trunc(b F), a grey level v gives
  // trunc(min(255, a v + b F)), which is trunc(a v + black) or one more.
  const int severity = 3;
  const double a = corruption_parameters("frost", severity, SizeTable::kLarge)[0];
  const cv::Mat black(224, 224, CV_8UC3, cv::Scalar::all(0));
  const cv::Mat grey(224, 224, CV_8UC3, cv::Scalar::all(100));
  std::vector<double> means;
  for (uint64_t key : {4, 5, 6, 7}) {
    INFO("key " << key);
    const cv::Mat layer = corrupt("frost", severity, black, SizeTable::kLarge, key);
    const cv::Mat out = corrupt("frost", severity, grey, SizeTable::kLarge, key);
    int off = 0;
    for (size_t i = 0; i < layer.total() * 3; ++i) {
      const double base = std::min(255.0, std::floor(a * 100 + layer.data[i]));
      const int d = out.data[i] - static_cast<int>(base);
      off += d < 0 || d > 1;
    }
    CHECK(off == 0);
    // The texture, F = layer / b: a mean luma in the photographs' range 120..205 and a cold tint.
    const double b = corruption_parameters("frost", severity, SizeTable::kLarge)[1];
    const cv::Scalar m = cv::mean(layer);
    const double mean_luma = (0.299 * m[0] + 0.587 * m[1] + 0.114 * m[2]) / b;
    CHECK(mean_luma > 115);
    CHECK(mean_luma < 208);
    CHECK(m[2] > m[1]);
    CHECK(m[1] > m[0]);
    cv::Mat y;
    cv::cvtColor(layer, y, cv::COLOR_RGB2GRAY);
    cv::Scalar mu, sd;
    cv::meanStdDev(y, mu, sd);
    CHECK(sd[0] / b > 10);
    CHECK(sd[0] / b < 40);
    means.push_back(mean_luma);
  }
  // Like the choice among the photographs, the brightness differs between images.
  CHECK(*std::max_element(means.begin(), means.end()) -
            *std::min_element(means.begin(), means.end()) >
        10);
}

TEST_CASE("frost on a grey image blends with the texture's luma", "[corruptions]") {
  const cv::Mat grey(40, 40, CV_8UC1, cv::Scalar(60));
  cv::Mat rgb;
  cv::cvtColor(grey, rgb, cv::COLOR_GRAY2RGB);
  for (int severity = 1; severity <= 5; ++severity) {
    INFO("severity " << severity);
    const cv::Mat g = corrupt("frost", severity, grey, SizeTable::kSmall, 8);
    const cv::Mat c = corrupt("frost", severity, rgb, SizeTable::kSmall, 8);
    double worst = 0;
    for (int y = 0; y < 40; ++y) {
      for (int x = 0; x < 40; ++x) {
        worst = std::max(worst, std::abs(g.at<uint8_t>(y, x) - luma(c.at<cv::Vec3b>(y, x))));
      }
    }
    CHECK(worst <= 1.5);
  }
}

TEST_CASE("snow lifts the image towards 1.5 gray + .5 and adds a half-turn symmetric layer",
          "[corruptions]") {
  // Small table, severity 1: (mu .1, s .2, zoom 1, t .6, R 8, S 3, keep .95). On black,
  // x' = .05 * .5 = .025 (6.375 levels) and out = 6 + 255 L + 255 rot180(L) with L in 1/255 steps.
  // Without zoom, L is N(.1, .2) kept where >= .6, spread by a blur that keeps its mean:
  // E[L] = mu P(Z >= t) + s phi((t - mu) / s) = .1 * .00621 + .2 * .01753 = .004127 (Z <= 1 but
  // for 2e-6 of draws), so the mean of out is 6 + 510 * .004127 = 8.105.
  const cv::Mat black(32, 32, CV_8UC3, cv::Scalar::all(0));
  double sum = 0;
  int images = 0;
  for (uint64_t key = 0; key < 300; ++key, ++images) {
    const cv::Mat out = corrupt("snow", 1, black, SizeTable::kSmall, key);
    cv::Mat turned;
    cv::flip(out, turned, -1);
    REQUIRE(cv::norm(out, turned, cv::NORM_INF) == 0);
    double lo = 0;
    cv::minMaxLoc(out.reshape(1), &lo);
    REQUIRE(lo >= 6);
    sum += cv::mean(out)[0];
  }
  const double snow = sum / images - 6;
  CHECK(snow == Approx(2.105).epsilon(0.1));

  // Where no flake falls, out = keep x + (1 - keep) max(x, 1.5 gray + .5): for grey 100 at keep
  // .95, .95 * .3922 + .05 * (1.5 * .3922 + .5) = .42686, i.e. 108 levels.
  const cv::Mat mid(32, 32, CV_8UC1, cv::Scalar(100));
  double lo = 0;
  cv::minMaxLoc(corrupt("snow", 1, mid, SizeTable::kSmall, 1), &lo);
  CHECK(lo == 108);
  // A colour pixel is lifted by its own luma, not by its channel's value.
  const cv::Mat red(32, 32, CV_8UC3, cv::Scalar(200, 40, 40));
  const double bright = 1.5 * (0.299 * 200 + 0.587 * 40 + 0.114 * 40) / 255.0 + 0.5;
  cv::Mat green;
  cv::extractChannel(corrupt("snow", 1, red, SizeTable::kSmall, 1), green, 1);
  cv::minMaxLoc(green, &lo);
  CHECK(lo == std::floor(255 * (.95 * 40 / 255.0 + .05 * bright)));
}

TEST_CASE("snow on a grey image is the colour result of its grey RGB", "[corruptions]") {
  cv::Mat grey(48, 40, CV_8UC1);
  cv::randu(grey, 0, 256);
  cv::Mat rgb;
  cv::cvtColor(grey, rgb, cv::COLOR_GRAY2RGB);
  for (int severity = 1; severity <= 5; ++severity) {
    INFO("severity " << severity);
    const cv::Mat g = corrupt("snow", severity, grey, SizeTable::kSmall, 12);
    cv::Mat first;
    cv::extractChannel(corrupt("snow", severity, rgb, SizeTable::kSmall, 12), first, 0);
    CHECK(cv::norm(g, first, cv::NORM_INF) <= 1);
  }
}

TEST_CASE("spatter's water is pale turquoise, up to its intensity", "[corruptions]") {
  // Large table, severity 3 (water, intensity .5). On black, out = trunc(255 m colour) with
  // colour (175, 238, 238) / 255 and max(m) = intensity.
  const cv::Mat black(64, 64, CV_8UC3, cv::Scalar::all(0));
  for (uint64_t key : {1, 2, 3, 4}) {
    INFO("key " << key);
    const cv::Mat out = corrupt("spatter", 3, black, SizeTable::kLarge, key);
    int top_g = 0;
    for (int y = 0; y < 64; ++y) {
      for (int x = 0; x < 64; ++x) {
        const cv::Vec3b p = out.at<cv::Vec3b>(y, x);
        REQUIRE(p[1] == p[2]);
        REQUIRE(std::abs(p[0] - p[1] * 175.0 / 238.0) <= 1.0);
        top_g = std::max<int>(top_g, p[1]);
      }
    }
    CHECK(std::abs(top_g - 0.5 * 238) <= 1);
  }
}

TEST_CASE("spatter's mud covers the image with brown at weights of at least .8", "[corruptions]") {
  // Large table, severity 4 (mud). On white, out = 1 - m (1 - colour) with colour
  // (63, 42, 20) / 255 and m either 0 or in [.8, 1]: every pixel is white or dark brown, and the
  // same m explains all three channels.
  const cv::Mat white(64, 64, CV_8UC3, cv::Scalar::all(255));
  const std::array<double, 3> colour = {63, 42, 20};
  int covered = 0;
  for (uint64_t key : {1, 2, 3, 4}) {
    const cv::Mat out = corrupt("spatter", 4, white, SizeTable::kLarge, key);
    for (int y = 0; y < 64; ++y) {
      for (int x = 0; x < 64; ++x) {
        const cv::Vec3b p = out.at<cv::Vec3b>(y, x);
        if (p == cv::Vec3b(255, 255, 255)) continue;
        ++covered;
        std::array<double, 3> m{};
        for (int k = 0; k < 3; ++k) m[k] = (255.0 - p[k]) / (255.0 - colour[k]);
        INFO("pixel " << y << "," << x << " key " << key);
        REQUIRE(m[0] >= 0.8 - 0.01);
        REQUIRE(m[0] <= 1.0 + 0.01);
        REQUIRE(std::abs(m[1] - m[0]) <= 0.012);  // each channel truncates: 1 / 192 at most
        REQUIRE(std::abs(m[2] - m[0]) <= 0.012);
      }
    }
  }
  CHECK(covered > 0);
}

TEST_CASE("spatter on a grey image is the luma of spatter on its grey RGB", "[corruptions]") {
  cv::Mat grey(64, 64, CV_8UC1);
  cv::randu(grey, 0, 256);
  cv::Mat rgb;
  cv::cvtColor(grey, rgb, cv::COLOR_GRAY2RGB);
  for (int severity = 1; severity <= 5; ++severity) {
    INFO("severity " << severity);
    const cv::Mat g = corrupt("spatter", severity, grey, SizeTable::kLarge, 21);
    const cv::Mat c = corrupt("spatter", severity, rgb, SizeTable::kLarge, 21);
    REQUIRE(cv::norm(c, rgb, cv::NORM_INF) > 0);  // something was spattered
    double worst = 0;
    for (int y = 0; y < 64; ++y) {
      for (int x = 0; x < 64; ++x) {
        worst = std::max(worst, std::abs(g.at<uint8_t>(y, x) - luma(c.at<cv::Vec3b>(y, x))));
      }
    }
    CHECK(worst <= 1.5);
  }
}

}  // namespace
}  // namespace gauntlet
