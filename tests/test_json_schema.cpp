// Unit tests of harness/json_schema: for each supported keyword, one instance it accepts and one it
// rejects with an exact pointer and message; then did-you-mean, nested pointers, $ref (recursive
// and looping), oneOf/anyOf branch selection, and schemas that must be refused outright.
#include <catch2/catch.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/json_schema.hpp"

namespace gauntlet {
namespace {

using Catch::Matchers::Contains;
using nlohmann::json;

std::vector<SchemaViolation> check(const std::string& instance, const std::string& schema) {
  return validate_json(json::parse(instance), json::parse(schema));
}

std::string render(const std::vector<SchemaViolation>& violations) {
  std::ostringstream out;
  for (const SchemaViolation& v : violations) out << "[" << v.pointer << "] " << v.message << "\n";
  return out.str();
}

// Exactly one violation, at `pointer`, whose message contains `text`.
void require_one(const std::vector<SchemaViolation>& violations, const std::string& pointer,
                 const std::string& text) {
  INFO(render(violations));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == pointer);
  CHECK_THAT(violations[0].message, Contains(text));
}

TEST_CASE("each keyword accepts a valid instance and rejects an invalid one", "[schema]") {
  auto [keyword, schema, valid, invalid, pointer,
        text] = GENERATE(table<std::string, std::string, std::string, std::string, std::string,
                               std::string>({
      {"type number", R"({"type": "number"})", "0.1", R"("0.1")", "",
       R"(expected a number, got string "0.1")"},
      {"type number takes integers", R"({"type": "number"})", "3", "true", "",
       "expected a number, got boolean true"},
      {"type integer", R"({"type": "integer"})", "3.0", "3.5", "",
       "expected an integer, got number 3.5"},
      {"type list", R"({"type": ["string", "null"]})", "null", "3", "",
       "expected a string or null, got number 3"},
      {"type object", R"({"type": "object"})", "{}", "[1]", "", "expected an object, got an array"},
      {"enum", R"({"enum": ["sgd", "adam"]})", R"("adam")", R"("sdg")", "",
       R"(expected one of "sgd", "adam", got "sdg"; did you mean "sgd"?)"},
      {"enum of numbers", R"({"enum": [1, 2]})", "2", "3", "", "expected one of 1, 2, got 3"},
      {"enum far off", R"({"enum": ["sgd", "adam"]})", R"("sgd")", R"("lion")", "",
       R"(expected one of "sgd", "adam", got "lion")"},
      {"const", R"({"const": 3})", "3", "4", "", "expected 3, got 4"},
      {"const string", R"({"const": "sgd"})", R"("sgd")", R"("sdg")", "",
       R"(expected "sgd", got "sdg"; did you mean "sgd"?)"},
      {"properties", R"({"properties": {"lr": {"type": "number"}}})", R"({"lr": 0.1})",
       R"({"lr": "x"})", "/lr", R"(expected a number, got string "x")"},
      {"required", R"({"required": ["axes"]})", R"({"axes": 1})", "{}", "",
       R"(missing required key "axes")"},
      {"required near miss", R"({"properties": {"optimizer": {}}, "required": ["optimizer"]})",
       R"({"optimizer": 1})", R"({"optimiser": 1})", "",
       R"(missing required key "optimizer" (found "optimiser"; a typo?))"},
      {"additionalProperties false",
       R"({"properties": {"optimizer": {}, "model": {}}, "additionalProperties": false})",
       R"({"optimizer": 1})", R"({"optimiser": 1})", "/optimiser",
       R"(unknown key "optimiser"; did you mean "optimizer"?)"},
      {"additionalProperties false, no close name",
       R"({"properties": {"optimizer": {}, "model": {}}, "additionalProperties": false})",
       R"({"model": 1})", R"({"zzz": 1})", "/zzz",
       R"(unknown key "zzz"; expected one of "model", "optimizer")"},
      {"additionalProperties schema",
       R"({"properties": {"a": {}}, "additionalProperties": {"type": "integer"}})",
       R"({"a": "s", "b": 2})", R"({"b": "s"})", "/b", R"(expected an integer, got string "s")"},
      {"patternProperties",
       R"({"patternProperties": {"^x_": {"type": "string"}}, "additionalProperties": false})",
       R"({"x_a": "s"})", R"({"x_a": 1})", "/x_a", "expected a string, got number 1"},
      {"patternProperties limits keys",
       R"({"patternProperties": {"^x_": {"type": "string"}}, "additionalProperties": false})",
       R"({"x_b": "s"})", R"({"y": "s"})", "/y",
       R"(unknown key "y"; expected a key matching "^x_")"},
      {"propertyNames", R"({"propertyNames": {"pattern": "^[a-z_]+$"}})", R"({"ok_key": 1})",
       R"({"BadKey": 1})", "/BadKey",
       R"(key "BadKey": must match pattern "^[a-z_]+$", got "BadKey")"},
      {"minProperties", R"({"minProperties": 1})", R"({"a": 1})", "{}", "",
       "must have at least 1 key, got 0"},
      {"items", R"({"items": {"type": "integer"}})", "[1, 2]", R"([1, "2"])", "/1",
       R"(expected an integer, got string "2")"},
      {"prefixItems", R"({"prefixItems": [{"type": "string"}, {"type": "number"}]})",
       R"(["a", 1, true])", "[1]", "/0", "expected a string, got number 1"},
      {"items after prefixItems",
       R"({"prefixItems": [{"type": "string"}], "items": {"type": "number"}})", R"(["a", 1, 2])",
       R"(["a", 1, "x"])", "/2", R"(expected a number, got string "x")"},
      {"items false closes a tuple", R"({"prefixItems": [{"type": "string"}], "items": false})",
       R"(["a"])", R"(["a", "b"])", "/1", "unexpected item: no more than 1 item allowed"},
      {"minItems", R"({"minItems": 2})", "[1, 2]", "[1]", "", "must have at least 2 items, got 1"},
      {"maxItems", R"({"maxItems": 1})", "[1]", "[1, 2]", "", "must have at most 1 item, got 2"},
      {"uniqueItems", R"({"uniqueItems": true})", "[1, 2]", "[1, 2, 1.0]", "/2",
       "duplicate of item 0 (1.0); items must be unique"},
      {"minimum", R"({"minimum": 0})", "0", "-1", "", "must be >= 0, got -1"},
      {"maximum", R"({"maximum": 1})", "1", "1.5", "", "must be <= 1, got 1.5"},
      {"exclusiveMinimum", R"({"exclusiveMinimum": 0})", "0.5", "-0.5", "",
       "must be > 0, got -0.5"},
      {"exclusiveMinimum at the bound", R"({"exclusiveMinimum": 0})", "1e-9", "0", "",
       "must be > 0, got 0"},
      {"exclusiveMaximum", R"({"exclusiveMaximum": 1})", "0.99", "1", "", "must be < 1, got 1"},
      {"minLength counts code points", R"({"minLength": 2})", R"("ab")", R"("\u00e9")", "",
       "must be at least 2 characters long, got 1"},
      {"maxLength counts code points", R"({"maxLength": 2})", R"("\u00e9\u00e9")", R"("abc")", "",
       "must be at most 2 characters long, got 3"},
      {"pattern", R"({"pattern": "^[a-z]+$"})", R"("abc")", R"("Abc")", "",
       R"(must match pattern "^[a-z]+$", got "Abc")"},
      {"pattern is unanchored", R"({"pattern": "b"})", R"("abc")", R"("xyz")", "",
       R"(must match pattern "b", got "xyz")"},
      {"allOf", R"({"allOf": [{"type": "number"}, {"minimum": 1}]})", "2", "0", "",
       "must be >= 1, got 0"},
      {"anyOf", R"({"anyOf": [{"type": "string"}, {"type": "object"}]})", "{}", "3", "",
       "expected a string or an object, got number 3"},
      {"oneOf matching twice", R"({"oneOf": [{"type": "number"}, {"type": "integer"}]})", "1.5",
       "2", "", R"(matches alternatives 0 and 1 of "oneOf", but must match exactly one)"},
      {"not", R"({"not": {"type": "string"}})", "1", R"("a")", "",
       R"(must not be a string, got "a")"},
      {"not enum", R"({"not": {"enum": ["none", "off"]}})", R"("on")", R"("off")", "",
       R"(must not be one of "none", "off", got "off")"},
      {"if/then",
       R"({"if": {"properties": {"kind": {"const": "sgd"}}},
               "then": {"required": ["momentum"]}, "else": {"required": ["betas"]}})",
       R"({"kind": "sgd", "momentum": 0.9})", R"({"kind": "sgd"})", "",
       R"(missing required key "momentum")"},
      {"if/else",
       R"({"if": {"properties": {"kind": {"const": "sgd"}}},
               "then": {"required": ["momentum"]}, "else": {"required": ["betas"]}})",
       R"({"kind": "adam", "betas": [0.9, 0.999]})", R"({"kind": "adam"})", "",
       R"(missing required key "betas")"},
      {"$ref",
       R"({"$defs": {"lr": {"type": "number", "exclusiveMinimum": 0}},
               "properties": {"lr": {"$ref": "#/$defs/lr"}}})",
       R"({"lr": 0.1})", R"({"lr": -0.5})", "/lr", "must be > 0, got -0.5"},
      {"$ref beside other keywords",
       R"({"$defs": {"positive": {"exclusiveMinimum": 0}},
               "$ref": "#/$defs/positive", "maximum": 1})",
       "0.5", "2", "", "must be <= 1, got 2"},
      {"false schema", R"({"properties": {"a": false}})", "{}", R"({"a": 1})", "/a",
       "no value is allowed here"},
      {"annotations are ignored",
       R"({"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "x",
               "title": "t", "description": "d", "default": 1, "examples": [1],
               "$comment": "c", "markdownDescription": "m", "type": "integer"})",
       "1", R"("1")", "", R"(expected an integer, got string "1")"},
      {"pointer escaping", R"({"additionalProperties": {"type": "number"}})", R"({"a/b~c": 1})",
       R"({"a/b~c": "x"})", "/a~1b~0c", "expected a number"},
      {"keyword names are fine as property names",
       R"({"properties": {"format": {"type": "string"}, "items": {"type": "integer"}}})",
       R"({"format": "png", "items": 3})", R"({"items": "3"})", "/items",
       R"(expected an integer, got string "3")"},
  }));
  INFO(keyword << "\nschema: " << schema);
  {
    INFO("valid instance: " << valid);
    const auto violations = check(valid, schema);
    INFO(render(violations));
    CHECK(violations.empty());
  }
  INFO("invalid instance: " << invalid);
  require_one(check(invalid, schema), pointer, text);
}

TEST_CASE("did_you_mean suggests only close names", "[schema]") {
  auto [word, candidates, expected] =
      GENERATE(table<std::string, std::vector<std::string>, std::string>({
          {"optimiser", {"model", "optimizer", "augmentation"}, "optimizer"},
          {"sdg", {"sgd", "adam"}, "sgd"},                    // a transposition is one edit
          {"SGD", {"adam", "sgd"}, "sgd"},                    // case is ignored
          {"mometum", {"momentum", "nesterov"}, "momentum"},  // a deletion
          {"learning_rat", {"learning_rate", "lr"}, "learning_rate"},
          {"agumentations", {"augmentations", "axes"}, "augmentations"},
          {"lr", {"wd"}, ""},  // every character replaced
          {"lion", {"sgd", "adam"}, ""},
          {"resnet", {"regnet", "resnext"}, "regnet"},  // ties go to the first
          {"anything", {}, ""},
          {"abcdefghijkl", {"abcdXXXXXjkl"}, ""},              // 5 edits > max(2, 12 / 3)
          {"abcdefghijkl", {"abcdXXXXijkl"}, "abcdXXXXijkl"},  // 4 edits <= 4
      }));
  INFO(word);
  CHECK(did_you_mean(word, candidates) == expected);
}

// A sketch of a suite schema: the shapes gauntlet's real schema nests.
const char* kSuiteSchema = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$defs": {
    "optimizer": {
      "type": "object",
      "properties": {
        "name": {"enum": ["sgd", "adam"]},
        "lr": {"type": "number", "exclusiveMinimum": 0}
      },
      "required": ["name", "lr"],
      "additionalProperties": false
    }
  },
  "type": "object",
  "properties": {
    "axes": {
      "type": "object",
      "properties": {
        "optimizer": {"type": "array", "items": {"$ref": "#/$defs/optimizer"}, "minItems": 1},
        "model": {"type": "array", "items": {"type": "string"}}
      },
      "additionalProperties": false
    }
  },
  "required": ["axes"],
  "additionalProperties": false
})";

TEST_CASE("violations deep in a document carry the full pointer", "[schema]") {
  SECTION("wrong type") {
    require_one(check(R"({"axes": {"optimizer": [{"name": "sgd", "lr": 0.1},
                                                  {"name": "adam", "lr": "0.1"}]}})",
                      kSuiteSchema),
                "/axes/optimizer/1/lr", R"(expected a number, got string "0.1")");
  }
  SECTION("bad bound") {
    require_one(check(R"({"axes": {"optimizer": [{"name": "sgd", "lr": -0.5}]}})", kSuiteSchema),
                "/axes/optimizer/0/lr", "must be > 0, got -0.5");
  }
  SECTION("misspelt key") {
    require_one(check(R"({"axes": {"optimiser": []}})", kSuiteSchema), "/axes/optimiser",
                R"(unknown key "optimiser"; did you mean "optimizer"?)");
  }
  SECTION("misspelt enum value") {
    require_one(check(R"({"axes": {"optimizer": [{"name": "sdg", "lr": 1}]}})", kSuiteSchema),
                "/axes/optimizer/0/name",
                R"(expected one of "sgd", "adam", got "sdg"; did you mean "sgd"?)");
  }
  SECTION("missing required key at the root") {
    require_one(check("{}", kSuiteSchema), "", R"(missing required key "axes")");
  }
  SECTION("a valid document") {
    const auto violations =
        check(R"({"axes": {"optimizer": [{"name": "sgd", "lr": 0.1}], "model": ["resnet18"]}})",
              kSuiteSchema);
    INFO(render(violations));
    CHECK(violations.empty());
  }
  SECTION("every mistake is reported, in key order") {
    const auto violations = check(R"({"axes": {"optimizer": [{"lr": 0, "name": "sgd", "wd": 1}],
                                               "model": [1]}, "extra": true})",
                                  kSuiteSchema);
    INFO(render(violations));
    REQUIRE(violations.size() == 4);
    CHECK(violations[0].pointer == "/axes/model/0");
    CHECK(violations[1].pointer == "/axes/optimizer/0/lr");
    CHECK(violations[2].pointer == "/axes/optimizer/0/wd");
    CHECK(violations[3].pointer == "/extra");
    CHECK_THAT(violations[3].message, Contains(R"(unknown key "extra")"));
  }
}

TEST_CASE("$ref follows pointers into the root schema and refuses loops", "[schema]") {
  const char* tree = R"({
    "$defs": {"node": {"type": "object",
                       "properties": {"v": {"type": "integer"},
                                      "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
    "$ref": "#/$defs/node"
  })";
  SECTION("recursive schema over a deep instance") {
    require_one(check(R"({"v": 1, "children": [{"children": [{"v": 2}, {"v": 2.5}]}]})", tree),
                "/children/0/children/1/v", "expected an integer, got number 2.5");
  }
  SECTION("escaped pointer segments") {
    require_one(check("3", R"({"$defs": {"a/b": {"type": "string"}}, "$ref": "#/$defs/a~1b"})"), "",
                "expected a string, got number 3");
  }
  SECTION("a $ref cycle that never consumes the instance throws") {
    const char* loop =
        R"({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
                           "$ref": "#/$defs/a"})";
    CHECK_THROWS_AS(check("1", loop), std::invalid_argument);
    CHECK_THROWS_WITH(check("1", loop), Contains("loops back to itself"));
  }
  SECTION("unresolvable and remote references throw") {
    CHECK_THROWS_WITH(check("1", R"({"$ref": "#/$defs/missing"})"),
                      Contains(R"($ref "#/$defs/missing" does not resolve)"));
    CHECK_THROWS_WITH(check("1", R"({"$ref": "other.json#/a"})"), Contains("only local $ref"));
  }
}

TEST_CASE("failed oneOf/anyOf reports the branch meant for the instance", "[schema]") {
  SECTION("by type") {
    const char* schema = R"({"oneOf": [{"type": "number", "exclusiveMinimum": 0},
                                       {"type": "string", "enum": ["auto"]}]})";
    require_one(check(R"("auot")", schema), "",
                R"(expected "auto", got "auot"; did you mean "auto"?)");
    require_one(check("-1", schema), "", "must be > 0, got -1");
    require_one(check("true", schema), "", R"(expected a number or "auto", got boolean true)");
  }
  SECTION("by type through $ref") {
    const char* schema = R"({"$defs": {"name": {"type": "string", "minLength": 1},
                                       "spec": {"type": "object", "required": ["name"]}},
                             "anyOf": [{"$ref": "#/$defs/name"}, {"$ref": "#/$defs/spec"}]})";
    require_one(check("5", schema), "", "expected a string or an object, got number 5");
    require_one(check(R"("")", schema), "", "must be at least 1 character long, got 0");
    require_one(check("{}", schema), "", R"(missing required key "name")");
  }
  SECTION("by a discriminating const among object branches") {
    const char* schema = R"({"oneOf": [
        {"type": "object", "properties": {"name": {"const": "sgd"}, "momentum": {"type": "number"}},
         "required": ["name"], "additionalProperties": false},
        {"type": "object", "properties": {"name": {"const": "adam"}, "betas": {"type": "array"}},
         "required": ["name"], "additionalProperties": false}]})";
    require_one(check(R"({"name": "adam", "betas": "x"})", schema), "/betas",
                R"(expected an array, got string "x")");
    require_one(check(R"({"name": "sgd", "momentun": 0.9})", schema), "/momentun",
                R"(unknown key "momentun"; did you mean "momentum"?)");
    require_one(check(R"({"name": "sdg"})", schema), "/name",
                R"(expected one of "sgd", "adam", got "sdg"; did you mean "sgd"?)");
    require_one(check(R"({"momentum": 0.9})", schema), "", R"(missing required key "name")");
    CHECK(check(R"({"name": "sgd", "momentum": 0.9})", schema).empty());
  }
  SECTION("by a key pinned in every branch, by const or by disjoint enums") {
    const char* schema = R"({"oneOf": [
        {"type": "object", "properties": {"name": {"const": "cnn"}, "width": {"type": "integer"}},
         "required": ["name"], "additionalProperties": false},
        {"type": "object", "properties": {"name": {"enum": ["resnet18", "resnet50"]},
                                          "zero_init": {"type": "boolean"}},
         "required": ["name"], "additionalProperties": false},
        {"type": "object", "properties": {"name": {"enum": ["vgg11", "vgg16"]},
                                          "dropout": {"type": "number"}},
         "required": ["name"], "additionalProperties": false}]})";
    require_one(check(R"({"name": "resnet50", "zero_init": 1})", schema), "/zero_init",
                "expected a boolean, got number 1");
    require_one(check(R"({"name": "vgg16", "dropuot": 0.1})", schema), "/dropuot",
                R"(unknown key "dropuot"; did you mean "dropout"?)");
    require_one(check(R"({"name": "vgg11", "zero_init": true})", schema), "/zero_init",
                R"(unknown key "zero_init")");
    require_one(check(R"({"name": "resnet19"})", schema), "/name",
                R"(expected one of "cnn", "resnet18", "resnet50", "vgg11", "vgg16", got "resnet19"; )"
                R"(did you mean "resnet18"?)");
    require_one(check(R"({"dropout": 0.1})", schema), "",
                R"(missing required key "name" (one of "cnn", "resnet18", "resnet50", "vgg11", )"
                R"("vgg16"), which selects the alternative)");
    CHECK(check(R"({"name": "resnet18", "zero_init": true})", schema).empty());
  }
  SECTION("an enum shared by branches does not select one") {
    // "fill" is an option of both ops: a bad op is the mistake to report, not a branch's fill.
    const char* schema = R"({"oneOf": [
        {"type": "object", "properties": {"op": {"const": "rotate"},
                                          "fill": {"enum": ["constant", "reflect"]}},
         "required": ["op"], "additionalProperties": false},
        {"type": "object", "properties": {"op": {"const": "affine"},
                                          "fill": {"enum": ["constant", "reflect"]}},
         "required": ["op"], "additionalProperties": false}]})";
    require_one(check(R"({"op": "rotat", "fill": "reflect"})", schema), "/op",
                R"(expected one of "rotate", "affine", got "rotat"; did you mean "rotate"?)");
    require_one(check(R"({"op": "affine", "fill": "wrap"})", schema), "/fill",
                R"(expected one of "constant", "reflect", got "wrap")");
  }
  SECTION("nothing tells the branches apart") {
    require_one(check("{}", R"({"anyOf": [{"type": "object", "required": ["a"]},
                                          {"type": "object", "required": ["b"]}]})"),
                "",
                R"(matches none of the alternatives: alternative 0: missing required key "a"; )"
                R"(alternative 1: missing required key "b")");
  }
}

TEST_CASE("schemas using unsupported keywords or malformed ones are refused", "[schema]") {
  auto [schema, text] = GENERATE(table<std::string, std::string>({
      {R"({"format": "uri"})", R"(unsupported keyword "format")"},
      {R"({"properties": {"a": {"dependentRequired": {}}}})",
       R"(at /properties/a: unsupported keyword "dependentRequired")"},
      {R"({"$defs": {"x": {"unevaluatedProperties": false}}})",
       R"(unsupported keyword "unevaluatedProperties")"},
      {R"({"if": false, "then": {"contains": {}}})", R"(unsupported keyword "contains")"},
      {R"({"additionalProperty": false})", R"(did you mean "additionalProperties"?)"},
      {R"({"type": "float"})", "type must be one of"},
      {R"({"minItems": -1})", "minItems must be a non-negative integer"},
      {R"({"pattern": "("})", R"(invalid regular expression "(")"},
      {R"({"required": "a"})", "required must be an array of strings"},
      {R"({"anyOf": []})", "must be a non-empty array of schemas"},
      {R"({"items": 3})", "a schema must be an object or a boolean"},
  }));
  INFO(schema);
  CHECK_THROWS_AS(check("1", schema), std::invalid_argument);
  CHECK_THROWS_WITH(check("1", schema), Contains(text));
}

// Regression (found by the bad-input corpus): a 100000-deep array crashed `gauntlet validate`
// with a stack overflow, and 1e400 ended as an internal error (exit 1) instead of bad input.
TEST_CASE("parse_json_text refuses deep nesting and overflowing numbers as bad input", "[schema]") {
  const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(parse_json_text(nested(kMaxJsonDepth), "s.json").is_array());
  CHECK_THROWS_AS(parse_json_text(nested(kMaxJsonDepth + 1), "s.json"), InputError);
  CHECK_THROWS_WITH(parse_json_text("{\"a\": " + nested(100000) + "}", "s.json"),
                    Contains("s.json: JSON nests deeper than 100 levels"));
  CHECK_THROWS_WITH(parse_json_text<nlohmann::ordered_json>("{\"lr\": 1e400}", "s.json"),
                    Contains("s.json: not valid JSON: number overflow parsing '1e400'"));
  CHECK_THROWS_WITH(parse_json_text("{\"a\":\n [1,,2]}", "s.json"),
                    Contains("s.json: not valid JSON at line 2, column 5: syntax error"));
  CHECK(parse_json_text("{\"a\": [1, {\"b\": 2.5}]}", "s.json") == json::parse("{\"a\": [1, {\"b\": 2.5}]}"));
}

}  // namespace
}  // namespace gauntlet
