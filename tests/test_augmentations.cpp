// Unit tests of augmentations/transform: flip and rotation keep shape and type, are identities
// where they must be, rotate about the image centre, and a Pipeline's output is a pure function of
// (key, epoch, sample).
#include <algorithm>
#include <nlohmann/json.hpp>
#include <fstream>
#include <catch2/catch.hpp>
#include <set>
#include <cmath>
#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <variant>
#include <vector>

#include "augmentations/geometric.hpp"
#include "augmentations/transform.hpp"
#include "harness/suite.hpp"
#include "harness/config.hpp"
#include "tests/test_images.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;

using testing::random_image;
using testing::same_bytes;
using testing::centroid;

// A disc of value 255 on 0, radius r, centred at (cx, cy) in pixel coordinates.
cv::Mat disc(int rows, int cols, double cx, double cy, double r) {
  cv::Mat m(rows, cols, CV_8UC1, cv::Scalar(0));
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) m.at<uint8_t>(y, x) = 255;
    }
  }
  return m;
}

RotateOptions rotate_options(double p, double degrees) {
  RotateOptions o;
  o.p = p;
  o.degrees = degrees;
  return o;
}

HFlipOptions hflip_options(double p) {
  HFlipOptions o;
  o.p = p;
  return o;
}

TEST_CASE("every transform keeps size, type and channels of 1- and 3-channel images",
          "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  RotateOptions reflect = rotate_options(1.0, 30);
  reflect.fill = Fill::kReflect;
  const std::vector<TransformOptions> all = {hflip_options(0.5), hflip_options(1.0),
                                             rotate_options(1.0, 30), reflect, RotateOptions{}};
  const cv::Mat src = random_image(21, 34, type, 1);
  const cv::Mat before = src.clone();
  for (size_t i = 0; i < all.size(); ++i) {
    INFO("transform " << i << " (" << transform_name(all[i]) << ")");
    for (uint64_t sample = 0; sample < 4; ++sample) {
      Rng rng{7, sample};
      cv::Mat dst;
      make_transform(all[i])->apply(src, dst, rng);
      CHECK(dst.rows == 21);
      CHECK(dst.cols == 34);
      CHECK(dst.type() == type);
    }
  }
  CHECK(same_bytes(src, before));  // src is only read

  const cv::Mat src2 = random_image(21, 34, type, 2);
  cv::Mat out;
  Pipeline(all).apply(src2, out, 1, 2, 3);
  CHECK(out.size() == src2.size());
  CHECK(out.type() == type);
}

TEST_CASE("hflip with p = 1 mirrors each row, and twice is the identity", "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const cv::Mat src = random_image(9, 14, type, 3);
  const auto flip = make_transform(hflip_options(1.0));
  Rng rng{1};
  cv::Mat once, twice;
  flip->apply(src, once, rng);
  flip->apply(once, twice, rng);
  CHECK_FALSE(same_bytes(once, src));
  CHECK(same_bytes(twice, src));
  const int ch = src.channels();
  for (int y = 0; y < src.rows; ++y) {
    for (int x = 0; x < src.cols; ++x) {
      for (int k = 0; k < ch; ++k) {
        REQUIRE(once.ptr<uint8_t>(y)[x * ch + k] ==
                src.ptr<uint8_t>(y)[(src.cols - 1 - x) * ch + k]);
      }
    }
  }
}

TEST_CASE("hflip with p = 0 and rotate with p = 0 or degrees = 0 are identities",
          "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const std::vector<TransformOptions> identities = {hflip_options(0.0), rotate_options(0.0, 45),
                                                    rotate_options(1.0, 0)};
  const cv::Mat src = random_image(16, 16, type, 4);
  for (const auto& o : identities) {
    INFO(transform_name(o));
    for (uint64_t sample = 0; sample < 20; ++sample) {
      Rng rng{9, sample};
      cv::Mat dst;
      make_transform(o)->apply(src, dst, rng);
      REQUIRE(same_bytes(dst, src));
    }
  }
}

TEST_CASE("transforms may write over their source", "[augmentations]") {
  const cv::Mat src = random_image(12, 17, CV_8UC3, 5);
  const std::vector<TransformOptions> all = {hflip_options(1.0), rotate_options(1.0, 40)};
  for (const auto& o : all) {
    INFO(transform_name(o));
    cv::Mat separate;
    Rng a{3};
    make_transform(o)->apply(src, separate, a);
    cv::Mat in_place = src.clone();
    Rng b{3};
    make_transform(o)->apply(in_place, in_place, b);
    CHECK(same_bytes(in_place, separate));
  }
}

TEST_CASE("rotation turns about the image centre", "[augmentations]") {
  // A disc at the centre ((cols - 1) / 2, (rows - 1) / 2) stays there; one off the centre keeps
  // its distance to it. Within 1 px, for many angles in [-180, 180].
  const int rows = GENERATE(33, 40);
  const int cols = 41;
  const double cx = (cols - 1) / 2.0, cy = (rows - 1) / 2.0;
  const cv::Mat centred = disc(rows, cols, cx, cy, 6);
  const cv::Mat off = disc(rows, cols, cx + 10, cy, 4);
  const auto rotate = make_transform(rotate_options(1.0, 180));
  int moved = 0;
  for (uint64_t sample = 0; sample < 16; ++sample) {
    INFO("sample " << sample);
    cv::Mat out;
    Rng a{21, sample};
    rotate->apply(centred, out, a);
    const cv::Point2d c = centroid(out);
    CHECK(std::abs(c.x - cx) < 1.0);
    CHECK(std::abs(c.y - cy) < 1.0);

    Rng b{21, sample};
    rotate->apply(off, out, b);
    const cv::Point2d d = centroid(out);
    CHECK(std::abs(std::hypot(d.x - cx, d.y - cy) - 10.0) < 1.0);
    if (std::hypot(d.x - (cx + 10), d.y - cy) > 2.0) ++moved;
  }
  // The off-centre disc really moves for most angles.
  CHECK(moved >= 12);
}

TEST_CASE("rotation fills uncovered corners as asked", "[augmentations]") {
  // A constant image stays constant with reflect or nearest fill, and with a constant fill of the
  // same value; a different fill value shows in the corners.
  const cv::Mat grey(24, 24, CV_8UC1, cv::Scalar(200));
  RotateOptions o = rotate_options(1.0, 180);
  for (Fill fill : {Fill::kReflect, Fill::kNearest}) {
    INFO(fill_name(fill));
    o.fill = fill;
    for (uint64_t sample = 0; sample < 8; ++sample) {
      Rng rng{5, sample};
      cv::Mat out;
      make_transform(o)->apply(grey, out, rng);
      REQUIRE(same_bytes(out, grey));
    }
  }
  o.fill = Fill::kConstant;
  o.fill_value = 200;
  for (uint64_t sample = 0; sample < 8; ++sample) {
    Rng rng{5, sample};
    cv::Mat out;
    make_transform(o)->apply(grey, out, rng);
    REQUIRE(same_bytes(out, grey));
  }
  o.fill_value = 7;
  int filled = 0;
  for (uint64_t sample = 0; sample < 8; ++sample) {
    Rng rng{5, sample};
    cv::Mat out;
    make_transform(o)->apply(grey, out, rng);
    if (out.at<uint8_t>(0, 0) == 7 || out.at<uint8_t>(23, 23) == 7) ++filled;
  }
  CHECK(filled >= 1);
}

TEST_CASE("a Pipeline's output is a pure function of (key, epoch, sample)", "[augmentations]") {
  const int type = GENERATE(CV_8UC1, CV_8UC3);
  const Pipeline pipeline({hflip_options(0.5), rotate_options(1.0, 15)});
  const cv::Mat src = random_image(28, 28, type, 6);
  cv::Mat a, b;
  pipeline.apply(src, a, 11, 1, 5);
  pipeline.apply(src, b, 11, 1, 5);
  CHECK(same_bytes(a, b));

  cv::Mat other_epoch, other_sample, other_key;
  pipeline.apply(src, other_epoch, 11, 2, 5);
  pipeline.apply(src, other_sample, 11, 1, 6);
  pipeline.apply(src, other_key, 12, 1, 5);
  CHECK_FALSE(same_bytes(other_epoch, a));
  CHECK_FALSE(same_bytes(other_sample, a));
  CHECK_FALSE(same_bytes(other_key, a));
}

TEST_CASE("Pipeline op k of sample i at epoch e draws from Rng{key, e, i, k}", "[augmentations]") {
  const std::vector<TransformOptions> ops = {hflip_options(0.5), rotate_options(0.7, 25)};
  const Pipeline pipeline(ops);
  const cv::Mat src = random_image(20, 20, CV_8UC3, 7);
  for (uint64_t sample = 0; sample < 6; ++sample) {
    INFO("sample " << sample);
    cv::Mat expected = src.clone();
    for (size_t k = 0; k < ops.size(); ++k) {
      Rng rng{3, 4, sample, k};
      cv::Mat next;
      make_transform(ops[k])->apply(expected, next, rng);
      expected = next;
    }
    cv::Mat got;
    pipeline.apply(src, got, 3, 4, sample);
    REQUIRE(same_bytes(got, expected));
  }
}

TEST_CASE("Pipeline writes into a destination of the right size and type in place",
          "[augmentations]") {
  const Pipeline pipeline({hflip_options(1.0), rotate_options(1.0, 20)});
  const cv::Mat src = random_image(16, 16, CV_8UC1, 8);
  cv::Mat expected;
  pipeline.apply(src, expected, 1, 0, 0);

  // A slot of a bigger buffer (like one image of a batch) is filled, not replaced.
  cv::Mat batch(32, 16, CV_8UC1, cv::Scalar(0));
  cv::Mat slot = batch.rowRange(16, 32);
  const uint8_t* where = slot.data;
  pipeline.apply(src, slot, 1, 0, 0);
  CHECK(slot.data == where);
  CHECK(same_bytes(batch.rowRange(16, 32), expected));
  CHECK(cv::countNonZero(batch.rowRange(0, 16)) == 0);

  // Source and destination may be the same Mat.
  cv::Mat same = src.clone();
  pipeline.apply(same, same, 1, 0, 0);
  CHECK(same_bytes(same, expected));
}

TEST_CASE("an empty Pipeline copies its input", "[augmentations]") {
  const Pipeline pipeline;
  CHECK(pipeline.empty());
  CHECK_FALSE(Pipeline({hflip_options(0.5)}).empty());
  const cv::Mat src = random_image(5, 7, CV_8UC3, 9);
  cv::Mat dst;
  pipeline.apply(src, dst, 1, 2, 3);
  CHECK(same_bytes(dst, src));
}

TEST_CASE("the transform registry lists every op once, with defaults of its own type",
          "[augmentations]") {
  const auto& infos = transform_infos();
  REQUIRE(infos.size() >= 4);
  CHECK(infos[0].name == "hflip");
  CHECK(infos[1].name == "rotate");
  std::set<std::string> names;
  for (const auto& info : infos) {
    INFO(info.name);
    CHECK(names.insert(info.name).second);
    CHECK(std::string(transform_name(info.defaults)) == info.name);
    CHECK(make_transform(info.defaults) != nullptr);
  }
  CHECK(names.count("corrupt") == 1);
  CHECK(names.count("erase") == 1);
  // The registry covers the variant: every alternative has an entry.
  CHECK(names.size() == std::variant_size_v<TransformOptions::Variant>);
  CHECK(std::get<HFlipOptions>(infos[0].defaults).p == 0.5);
  const auto& r = std::get<RotateOptions>(infos[1].defaults);
  CHECK(r.p == 1.0);
  CHECK(r.degrees == 15.0);
  CHECK(r.fill == Fill::kConstant);
  CHECK(r.fill_value == 0);
  CHECK(dynamic_cast<HFlip*>(make_transform(infos[0].defaults).get()) != nullptr);
  CHECK(dynamic_cast<Rotate*>(make_transform(infos[1].defaults).get()) != nullptr);
}

TEST_CASE("fill names match the suite schema's", "[augmentations]") {
  CHECK(std::string(fill_name(Fill::kConstant)) == "constant");
  CHECK(std::string(fill_name(Fill::kReflect)) == "reflect");
  CHECK(std::string(fill_name(Fill::kNearest)) == "nearest");
}

TEST_CASE("every transform's defaults are the suite schema's defaults, and the schema accepts them",
          "[augmentations]") {
  std::ifstream in(std::string(GAUNTLET_SOURCE_DIR) + "/suites/schema/suite.schema.json");
  const json schema = json::parse(in);
  json doc = json::parse(R"({
    "name": "unit",
    "data": {"source": "fashion-mnist:train"},
    "axes": {"backbone": ["simple_cnn"], "augmentation": {}, "loss": ["cross_entropy"], "optimizer": ["sgd"]}
  })");
  for (const auto& info : transform_infos()) {
    INFO(info.name);
    const json normalised = pipeline_to_json({info.defaults})[0];
    doc["axes"]["augmentation"][info.name] = json::array({normalised});
    const json* entry = nullptr;
    for (const json& e : schema.at("$defs").at("transform").at("oneOf")) {
      if (e.at("properties").at("op").at("const") == info.name) entry = &e;
    }
    REQUIRE(entry != nullptr);
    const json required = entry->value("required", json::array());
    for (const auto& [key, prop] : entry->at("properties").items()) {
      if (key == "op") continue;
      INFO(key);
      REQUIRE(normalised.contains(key));
      if (prop.contains("default")) {
        CHECK(normalised.at(key) == prop.at("default"));
      } else {
        CHECK(std::find(required.begin(), required.end(), key) != required.end());
      }
    }
    CHECK(normalised.size() == entry->at("properties").size());  // every field is in the schema
  }
  const Suite s = parse_suite(doc, "transforms.json");
  CHECK(s.augmentations.size() == transform_infos().size());
}

}  // namespace
}  // namespace gauntlet
