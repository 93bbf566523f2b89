// Tests of the data-source registry (harness/data_source): every .npz variant users bring
// (challenge keys, MedMNIST keys, user-named keys; uint8, other integers, float in [0,1] or
// [0,255]; NHWC or NCHW; grey or RGB), the option syntax, and the synthetic:bloodcell generator
// (determinism, planted dirt, class balance).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "harness/core/npy.hpp"
#include "harness/data_source.hpp"
#include "harness/suite.hpp"
#include "harness/synthetic_bloodcell.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

using Catch::Matchers::Contains;
using testing::input_error;
using testing::TempDir;
using testing::make_array;

// 0, 1, 2, ... (mod 256) as element type T.
template <typename T>
std::vector<T> ramp(size_t n, double scale = 1.0) {
  std::vector<T> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<T>((i % 256) * scale);
  return v;
}

std::string write(const TempDir& dir, const std::string& name,
                  const std::vector<std::pair<std::string, Array>>& arrays) {
  std::vector<std::pair<std::string, const Array*>> refs;
  for (const auto& [key, a] : arrays) refs.emplace_back(key, &a);
  const std::string path = dir.file(name);
  write_npz(path, refs);
  return path;
}

const Array kLabels3 = make_array<int64_t>("i8", {3}, {0, 2, 1});

TEST_CASE("npz challenge keys: uint8 NHWC RGB and grey (N,H,W) load pixel for pixel", "[data]") {
  TempDir dir;
  const auto rgb = ramp<uint8_t>(3 * 2 * 4 * 3);
  const Dataset d = load_dataset({write(dir, "rgb.npz", {{"images", make_array("u1", {3, 2, 4, 3}, rgb)}, {"labels", kLabels3}})});
  CHECK(d.n == 3);
  CHECK(d.height == 2);
  CHECK(d.width == 4);
  CHECK(d.channels == 3);
  CHECK(d.images == rgb);
  CHECK(d.labels == std::vector<int64_t>{0, 2, 1});
  CHECK(d.num_classes() == 3);
  const auto grey = ramp<uint8_t>(3 * 5 * 4);
  const Dataset g = load_dataset({write(dir, "g.npz", {{"images", make_array("u1", {3, 5, 4}, grey)}, {"labels", kLabels3}})});
  CHECK(g.channels == 1);
  CHECK(g.height == 5);
  CHECK(g.images == grey);
  const Dataset g1 = load_dataset({write(dir, "g1.npz", {{"images", make_array("u1", {3, 5, 4, 1}, grey)}, {"labels", kLabels3}})});
  CHECK(g1.channels == 1);
  CHECK(g1.images == grey);
}

TEST_CASE("npz NCHW images are read from the shape and transposed to NHWC", "[data]") {
  TempDir dir;
  const int64_t n = 3, c = 3, h = 5, w = 4;
  const auto chw = ramp<uint8_t>(n * c * h * w);
  const Dataset d = load_dataset({write(dir, "nchw.npz", {{"images", make_array("u1", {n, c, h, w}, chw)}, {"labels", kLabels3}})});
  REQUIRE(d.channels == 3);
  REQUIRE(d.height == h);
  REQUIRE(d.width == w);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t ch = 0; ch < c; ++ch) {
      for (int64_t p = 0; p < h * w; ++p) {
        REQUIRE(d.image(i)[p * c + ch] == chw[((i * c + ch) * h * w) + p]);
      }
    }
  }
}

TEST_CASE("npz ambiguous 4-d shapes need a layout option; the option must fit the shape", "[data]") {
  TempDir dir;
  const auto px = ramp<uint8_t>(3 * 3 * 4 * 3);
  const std::string path = write(dir, "amb.npz", {{"images", make_array("u1", {3, 3, 4, 3}, px)}, {"labels", kLabels3}});
  CHECK_THAT(input_error([&] { load_dataset({path}); }), Contains("could be NHWC or NCHW") && Contains("layout=nhwc|nchw"));
  const Dataset last = load_dataset({path + "?layout=nhwc"});
  CHECK(last.height == 3);
  CHECK(last.width == 4);
  CHECK(last.images == px);
  DataSourceSpec spec{path};
  spec.layout = "nchw";
  const Dataset first = load_dataset(spec);
  CHECK(first.height == 4);
  CHECK(first.width == 3);
  CHECK(first.image(0)[1] == px[4 * 3]);  // pixel 0, channel 1
  const std::string four = write(dir, "c4.npz", {{"images", make_array("u1", {3, 4, 4, 4}, ramp<uint8_t>(192))}, {"labels", kLabels3}});
  CHECK_THAT(input_error([&] { load_dataset({four}); }), Contains("neither 1 nor 3 channels"));
  CHECK_THAT(input_error([&] { load_dataset({path + "?layout=nchw&layout=nhwc"}); }), Contains("given twice"));
  CHECK_THAT(input_error([&] { load_dataset({path + "?layout=chw"}); }), Contains("layout must be nhwc or nchw"));
}

TEST_CASE("npz float images: [0,1] is scaled by 255, [0,255] is rounded, NaN/Inf/out of range refused", "[data]") {
  TempDir dir;
  const std::vector<float> unit{0.0f, 0.5f, 1.0f, 0.25f, 0.1f, 0.8f};  // 0.1f * 255 = 25.50000038
  const Dataset u = load_dataset({write(dir, "u.npz", {{"images", make_array("f4", {3, 2, 1}, unit)}, {"labels", kLabels3}})});
  CHECK(u.images == std::vector<uint8_t>{0, 128, 255, 64, 26, 204});
  const std::vector<double> full{0.0, 127.4, 255.0, 1.5, 2.0, 200.6};
  const Dataset f = load_dataset({write(dir, "f.npz", {{"images", make_array("f8", {3, 2, 1}, full)}, {"labels", kLabels3}})});
  CHECK(f.images == std::vector<uint8_t>{0, 127, 255, 2, 2, 201});
  const std::vector<std::pair<float, std::string>> bad{
      {std::numeric_limits<float>::quiet_NaN(), "element 4 is nan"},
      {std::numeric_limits<float>::infinity(), "element 4 is inf"},
      {256.0f, "element 4 is 256"},
      {-0.5f, "element 4 is -0.5"}};
  for (const auto& [v, msg] : bad) {
    std::vector<float> px(unit);
    px[4] = v;
    const std::string path = write(dir, "bad.npz", {{"images", make_array("f4", {3, 2, 1}, px)}, {"labels", kLabels3}});
    CHECK_THAT(input_error([&] { load_dataset({path}); }), Contains(msg) && Contains("bad.npz[images]"));
  }
}

TEST_CASE("npz integer images of other dtypes must hold 0..255", "[data]") {
  TempDir dir;
  const Dataset d = load_dataset({write(dir, "i.npz", {{"images", make_array<int64_t>("i8", {3, 2, 1}, {0, 1, 255, 3, 4, 5})}, {"labels", kLabels3}})});
  CHECK(d.images == std::vector<uint8_t>{0, 1, 255, 3, 4, 5});
  const std::string big = write(dir, "b.npz", {{"images", make_array<uint16_t>("u2", {3, 2, 1}, {0, 1, 256, 3, 4, 5})}, {"labels", kLabels3}});
  CHECK_THAT(input_error([&] { load_dataset({big}); }), Contains("values in 0..255") && Contains("element 2 is 256"));
  const std::string neg = write(dir, "n.npz", {{"images", make_array<int8_t>("i1", {3, 2, 1}, {0, -1, 2, 3, 4, 5})}, {"labels", kLabels3}});
  CHECK_THAT(input_error([&] { load_dataset({neg}); }), Contains("element 1 is -1"));
  const std::string boolean = write(dir, "bool.npz", {{"images", make_array<uint8_t>("b1", {3, 2, 1}, {0, 1, 1, 0, 0, 1})}, {"labels", kLabels3}});
  CHECK_THAT(input_error([&] { load_dataset({boolean}); }), Contains("got dtype b1"));
}

TEST_CASE("npz MedMNIST keys: the split option picks <split>_images/<split>_labels", "[data]") {
  TempDir dir;
  // MedMNIST stores labels as (N,1) uint8.
  const std::string path = write(dir, "bloodmnist.npz",
      {{"train_images", make_array("u1", {3, 2, 2, 3}, ramp<uint8_t>(36))},
       {"train_labels", make_array<uint8_t>("u1", {3, 1}, {0, 1, 2})},
       {"val_images", make_array("u1", {2, 2, 2, 3}, ramp<uint8_t>(24, 2))},
       {"val_labels", make_array<uint8_t>("u1", {2, 1}, {1, 0})},
       {"test_images", make_array("u1", {1, 2, 2, 3}, ramp<uint8_t>(12, 3))},
       {"test_labels", make_array<uint8_t>("u1", {1, 1}, {1})}});
  CHECK(load_dataset({path + "?split=train"}).n == 3);
  const Dataset val = load_dataset({path + "?split=val"});
  CHECK(val.n == 2);
  CHECK(val.labels == std::vector<int64_t>{1, 0});
  CHECK(val.images == ramp<uint8_t>(24, 2));
  DataSourceSpec spec{path};
  spec.split = "test";
  CHECK(load_dataset(spec).n == 1);
  CHECK_THAT(input_error([&] { load_dataset({path}); }),
             Contains("MedMNIST keys") && Contains("?split=") && Contains("test, train, val"));
  CHECK_THAT(input_error([&] { load_dataset({path + "?split=holdout"}); }), Contains("no array \"holdout_images\""));
  CHECK_THAT(input_error([&] { load_dataset({path + "?split=val&images=val_images"}); }), Contains("not both"));
  CHECK_THAT(input_error([&] { load_dataset(DataSourceSpec{path + "?split=val", "images", "labels", "test"}); }),
             Contains("both in the spec and as a JSON field"));
}

TEST_CASE("npz keys named by the user, in the spec or as JSON fields", "[data]") {
  TempDir dir;
  const std::string path = write(dir, "mine.npz", {{"x", make_array("u1", {3, 2, 2}, ramp<uint8_t>(12))}, {"y", kLabels3}});
  CHECK(load_dataset({path + "?images=x&labels=y"}).n == 3);
  CHECK(load_dataset(DataSourceSpec{path, "x", "y"}).labels == std::vector<int64_t>{0, 2, 1});
  CHECK_THAT(input_error([&] { load_dataset({path}); }), Contains("no array \"images\"") && Contains("it has: x, y"));
  CHECK_THAT(input_error([&] { load_dataset({path + "?images=x&labels=z"}); }), Contains("no array \"z\""));
}

TEST_CASE("data spec options: unknown, malformed and misplaced ones name the spec", "[data]") {
  TempDir dir;
  const std::string path = write(dir, "o.npz", {{"images", make_array("u1", {3, 2, 2}, ramp<uint8_t>(12))}, {"labels", kLabels3}});
  CHECK_THAT(input_error([&] { load_dataset({path + "?sizee=3"}); }),
             Contains("unknown option sizee for a npz source") && Contains("it takes: images, labels, split, layout"));
  CHECK_THAT(input_error([&] { load_dataset({path + "?images"}); }), Contains("is not key=value"));
  CHECK_THAT(input_error([&] { load_dataset({path + "?"}); }), Contains("is not key=value"));
  CHECK_THAT(input_error([&] { load_dataset({"fashion-mnist:train?n=3"}); }), Contains("(it takes none)"));
  CHECK_THAT(input_error([&] { load_dataset({"synthetic:bloodcell?n=abc"}); }), Contains("n=abc must be an integer in 1.."));
  CHECK_THAT(input_error([&] { load_dataset({"synthetic:leaves"}); }), Contains("unknown generator \"leaves\""));
  CHECK_THAT(input_error([&] { load_dataset({"nosuch:thing"}); }), Contains("unknown data spec: expected one of") && Contains("synthetic:bloodcell"));
  CHECK_THAT(input_error([&] { load_dataset({"synthetic:bloodcell?n=10&outliers=4&duplicates=1"}); }), Contains("at most half of n"));
}

TEST_CASE("synthetic:bloodcell is a pure function of its options, whatever the thread count", "[data]") {
  BloodcellOptions o;
  o.n = 96;
  o.size = 32;
  o.seed = 7;
  o.outliers = 4;
  o.duplicates = 5;
  o.conflicts = 3;
  o.threads = 1;
  BloodcellTruth t1, t3;
  const Dataset a = generate_bloodcell(o, &t1);
  o.threads = 3;
  const Dataset b = generate_bloodcell(o, &t3);
  CHECK(a.images == b.images);
  CHECK(a.labels == b.labels);
  CHECK(t1.outliers == t3.outliers);
  CHECK(t1.duplicates == t3.duplicates);
  o.seed = 8;
  CHECK(generate_bloodcell(o).images != a.images);
  // Through the registry: the same set, named by its spec.
  const Dataset c = load_dataset({"synthetic:bloodcell?n=96&size=32&seed=7&outliers=4&duplicates=5&conflicts=3"});
  CHECK(c.images == a.images);
  CHECK(c.class_names == bloodcell_classes());
  CHECK(c.source == "synthetic:bloodcell?n=96&size=32&seed=7&outliers=4&duplicates=5&conflicts=3");
}

TEST_CASE("synthetic:bloodcell plants the dirt it reports", "[data]") {
  BloodcellOptions o;
  o.n = 400;
  o.size = 32;
  o.seed = 3;
  o.outliers = 10;
  o.duplicates = 12;
  o.conflicts = 6;
  BloodcellTruth t;
  const Dataset d = generate_bloodcell(o, &t);
  CHECK(d.n == 400);
  CHECK(d.channels == 3);
  CHECK(t.outliers.size() == 10);
  REQUIRE(t.duplicates.size() == 12);
  REQUIRE(t.conflicts.size() == 6);
  std::vector<int64_t> seen;
  for (const auto& [a, b] : t.duplicates) {
    CHECK(std::memcmp(d.image(a), d.image(b), d.image_bytes()) == 0);
    CHECK(d.labels[a] == d.labels[b]);
    seen.insert(seen.end(), {a, b});
  }
  for (const auto& [a, b] : t.conflicts) {
    CHECK(std::memcmp(d.image(a), d.image(b), d.image_bytes()) == 0);
    CHECK(d.labels[a] != d.labels[b]);
    seen.insert(seen.end(), {a, b});
  }
  seen.insert(seen.end(), t.outliers.begin(), t.outliers.end());
  std::sort(seen.begin(), seen.end());
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());  // every planted index once
}

TEST_CASE("synthetic:bloodcell classes follow BloodMNIST's imbalance", "[data]") {
  BloodcellOptions o;
  o.n = 4000;
  o.size = 16;
  const Dataset d = generate_bloodcell(o);
  const std::vector<int64_t> counts = class_counts(d);
  // BloodMNIST's 17,092 images: the share of each class, within 3 standard errors at n = 4000.
  const double share[8] = {1218, 3117, 1551, 2895, 1214, 1420, 3329, 2348};
  for (int k = 0; k < 8; ++k) {
    const double p = share[k] / 17092.0;
    CHECK(std::abs(counts[k] - p * o.n) < 3 * std::sqrt(o.n * p * (1 - p)));
  }
}

// A minimal suite whose /data is `data` (JSON text).
Suite suite_with_data(const std::string& data) {
  nlohmann::json doc = nlohmann::json::parse(R"({
    "name": "unit",
    "axes": {"backbone": ["simple_cnn"], "augmentation": {"none": []}, "loss": ["cross_entropy"], "optimizer": ["sgd"]}
  })");
  doc["data"] = nlohmann::json::parse(data);
  return parse_suite(doc, "s.json");
}

TEST_CASE("suite data: clean, folds and source options parse; misuse is refused with its pointer", "[data]") {
  const Suite plain = suite_with_data(R"({"source": "a.npz"})");
  CHECK(!plain.data.clean.any());
  const nlohmann::json cfg = resolved_config(plain, plain.cells[0]);
  CHECK(!cfg.at("data").contains("clean"));  // absent unless asked: older cell ids stay
  CHECK(!cfg.at("data").at("source").contains("split"));

  const Suite cleaned = suite_with_data(R"({"source": "a.npz", "clean": {"outliers": false}})");
  CHECK(cleaned.data.clean.duplicates);
  CHECK(cleaned.data.clean.conflicts);
  CHECK(!cleaned.data.clean.outliers);
  CHECK(suite_with_data(R"({"source": "a.npz", "clean": true})").data.clean.outliers);

  const Suite folds = suite_with_data(R"({"source": {"path": "m.npz", "split": "train"}, "split": {"folds": 5, "fold": 4}})");
  CHECK(folds.data.folds == 5);
  CHECK(folds.data.fold == 4);
  CHECK(folds.data.source.split == "train");
  CHECK(resolved_config(folds, folds.cells[0]).at("data").at("split") ==
        nlohmann::json{{"test", 0.1}, {"folds", 5}, {"fold", 4}});
  CHECK_THAT(input_error([] { suite_with_data(R"({"source": "a.npz", "split": {"folds": 3, "fold": 3}})"); }),
             Contains("/data/split/fold") && Contains("0..2"));
  CHECK_THAT(input_error([] { suite_with_data(R"({"source": "a.npz", "split": {"folds": 3, "val": 0.2}})"); }),
             Contains("/data/split/val"));
  CHECK_THAT(input_error([] { suite_with_data(R"({"source": "a.npz", "split": {"fold": 1}})"); }),
             Contains("fold needs folds"));
  CHECK_THAT(input_error([] { suite_with_data(R"({"source": {"path": "a.npz", "layout": "hwc"}})"); }),
             Contains("/data/source"));
}

}  // namespace
}  // namespace gauntlet
