// Unit tests of harness/holdouts: the hold-out ids in order with what result.json records for
// each, perturbed hold-outs equal to corrupt_images / profile_images under holdout_key, the
// content-addressed cache (hits, misses, damaged or foreign entries made again, "" never writes),
// and external hold-outs: classes mapped by name or index, unknown classes refused, RGB to grey.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "augmentations/corruption.hpp"
#include "augmentations/profile.hpp"
#include "harness/config.hpp"
#include "harness/core/dataset.hpp"
#include "harness/core/error.hpp"
#include "harness/core/npy.hpp"
#include "harness/data_source.hpp"
#include "harness/holdouts.hpp"
#include "harness/suite.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

using Catch::Matchers::Contains;
using nlohmann::json;
using testing::input_error;
using testing::TempDir;
namespace fs = std::filesystem;

Suite suite_with(const json& evaluate) {
  json doc = json::parse(R"({
    "name": "holdouts",
    "seed": 7,
    "data": {"source": "fashion-mnist:train", "test": "fashion-mnist:test", "input_size": 16},
    "axes": {"backbone": ["simple_cnn"], "augmentation": [[]], "loss": ["cross_entropy"],
             "optimizer": ["sgd"]}
  })");
  doc["evaluate"] = evaluate;
  return parse_suite(doc, "holdouts.json");
}

// n random images of h x w x c with labels cycling over 3 named classes.
Dataset small_dataset(int64_t n, int64_t h, int64_t w, int64_t c, uint64_t seed) {
  Dataset d;
  d.n = n;
  d.height = h;
  d.width = w;
  d.channels = c;
  d.images.resize(static_cast<size_t>(n * h * w * c));
  Rng rng{seed};
  for (auto& v : d.images) v = static_cast<uint8_t>(rng.below(256));
  for (int64_t i = 0; i < n; ++i) d.labels.push_back(i % 3);
  d.class_names = {"a", "b", "c"};
  d.source = "test";
  return d;
}

const HoldoutSpec& spec(const std::vector<HoldoutSpec>& specs, const std::string& id) {
  for (const auto& h : specs) {
    if (h.id == id) return h;
  }
  throw std::out_of_range("no hold-out " + id);
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  return out;
}

Array u1_array(std::vector<int64_t> shape, std::vector<uint8_t> data) {
  Array a;
  a.dtype = "u1";
  a.shape = std::move(shape);
  a.data = std::move(data);
  return a;
}

Array i8_array(const std::vector<int64_t>& values) {
  Array a;
  a.dtype = "i8";
  a.shape = {static_cast<int64_t>(values.size())};
  a.data.resize(values.size() * sizeof(int64_t));
  std::memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}

// Writes an .npz of RGB (or grey) images and labels; returns its path.
std::string write_set(const TempDir& dir, const std::string& name, int64_t h, int64_t w, int64_t c,
                      const std::vector<int64_t>& labels, std::vector<uint8_t>* pixels = nullptr) {
  const int64_t n = static_cast<int64_t>(labels.size());
  std::vector<uint8_t> data(static_cast<size_t>(n * h * w * c));
  Rng rng{static_cast<uint64_t>(n * 31 + h)};
  for (auto& v : data) v = static_cast<uint8_t>(rng.below(256));
  if (pixels) *pixels = data;
  std::vector<int64_t> shape = {n, h, w};
  if (c == 3) shape.push_back(3);
  const Array images = u1_array(shape, data), lab = i8_array(labels);
  const std::string path = dir.file(name);
  write_npz(path, {{"images", &images}, {"labels", &lab}});
  return path;
}

// ---------------------------------------------------------------------------------------------
// holdout_specs

TEST_CASE("holdout_specs lists clean, corruptions by severity, profiles, external sets",
          "[holdouts]") {
  const Suite s = suite_with(json::parse(R"({
    "corruptions": ["contrast", "bloodmnist-c.bubble"],
    "severities": [3, 1],
    "profiles": [{"name": "mix", "ops": [{"op": "hflip", "p": 1}]}, "imagenet-c"],
    "holdouts": [{"name": "real", "data": "real.npz"}]
  })"));
  const auto specs = holdout_specs(s, 16, 16);
  std::vector<std::string> ids;
  for (const auto& h : specs) ids.push_back(h.id);
  CHECK(ids == std::vector<std::string>{"clean", "c.contrast.1", "c.contrast.3",
                                        "c.bloodmnist-c.bubble.1", "c.bloodmnist-c.bubble.3",
                                        "p.mix", "p.imagenet-c", "x.real"});
  CHECK(specs[0].kind == HoldoutSpec::Kind::kClean);
  CHECK(specs[0].info == json::object());

  const HoldoutSpec& c3 = spec(specs, "c.contrast.3");
  CHECK(c3.kind == HoldoutSpec::Kind::kCorruption);
  CHECK(c3.corruption == "contrast");
  CHECK(c3.severity == 3);
  CHECK(c3.info == json{{"corruption", "contrast"},
                        {"family", "imagenet-c"},
                        {"severity", 3},
                        {"table", "small"},
                        {"parameters", corruption_parameters("contrast", 3, SizeTable::kSmall)}});
  const HoldoutSpec& b1 = spec(specs, "c.bloodmnist-c.bubble.1");
  CHECK(b1.corruption == "bloodmnist-c.bubble");
  CHECK(b1.info.at("family") == "bloodmnist-c");
  CHECK(b1.info.at("parameters") ==
        json(corruption_parameters("bloodmnist-c.bubble", 1, SizeTable::kSmall)));

  const HoldoutSpec& p = spec(specs, "p.mix");
  CHECK(p.kind == HoldoutSpec::Kind::kProfile);
  CHECK(p.profile == &s.evaluate.profiles[0]);
  CHECK(p.info == json{{"profile", profile_to_json(s.evaluate.profiles[0])}});
  CHECK(spec(specs, "p.imagenet-c").profile == &s.evaluate.profiles[1]);

  const HoldoutSpec& x = spec(specs, "x.real");
  CHECK(x.kind == HoldoutSpec::Kind::kExternal);
  CHECK(x.external == &s.evaluate.holdouts[0]);
  CHECK(x.info == json{{"data", "real.npz"}});

  // The table (and so the parameters recorded) follows the image size.
  const auto medium = holdout_specs(s, 64, 64);
  CHECK(spec(medium, "c.contrast.3").info.at("table") == "medium");
  CHECK(spec(medium, "c.contrast.3").info.at("parameters") ==
        json(corruption_parameters("contrast", 3, SizeTable::kMedium)));
  CHECK(spec(holdout_specs(s, 200, 10), "c.contrast.1").info.at("table") == "large");
}

TEST_CASE("a suite without evaluate extras has only the clean hold-out", "[holdouts]") {
  const Suite s = suite_with(json::object());
  const auto specs = holdout_specs(s, 28, 28);
  REQUIRE(specs.size() == 1);
  CHECK(specs[0].id == "clean");
}

// ---------------------------------------------------------------------------------------------
// perturbed_holdout

TEST_CASE("perturbed hold-outs are corrupt_images and profile_images under holdout_key",
          "[holdouts]") {
  const Suite s = suite_with(json::parse(R"({
    "corruptions": ["gaussian_noise"], "severities": [2],
    "profiles": [{"name": "mix", "k": [1, 2],
                  "ops": [{"op": "hflip", "p": 1}, {"op": "erase", "p": 1},
                          {"op": "corrupt", "corruption": "contrast"}]}]
  })"));
  const Dataset test = small_dataset(6, 16, 16, 3, 1);
  const auto specs = holdout_specs(s, 16, 16);

  const Dataset clean = perturbed_holdout(spec(specs, "clean"), test, 7, "", 1);
  CHECK(clean.images == test.images);
  CHECK(clean.labels == test.labels);

  const Dataset noisy = perturbed_holdout(spec(specs, "c.gaussian_noise.2"), test, 7, "", 1);
  std::vector<uint8_t> want(test.images.size());
  corrupt_images("gaussian_noise", 2, test.images.data(), want.data(), test.n, 16, 16, 3,
                 holdout_key(7, "c.gaussian_noise.2"), 1);
  CHECK(noisy.images == want);
  CHECK(noisy.images != test.images);
  CHECK(noisy.labels == test.labels);
  CHECK(noisy.class_names == test.class_names);
  CHECK(noisy.n == test.n);
  CHECK(noisy.channels == 3);
  CHECK(perturbed_holdout(spec(specs, "c.gaussian_noise.2"), test, 7, "", 3).images == want);
  CHECK(perturbed_holdout(spec(specs, "c.gaussian_noise.2"), test, 8, "", 1).images != want);

  const Dataset mixed = perturbed_holdout(spec(specs, "p.mix"), test, 7, "", 2);
  std::vector<uint8_t> want_mix(test.images.size());
  profile_images(ProfileApplier(s.evaluate.profiles[0]), test.images.data(), want_mix.data(),
                 test.n, 16, 16, 3, holdout_key(7, "p.mix"), 1);
  CHECK(mixed.images == want_mix);
  CHECK(mixed.labels == test.labels);

  HoldoutSpec external;
  external.kind = HoldoutSpec::Kind::kExternal;
  external.id = "x.real";
  CHECK_THROWS_AS(perturbed_holdout(external, test, 7, "", 1), std::logic_error);
}

TEST_CASE("the hold-out cache hits on the same inputs and misses on another seed", "[holdouts]") {
  TempDir dir;
  const std::string cache = (dir.path() / "cache" / "nested").string();  // made when missing
  const Suite s =
      suite_with(json::parse(R"({"corruptions": ["gaussian_noise"], "severities": [3]})"));
  const HoldoutSpec h = holdout_specs(s, 16, 16).at(1);
  const Dataset test = small_dataset(6, 16, 16, 3, 2);

  HoldoutCacheStats stats;
  const Dataset first = perturbed_holdout(h, test, 7, cache, 1, &stats);
  CHECK(stats.misses == 1);
  CHECK(stats.hits == 0);
  const auto files = files_in(cache);
  REQUIRE(files.size() == 1);
  CHECK(files[0].extension() == ".npz");

  const Dataset second = perturbed_holdout(h, test, 7, cache, 1, &stats);
  CHECK(stats.hits == 1);
  CHECK(stats.misses == 1);
  CHECK(second.images == first.images);
  CHECK(second.labels == first.labels);
  CHECK(second.class_names == first.class_names);
  CHECK(second.n == first.n);
  CHECK(second.height == 16);
  CHECK(second.channels == 3);

  const Dataset other_seed = perturbed_holdout(h, test, 8, cache, 1, &stats);
  CHECK(stats.misses == 2);
  CHECK(other_seed.images != first.images);
  CHECK(files_in(cache).size() == 2);

  // Other test images are other entries too.
  Dataset changed = test;
  changed.images[0] ^= 1;
  perturbed_holdout(h, changed, 7, cache, 1, &stats);
  CHECK(stats.misses == 3);
  CHECK(stats.hits == 1);
}

TEST_CASE("a damaged or foreign cache entry is made again, never trusted", "[holdouts]") {
  const std::string damage = GENERATE(as<std::string>{}, "truncate", "empty", "junk", "flip",
                                      "other labels", "other shape");
  INFO(damage);
  TempDir dir;
  const std::string cache = dir.file("cache");
  const Suite s = suite_with(json::parse(R"({"corruptions": ["shot_noise"], "severities": [2]})"));
  const HoldoutSpec h = holdout_specs(s, 16, 16).at(1);
  const Dataset test = small_dataset(6, 16, 16, 3, 3);
  HoldoutCacheStats stats;
  const Dataset fresh = perturbed_holdout(h, test, 7, cache, 1, &stats);
  const auto files = files_in(cache);
  REQUIRE(files.size() == 1);
  const std::string path = files[0].string();
  const auto size = fs::file_size(path);

  if (damage == "truncate") {
    fs::resize_file(path, size / 2);
  } else if (damage == "empty") {
    fs::resize_file(path, 0);
  } else if (damage == "junk") {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << std::string(size, 'j');
  } else if (damage == "flip") {
    // One byte in the middle of the image payload: the zip CRC no longer matches.
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekg(static_cast<std::streamoff>(size / 2));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.put(static_cast<char>(c ^ 0x5a));
  } else {
    auto arrays = read_npz(path);
    Array images = arrays.at("images");
    std::vector<int64_t> labels = test.labels;
    if (damage == "other labels") {
      labels[0] = (labels[0] + 1) % 3;
    } else {
      images.shape[0] -= 1;
      images.data.resize(images.data.size() - static_cast<size_t>(test.image_bytes()));
      labels.pop_back();
    }
    const Array lab = i8_array(labels);
    write_npz(path, {{"images", &images}, {"labels", &lab}});
  }

  const Dataset again = perturbed_holdout(h, test, 7, cache, 1, &stats);
  CHECK(stats.misses == 2);
  CHECK(stats.hits == 0);
  CHECK(again.images == fresh.images);
  CHECK(again.labels == test.labels);
  CHECK(again.n == test.n);
  // The entry was rewritten: the next read is a hit with the right bytes.
  CHECK(files_in(cache).size() == 1);
  const Dataset third = perturbed_holdout(h, test, 7, cache, 1, &stats);
  CHECK(stats.hits == 1);
  CHECK(third.images == fresh.images);
  CHECK(third.labels == test.labels);
}

TEST_CASE("an empty cache_dir never writes", "[holdouts]") {
  TempDir dir;
  const fs::path before = fs::current_path();
  fs::current_path(dir.path());
  const Suite s = suite_with(json::parse(R"({"corruptions": ["gaussian_noise"], "severities": [1],
      "profiles": [{"name": "flip", "ops": [{"op": "hflip", "p": 1}]}]})"));
  const auto specs = holdout_specs(s, 16, 16);
  const Dataset test = small_dataset(4, 16, 16, 1, 4);
  HoldoutCacheStats stats;
  for (int round = 0; round < 2; ++round) {
    perturbed_holdout(spec(specs, "c.gaussian_noise.1"), test, 7, "", 1, &stats);
    perturbed_holdout(spec(specs, "p.flip"), test, 7, "", 1, &stats);
  }
  fs::current_path(before);
  CHECK(stats.misses == 4);
  CHECK(stats.hits == 0);
  CHECK(files_in(dir.path()).empty());
}

// ---------------------------------------------------------------------------------------------
// load_external_holdout

TEST_CASE("external hold-out classes map by name", "[holdouts]") {
  // Fashion-MNIST carries class names; training classes in reverse order map label l to 9 - l.
  const Dataset plain = load_dataset({"fashion-mnist:test"});
  std::vector<std::string> reversed(plain.class_names.rbegin(), plain.class_names.rend());
  const Dataset d = load_external_holdout({"fashion-mnist:test"}, reversed, 1);
  REQUIRE(d.n == plain.n);
  for (int64_t i = 0; i < 50; ++i) CHECK(d.labels[i] == 9 - plain.labels[i]);
  CHECK(d.class_names == reversed);
}

TEST_CASE("external hold-out classes of an npz are indices even when training names are digits",
          "[holdouts]") {
  TempDir dir;
  // Training classes named "2", "0", "1" (e.g. image folders): an .npz's labels are still the
  // training class indices, never matched by name (that would shift them silently).
  const std::string path = write_set(dir, "named.npz", 8, 8, 3, {0, 1, 2, 2, 0});
  const Dataset d = load_external_holdout({path}, {"2", "0", "1"}, 3);
  CHECK(d.labels == std::vector<int64_t>{0, 1, 2, 2, 0});
  CHECK(d.class_names == std::vector<std::string>{"2", "0", "1"});
}

TEST_CASE("external hold-out classes without names are taken as indices", "[holdouts]") {
  TempDir dir;
  std::vector<uint8_t> pixels;
  // Any size: the model's input preparation resizes.
  const std::string path = write_set(dir, "plain.npz", 10, 6, 3, {0, 2, 1, 2}, &pixels);
  const std::vector<std::string> names = {"cat", "dog", "bird", "fish"};
  const Dataset d = load_external_holdout({path}, names, 3);
  CHECK(d.labels == std::vector<int64_t>{0, 2, 1, 2});
  CHECK(d.class_names == names);
  CHECK(d.height == 10);
  CHECK(d.width == 6);
  CHECK(d.channels == 3);
  CHECK(d.images == pixels);  // RGB kept when the training images are RGB
}

TEST_CASE("external hold-out classes beyond the training classes are refused", "[holdouts]") {
  TempDir dir;
  const std::string path = write_set(dir, "extra.npz", 8, 8, 1, {0, 3, 1});
  const std::string msg = input_error([&] { load_external_holdout({path}, {"cat", "dog"}, 1); });
  CHECK_THAT(msg, Contains(path) && Contains("3") && Contains("cat, dog"));
  CHECK_THAT(msg, !Contains("classes 0"));  // only the classes that cannot be mapped are named
  CHECK_NOTHROW(load_external_holdout({path}, {"cat", "dog", "bird", "fish"}, 1));
}

TEST_CASE("an RGB external hold-out turns grey for grey training images", "[holdouts]") {
  TempDir dir;
  std::vector<uint8_t> rgb;
  const std::string path = write_set(dir, "rgb.npz", 9, 7, 3, {0, 1, 1}, &rgb);
  const Dataset d = load_external_holdout({path}, {"0", "1"}, 1);
  REQUIRE(d.channels == 1);
  REQUIRE(d.images.size() == static_cast<size_t>(3 * 9 * 7));
  CHECK(d.height == 9);
  CHECK(d.width == 7);
  CHECK(d.labels == std::vector<int64_t>{0, 1, 1});
  int worst = 0;
  for (size_t i = 0; i < d.images.size(); ++i) {
    // ITU-R BT.601 luma of the R, G, B bytes.
    const double y = 0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2];
    worst =
        std::max(worst, std::abs(static_cast<int>(d.images[i]) - static_cast<int>(std::lround(y))));
  }
  CHECK(worst <= 1);

  // Grey stays grey.
  std::vector<uint8_t> grey;
  const std::string grey_path = write_set(dir, "grey.npz", 9, 7, 1, {1, 0}, &grey);
  const Dataset g = load_external_holdout({grey_path}, {"0", "1"}, 1);
  CHECK(g.channels == 1);
  CHECK(g.images == grey);
}

}  // namespace
}  // namespace gauntlet
