// Unit tests of harness/previews: the hold-out preview grids' layout (which image lands in which
// row and column) and the files written for the report. The augmentation preview is checked
// against the loader's own batches in test_loader.cpp.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "harness/previews.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

using testing::TempDir;

// n images of 8 x 8 RGB; image i is filled with value + i.
PreparedSet filled(uint8_t value, int64_t n = 3) {
  PreparedSet p;
  p.n = n;
  p.side = 8;
  p.channels = 3;
  for (int64_t i = 0; i < n; ++i) {
    p.labels.push_back(0);
    p.images.insert(p.images.end(), 8 * 8 * 3, static_cast<uint8_t>(value + i));
  }
  return p;
}

HoldoutSpec spec(HoldoutSpec::Kind kind, const std::string& id, const std::string& corruption = "", int severity = 0) {
  HoldoutSpec h;
  h.kind = kind;
  h.id = id;
  h.corruption = corruption;
  h.severity = severity;
  return h;
}

uint8_t value_of(const cv::Mat& m) { return m.at<cv::Vec3b>(0, 0)[0]; }

TEST_CASE("the corruption preview has a row per corruption and a column per severity; profiles a row each",
          "[previews]") {
  using Kind = HoldoutSpec::Kind;
  HoldoutPreview preview(2);
  preview.add(spec(Kind::kClean, "clean"), filled(10));
  preview.add(spec(Kind::kCorruption, "c.contrast.1", "contrast", 1), filled(20));
  preview.add(spec(Kind::kCorruption, "c.contrast.5", "contrast", 5), filled(30));
  preview.add(spec(Kind::kCorruption, "c.fog.5", "fog", 5), filled(40));
  preview.add(spec(Kind::kProfile, "p.hidden-like"), filled(50));
  preview.add(spec(Kind::kExternal, "x.other"), filled(60));

  const auto c = preview.corruptions();
  CHECK(c.columns == std::vector<std::string>{"clean", "severity 1", "severity 5"});
  REQUIRE(c.rows.size() == 2);
  CHECK(c.rows[0].label == "contrast");
  CHECK(c.rows[1].label == "fog");
  REQUIRE(c.rows[0].images.size() == 3);
  CHECK(value_of(c.rows[0].images[0]) == 10);  // test image 0, clean
  CHECK(value_of(c.rows[0].images[1]) == 20);  // test image 0 of c.contrast.1
  CHECK(value_of(c.rows[0].images[2]) == 30);
  REQUIRE(c.rows[1].images.size() == 3);
  CHECK(value_of(c.rows[1].images[1]) == 255);  // fog has no severity 1: a blank cell
  CHECK(value_of(c.rows[1].images[2]) == 40);

  const auto p = preview.profiles();
  CHECK(p.columns == std::vector<std::string>{"test #0", "test #1"});
  REQUIRE(p.rows.size() == 2);
  CHECK(p.rows[0].label == "clean");
  CHECK(p.rows[1].label == "p.hidden-like");
  CHECK(value_of(p.rows[0].images[1]) == 11);
  CHECK(value_of(p.rows[1].images[0]) == 50);
  CHECK(value_of(p.rows[1].images[1]) == 51);
}

TEST_CASE("preview files: one per grid the suite has, named for the report", "[previews]") {
  using Kind = HoldoutSpec::Kind;
  TempDir dir;
  HoldoutPreview clean_only;
  clean_only.add(spec(Kind::kClean, "clean"), filled(10));
  CHECK(write_preview_grids(dir.path().string(), {}, 6, clean_only).empty());

  HoldoutPreview both;
  both.add(spec(Kind::kClean, "clean"), filled(10));
  both.add(spec(Kind::kCorruption, "c.snow.3", "snow", 3), filled(20));
  both.add(spec(Kind::kProfile, "p.x"), filled(30));
  const std::vector<GridRow> augmentation{{"#0 (a)", {cv::Mat(8, 8, CV_8UC3, cv::Scalar::all(1))}}};
  const auto written = write_preview_grids(dir.path().string(), augmentation, 0, both);
  CHECK(written == std::vector<std::string>{"augmentation_preview.png", "corruption_preview.png", "profile_preview.png"});
  for (const auto& name : written) {
    INFO(name);
    CHECK(std::filesystem::file_size(dir.path() / name) > 100);
  }
}

}  // namespace
}  // namespace gauntlet
