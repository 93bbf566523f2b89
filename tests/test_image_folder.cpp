// The image-folder data source: classes from sub-folders (or a `classes` file), files in name
// order, the most common size kept and the rest resized, grey replicated when any image has
// colour, and every bad folder refused naming the place.
#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>

#include "harness/core/error.hpp"
#include "harness/data_source.hpp"
#include "harness/image_folder.hpp"
#include "tests/test_images.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;

void write_image(const fs::path& p, const cv::Mat& m) {
  fs::create_directories(p.parent_path());
  REQUIRE(cv::imwrite(p.string(), m));
}

TEST_CASE("an image folder loads classes, labels and pixels in a fixed order", "[data]") {
  REQUIRE(image_folders_supported());
  testing::TempDir t;
  const fs::path root = t.path() / "set";
  const cv::Mat a0 = testing::random_image(6, 5, CV_8UC1, 1), a1 = testing::random_image(6, 5, CV_8UC1, 2);
  const cv::Mat b0 = testing::random_image(6, 5, CV_8UC1, 3);
  write_image(root / "cat" / "b.png", a1);
  write_image(root / "cat" / "a.png", a0);
  write_image(root / "ant" / "x.bmp", b0);
  std::ofstream(root / "ant" / "notes.txt") << "not an image";
  const Dataset d = load_dataset({root.string()});
  CHECK(d.class_names == std::vector<std::string>{"ant", "cat"});
  CHECK(d.labels == std::vector<int64_t>{0, 1, 1});
  CHECK(d.n == 3);
  CHECK(d.height == 6);
  CHECK(d.width == 5);
  CHECK(d.channels == 1);
  CHECK(std::equal(b0.datastart, b0.dataend, d.image(0)));
  CHECK(std::equal(a0.datastart, a0.dataend, d.image(1)));  // a.png before b.png
  CHECK(std::equal(a1.datastart, a1.dataend, d.image(2)));

  // A classes file sets the order.
  std::ofstream(root / "classes") << "cat\nant\n";
  const Dataset ordered = load_dataset({root.string()});
  CHECK(ordered.class_names == std::vector<std::string>{"cat", "ant"});
  CHECK(ordered.labels == std::vector<int64_t>{0, 0, 1});
}

TEST_CASE("mixed sizes and colours become one size and RGB", "[data]") {
  testing::TempDir t;
  const fs::path root = t.path() / "set";
  cv::Mat rgb = testing::random_image(8, 8, CV_8UC3, 4);
  write_image(root / "a" / "1.png", rgb);  // written as BGR by OpenCV: read back as RGB
  write_image(root / "a" / "2.png", testing::random_image(8, 8, CV_8UC1, 5));
  write_image(root / "b" / "3.png", testing::random_image(16, 16, CV_8UC3, 6));
  const Dataset d = load_dataset({root.string()});
  CHECK(d.height == 8);
  CHECK(d.width == 8);
  CHECK(d.channels == 3);
  cv::Mat as_rgb;
  cv::cvtColor(rgb, as_rgb, cv::COLOR_BGR2RGB);
  CHECK(std::equal(as_rgb.datastart, as_rgb.dataend, d.image(0)));
  const uint8_t* grey = d.image(1);
  for (int p = 0; p < 64; ++p) {
    REQUIRE(grey[3 * p] == grey[3 * p + 1]);
    REQUIRE(grey[3 * p] == grey[3 * p + 2]);
  }
}

TEST_CASE("bad image folders are refused naming the place", "[data]") {
  testing::TempDir t;
  const fs::path root = t.path() / "set";
  fs::create_directories(root);
  CHECK_THAT(testing::input_error([&] { load_dataset({root.string()}); }), Catch::Contains("no class folders"));
  fs::create_directories(root / "empty");
  CHECK_THAT(testing::input_error([&] { load_dataset({root.string()}); }),
             Catch::Contains((root / "empty").string()) && Catch::Contains("no images"));
  write_image(root / "empty" / "ok.png", testing::random_image(4, 4, CV_8UC1, 7));
  std::ofstream(root / "empty" / "zero.png").close();
  CHECK_THAT(testing::input_error([&] { load_dataset({root.string()}); }),
             Catch::Contains("zero.png: empty file"));
  fs::remove(root / "empty" / "zero.png");
  std::ofstream(root / "empty" / "junk.jpg") << "this is not a jpeg";
  CHECK_THAT(testing::input_error([&] { load_dataset({root.string()}); }),
             Catch::Contains("junk.jpg: not an image OpenCV can read"));
  fs::remove(root / "empty" / "junk.jpg");
  std::ofstream(root / "classes") << "dog\n";
  CHECK_THAT(testing::input_error([&] { load_dataset({root.string()}); }),
             Catch::Contains("classes: class \"dog\" has no folder"));
  fs::remove(root / "classes");
  CHECK_THAT(testing::input_error([&] { load_dataset({(t.path() / "missing").string()}); }),
             Catch::Contains("no such file or folder"));
}

}  // namespace
}  // namespace gauntlet
