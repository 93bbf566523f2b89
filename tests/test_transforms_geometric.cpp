// Unit tests of the geometric and masking transforms beyond hflip and rotate: vflip, affine (and
// shear, zoom, translate over it), random_resized_crop, crop_pad, split_rotate and gridmask. Every
// op keeps shape and type, is the identity at p = 0 and at magnitude 0, is a pure function of its
// Rng key, round-trips through JSON and is accepted by the suite schema; plus one property each.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "augmentations/geometric.hpp"
#include "augmentations/masking.hpp"
#include "augmentations/transform.hpp"
#include "harness/config.hpp"
#include "harness/suite.hpp"
#include "tests/test_images.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

using testing::random_image;
using testing::same_bytes;
using testing::centroid;

using Catch::Matchers::Contains;
using nlohmann::json;

cv::Mat run(const TransformOptions& o, const cv::Mat& src, uint64_t key) {
  Rng rng{key};
  cv::Mat dst;
  make_transform(o)->apply(src, dst, rng);
  return dst;
}

// A disc of 255 on 0, radius r, at the image centre ((cols - 1) / 2, (rows - 1) / 2).
cv::Mat centred_disc(int rows, int cols, double r) {
  cv::Mat m(rows, cols, CV_8UC1, cv::Scalar(0));
  const double cx = (cols - 1) * 0.5, cy = (rows - 1) * 0.5;
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) m.at<uint8_t>(y, x) = 255;
    }
  }
  return m;
}

AffineOptions identity_affine(double p = 1.0) {
  AffineOptions o;
  o.p = p;
  o.degrees_min = o.degrees_max = 0;
  o.translate_x = o.translate_y = 0;
  o.scale_min = o.scale_max = 1;
  return o;
}

// One strong setting of every op of this family (p = 1), for the shared properties.
std::vector<TransformOptions> strong_ops() {
  AffineOptions affine;
  affine.degrees_min = -30;
  affine.degrees_max = 30;
  affine.translate_x = affine.translate_y = 0.2;
  affine.scale_min = 0.7;
  affine.scale_max = 1.3;
  affine.shear_x_min = -15;
  affine.shear_x_max = 15;
  affine.shear_y_min = -5;
  affine.shear_y_max = 5;
  affine.fill = Fill::kReflect;
  ShearOptions shear;
  shear.shear_x_min = -20;
  shear.shear_x_max = 20;
  ZoomOptions zoom;
  zoom.fill = Fill::kNearest;
  TranslateOptions translate;
  translate.translate_x = translate.translate_y = 0.25;
  RandomResizedCropOptions rrc;
  RandomResizedCropOptions rrc_area;
  rrc_area.interpolation = Interpolation::kArea;
  CropPadOptions crop_pad;
  crop_pad.padding = 6;
  crop_pad.fill = Fill::kReflect;
  SplitRotateOptions split;
  split.rows = 3;
  split.cols = 2;
  GridMaskOptions grid;
  grid.p = 1.0;
  grid.rotate = 45;
  grid.fill_value = 128;
  return {VFlipOptions{1.0},    affine, shear, zoom, translate, rrc, rrc_area, crop_pad,
          SplitRotateOptions{}, split,  grid};
}

const std::vector<std::array<int, 3>> kShapes = {
    {13, 50, CV_8UC1}, {13, 50, CV_8UC3}, {96, 96, CV_8UC1}, {96, 96, CV_8UC3}, {50, 13, CV_8UC3}};

TEST_CASE("geometric ops keep size, type and channels of 1- and 3-channel images",
          "[augmentations]") {
  for (const auto& o : strong_ops()) {
    for (const auto& [rows, cols, type] : kShapes) {
      INFO(transform_name(o) << " on " << rows << "x" << cols << " type " << type);
      const cv::Mat src = random_image(rows, cols, type, 1);
      for (uint64_t key = 0; key < 5; ++key) {
        const cv::Mat dst = run(o, src, key);
        CHECK(dst.size() == src.size());
        CHECK(dst.type() == src.type());
      }
    }
  }
}

TEST_CASE("random_resized_crop falls back to a crop of at least one pixel for extreme ratios",
          "[augmentations]") {
  // Every try misses on a 1 x 40 strip with these ratios, and the fallback's Python-rounded side
  // would be 0: it stays at least 1 pixel, and the output keeps the input's size.
  for (auto [lo, hi] : {std::pair{0.01, 0.01}, std::pair{100.0, 100.0}}) {
    RandomResizedCropOptions o;
    o.ratio_min = lo;
    o.ratio_max = hi;
    for (const cv::Mat& src : {random_image(1, 40, CV_8UC3, 2), random_image(40, 1, CV_8UC1, 3),
                               random_image(28, 28, CV_8UC1, 4)}) {
      const cv::Mat dst = run(o, src, 3);
      CHECK(dst.size() == src.size());
      CHECK(dst.type() == src.type());
    }
  }
}

TEST_CASE("geometric ops with p = 0 are identities", "[augmentations]") {
  for (auto o : strong_ops()) {
    std::visit([](auto& x) { x.p = 0.0; }, o);
    for (const auto& [rows, cols, type] : kShapes) {
      INFO(transform_name(o) << " on " << rows << "x" << cols);
      const cv::Mat src = random_image(rows, cols, type, 4);
      for (uint64_t key = 0; key < 5; ++key) CHECK(same_bytes(run(o, src, key), src));
    }
  }
}

TEST_CASE("geometric ops at magnitude 0 are identities", "[augmentations]") {
  RandomResizedCropOptions full;
  full.scale_min = full.scale_max = 1.0;
  full.ratio_min = full.ratio_max = 1.0;
  CropPadOptions no_pad;
  no_pad.padding = 0;
  GridMaskOptions keep_all;
  keep_all.p = 1.0;
  keep_all.ratio = 1.0;
  keep_all.rotate = 30;
  const std::vector<TransformOptions> ops = {identity_affine(),
                                             ShearOptions{1.0, 0, 0, 0, 0, Fill::kConstant, 0},
                                             ZoomOptions{1.0, 1.0, 1.0, Fill::kConstant, 0},
                                             TranslateOptions{1.0, 0.0, 0.0, Fill::kConstant, 0},
                                             no_pad,
                                             keep_all};
  for (const auto& o : ops) {
    for (const auto& [rows, cols, type] : kShapes) {
      INFO(transform_name(o) << " on " << rows << "x" << cols);
      const cv::Mat src = random_image(rows, cols, type, 5);
      for (uint64_t key = 0; key < 5; ++key) CHECK(same_bytes(run(o, src, key), src));
    }
  }
  // A full-area crop of ratio 1 is the whole image only when the image is square.
  for (int type : {CV_8UC1, CV_8UC3}) {
    const cv::Mat src = random_image(96, 96, type, 6);
    for (uint64_t key = 0; key < 5; ++key) CHECK(same_bytes(run(full, src, key), src));
  }
}

TEST_CASE("geometric ops are pure functions of the Rng key", "[augmentations]") {
  const cv::Mat src = random_image(96, 96, CV_8UC3, 7);
  for (const auto& o : strong_ops()) {
    INFO(transform_name(o));
    CHECK(same_bytes(run(o, src, 11), run(o, src, 11)));
    if (std::holds_alternative<VFlipOptions>(o)) continue;  // p = 1: nothing left to draw
    bool differs = false;
    for (uint64_t key = 12; key < 20 && !differs; ++key)
      differs = !same_bytes(run(o, src, 11), run(o, src, key));
    CHECK(differs);
  }
}

TEST_CASE("geometric ops may write over their source", "[augmentations]") {
  for (const auto& o : strong_ops()) {
    INFO(transform_name(o));
    const cv::Mat src = random_image(13, 50, CV_8UC3, 8);
    cv::Mat in_place = src.clone();
    Rng rng{21};
    make_transform(o)->apply(in_place, in_place, rng);
    CHECK(same_bytes(in_place, run(o, src, 21)));
  }
}

TEST_CASE("vflip equals cv::flip about the x axis and twice is the identity", "[augmentations]") {
  for (int type : {CV_8UC1, CV_8UC3}) {
    const cv::Mat src = random_image(13, 50, type, 9);
    cv::Mat expected;
    cv::flip(src, expected, 0);
    const cv::Mat once = run(VFlipOptions{1.0}, src, 1);
    CHECK(same_bytes(once, expected));
    CHECK(same_bytes(run(VFlipOptions{1.0}, once, 2), src));
  }
}

TEST_CASE(
    "affine, shear and zoom keep a centred disc's centroid; translate moves it at most "
    "translate x side + 1 px",
    "[augmentations]") {
  const cv::Mat src = centred_disc(64, 80, 12);
  const cv::Point2d centre = centroid(src);
  AffineOptions rotate_shear_zoom;
  rotate_shear_zoom.degrees_min = -45;
  rotate_shear_zoom.degrees_max = 45;
  rotate_shear_zoom.translate_x = rotate_shear_zoom.translate_y = 0;
  rotate_shear_zoom.scale_min = 0.7;
  rotate_shear_zoom.scale_max = 1.3;
  rotate_shear_zoom.shear_x_min = rotate_shear_zoom.shear_y_min = -20;
  rotate_shear_zoom.shear_x_max = rotate_shear_zoom.shear_y_max = 20;
  const std::vector<TransformOptions> centred = {
      rotate_shear_zoom, ShearOptions{1.0, -30, 30, -10, 10, Fill::kConstant, 0},
      ZoomOptions{1.0, 0.6, 1.4, Fill::kConstant, 0}};
  for (const auto& o : centred) {
    for (uint64_t key = 0; key < 20; ++key) {
      INFO(transform_name(o) << " key " << key);
      const cv::Point2d c = centroid(run(o, src, key));
      CHECK(std::hypot(c.x - centre.x, c.y - centre.y) <= 1.5);
    }
  }
  const TranslateOptions translate{1.0, 0.2, 0.1, Fill::kConstant, 0};
  bool moved = false;
  for (uint64_t key = 0; key < 20; ++key) {
    INFO("translate key " << key);
    const cv::Point2d c = centroid(run(translate, src, key));
    CHECK(std::abs(c.x - centre.x) <= 0.2 * 80 + 1);
    CHECK(std::abs(c.y - centre.y) <= 0.1 * 64 + 1);
    // Whole-pixel shifts of a disc well inside the image move the centroid by whole pixels.
    CHECK(std::abs(c.x - centre.x - std::round(c.x - centre.x)) < 1e-9);
    moved = moved || std::abs(c.x - centre.x) >= 1;
  }
  CHECK(moved);
}

TEST_CASE("translate's whole-pixel shift equals the bilinear warp by that shift for every fill",
          "[augmentations]") {
  const cv::Mat src = random_image(13, 50, CV_8UC3, 14);
  for (const Fill fill : {Fill::kConstant, Fill::kReflect, Fill::kNearest}) {
    const TranslateOptions o{1.0, 0.2, 0.3, fill, 17};
    const int border = fill == Fill::kReflect   ? cv::BORDER_REFLECT_101
                       : fill == Fill::kNearest ? cv::BORDER_REPLICATE
                                                : cv::BORDER_CONSTANT;
    for (uint64_t key = 0; key < 10; ++key) {
      const cv::Mat out = run(o, src, key);
      bool found = false;
      for (int dy = -4; dy <= 4 && !found; ++dy) {
        for (int dx = -10; dx <= 10 && !found; ++dx) {
          cv::Mat warped;
          cv::warpAffine(src, warped, cv::Matx23d(1, 0, dx, 0, 1, dy), src.size(), cv::INTER_LINEAR,
                         border, cv::Scalar::all(17));
          found = same_bytes(out, warped);
        }
      }
      INFO("fill " << fill_name(fill) << " key " << key);
      CHECK(found);
    }
  }
}

TEST_CASE("crop_pad output is the input shifted by at most padding px, filled outside",
          "[augmentations]") {
  const int pad = 5;
  const cv::Mat src = random_image(13, 50, CV_8UC3, 10);
  CropPadOptions o;
  o.padding = pad;
  o.fill_value = 7;
  for (uint64_t key = 0; key < 20; ++key) {
    const cv::Mat out = run(o, src, key);
    bool found = false;
    for (int dy = -pad; dy <= pad && !found; ++dy) {
      for (int dx = -pad; dx <= pad && !found; ++dx) {
        // out(y, x) = src(y + dy, x + dx) inside, fill_value outside.
        cv::Mat expected(src.size(), src.type(), cv::Scalar::all(7));
        const cv::Rect in =
            cv::Rect(dx, dy, src.cols, src.rows) & cv::Rect(0, 0, src.cols, src.rows);
        src(in).copyTo(expected(in - cv::Point(dx, dy)));
        found = same_bytes(out, expected);
      }
    }
    INFO("key " << key);
    CHECK(found);
  }
}

// Pixels of a tile, as sorted byte tuples.
std::vector<std::vector<uint8_t>> tile_pixels(const cv::Mat& m, const cv::Rect& tile) {
  std::vector<std::vector<uint8_t>> out;
  for (int y = tile.y; y < tile.y + tile.height; ++y) {
    const uint8_t* row = m.ptr<uint8_t>(y);
    for (int x = tile.x; x < tile.x + tile.width; ++x) {
      out.emplace_back(row + x * m.channels(), row + (x + 1) * m.channels());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("split_rotate keeps the multiset of pixels of every tile", "[augmentations]") {
  for (const auto& [rows, cols, type] : kShapes) {
    for (const auto& [grid_rows, grid_cols] : std::vector<std::pair<int, int>>{{2, 2}, {3, 4}}) {
      const cv::Mat src = random_image(rows, cols, type, 12);
      const SplitRotateOptions o{1.0, grid_rows, grid_cols};
      for (uint64_t key = 0; key < 5; ++key) {
        INFO(rows << "x" << cols << " grid " << grid_rows << "x" << grid_cols << " key " << key);
        const cv::Mat out = run(o, src, key);
        for (int r = 0; r < grid_rows; ++r) {
          for (int c = 0; c < grid_cols; ++c) {
            const cv::Rect tile(c * cols / grid_cols, r * rows / grid_rows,
                                (c + 1) * cols / grid_cols - c * cols / grid_cols,
                                (r + 1) * rows / grid_rows - r * rows / grid_rows);
            CHECK(tile_pixels(out, tile) == tile_pixels(src, tile));
          }
        }
      }
    }
  }
}

// The masked fraction of GridMask. Along x, column x lies in a masked band when
// (x - offset_x) mod d >= l, l = ceil(ratio d); with offset_x uniform in {0..d-1} that holds for
// exactly d - l of the d offsets, whatever x (and whatever real position a turned lattice samples,
// since only floor(u) - offset_x mod d matters). Rows likewise with an independent offset_y, and
// a pixel is masked when both hold, so for a unit d every pixel is masked with probability
// ((d - l) / d)^2 exactly, and the expected masked fraction is the mean of that over
// d in {d_min..d_max}. It is (1 - ratio)^2 up to the rounding of l: the paper's keep ratio
// k = 1 - (1 - r)^2 with r = ratio. When d divides the side and the lattice is not turned, every
// offset gives exactly d - l masked columns per d, so the fraction is exact for each image.
double expected_masked_fraction(int d_min, int d_max, double ratio) {
  double sum = 0;
  for (int d = d_min; d <= d_max; ++d) {
    const int l = static_cast<int>(std::ceil(ratio * d - 1e-9));
    sum += std::pow(static_cast<double>(d - l) / d, 2);
  }
  return sum / (d_max - d_min + 1);
}

double masked_fraction(const cv::Mat& out) {  // src is all 200, fill_value 0
  cv::Mat grey;
  if (out.channels() == 3) {
    cv::extractChannel(out, grey, 0);
  } else {
    grey = out;
  }
  return 1.0 - static_cast<double>(cv::countNonZero(grey)) / grey.total();
}

TEST_CASE("gridmask masks ((d - ceil(ratio d)) / d)^2 of the image", "[augmentations]") {
  SECTION("exactly, when d divides the side and the lattice is not turned") {
    const GridMaskOptions o{1.0, 16, 16, 0.6, 0.0, 0};
    const double want = expected_masked_fraction(16, 16, 0.6);
    CHECK(want == Approx(0.140625));  // l = 10: (6 / 16)^2
    for (int type : {CV_8UC1, CV_8UC3}) {
      const cv::Mat src(96, 96, type, cv::Scalar::all(200));
      for (uint64_t key = 0; key < 10; ++key) CHECK(masked_fraction(run(o, src, key)) == want);
    }
  }
  SECTION("on average over offsets, units and angles, within 10%") {
    for (const double ratio : {0.3, 0.6}) {
      for (const double rotate : {0.0, 45.0}) {
        const GridMaskOptions o{1.0, 8, 32, ratio, rotate, 0};
        const cv::Mat src(96, 96, CV_8UC3, cv::Scalar::all(200));
        double sum = 0;
        const int n = 400;
        for (int key = 0; key < n; ++key) sum += masked_fraction(run(o, src, key));
        const double want = expected_masked_fraction(8, 32, ratio);
        INFO("ratio " << ratio << " rotate " << rotate << " want " << want);
        CHECK(sum / n == Approx(want).epsilon(0.1));
      }
    }
  }
  SECTION("masked pixels take fill_value and the rest are untouched") {
    const GridMaskOptions o{1.0, 8, 32, 0.5, 30.0, 9};
    const cv::Mat src = random_image(50, 13, CV_8UC3, 13);
    const cv::Mat out = run(o, src, 3);
    int changed = 0;
    for (int y = 0; y < src.rows; ++y) {
      for (int x = 0; x < src.cols; ++x) {
        const cv::Vec3b a = src.at<cv::Vec3b>(y, x), b = out.at<cv::Vec3b>(y, x);
        if (a != b) {
          ++changed;
          CHECK(b == cv::Vec3b(9, 9, 9));
        }
      }
    }
    CHECK(changed > 0);
  }
}

TEST_CASE("geometric ops round-trip through JSON with every field", "[augmentations]") {
  const json full = json::parse(R"([
    {"op": "vflip", "p": 0.25},
    {"op": "affine", "p": 0.5, "degrees": [-20.0, 10.0], "translate": [0.1, 0.2], "scale": [0.8, 1.25],
     "shear": [-5.0, 5.0, -2.0, 3.0], "fill": "reflect", "fill_value": 3},
    {"op": "shear", "p": 0.75, "shear": [-7.0, 8.0, 0.0, 1.0], "fill": "nearest", "fill_value": 4},
    {"op": "zoom", "p": 0.5, "scale": [0.5, 1.5], "fill": "constant", "fill_value": 5},
    {"op": "translate", "p": 0.5, "translate": [0.3, 0.05], "fill": "reflect", "fill_value": 6},
    {"op": "random_resized_crop", "p": 0.5, "scale": [0.2, 0.9], "ratio": [0.5, 2.0], "interpolation": "area"},
    {"op": "crop_pad", "p": 0.5, "padding": 3, "fill": "nearest", "fill_value": 7},
    {"op": "split_rotate", "p": 0.5, "rows": 3, "cols": 4},
    {"op": "gridmask", "p": 0.5, "d_min": 10, "d_max": 20, "ratio": 0.4, "rotate": 30.0, "fill_value": 8}
  ])");
  CHECK(pipeline_to_json(pipeline_from_json(full)) == full);

  // Shorthands are normalised to the full form.
  const json shorthand = json::parse(R"([
    {"op": "affine", "degrees": 12, "shear": 6},
    {"op": "affine", "shear": [-4, 4]},
    {"op": "shear", "shear": 9},
    {"op": "affine", "degrees": 0, "shear": 0}
  ])");
  const json normal = pipeline_to_json(pipeline_from_json(shorthand));
  CHECK(normal[0]["degrees"] == json::parse("[-12.0, 12.0]"));
  CHECK(normal[0]["shear"] == json::parse("[-6.0, 6.0, 0.0, 0.0]"));
  CHECK(normal[1]["shear"] == json::parse("[-4.0, 4.0, 0.0, 0.0]"));
  CHECK(normal[2]["shear"] == json::parse("[-9.0, 9.0, 0.0, 0.0]"));
  // 0 means [0, 0], never [-0.0, 0.0] (a -0.0 would change the cell id of an identical config).
  CHECK(normal[3]["degrees"].dump() == "[0.0,0.0]");
  CHECK(normal[3]["shear"].dump() == "[0.0,0.0,0.0,0.0]");

  // Defaults: {"op": name} is the registry's default options.
  for (const auto& info : transform_infos()) {
    INFO(info.name);
    json bare = json::array({{{"op", info.name}}});
    if (info.name == "corrupt") continue;  // needs its corruption
    if (info.name == "sequence" || info.name == "one_of" || info.name == "some_of") {
      bare[0]["ops"] = json::array();  // combinators need their ops
    }
    CHECK(pipeline_to_json(pipeline_from_json(bare)) == pipeline_to_json({info.defaults}));
  }
}

json suite_with(const json& pipeline) {
  return json{{"name", "unit"},
              {"data", {{"source", "fashion-mnist:train"}, {"input_size", 28}}},
              {"axes",
               {{"backbone", json::array({"simple_cnn"})},
                {"augmentation", {{"a", pipeline}}},
                {"loss", json::array({"cross_entropy"})},
                {"optimizer", json::array({"sgd"})}}}};
}

TEST_CASE("the suite schema accepts every geometric op's defaults and rejects bad values",
          "[augmentations]") {
  const char* names[] = {"vflip",    "affine",       "shear",
                         "zoom",     "translate",    "random_resized_crop",
                         "crop_pad", "split_rotate", "gridmask"};
  for (const char* name : names) {
    INFO(name);
    const Suite s = parse_suite(suite_with(json::array({{{"op", name}}})), "ok.json");
    REQUIRE(s.augmentations.size() == 1);
    // The normalised axis value is the registry's defaults.
    const auto& infos = transform_infos();
    const auto it =
        std::find_if(infos.begin(), infos.end(), [&](const auto& i) { return i.name == name; });
    REQUIRE(it != infos.end());
    CHECK(s.augmentations[0].value == pipeline_to_json({it->defaults}));
  }
  auto [op, pointer, expected] = GENERATE(table<std::string, std::string, std::string>({
      {R"({"op": "vflip", "p": 2})", "/axes/augmentation/a/0/p", "must be <= 1, got 2"},
      {R"({"op": "affine", "translate": [0.1, 1.5]})", "/axes/augmentation/a/0/translate/1",
       "must be <= 1, got 1.5"},
      {R"({"op": "zoom", "scale": [0, 1]})", "/axes/augmentation/a/0/scale/0",
       "must be >= 0.01, got 0"},
      {R"({"op": "zoom", "scale": [1.2, 0.8]})", "/axes/augmentation/a/0",
       "zoom: scale [1.2, 0.8] has min > max"},
      {R"({"op": "affine", "shear": [5, -5]})", "/axes/augmentation/a/0",
       "affine: shear [5.0, -5.0] has min > max"},
      {R"({"op": "random_resized_crop", "interpolation": "cubic"})",
       "/axes/augmentation/a/0/interpolation",
       R"(expected one of "bilinear", "area", got "cubic")"},
      {R"({"op": "crop_pad", "padding": -1})", "/axes/augmentation/a/0/padding",
       "must be >= 0, got -1"},
      {R"({"op": "split_rotate", "rows": 0})", "/axes/augmentation/a/0/rows",
       "must be >= 1, got 0"},
      {R"({"op": "gridmask", "ratio": 1.5})", "/axes/augmentation/a/0/ratio",
       "must be <= 1, got 1.5"},
      {R"({"op": "translate", "fill": "wrap"})", "/axes/augmentation/a/0/fill",
       R"(expected one of "constant", "reflect", "nearest", got "wrap")"},
  }));
  INFO(op);
  const std::string msg = testing::input_error(
      [&, &op = op] { parse_suite(suite_with(json::array({json::parse(op)})), "bad.json"); });
  // A bad enum value (fill, interpolation) disqualifies every alternative that pins that key, so
  // the validator lists the alternatives; the message still names the pointer and the values.
  CHECK_THAT(msg,
             Contains("bad.json: /axes/augmentation/a/0") && Contains(pointer + ": " + expected));
}

}  // namespace
}  // namespace gauntlet
