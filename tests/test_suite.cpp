// Unit tests of harness/suite: the quick-start suite, list and map forms of the axes, include and
// exclude, a table of bad suites each rejected with its JSON pointer and what was expected, --set
// overrides, resolved configs with every default filled in, and cell ids.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/config.hpp"
#include "harness/core/error.hpp"
#include "harness/suite.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

using testing::TempDir;
using testing::input_error;

using Catch::Matchers::Contains;
using nlohmann::json;

// The smallest suite with two values on one axis: simple_cnn x none x cross_entropy x {sgd, adam}.
json base_suite() {
  return json::parse(R"({
    "name": "unit",
    "data": {"source": "fashion-mnist:train"},
    "axes": {
      "backbone": ["simple_cnn"],
      "augmentation": [[]],
      "loss": ["cross_entropy"],
      "optimizer": ["sgd", "adam"]
    }
  })");
}

// base_suite() with the augmentation axis {none, hflip}: 4 cells.
json two_by_two() {
  json doc = base_suite();
  doc["axes"]["augmentation"] = json::parse(R"({"none": [], "hflip": [{"op": "hflip"}]})");
  return doc;
}

// The cells as "backbone/augmentation/loss/optimizer/seedN", in expansion order.
std::vector<std::string> cells_of(const Suite& s) {
  std::vector<std::string> out;
  for (const Cell& c : s.cells) out.push_back(cell_title(c));
  return out;
}

std::vector<std::string> labels_of(const std::vector<AxisValue>& axis) {
  std::vector<std::string> out;
  for (const AxisValue& v : axis) out.push_back(v.label);
  return out;
}



const std::string kQuickstart = std::string(GAUNTLET_SOURCE_DIR) + "/suites/quickstart.json";

TEST_CASE("the quick-start suite loads and expands to its 4 cells", "[suite]") {
  const Suite s = load_suite(kQuickstart);
  CHECK(s.path == kQuickstart);
  CHECK(s.name == "quickstart");
  CHECK(s.seed == 0);
  // Map-form labels keep the order the file lists them in.
  CHECK(labels_of(s.backbones) == std::vector<std::string>{"cnn"});
  CHECK(labels_of(s.augmentations) == std::vector<std::string>{"none", "flip+rotate"});
  CHECK(labels_of(s.losses) == std::vector<std::string>{"cross_entropy"});
  CHECK(labels_of(s.optimizers) == std::vector<std::string>{"sgd", "adam"});
  CHECK(cells_of(s) == std::vector<std::string>{
                           "cnn/none/cross_entropy/sgd/seed0",
                           "cnn/none/cross_entropy/adam/seed0",
                           "cnn/flip+rotate/cross_entropy/sgd/seed0",
                           "cnn/flip+rotate/cross_entropy/adam/seed0",
                       });
  CHECK(s.data.source.path == "fashion-mnist:train");
  CHECK(s.data.has_test);
  CHECK(s.data.test.path == "fashion-mnist:test");
  CHECK(s.data.subset == 12000);
  CHECK(s.data.test_subset == 2000);
  CHECK(s.data.val_fraction == 0.1);
  CHECK(s.data.test_fraction == 0.0);
  CHECK(s.data.input_size == 28);
  CHECK(s.train.epochs == 4);
  CHECK(s.train.batch_size == 64);
  CHECK(s.evaluate.corruptions == std::vector<std::string>{"gaussian_noise", "contrast"});
  CHECK(s.evaluate.severities == std::vector<int>{1, 3, 5});
  CHECK(s.evaluate.batch_size == 256);
  CHECK(s.report_formats == std::vector<std::string>{"md", "html", "tex", "csv"});
  CHECK(axis_value(s.optimizers, "sgd").value ==
        json::parse(R"({"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": true,
                        "weight_decay": 0.0})"));
}

TEST_CASE("list-form axes take their labels from names and ops", "[suite]") {
  json doc = base_suite();
  doc["axes"]["augmentation"] =
      json::parse(R"([[], [{"op": "hflip"}], [{"op": "hflip"}, {"op": "rotate", "degrees": 5}]])");
  doc["axes"]["optimizer"] = json::parse(R"(["adam", {"name": "sgd", "lr": 0.1}])");
  doc["axes"]["seeds"] = {3, 1};
  const Suite s = parse_suite(doc, "list.json");
  CHECK(labels_of(s.augmentations) == std::vector<std::string>{"none", "hflip", "hflip+rotate"});
  CHECK(labels_of(s.optimizers) == std::vector<std::string>{"adam", "sgd"});
  CHECK(s.seeds == std::vector<int64_t>{3, 1});
  REQUIRE(s.cells.size() == 3 * 2 * 2);
  // Grid order: backbone, augmentation, loss, optimizer, then seed varies fastest.
  CHECK(cells_of(s)[0] == "simple_cnn/none/cross_entropy/adam/seed3");
  CHECK(cells_of(s)[1] == "simple_cnn/none/cross_entropy/adam/seed1");
  CHECK(cells_of(s)[2] == "simple_cnn/none/cross_entropy/sgd/seed3");
  CHECK(cells_of(s)[11] == "simple_cnn/hflip+rotate/cross_entropy/sgd/seed1");
  CHECK(axis_value(s.optimizers, "sgd").value.at("lr") == 0.1);
}

TEST_CASE("map-form axes name values apart", "[suite]") {
  json doc = base_suite();
  doc["axes"]["optimizer"] =
      json::parse(R"({"slow": {"name": "sgd", "lr": 0.001}, "fast": {"name": "sgd", "lr": 0.5}})");
  const Suite s = parse_suite(doc, "map.json");
  // A parsed nlohmann::json has no key order: labels come sorted.
  CHECK(labels_of(s.optimizers) == std::vector<std::string>{"fast", "slow"});
  CHECK(axis_value(s.optimizers, "slow").value.at("lr") == 0.001);
  CHECK(axis_value(s.optimizers, "fast").value.at("lr") == 0.5);
  CHECK(s.cells.size() == 2);
}

TEST_CASE("load_suite keeps the file's order of map-form labels", "[suite]") {
  TempDir dir;
  const std::string path = dir.write("order.json", R"({
    "name": "order",
    "data": {"source": "fashion-mnist:train"},
    "axes": {
      "backbone": ["simple_cnn"],
      "augmentation": {"zeta": [], "alpha": [{"op": "hflip"}], "mid": [{"op": "rotate"}]},
      "loss": ["cross_entropy"],
      "optimizer": {"sgd": "sgd"}
    }
  })");
  const Suite s = load_suite(path);
  CHECK(labels_of(s.augmentations) == std::vector<std::string>{"zeta", "alpha", "mid"});
  REQUIRE(s.cells.size() == 3);
  CHECK(s.cells[0].augmentation == "zeta");
  CHECK(s.cells[2].augmentation == "mid");
}

TEST_CASE("two list-form values with one label are an error that points to the map form",
          "[suite]") {
  json doc = base_suite();
  doc["axes"]["optimizer"] = json::parse(R"(["sgd", {"name": "sgd", "lr": 0.1}])");
  const std::string msg = input_error([&] { parse_suite(doc, "dup.json"); });
  CHECK_THAT(msg, Contains("dup.json: /axes/optimizer/1: two values of axis \"optimizer\" share "
                           "the label \"sgd\""));
  CHECK_THAT(msg, Contains("use the map form"));
}

TEST_CASE("exclude removes every cell that matches all keys of an entry", "[suite]") {
  auto [exclude, want] = GENERATE(table<std::string, std::vector<std::string>>({
      {R"([{"optimizer": "adam"}])",
       {"simple_cnn/hflip/cross_entropy/sgd/seed0", "simple_cnn/none/cross_entropy/sgd/seed0"}},
      {R"([{"augmentation": "hflip", "optimizer": "adam"}])",
       {"simple_cnn/hflip/cross_entropy/sgd/seed0", "simple_cnn/none/cross_entropy/sgd/seed0",
        "simple_cnn/none/cross_entropy/adam/seed0"}},
      {R"([{"augmentation": "hflip", "optimizer": "adam"}, {"augmentation": "none",
           "optimizer": "sgd"}])",
       {"simple_cnn/hflip/cross_entropy/sgd/seed0", "simple_cnn/none/cross_entropy/adam/seed0"}},
      {R"([{"seed": 0, "loss": "cross_entropy", "backbone": "simple_cnn", "optimizer": "sgd"}])",
       {"simple_cnn/hflip/cross_entropy/adam/seed0", "simple_cnn/none/cross_entropy/adam/seed0"}},
  }));
  json doc = two_by_two();
  doc["exclude"] = json::parse(exclude);
  INFO(exclude);
  // parse_suite sorts map-form labels: hflip before none.
  CHECK(cells_of(parse_suite(doc, "x.json")) == want);
}

TEST_CASE("an exclude entry with a seed removes that seed's cells only", "[suite]") {
  json doc = two_by_two();
  doc["axes"]["seeds"] = {0, 1};
  doc["exclude"] = json::parse(R"([{"seed": 1, "optimizer": "adam"}])");
  const Suite s = parse_suite(doc, "x.json");
  REQUIRE(s.cells.size() == 6);
  for (const Cell& c : s.cells) CHECK_FALSE((c.seed == 1 && c.optimizer == "adam"));
}

TEST_CASE("grid false runs only the include list", "[suite]") {
  json doc = two_by_two();
  doc["grid"] = false;
  doc["axes"]["seeds"] = {0, 1};
  doc["include"] = json::parse(R"([
    {"backbone": "simple_cnn", "augmentation": "hflip", "loss": "cross_entropy",
     "optimizer": "adam"},
    {"backbone": "simple_cnn", "augmentation": "none", "loss": "cross_entropy",
     "optimizer": "sgd", "seed": 1},
    {"backbone": "simple_cnn", "augmentation": "hflip", "loss": "cross_entropy",
     "optimizer": "adam", "seed": 0}
  ])");
  // Without a seed an entry runs under every seed; a repeated combination is added once.
  CHECK(cells_of(parse_suite(doc, "inc.json")) ==
        std::vector<std::string>{"simple_cnn/hflip/cross_entropy/adam/seed0",
                                 "simple_cnn/hflip/cross_entropy/adam/seed1",
                                 "simple_cnn/none/cross_entropy/sgd/seed1"});
}

TEST_CASE("include adds a combination to the grid, once", "[suite]") {
  json doc = two_by_two();
  doc["include"] = json::parse(R"([{"backbone": "simple_cnn", "augmentation": "none",
                                   "loss": "cross_entropy", "optimizer": "adam"}])");
  // Already in the grid: not added a second time.
  CHECK(parse_suite(doc, "inc.json").cells.size() == 4);
}

// Documented as "grid minus exclude plus include" (Suite::cells, and "minus exclude, plus include"
// in the schema's description of "grid"): an included combination survives an exclude that
// matches it, which is the only way include can add anything to a full grid.
TEST_CASE("include adds back a combination that exclude removed from the grid",
          "[suite]") {
  json doc = two_by_two();
  doc["exclude"] = json::parse(R"([{"optimizer": "adam"}])");
  doc["include"] = json::parse(R"([{"backbone": "simple_cnn", "augmentation": "none",
                                   "loss": "cross_entropy", "optimizer": "adam"}])");
  CHECK(cells_of(parse_suite(doc, "inc.json")) ==
        std::vector<std::string>{"simple_cnn/hflip/cross_entropy/sgd/seed0",
                                 "simple_cnn/none/cross_entropy/sgd/seed0",
                                 "simple_cnn/none/cross_entropy/adam/seed0"});
}

TEST_CASE("include and exclude entries must name existing labels and seeds", "[suite]") {
  auto [key, entries, where, text] =
      GENERATE(table<std::string, std::string, std::string, std::string>({
          {"exclude", R"([{"optimizer": "sdg"}])", "/exclude/0/optimizer",
           R"(no optimizer labelled "sdg" in /axes/optimizer; did you mean "sgd"?)"},
          {"exclude", R"([{"augmentation": "none"}, {"augmentation": "hflp"}])",
           "/exclude/1/augmentation",
           R"(no augmentation labelled "hflp" in /axes/augmentation; did you mean "hflip"?)"},
          {"exclude", R"([{"seed": 4}])", "/exclude/0/seed", "seed 4 is not in /axes/seeds"},
          {"include",
           R"([{"backbone": "resnet", "augmentation": "none", "loss": "cross_entropy",
            "optimizer": "sgd"}])",
           "/include/0/backbone", R"(no backbone labelled "resnet" in /axes/backbone)"},
          {"include", R"([{"backbone": "simple_cnn", "augmentation": "none", "optimizer": "sgd"}])",
           "/include/0", R"(an include entry must name a label for every axis; missing "loss")"},
      }));
  json doc = two_by_two();
  doc[key] = json::parse(entries);
  const std::string msg = input_error([&] { parse_suite(doc, "sel.json"); });
  CHECK_THAT(msg, Contains("sel.json: " + where + ": " + text));
}

TEST_CASE("a suite that expands to no cells is an error", "[suite]") {
  json doc = two_by_two();
  doc["exclude"] = json::parse(R"([{"backbone": "simple_cnn"}])");
  CHECK_THAT(input_error([&] { parse_suite(doc, "empty.json"); }),
             Contains("empty.json: /: the suite expands to no cells"));
  json no_include = two_by_two();
  no_include["grid"] = false;
  CHECK_THAT(input_error([&] { parse_suite(no_include, "empty.json"); }),
             Contains("empty.json: /: the suite expands to no cells"));
}

TEST_CASE("bad suites are rejected with the JSON pointer and what was expected", "[suite]") {
  // Each row edits base_suite() with a JSON Patch (RFC 6902).
  auto [what, patch, pointer,
        expected] = GENERATE(table<std::string, std::string, std::string, std::string>({
      {"misspelt top-level key", R"([{"op": "move", "from": "/axes", "path": "/axis"}])", "/axis",
       R"(unknown key "axis"; did you mean "axes"?)"},
      {"required key under a misspelt name",
       R"([{"op": "move", "from": "/axes", "path": "/axis"}])", "/",
       R"(missing required key "axes" (found "axis"; a typo?))"},
      {"misspelt nested key",
       R"([{"op": "move", "from": "/axes/optimizer", "path": "/axes/optimiser"}])",
       "/axes/optimiser", R"(unknown key "optimiser"; did you mean "optimizer"?)"},
      {"wrong type", R"([{"op": "add", "path": "/train", "value": {"epochs": "two"}}])",
       "/train/epochs", R"(expected an integer, got string "two")"},
      {"unknown sampler", R"([{"op": "add", "path": "/train", "value": {"sampler": "smote"}}])",
       "/train/sampler", R"(expected one of "none", "oversample", "undersample", got "smote")"},
      {"negative lr",
       R"([{"op": "replace", "path": "/axes/optimizer", "value": [{"name": "sgd", "lr": -0.1}]}])",
       "/axes/optimizer/0/lr", "must be > 0, got -0.1"},
      {"lr of the second optimizer too large",
       R"([{"op": "replace", "path": "/axes/optimizer",
            "value": ["sgd", {"name": "adam", "lr": 20}]}])",
       "/axes/optimizer/1/lr", "must be <= 10, got 20"},
      {"unknown optimizer name",
       R"([{"op": "replace", "path": "/axes/optimizer", "value": ["sdg"]}])", "/axes/optimizer/0",
       R"(expected one of "sgd", "adam", "adamw", "nadam", "rmsprop", "lion", got "sdg"; did you mean "sgd"?)"},
      {"unknown optimizer name in an object",
       R"([{"op": "replace", "path": "/axes/optimizer", "value": {"x": {"name": "adma"}}}])",
       "/axes/optimizer/x/name",
       R"(expected one of "sgd", "adam", "adamw", "nadam", "rmsprop", "lion", got "adma"; did you mean "adam"?)"},
      {"unknown transform op",
       R"([{"op": "replace", "path": "/axes/augmentation", "value": [[{"op": "blur"}]]}])",
       "/axes/augmentation/0/0/op", R"(expected one of "hflip", "rotate", "vflip", "affine", "shear", "zoom", "translate", "random_resized_crop", "crop_pad", "split_rotate", "gridmask", "brightness", ..., got "blur")"},
      {"misspelt transform op",
       R"([{"op": "replace", "path": "/axes/augmentation", "value": {"a": [{"op": "rotat"}]}}])",
       "/axes/augmentation/a/0/op",
       R"(expected one of "hflip", "rotate", "vflip", "affine", "shear", "zoom", "translate", "random_resized_crop", "crop_pad", "split_rotate", "gridmask", "brightness", ..., got "rotat"; did you mean "rotate"?)"},
      {"bad enum value inside a known op: that field's own message",
       R"([{"op": "replace", "path": "/axes/augmentation", "value": [[{"op": "rotate", "fill": "wrap"}]]}])",
       "/axes/augmentation/0/0/fill",
       R"(expected one of "constant", "reflect", "nearest", got "wrap")"},
      {"bad option of a torchvision backbone: that field's own message",
       R"([{"op": "replace", "path": "/axes/backbone", "value": ["simple_cnn", {"name": "resnet50", "zero_init_residual": 1}]}])",
       "/axes/backbone/1/zero_init_residual", "expected a boolean, got number 1"},
      {"misspelt option of a vgg",
       R"([{"op": "replace", "path": "/axes/backbone", "value": {"v": {"name": "vgg16_bn", "dropuot": 0.2}}}])",
       "/axes/backbone/v/dropuot", R"(unknown key "dropuot"; did you mean "dropout"?)"},
      {"a resnet option on a vgg",
       R"([{"op": "replace", "path": "/axes/backbone", "value": [{"name": "vgg11", "zero_init_residual": true}]}])",
       "/axes/backbone/0/zero_init_residual", R"(unknown key "zero_init_residual")"},
      {"a mobilenet option on an efficientnet",
       R"([{"op": "replace", "path": "/axes/backbone", "value": [{"name": "efficientnet_b0", "width_mult": 2}]}])",
       "/axes/backbone/0/width_mult", R"(unknown key "width_mult")"},
      {"stochastic depth of 1",
       R"([{"op": "replace", "path": "/axes/backbone", "value": [{"name": "efficientnet_v2_m", "stochastic_depth_prob": 1}]}])",
       "/axes/backbone/0/stochastic_depth_prob", "must be < 1, got 1"},
      {"unknown head type",
       R"([{"op": "replace", "path": "/axes/backbone", "value": [{"name": "resnet18", "head": {"type": "svm"}}]}])",
       "/axes/backbone/0/head/type", R"(expected one of)"},
      {"option of another family on a new backbone",
       R"([{"op": "replace", "path": "/axes/backbone", "value": [{"name": "convnext_tiny", "dropout": 0.1}]}])",
       "/axes/backbone/0/dropout", R"(unknown key "dropout")"},
      {"input side below what a backbone accepts",
       R"([{"op": "replace", "path": "/axes/backbone", "value": ["simple_cnn", "inception_v3"]},
           {"op": "add", "path": "/data/input_size", "value": 64}])",
       "/data/input_size", R"(backbone "inception_v3" needs input_size >= 75, got 64)"},
      {"misspelt head option",
       R"([{"op": "replace", "path": "/axes/backbone", "value": [{"name": "inception_v3", "head": {"type": "rff", "scael": 2}}]}])",
       "/axes/backbone/0/head/scael", R"(unknown key "scael"; did you mean "scale"?)"},
      {"unknown backbone name in an object",
       R"([{"op": "replace", "path": "/axes/backbone", "value": [{"name": "resnet05"}]}])",
       "/axes/backbone/0/name", R"(expected one of "simple_cnn", "resnet18", "resnet34", "resnet50", )"},
      {"severity 6", R"([{"op": "add", "path": "/evaluate", "value": {"severities": [1, 6]}}])",
       "/evaluate/severities/1", "must be <= 5, got 6"},
      {"unknown corruption",
       R"([{"op": "add", "path": "/evaluate", "value": {"corruptions": ["gausian_noise"]}}])",
       "/evaluate/corruptions/0",
       R"(expected one of "gaussian_noise", "shot_noise", "impulse_noise", "speckle_noise", "gaussian_blur", "defocus_blur", "glass_blur", "motion_blur", "zoom_blur", "snow", "frost", "fog", ..., got "gausian_noise"; did you mean "gaussian_noise"?)"},
      {"val + test >= 0.9",
       R"([{"op": "add", "path": "/data/split", "value": {"val": 0.5, "test": 0.4}}])",
       "/data/split", "val + test fractions must leave at least 10% for training"},
      {"test source and a test fraction",
       R"([{"op": "add", "path": "/data/test", "value": "fashion-mnist:test"},
           {"op": "add", "path": "/data/split", "value": {"test": 0.2}}])",
       "/data/split/test", "a separate /data/test source is given, so the test fraction must be 0"},
      {"no test source and no test fraction",
       R"([{"op": "add", "path": "/data/split", "value": {"test": 0}}])", "/data/split/test",
       "no /data/test source, so the test fraction must be > 0"},
      {"test_subset without a test source",
       R"([{"op": "add", "path": "/data/test_subset", "value": 100}])", "/data/test_subset",
       "test_subset needs a separate /data/test source"},
      {"unknown resize mode",
       R"([{"op": "add", "path": "/data/preprocess", "value": {"resize": "lanczos"}}])",
       "/data/preprocess/resize", R"(expected one of "auto", "area", "bilinear", "bicubic", "nearest", got "lanczos")"},
      {"centre crop of nothing",
       R"([{"op": "add", "path": "/data/preprocess", "value": {"center_crop": 0}}])",
       "/data/preprocess/center_crop", "must be > 0, got 0"},
      {"two means for three channels",
       R"([{"op": "add", "path": "/data/preprocess", "value": {"normalize": {"mean": [0.5, 0.5], "std": 0.25}}}])",
       "/data/preprocess", "normalize.mean must be a number or 1 or 3 numbers"},
      {"label with a slash",
       R"([{"op": "replace", "path": "/axes/optimizer", "value": {"a/b": "sgd"}}])",
       "/axes/optimizer/a~1b", R"(key "a/b": must match pattern)"},
  }));
  json doc = base_suite().patch(json::parse(patch));
  INFO(what);
  const std::string msg = input_error([&] { parse_suite(doc, "bad.json"); });
  CHECK_THAT(msg, Contains("bad.json: " + pointer + ": " + expected));
}

TEST_CASE("load_suite names the file and the line of a JSON syntax error", "[suite]") {
  TempDir dir;
  const std::string path = dir.write("broken.json", "{\n  \"name\": \"x\",\n  \"data\": ,\n}\n");
  CHECK_THAT(input_error([&] { load_suite(path); }),
             Contains(path + ": not valid JSON at line 3, column"));
  const std::string missing = dir.write("present.json", "{}") + ".absent";
  CHECK_THAT(input_error([&] { load_suite(missing); }), Contains(missing));
}

TEST_CASE("overrides (--set) take dotted paths and JSON pointers, JSON values and bare strings",
          "[suite]") {
  SECTION("dotted path, JSON number") {
    const Suite s = parse_suite(base_suite(), "s.json", {"train.epochs=3"});
    CHECK(s.train.epochs == 3);
    CHECK(s.json.at("train").at("epochs") == 3);
  }
  SECTION("JSON pointer") {
    const Suite s = parse_suite(base_suite(), "s.json", {"/train/batch_size=32"});
    CHECK(s.train.batch_size == 32);
  }
  SECTION("array index in a dotted path, JSON object value") {
    const Suite s =
        parse_suite(base_suite(), "s.json", {R"(axes.optimizer.1={"name": "adam", "lr": 0.01})"});
    CHECK(axis_value(s.optimizers, "adam").value.at("lr") == 0.01);
  }
  SECTION("JSON array value") {
    const Suite s = parse_suite(base_suite(), "s.json", {R"(axes.optimizer=["adam"])"});
    CHECK(labels_of(s.optimizers) == std::vector<std::string>{"adam"});
    CHECK(s.cells.size() == 1);
  }
  SECTION("bare strings, with and without a colon") {
    const Suite s =
        parse_suite(base_suite(), "s.json", {"name=renamed", "data.source=fashion-mnist:test"});
    CHECK(s.name == "renamed");
    CHECK(s.data.source.path == "fashion-mnist:test");
  }
  SECTION("a quoted JSON string") {
    const Suite s = parse_suite(base_suite(), "s.json", {R"(name="quoted")"});
    CHECK(s.name == "quoted");
  }
  SECTION("later overrides win, and the value may contain '='") {
    const Suite s = parse_suite(base_suite(), "s.json",
                                {"train.epochs=3", "train.epochs=5", "description=a=b"});
    CHECK(s.train.epochs == 5);
    CHECK(s.description == "a=b");
  }
  SECTION("a value that parses as JSON is JSON, and the schema then judges it") {
    CHECK_THAT(input_error([] { parse_suite(base_suite(), "s.json", {"name=123"}); }),
               Contains("s.json: /name: expected a string, got number 123"));
  }
  SECTION("overrides are validated like the file") {
    CHECK_THAT(input_error([] { parse_suite(base_suite(), "s.json", {"train.epochs=0"}); }),
               Contains("s.json: /train/epochs: must be >= 1, got 0"));
  }
  SECTION("load_suite applies them too") {
    const Suite s = load_suite(kQuickstart, {"train.epochs=1", "axes.seeds=[0, 1]"});
    CHECK(s.train.epochs == 1);
    CHECK(s.cells.size() == 8);
  }
}

TEST_CASE("bad --set overrides are InputErrors naming the override", "[suite]") {
  auto [override_text, expected] = GENERATE(table<std::string, std::string>({
      {"train.epochs", "--set train.epochs: expected PATH=VALUE"},
      {"=3", "--set: empty path"},
      {"/train/~2=1", "--set: bad path \"/train/~2\""},
      // Indexing into a string cannot set anything.
      {"name.first=x", "--set name.first=x: "},
  }));
  const std::vector<std::string> overrides{override_text};
  CHECK_THAT(input_error([&] { parse_suite(base_suite(), "s.json", overrides); }),
             Contains(expected));
}

TEST_CASE("override_pointer turns dotted paths into JSON pointers", "[suite]") {
  auto [path, pointer] = GENERATE(table<std::string, std::string>({
      {"train.epochs", "/train/epochs"},
      {"axes.optimizer.0.lr", "/axes/optimizer/0/lr"},
      {"name", "/name"},
      {"/axes/optimizer/0/lr", "/axes/optimizer/0/lr"},
      {"/a.b", "/a.b"},  // a pointer keeps its dots
      {"/a~1b", "/a~1b"},
  }));
  CHECK(override_pointer(path).to_string() == pointer);
}

TEST_CASE("override_pointer rejects empty and malformed paths", "[suite]") {
  CHECK_THROWS_AS(override_pointer(""), InputError);
  CHECK_THAT(input_error([] { override_pointer("/a~x"); }), Contains("bad path \"/a~x\""));
}

TEST_CASE("resolved_config fills in every default", "[suite]") {
  json doc = base_suite();
  doc["axes"]["augmentation"] = json::parse(R"([[{"op": "hflip"}, {"op": "rotate"}]])");
  const Suite s = parse_suite(doc, "r.json");
  REQUIRE(s.cells.size() == 2);
  const json sgd = resolved_config(s, s.cells[0]);
  const json expected = json::parse(R"({
    "suite": "unit",
    "suite_seed": 0,
    "seed": 0,
    "labels": {"backbone": "simple_cnn", "augmentation": "hflip+rotate",
               "loss": "cross_entropy", "optimizer": "sgd"},
    "backbone": {"name": "simple_cnn", "channels": [32, 64, 128], "convs_per_block": 2,
                 "batch_norm": true, "dropout": 0.2, "hidden": 128},
    "augmentation": [{"op": "hflip", "p": 0.5},
                     {"op": "rotate", "p": 1.0, "degrees": 15.0, "fill": "constant",
                      "fill_value": 0}],
    "loss": {"name": "cross_entropy", "label_smoothing": 0.0},
    "optimizer": {"name": "sgd", "lr": 0.01, "momentum": 0.9, "nesterov": false,
                  "weight_decay": 0.0},
    "data": {"source": {"path": "fashion-mnist:train", "images": "images", "labels": "labels"},
             "subset": 0, "split": {"val": 0.1, "test": 0.1}, "input_size": 32},
    "train": {"epochs": 10, "batch_size": 64},
    "evaluate": {"corruptions": [], "severities": [1, 2, 3, 4, 5], "batch_size": 256}
  })");
  CHECK(sgd.dump(2) == expected.dump(2));

  const json adam = resolved_config(s, s.cells[1]);
  CHECK(adam.at("optimizer") == json::parse(R"({"name": "adam", "lr": 0.001, "beta1": 0.9,
                                                "beta2": 0.999, "eps": 1e-8,
                                                "weight_decay": 0.0})"));
  CHECK(adam.at("labels").at("optimizer") == "adam");
}

TEST_CASE("resolved_config records a separate test source", "[suite]") {
  const Suite s = load_suite(kQuickstart);
  const json c = resolved_config(s, s.cells[0]);
  CHECK(c.at("data") == json::parse(R"({
    "source": {"path": "fashion-mnist:train", "images": "images", "labels": "labels"},
    "test": {"path": "fashion-mnist:test", "images": "images", "labels": "labels"},
    "subset": 12000, "test_subset": 2000, "split": {"val": 0.1, "test": 0.0}, "input_size": 28
  })"));
}

TEST_CASE("a cell id is 16 hex digits and stable across parses of the same text", "[suite]") {
  const std::string text = base_suite().dump();
  const Suite a = parse_suite(json::parse(text), "a.json");
  const Suite b = parse_suite(json::parse(text), "b.json");
  REQUIRE(a.cells.size() == 2);
  const std::string id = make_cell_id(resolved_config(a, a.cells[0]), "fp");
  CHECK(id.size() == 16);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(make_cell_id(resolved_config(b, b.cells[0]), "fp") == id);
  // Another cell, another dataset fingerprint: other ids.
  CHECK(make_cell_id(resolved_config(a, a.cells[1]), "fp") != id);
  CHECK(make_cell_id(resolved_config(a, a.cells[0]), "fq") != id);
}

TEST_CASE("a cell id changes with every config value that shapes the result", "[suite]") {
  const Suite base = parse_suite(base_suite(), "s.json");
  const std::string base_id = make_cell_id(resolved_config(base, base.cells[0]), "fp");
  const std::string override_text = GENERATE(
      std::string(R"(axes.optimizer.0={"name": "sgd", "lr": 0.02})"),
      std::string("train.epochs=11"), std::string("seed=1"), std::string("data.subset=500"),
      std::string(R"(data.split={"val": 0.2})"), std::string("data.input_size=40"),
      std::string("data.preprocess.resize=bicubic"), std::string("data.preprocess.center_crop=0.875"),
      std::string("data.preprocess.normalize=dataset"),
      std::string(R"(data.preprocess.normalize={"mean": 0.3, "std": 0.2})"),
      std::string(R"(evaluate.corruptions=["contrast"])"), std::string(R"(axes.seeds=[5])"),
      std::string(R"(axes.backbone=[{"name": "simple_cnn", "hidden": 64}])"),
      std::string(R"(axes.loss=[{"name": "cross_entropy", "label_smoothing": 0.1}])"));
  const Suite s = parse_suite(base_suite(), "s.json", {override_text});
  INFO(override_text);
  CHECK(make_cell_id(resolved_config(s, s.cells[0]), "fp") != base_id);
}

TEST_CASE("a cell id ignores key order, spelt-out defaults and the description", "[suite]") {
  TempDir dir;
  const std::string one = dir.write("one.json", R"({
    "name": "same", "description": "first",
    "data": {"source": "fashion-mnist:train", "split": {"val": 0.1, "test": 0.2}},
    "axes": {"backbone": ["simple_cnn"], "augmentation": {"r": [{"op": "rotate", "degrees": 5}]},
             "loss": ["cross_entropy"], "optimizer": {"s": {"name": "sgd", "lr": 0.05}}},
    "train": {"epochs": 2, "batch_size": 16}
  })");
  const std::string two = dir.write("two.json", R"({
    "train": {"batch_size": 16, "epochs": 2},
    "axes": {"optimizer": {"s": {"lr": 0.05, "momentum": 0.9, "name": "sgd"}},
             "loss": [{"name": "cross_entropy", "label_smoothing": 0}],
             "augmentation": {"r": [{"degrees": 5, "op": "rotate", "fill": "constant"}]},
             "backbone": [{"name": "simple_cnn", "channels": [32, 64, 128]}]},
    "data": {"split": {"test": 0.2, "val": 0.1}, "source": "fashion-mnist:train",
             "preprocess": {"normalize": "backbone", "center_crop": 1, "resize": "auto"}},
    "description": "second", "name": "same"
  })");
  const Suite a = load_suite(one);
  const Suite b = load_suite(two);
  REQUIRE(a.cells.size() == 1);
  REQUIRE(b.cells.size() == 1);
  CHECK(resolved_config(a, a.cells[0]) == resolved_config(b, b.cells[0]));
  CHECK(make_cell_id(resolved_config(a, a.cells[0]), "fp") ==
        make_cell_id(resolved_config(b, b.cells[0]), "fp"));
}

TEST_CASE("cell_title joins the labels and the seed", "[suite]") {
  CHECK(cell_title(Cell{"cnn", "flip+rotate", "cross_entropy", "adam", 3}) ==
        "cnn/flip+rotate/cross_entropy/adam/seed3");
}

TEST_CASE("axis_value finds a label or throws", "[suite]") {
  const Suite s = parse_suite(base_suite(), "s.json");
  CHECK(&axis_value(s.optimizers, "adam") == &s.optimizers[1]);
  CHECK_THROWS_AS(axis_value(s.optimizers, "lion"), std::out_of_range);
}

}  // namespace
}  // namespace gauntlet

namespace gauntlet {
namespace {

TEST_CASE("training values round-trip, and appear in a cell's config only when used", "[suite]") {
  const nlohmann::json train = nlohmann::json::parse(R"({
    "epochs": 3, "batch_size": 32,
    "early_stopping": {"monitor": "val_accuracy", "patience": 2, "min_delta": 0.01,
                       "restore_best_weights": true, "baseline": null},
    "reduce_on_plateau": {"monitor": "val_loss", "factor": 0.5, "patience": 1, "min_delta": 0.0001,
                          "cooldown": 1, "min_lr": 1e-6},
    "ema": {"decay": 0.99}, "grad_clip_norm": 5.0,
    "regularization": {"l1": 0.001, "l2": 0.002, "layers": ["classifier."]},
    "dropout": 0.3, "sampler": "oversample",
    "phases": [{"epochs": 2, "freeze": "backbone", "optimizer": {"lr": 0.01}, "early_stopping": null,
                "reduce_on_plateau": null},
               {"epochs": 4, "freeze": {"fraction": 0.5}, "optimizer": null,
                "early_stopping": {"monitor": "val_loss", "patience": 3, "min_delta": 0.0,
                                   "restore_best_weights": false, "baseline": 0.5},
                "reduce_on_plateau": {"monitor": "val_loss", "factor": 0.5, "patience": 1, "min_delta": 0.0001,
                                      "cooldown": 1, "min_lr": 1e-6}}]})");
  CHECK(to_json(train_from_json(train)) == train);
  // Phases inherit the train section's callbacks unless they set their own (null: none).
  const TrainConfig t = train_from_json(train);
  CHECK_FALSE(t.phases[0].early_stopping.has_value());
  REQUIRE(t.phases[1].early_stopping.has_value());
  CHECK(*t.phases[1].early_stopping->baseline == 0.5);
  CHECK(to_json(train_from_json(nlohmann::json::object())) == nlohmann::json::parse(R"({"epochs": 10, "batch_size": 64})"));
  // The default sampler is left out, so that older cell ids stay.
  CHECK_FALSE(to_json(train_from_json(nlohmann::json::parse(R"({"sampler": "none"})"))).contains("sampler"));
  CHECK(train_from_json(nlohmann::json::parse(R"({"sampler": "undersample"})")).sampler == Sampler::kUndersample);

  const nlohmann::json adamw = nlohmann::json::parse(R"({"name": "adamw", "lr": 0.001, "weight_decay": 0.01,
    "beta1": 0.9, "beta2": 0.999, "eps": 1e-08, "schedule": {"name": "cosine", "warmup_epochs": 2,
    "warmup_start_factor": 0.1, "min_lr": 0.0, "total_epochs": 0}, "no_decay_norm_bias": true,
    "head_lr_scale": 10.0, "backbone_lr_scale": 0.5})");
  CHECK(to_json(optimizer_from_json(adamw)) == adamw);
  // A phase's object without "name" overrides fields of the cell's optimizer; with one, replaces it.
  const OptimizerConfig merged = phase_optimizer(adamw, nlohmann::json::parse(R"({"lr": 1e-5})"));
  CHECK(merged.options.name == "adamw");
  CHECK(merged.options.lr == 1e-5);
  CHECK(merged.head_lr_scale == 10.0);
  CHECK(phase_optimizer(adamw, nlohmann::json::parse(R"({"name": "sgd"})")).options.momentum == 0.9);
  for (const char* name : {"sgd", "adam", "rmsprop", "nadam", "lion"}) {
    INFO(name);
    const nlohmann::json j = to_json(optimizer_from_json(nlohmann::json(name)));
    CHECK(to_json(optimizer_from_json(j)) == j);
    CHECK_FALSE(j.contains("schedule"));  // at its default: left out, so older cell ids stay
  }
  const nlohmann::json focal = nlohmann::json::parse(
      R"({"name": "focal", "label_smoothing": 0.1, "gamma": 1.5, "alpha": [0.25], "class_weights": "balanced"})");
  CHECK(to_json(loss_from_json(focal)) == focal);
}

TEST_CASE("torchvision backbones' options round-trip with every default written", "[suite]") {
  CHECK(to_json(backbone_from_json(json("resnet50"))) ==
        json::parse(R"({"name": "resnet50", "zero_init_residual": false})"));
  CHECK(to_json(backbone_from_json(json("vgg13_bn"))) ==
        json::parse(R"({"name": "vgg13_bn", "dropout": 0.5})"));
  const json resnet = json::parse(R"({"name": "resnet152", "zero_init_residual": true})");
  CHECK(to_json(backbone_from_json(resnet)) == resnet);
  const json vgg = json::parse(R"({"name": "vgg19", "dropout": 0.25})");
  CHECK(to_json(backbone_from_json(vgg)) == vgg);
  CHECK(std::get<VggOptions>(backbone_from_json(vgg).options).dropout() == 0.25);
}

TEST_CASE("MobileNet and EfficientNet options round-trip with the variant's defaults written",
          "[suite]") {
  CHECK(to_json(backbone_from_json(json("mobilenet_v3_small"))) ==
        json::parse(R"({"name": "mobilenet_v3_small", "width_mult": 1.0, "dropout": 0.2})"));
  CHECK(to_json(backbone_from_json(json("efficientnet_b6"))) ==
        json::parse(R"({"name": "efficientnet_b6", "drop_rate": 0.5,
                        "stochastic_depth_prob": 0.2})"));
  const json mobilenet = json::parse(R"({"name": "mobilenet_v2", "width_mult": 0.5, "dropout": 0.1})");
  CHECK(to_json(backbone_from_json(mobilenet)) == mobilenet);
  CHECK(std::get<MobileNetOptions>(backbone_from_json(mobilenet).options).width_mult() == 0.5);
  const json effnet = json::parse(
      R"({"name": "efficientnet_v2_s", "drop_rate": 0.3, "stochastic_depth_prob": 0.1})");
  CHECK(to_json(backbone_from_json(effnet)) == effnet);
  CHECK(std::get<EfficientNetOptions>(backbone_from_json(effnet).options).stochastic_depth_prob() ==
        0.1);
}

TEST_CASE("newer backbones write only options off their default, and a head when given",
          "[suite]") {
  // Left out at their default, so adding such a field never changes an existing cell id.
  CHECK(to_json(backbone_from_json(json("convnext_tiny"))) == json::parse(R"({"name": "convnext_tiny"})"));
  CHECK(to_json(backbone_from_json(json("inception_v3"))) == json::parse(R"({"name": "inception_v3"})"));
  CHECK(to_json(backbone_from_json(json("resnetv2_50"))) == json::parse(R"({"name": "resnetv2_50"})"));
  // 0.4 is convnext_small's own default, not convnext_tiny's.
  CHECK(to_json(backbone_from_json(json::parse(R"({"name": "convnext_small", "stochastic_depth_prob": 0.4})"))) ==
        json::parse(R"({"name": "convnext_small"})"));
  for (const char* text : {
           R"({"name": "convnext_small", "stochastic_depth_prob": 0.1, "layer_scale": 0.001})",
           R"({"name": "inception_v3", "aux_logits": true, "transform_input": true, "dropout": 0.2})",
           R"({"name": "resnetv2_50", "drop_path_rate": 0.05, "zero_init_last": true})",
           R"({"name": "resnet18", "zero_init_residual": false,
               "head": {"type": "rff", "features": 512, "scale": 2.0, "learn_scale": true}})",
           R"({"name": "convnext_base",
               "head": {"type": "dense", "hidden": [512, 128], "activation": "silu", "dropout": 0.3}})",
       }) {
    INFO(text);
    const json j = json::parse(text);
    CHECK(to_json(backbone_from_json(j)) == j);
  }
  const BackboneSpec in = backbone_from_json(json::parse(R"({"name": "inception_v3", "aux_logits": true})"));
  CHECK(std::get<InceptionOptions>(in.options).aux_logits());
  CHECK(std::holds_alternative<std::monostate>(in.head));
  // A head's own defaults are written out in full.
  const BackboneSpec cnn = backbone_from_json(json::parse(R"({"name": "simple_cnn", "head": {"type": "dense"}})"));
  CHECK(to_json(cnn).at("head") ==
        json::parse(R"({"type": "dense", "hidden": [], "activation": "relu", "dropout": 0.0})"));
  // Held by name: a reference into the temporary spec would dangle (ASan caught it).
  const BackboneSpec vgg = backbone_from_json(json::parse(R"({"name": "vgg11", "head": {"type": "rff", "scale": 0.5}})"));
  const auto& rff = std::get<RffHeadOptions>(vgg.head);
  CHECK(rff.features() == 1024);
  CHECK(rff.scale() == 0.5);
  CHECK_FALSE(rff.learn_scale());
}

TEST_CASE("the schema accepts every new backbone and a head on any of them", "[suite]") {
  json doc = base_suite();
  doc["axes"]["backbone"] = json::parse(R"({
      "a": "convnext_large", "b": "inception_v3", "c": "resnetv2_50",
      "d": {"name": "convnext_tiny", "stochastic_depth_prob": 0.2, "head": {"type": "rff", "features": 256}},
      "e": {"name": "inception_v3", "aux_logits": true, "transform_input": false},
      "f": {"name": "resnetv2_50", "drop_path_rate": 0.1, "head": {"type": "dense", "hidden": [64]}},
      "g": {"name": "simple_cnn", "head": {"type": "dense", "activation": "gelu"}},
      "h": {"name": "vgg11", "head": {"type": "rff", "learn_scale": true}}})");
  CHECK_NOTHROW(parse_suite(doc, "ok.json"));
}

}  // namespace
}  // namespace gauntlet
