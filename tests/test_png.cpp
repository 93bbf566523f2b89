// Tests of harness/core/png and reports/image_grid. The PNG files are decoded here independently
// of the encoder: chunks walked and their CRCs checked, the IDAT payloads inflated with zlib's
// uncompress and the five PNG filters undone by a decoder written from the spec. PIL reads the
// same encoder's files in tests/parity/png_parity.py.
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <opencv2/core.hpp>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "harness/core/png.hpp"
#include "reports/image_grid.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

using Catch::Matchers::Contains;
using testing::TempDir;
namespace fs = std::filesystem;

uint32_t read_u32(const std::vector<uint8_t>& b, size_t at) {
  REQUIRE(at + 4 <= b.size());
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}

struct Chunk {
  std::string type;
  std::vector<uint8_t> data;
};

// The chunks after the signature, each CRC checked; the file must end right after IEND.
std::vector<Chunk> chunks_of(const std::vector<uint8_t>& png) {
  const std::vector<uint8_t> signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  REQUIRE(png.size() >= signature.size());
  REQUIRE(std::vector<uint8_t>(png.begin(), png.begin() + 8) == signature);
  std::vector<Chunk> chunks;
  size_t at = 8;
  while (chunks.empty() || chunks.back().type != "IEND") {
    const uint32_t length = read_u32(png, at);
    REQUIRE(at + 12 + length <= png.size());
    const uint8_t* type = png.data() + at + 4;
    const uLong crc = crc32(crc32(0L, Z_NULL, 0), type, length + 4);
    CHECK(read_u32(png, at + 8 + length) == crc);
    chunks.push_back(
        {std::string(type, type + 4), std::vector<uint8_t>(type + 4, type + 4 + length)});
    at += 12 + length;
  }
  CHECK(at == png.size());
  return chunks;
}

struct Decoded {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
  std::vector<int> filters;  // per row
  int idat_chunks = 0;
};

int paeth_predictor(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

// A decoder for exactly what encode_png promises: 8-bit grey, RGB or RGBA, not interlaced.
Decoded decode(const std::vector<uint8_t>& png) {
  const std::vector<Chunk> chunks = chunks_of(png);
  REQUIRE(chunks.front().type == "IHDR");
  const std::vector<uint8_t>& ihdr = chunks.front().data;
  REQUIRE(ihdr.size() == 13);
  Decoded d;
  d.width = static_cast<int>(read_u32(ihdr, 0));
  d.height = static_cast<int>(read_u32(ihdr, 4));
  REQUIRE(ihdr[8] == 8);
  d.channels = ihdr[9] == 0 ? 1 : ihdr[9] == 2 ? 3 : ihdr[9] == 6 ? 4 : 0;
  REQUIRE(d.channels != 0);
  REQUIRE(ihdr[10] == 0);
  REQUIRE(ihdr[11] == 0);
  REQUIRE(ihdr[12] == 0);
  std::vector<uint8_t> deflated;
  for (const Chunk& c : chunks) {
    if (c.type != "IDAT") continue;
    deflated.insert(deflated.end(), c.data.begin(), c.data.end());
    ++d.idat_chunks;
  }
  const size_t row_bytes = static_cast<size_t>(d.width) * d.channels;
  std::vector<uint8_t> filtered((row_bytes + 1) * d.height);
  uLongf size = filtered.size();
  REQUIRE(uncompress(filtered.data(), &size, deflated.data(), deflated.size()) == Z_OK);
  REQUIRE(size == filtered.size());

  d.pixels.resize(row_bytes * d.height);
  for (int y = 0; y < d.height; ++y) {
    const uint8_t* in = filtered.data() + y * (row_bytes + 1);
    uint8_t* out = d.pixels.data() + y * row_bytes;
    const uint8_t* up = y > 0 ? out - row_bytes : nullptr;
    d.filters.push_back(in[0]);
    for (size_t i = 0; i < row_bytes; ++i) {
      const int a = i >= static_cast<size_t>(d.channels) ? out[i - d.channels] : 0;
      const int b = up ? up[i] : 0;
      const int c = up && i >= static_cast<size_t>(d.channels) ? up[i - d.channels] : 0;
      int predicted = 0;
      switch (in[0]) {
        case 0:
          predicted = 0;
          break;
        case 1:
          predicted = a;
          break;
        case 2:
          predicted = b;
          break;
        case 3:
          predicted = (a + b) / 2;
          break;
        case 4:
          predicted = paeth_predictor(a, b, c);
          break;
        default:
          FAIL("row " << y << " has filter type " << int{in[0]});
      }
      out[i] = static_cast<uint8_t>(in[1 + i] + predicted);
    }
  }
  return d;
}

// Smooth ramps (which the Sub, Up and Paeth filters reduce) in a checkerboard with noise (which
// they cannot), so that rows pick different filters.
std::vector<uint8_t> pattern(int width, int height, int channels) {
  std::mt19937 rng(static_cast<uint32_t>(width * 1000 + height * 10 + channels));
  std::vector<uint8_t> v(static_cast<size_t>(width) * height * channels);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        const bool smooth = (x / 4 + y / 4) % 2 == 0;
        v[(static_cast<size_t>(y) * width + x) * channels + c] =
            static_cast<uint8_t>(smooth ? x * 3 + y * 7 + c * 50 : rng());
      }
    }
  }
  return v;
}

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

TEST_CASE("encode_png writes the signature and an IHDR with the image's fields", "[png]") {
  int channels = 0, colour_type = 0;
  std::tie(channels, colour_type) = GENERATE(table<int, int>({{1, 0}, {3, 2}, {4, 6}}));
  const std::vector<uint8_t> pixels = pattern(300, 7, channels);
  const std::vector<uint8_t> png = encode_png(pixels.data(), 300, 7, channels);
  const std::vector<Chunk> chunks = chunks_of(png);
  REQUIRE(chunks.size() >= 3);
  CHECK(chunks.front().type == "IHDR");
  CHECK(chunks.front().data == std::vector<uint8_t>{0, 0, 1, 44, 0, 0, 0, 7, 8,
                                                    static_cast<uint8_t>(colour_type), 0, 0, 0});
  CHECK(chunks[1].type == "IDAT");
  CHECK(chunks.back().type == "IEND");
  CHECK(chunks.back().data.empty());
}

TEST_CASE("encode_png round-trips through inflate and unfiltering", "[png]") {
  int width = 0, height = 0, channels = 0;
  std::tie(width, height, channels) = GENERATE(table<int, int, int>({{1, 1, 1},
                                                                     {1, 1, 3},
                                                                     {1, 1, 4},
                                                                     {7, 5, 1},
                                                                     {33, 9, 3},
                                                                     {13, 17, 4},
                                                                     {301, 4, 3},
                                                                     {1, 40, 1},
                                                                     {40, 1, 4}}));
  INFO(width << "x" << height << "x" << channels);
  const std::vector<uint8_t> pixels = pattern(width, height, channels);
  const Decoded d = decode(encode_png(pixels.data(), width, height, channels));
  CHECK(d.width == width);
  CHECK(d.height == height);
  CHECK(d.channels == channels);
  CHECK(d.pixels == pixels);
}

TEST_CASE("encode_png chooses each row's filter by the smallest sum of residues", "[png]") {
  // Identical rows of a ramp of step 5: the first row is best as Sub (all residues 5 but the
  // first), every later one as Up (all residues 0; Paeth ties at 0 and loses to the lower type).
  const int width = 40, height = 6;
  std::vector<uint8_t> pixels(width * height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) pixels[y * width + x] = static_cast<uint8_t>(5 * x);
  }
  const Decoded d = decode(encode_png(pixels.data(), width, height, 1));
  CHECK(d.pixels == pixels);
  CHECK(d.filters == std::vector<int>{1, 2, 2, 2, 2, 2});

  // Noise rows are not made smaller by any predictor; the pattern's mix exercises several filters.
  const std::vector<uint8_t> mixed = pattern(64, 64, 3);
  const Decoded m = decode(encode_png(mixed.data(), 64, 64, 3));
  CHECK(m.pixels == mixed);
  CHECK(std::set<int>(m.filters.begin(), m.filters.end()).size() >= 2);
}

TEST_CASE("encode_png splits a large stream over several IDAT chunks", "[png]") {
  // Noise barely deflates, so 1.4 MB of it needs two chunks of at most 1 MiB.
  std::mt19937 rng(7);
  std::vector<uint8_t> pixels(800 * 600 * 3);
  for (auto& v : pixels) v = static_cast<uint8_t>(rng());
  const Decoded d = decode(encode_png(pixels.data(), 800, 600, 3));
  CHECK(d.idat_chunks == 2);
  CHECK(d.pixels == pixels);
}

TEST_CASE("encode_png rejects bad sizes, channel counts and null pixels", "[png]") {
  int width = 0, height = 0, channels = 0;
  std::string message;
  std::tie(width, height, channels, message) =
      GENERATE(table<int, int, int, std::string>({{0, 5, 3, "0x5"},
                                                  {5, 0, 3, "5x0"},
                                                  {-2, 5, 1, "-2x5"},
                                                  {5, 5, 2, "2 channels"},
                                                  {5, 5, 0, "0 channels"},
                                                  {5, 5, 5, "5 channels"}}));
  const std::vector<uint8_t> pixels(100, 0);
  CHECK_THROWS_AS(encode_png(pixels.data(), width, height, channels), std::invalid_argument);
  CHECK_THROWS_WITH(encode_png(pixels.data(), width, height, channels), Contains(message));
  CHECK_THROWS_AS(encode_png(nullptr, 2, 2, 1), std::invalid_argument);
}

TEST_CASE("write_png writes encode_png's bytes and names the path when it cannot", "[png]") {
  TempDir dir;
  const std::vector<uint8_t> pixels = pattern(9, 4, 3);
  const std::string path = dir.file("nested/folder/a.png");
  write_png(path, pixels.data(), 9, 4, 3);
  CHECK(slurp(path) == encode_png(pixels.data(), 9, 4, 3));
  // Nothing but the file itself: the temporary was renamed, not left behind.
  CHECK(std::distance(fs::directory_iterator(dir.file("nested/folder")), {}) == 1);

  SECTION("the path is a folder") {
    const std::string target = dir.file("nested");
    CHECK_THROWS_AS(write_png(target, pixels.data(), 9, 4, 3), std::runtime_error);
    CHECK_THROWS_WITH(write_png(target, pixels.data(), 9, 4, 3), Contains(target));
  }
  SECTION("a parent is a file") {
    const std::string target = path + "/b.png";
    CHECK_THROWS_AS(write_png(target, pixels.data(), 9, 4, 3), std::runtime_error);
    CHECK_THROWS_WITH(write_png(target, pixels.data(), 9, 4, 3), Contains(target));
  }
  SECTION("bad arguments are refused before anything is written") {
    const std::string target = dir.file("never.png");
    CHECK_THROWS_AS(write_png(target, pixels.data(), 0, 4, 3), std::invalid_argument);
    CHECK_FALSE(fs::exists(target));
  }
}

constexpr int kGap = 4;  // documented in image_grid.hpp

cv::Mat constant(int rows, int cols, int type, const cv::Scalar& value) {
  return cv::Mat(rows, cols, type, value);
}

// The top-left corner of cell (r, c), counted from the right and bottom edges as documented.
cv::Point cell_origin(const cv::Mat& sheet, int num_rows, int num_columns, int cell, int r, int c) {
  return {sheet.cols - (num_columns - c) * (cell + kGap),
          sheet.rows - (num_rows - r) * (cell + kGap)};
}

cv::Vec3b at(const cv::Mat& sheet, cv::Point p) { return sheet.at<cv::Vec3b>(p); }

const cv::Vec3b kWhite(255, 255, 255);

TEST_CASE("draw_grid sizes the sheet from cells, gaps and labels", "[grid]") {
  const cv::Mat img = constant(6, 6, CV_8UC3, cv::Scalar(10, 20, 30));
  const int cell = 10, pitch = cell + kGap;
  const std::vector<GridRow> unlabelled = {{"", {img, img, img}}, {"", {img, img, img}}};
  const cv::Mat bare = draw_grid(unlabelled, {}, cell);
  CHECK(bare.type() == CV_8UC3);
  CHECK(bare.cols == kGap + 3 * pitch);
  CHECK(bare.rows == kGap + 2 * pitch);

  const cv::Mat headed = draw_grid(unlabelled, {"s1", "s2", "s3"}, cell);
  CHECK(headed.cols == bare.cols);
  CHECK(headed.rows > bare.rows);

  const std::vector<GridRow> labelled = {{"fog", {img, img, img}}, {"snow", {img, img, img}}};
  const cv::Mat margined = draw_grid(labelled, {}, cell);
  CHECK(margined.cols > bare.cols);
  CHECK(margined.rows == bare.rows);

  SECTION("columns are as many as the longest of the labels and the rows") {
    const std::vector<GridRow> ragged = {{"", {img}}, {"", {img, img}}};
    CHECK(draw_grid(ragged, {}, cell).cols == kGap + 2 * pitch);
    CHECK(draw_grid(ragged, {"a", "b", "c", "d"}, cell).cols == kGap + 4 * pitch);
  }
  SECTION("a long row label shrinks instead of widening the margin past 128 px") {
    const std::vector<GridRow> wordy = {{"gaussian_noise s=5", {img}}};
    const cv::Mat sheet = draw_grid(wordy, {}, cell);
    const int margin = sheet.cols - (kGap + pitch);
    CHECK(margin > 64);
    CHECK(margin <= 128 + 2 * 4);
  }
}

TEST_CASE("draw_grid puts each image, scaled to fit, in its own cell", "[grid]") {
  const int cell = 20;
  // Grey and RGB, enlarged, shrunk, wide and tall, each a constant colour of its own.
  const std::vector<GridRow> rows = {
      {"fog",
       {constant(5, 5, CV_8UC1, cv::Scalar(40)), constant(40, 80, CV_8UC3, {1, 2, 3}),
        constant(20, 20, CV_8UC3, {200, 100, 0})}},
      {"gaussian_noise",
       {constant(30, 10, CV_8UC3, {9, 99, 199}), constant(3, 7, CV_8UC1, cv::Scalar(0))}}};
  const cv::Mat sheet = draw_grid(rows, {"severity 1", "2", "3"}, cell);
  const auto origin = [&](int r, int c) { return cell_origin(sheet, 2, 3, cell, r, c); };
  const cv::Point mid(cell / 2, cell / 2);

  CHECK(at(sheet, origin(0, 0) + mid) == cv::Vec3b(40, 40, 40));
  CHECK(at(sheet, origin(0, 1) + mid) == cv::Vec3b(1, 2, 3));
  CHECK(at(sheet, origin(0, 2) + mid) == cv::Vec3b(200, 100, 0));
  CHECK(at(sheet, origin(1, 0) + mid) == cv::Vec3b(9, 99, 199));
  CHECK(at(sheet, origin(1, 1) + mid) == cv::Vec3b(0, 0, 0));
  // The missing third image of row 1 leaves its cell white.
  CHECK(at(sheet, origin(1, 2) + mid) == kWhite);

  // Enlarged and exact images fill their cell to the corners; the gaps stay white.
  for (const cv::Point corner : {cv::Point(0, 0), cv::Point(cell - 1, cell - 1)}) {
    CHECK(at(sheet, origin(0, 0) + corner) == cv::Vec3b(40, 40, 40));
    CHECK(at(sheet, origin(0, 2) + corner) == cv::Vec3b(200, 100, 0));
  }
  CHECK(at(sheet, origin(0, 1) - cv::Point(1, 1)) == kWhite);
  CHECK(at(sheet, origin(0, 2) + cv::Point(cell, cell)) == kWhite);

  // 80x40 fits as 20x10, centred: white above and below it. 10x30 fits as 7x20 (rounded).
  CHECK(at(sheet, origin(0, 1) + cv::Point(mid.x, 0)) == kWhite);
  CHECK(at(sheet, origin(0, 1) + cv::Point(mid.x, 4)) == kWhite);
  CHECK(at(sheet, origin(0, 1) + cv::Point(mid.x, 5)) == cv::Vec3b(1, 2, 3));
  CHECK(at(sheet, origin(0, 1) + cv::Point(mid.x, 14)) == cv::Vec3b(1, 2, 3));
  CHECK(at(sheet, origin(0, 1) + cv::Point(mid.x, 15)) == kWhite);
  CHECK(at(sheet, origin(1, 0) + cv::Point(0, mid.y)) == kWhite);
  CHECK(at(sheet, origin(1, 0) + cv::Point(cell - 1, mid.y)) == kWhite);

  // The labels are drawn: dark pixels in the left margin and in the header.
  double darkest = 255;
  cv::minMaxLoc(sheet(cv::Rect(0, origin(1, 0).y, origin(1, 0).x, cell)).reshape(1), &darkest);
  CHECK(darkest < 128);
  cv::minMaxLoc(sheet(cv::Rect(origin(0, 0).x, 0, cell, origin(0, 0).y)).reshape(1), &darkest);
  CHECK(darkest < 128);
}

TEST_CASE("draw_grid enlarges with nearest neighbour, keeping pixels sharp", "[grid]") {
  cv::Mat checker = (cv::Mat_<uint8_t>(2, 2) << 0, 255, 255, 0);
  const cv::Mat sheet = draw_grid({{"", {checker}}}, {}, 8);
  const cv::Point o = cell_origin(sheet, 1, 1, 8, 0, 0);
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 8; ++x) {
      const uint8_t expected = (x < 4) == (y < 4) ? 0 : 255;
      INFO("x=" << x << " y=" << y);
      CHECK(at(sheet, o + cv::Point(x, y)) == cv::Vec3b(expected, expected, expected));
    }
  }
}

TEST_CASE("draw_grid rejects what it cannot draw", "[grid]") {
  const cv::Mat ok = constant(4, 4, CV_8UC3, cv::Scalar::all(0));
  CHECK_THROWS_AS(draw_grid({{"a", {ok}}}, {}, 0), std::invalid_argument);
  CHECK_THROWS_AS(draw_grid({}, {"a"}, 8), std::invalid_argument);
  CHECK_THROWS_AS(draw_grid({{"a", {}}}, {}, 8), std::invalid_argument);
  CHECK_THROWS_WITH(draw_grid({{"a", {ok}}, {"fog", {ok, cv::Mat()}}}, {}, 8),
                    Contains("row 1 ('fog'), column 1"));
  CHECK_THROWS_WITH(draw_grid({{"a", {constant(4, 4, CV_32FC3, cv::Scalar::all(0))}}}, {}, 8),
                    Contains("uint8 with 1 or 3 channels"));
  CHECK_THROWS_WITH(draw_grid({{"a", {constant(4, 4, CV_8UC4, cv::Scalar::all(0))}}}, {}, 8),
                    Contains("uint8 with 1 or 3 channels"));
}

TEST_CASE("write_grid_png writes the sheet draw_grid draws", "[grid]") {
  TempDir dir;
  const std::vector<GridRow> rows = {
      {"blur", {constant(9, 13, CV_8UC1, cv::Scalar(77)), constant(9, 9, CV_8UC3, {5, 6, 7})}}};
  const std::vector<std::string> columns = {"clean", "s3"};
  write_grid_png(dir.file("grid.png"), rows, columns, 16);
  const cv::Mat sheet = draw_grid(rows, columns, 16);
  const Decoded d = decode(slurp(dir.file("grid.png")));
  CHECK(d.width == sheet.cols);
  CHECK(d.height == sheet.rows);
  CHECK(d.channels == 3);
  CHECK(d.pixels == std::vector<uint8_t>(sheet.datastart, sheet.dataend));
}

}  // namespace
}  // namespace gauntlet
