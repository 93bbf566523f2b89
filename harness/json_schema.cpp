#include "harness/json_schema.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/error.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;
using Violations = std::vector<SchemaViolation>;

// Lookups that only shape messages follow at most this many $refs, so a cycle cannot hang one.
constexpr int kMaxHops = 32;

const std::vector<std::string>& supported_keywords() {
  static const std::vector<std::string> keywords = {
      // Annotations: accepted so schemas can document themselves, never checked.
      "$schema", "$id", "title", "description", "default", "examples", "$comment",
      "markdownDescription",
      // Assertions and applicators.
      "$ref", "$defs", "type", "enum", "const", "properties", "required", "additionalProperties",
      "patternProperties", "propertyNames", "minProperties", "items", "prefixItems", "minItems",
      "maxItems", "uniqueItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
      "minLength", "maxLength", "pattern", "oneOf", "anyOf", "allOf", "not", "if", "then", "else"};
  return keywords;
}

const std::set<std::string>& type_names() {
  static const std::set<std::string> names = {"null",   "boolean", "object", "array",
                                              "number", "integer", "string"};
  return names;
}

[[noreturn]] void schema_error(const std::string& where, const std::string& what) {
  throw std::invalid_argument("JSON schema" + (where.empty() ? "" : " at " + where) + ": " + what);
}

std::string escape_segment(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string child(const std::string& pointer, const std::string& key) {
  return pointer + "/" + escape_segment(key);
}

std::string child(const std::string& pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

std::string quote(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

// Values end up in one-line messages: a 2 KB string would drown the actual complaint.
std::string dump_short(const json& value) {
  constexpr size_t kMaxChars = 60;
  std::string s = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() <= kMaxChars) return s;
  size_t cut = kMaxChars;
  // Never cut a UTF-8 sequence in half.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "...";
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + quote(items[i]);
  return out;
}

std::string value_list(const json& values) {
  constexpr size_t kMaxShown = 12;
  std::string out;
  for (size_t i = 0; i < values.size() && i < kMaxShown; ++i) {
    out += (i ? ", " : "") + dump_short(values[i]);
  }
  if (values.size() > kMaxShown) out += ", ...";
  return out;
}

// "a", "a or b", "a, b or c" (or "and", for lists that are not alternatives).
std::string join_words(const std::vector<std::string>& words, const std::string& last = " or ") {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? last : ", ";
    out += words[i];
  }
  return out;
}

std::string type_phrase(const std::string& name) {
  if (name == "null") return "null";
  if (name == "object" || name == "array" || name == "integer") return "an " + name;
  return "a " + name;
}

std::string describe_types(const json& type) {
  if (type.is_string()) return type_phrase(type.get<std::string>());
  std::vector<std::string> phrases;
  for (const json& t : type) phrases.push_back(type_phrase(t.get<std::string>()));
  return join_words(phrases);
}

// What the user gave, as the "got ..." half of a message.
std::string describe_value(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return "string " + dump_short(value);
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "number " + value.dump();
    case json::value_t::boolean:
      return "boolean " + value.dump();
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    default:
      return "a " + std::string(value.type_name());
  }
}

std::string type_of(const json& value) {
  if (value.is_number_integer()) return "integer";  // also true for unsigned
  if (value.is_number()) return "number";
  return value.type_name();
}

bool matches_type(const json& value, const std::string& name) {
  if (name == "null") return value.is_null();
  if (name == "boolean") return value.is_boolean();
  if (name == "object") return value.is_object();
  if (name == "array") return value.is_array();
  if (name == "string") return value.is_string();
  if (name == "number") return value.is_number();
  if (name == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    const double d = value.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

bool matches_types(const json& value, const json& type) {
  if (type.is_string()) return matches_type(value, type.get<std::string>());
  return std::any_of(type.begin(), type.end(),
                     [&](const json& t) { return matches_type(value, t.get<std::string>()); });
}

// long double holds every int64 and uint64 exactly on the platforms we build for, so integer
// bounds compare exactly.
long double as_number(const json& value) {
  if (value.is_number_unsigned()) return static_cast<long double>(value.get<uint64_t>());
  if (value.is_number_integer()) return static_cast<long double>(value.get<int64_t>());
  return static_cast<long double>(value.get<double>());
}

size_t count_code_points(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string plural(size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string lower_ascii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

size_t osa_distance(const std::string& a, const std::string& b) {
  const size_t n = a.size();
  const size_t m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// "expected one of ..., got ...; did you mean ...?", shared by enum, const and discriminators.
std::string enum_message(const json& values, const json& instance) {
  std::string msg = values.size() == 1 ? "expected " + dump_short(values[0])
                                       : "expected one of " + value_list(values);
  msg += ", got " + dump_short(instance);
  if (instance.is_string()) {
    std::vector<std::string> candidates;
    for (const json& v : values) {
      if (v.is_string()) candidates.push_back(v.get<std::string>());
    }
    const std::string hint = did_you_mean(instance.get<std::string>(), candidates);
    if (!hint.empty()) msg += "; did you mean " + quote(hint) + "?";
  }
  return msg;
}

bool contains_value(const json& values, const json& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// A property of an object branch restricted to fixed values, by const or by enum.
struct Pinned {
  std::string key;
  json values;
  bool by_const;
};
// The keys that select a branch, and their values, per candidate branch.
using PinnedKeys = std::vector<std::vector<std::pair<std::string, json>>>;

class Validator {
 public:
  explicit Validator(const json& root) : root_(root) { check_schema(root, ""); }

  void validate(const json& instance, const json& schema, const std::string& pointer,
                Violations& out);

 private:
  void check_schema(const json& schema, const std::string& where);
  void check_schema_map(const json& map, const std::string& where);
  void check_schema_array(const json& array, const std::string& where);
  const json& resolve_ref(const std::string& ref, const std::string& where) const;
  const std::regex& compiled(const std::string& pattern, const std::string& where);

  void validate_number(const json& instance, const json& schema, const std::string& pointer,
                       Violations& out);
  void validate_string(const json& instance, const json& schema, const std::string& pointer,
                       Violations& out);
  void validate_array(const json& instance, const json& schema, const std::string& pointer,
                      Violations& out);
  void validate_object(const json& instance, const json& schema, const std::string& pointer,
                       Violations& out);
  void validate_alternatives(const json& instance, const json& branches, bool exactly_one,
                             const std::string& pointer, Violations& out);
  void report_no_match(const json& instance, const json& branches,
                       const std::vector<Violations>& results, const std::string& pointer,
                       Violations& out);
  bool report_bad_discriminator(const json& instance, const PinnedKeys& per_branch,
                                const std::string& pointer, Violations& out);

  const json* ref_target(const json& schema) const;
  std::optional<std::vector<std::string>> branch_types(const json& schema, int hops = 0) const;
  void collect_pinned(const json& schema, int hops, std::vector<Pinned>& pinned) const;
  PinnedKeys discriminators(const json& branches, const std::vector<size_t>& candidates) const;
  bool discriminator_matches(const json& instance,
                             const std::vector<std::pair<std::string, json>>& pinned) const;
  std::string describe_schema(const json& schema, int hops = 0) const;

  const json& root_;
  std::set<const json*> checked_;
  std::map<std::string, std::regex> regexes_;
  // ($ref target, instance) pairs being evaluated: meeting one again means the $ref chain loops
  // without descending into the instance, which would otherwise recurse until the stack dies.
  std::set<std::pair<const json*, const json*>> active_refs_;
};

void Validator::check_schema(const json& schema, const std::string& where) {
  if (schema.is_boolean()) return;
  if (!schema.is_object()) {
    schema_error(where, "a schema must be an object or a boolean, got " + describe_value(schema));
  }
  if (!checked_.insert(&schema).second) return;

  const auto& keywords = supported_keywords();
  for (const auto& item : schema.items()) {
    if (std::find(keywords.begin(), keywords.end(), item.key()) != keywords.end()) continue;
    std::string msg = "unsupported keyword " + quote(item.key());
    const std::string hint = did_you_mean(item.key(), keywords);
    if (!hint.empty()) msg += "; did you mean " + quote(hint) + "?";
    schema_error(where, msg);
  }

  auto want = [&](const char* keyword, bool ok, const char* what) {
    if (!ok) schema_error(child(where, keyword), std::string(keyword) + " must be " + what);
  };
  for (const auto& item : schema.items()) {
    const std::string& key = item.key();
    const json& value = item.value();
    const std::string at = child(where, key);
    if (key == "$ref") {
      want("$ref", value.is_string(), "a string");
      const json& target = resolve_ref(value.get<std::string>(), at);
      check_schema(target, value.get<std::string>().substr(1));
    } else if (key == "$defs" || key == "properties") {
      check_schema_map(value, at);
    } else if (key == "patternProperties") {
      check_schema_map(value, at);
      for (const auto& p : value.items()) compiled(p.key(), at);
    } else if (key == "additionalProperties" || key == "items" || key == "propertyNames" ||
               key == "not" || key == "if" || key == "then" || key == "else") {
      check_schema(value, at);
    } else if (key == "prefixItems" || key == "allOf" || key == "anyOf" || key == "oneOf") {
      check_schema_array(value, at);
    } else if (key == "type") {
      const bool ok_string = value.is_string() && type_names().count(value.get<std::string>());
      const bool ok_array = value.is_array() && !value.empty() &&
                            std::all_of(value.begin(), value.end(), [](const json& t) {
                              return t.is_string() && type_names().count(t.get<std::string>());
                            });
      want("type", ok_string || ok_array,
           "one of \"null\", \"boolean\", \"object\", \"array\", \"number\", \"integer\", "
           "\"string\", or a non-empty array of them");
    } else if (key == "enum") {
      want("enum", value.is_array() && !value.empty(), "a non-empty array");
    } else if (key == "required") {
      want("required",
           value.is_array() &&
               std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); }),
           "an array of strings");
    } else if (key == "minProperties" || key == "minItems" || key == "maxItems" ||
               key == "minLength" || key == "maxLength") {
      want(key.c_str(),
           value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0),
           "a non-negative integer");
    } else if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" ||
               key == "exclusiveMaximum") {
      want(key.c_str(), value.is_number(), "a number");
    } else if (key == "pattern") {
      want("pattern", value.is_string(), "a string");
      compiled(value.get<std::string>(), at);
    } else if (key == "uniqueItems") {
      want("uniqueItems", value.is_boolean(), "a boolean");
    }
  }
}

void Validator::check_schema_map(const json& map, const std::string& where) {
  if (!map.is_object()) schema_error(where, "must be an object mapping names to schemas");
  for (const auto& item : map.items()) check_schema(item.value(), child(where, item.key()));
}

void Validator::check_schema_array(const json& array, const std::string& where) {
  if (!array.is_array() || array.empty()) {
    schema_error(where, "must be a non-empty array of schemas");
  }
  for (size_t i = 0; i < array.size(); ++i) check_schema(array[i], child(where, i));
}

const json& Validator::resolve_ref(const std::string& ref, const std::string& where) const {
  if (ref.empty() || ref[0] != '#') {
    schema_error(where, "only local $ref (\"#/...\") is supported, got " + quote(ref));
  }
  try {
    const json::json_pointer target(ref.substr(1));
    if (root_.contains(target)) return root_.at(target);
  } catch (const json::exception&) {
    // Falls through to the error below: a malformed pointer does not resolve either.
  }
  schema_error(where, "$ref " + quote(ref) + " does not resolve within the schema");
}

const std::regex& Validator::compiled(const std::string& pattern, const std::string& where) {
  auto it = regexes_.find(pattern);
  if (it != regexes_.end()) return it->second;
  try {
    return regexes_.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first->second;
  } catch (const std::regex_error& e) {
    schema_error(where, "invalid regular expression " + quote(pattern) + ": " + e.what());
  }
}

void Validator::validate(const json& instance, const json& schema, const std::string& pointer,
                         Violations& out) {
  if (schema.is_boolean()) {
    if (!schema.get<bool>()) out.push_back({pointer, "no value is allowed here"});
    return;
  }
  if (auto it = schema.find("$ref"); it != schema.end()) {
    const std::string& ref = it->get_ref<const std::string&>();
    const json& target = resolve_ref(ref, "");
    const auto key = std::make_pair(&target, &instance);
    if (!active_refs_.insert(key).second) {
      schema_error("", "$ref " + quote(ref) + " loops back to itself at instance pointer " +
                           quote(pointer) + " without descending into the instance");
    }
    validate(instance, target, pointer, out);
    active_refs_.erase(key);
  }
  if (auto it = schema.find("type"); it != schema.end() && !matches_types(instance, *it)) {
    // Every other keyword would only restate the same mistake less clearly.
    out.push_back(
        {pointer, "expected " + describe_types(*it) + ", got " + describe_value(instance)});
    return;
  }
  if (auto it = schema.find("const"); it != schema.end() && instance != *it) {
    out.push_back({pointer, enum_message(json::array({*it}), instance)});
  }
  if (auto it = schema.find("enum"); it != schema.end() && !contains_value(*it, instance)) {
    out.push_back({pointer, enum_message(*it, instance)});
  }

  if (instance.is_number()) validate_number(instance, schema, pointer, out);
  if (instance.is_string()) validate_string(instance, schema, pointer, out);
  if (instance.is_array()) validate_array(instance, schema, pointer, out);
  if (instance.is_object()) validate_object(instance, schema, pointer, out);

  if (auto it = schema.find("allOf"); it != schema.end()) {
    for (const json& branch : *it) validate(instance, branch, pointer, out);
  }
  if (auto it = schema.find("anyOf"); it != schema.end()) {
    validate_alternatives(instance, *it, false, pointer, out);
  }
  if (auto it = schema.find("oneOf"); it != schema.end()) {
    validate_alternatives(instance, *it, true, pointer, out);
  }
  if (auto it = schema.find("not"); it != schema.end()) {
    Violations sub;
    validate(instance, *it, pointer, sub);
    if (sub.empty()) {
      const std::string what = describe_schema(*it);
      out.push_back(
          {pointer, what.empty()
                        ? "must not match the schema under \"not\", got " + dump_short(instance)
                        : "must not be " + what + ", got " + dump_short(instance)});
    }
  }
  if (auto it = schema.find("if"); it != schema.end()) {
    Violations sub;
    validate(instance, *it, pointer, sub);
    const char* branch = sub.empty() ? "then" : "else";
    if (auto next = schema.find(branch); next != schema.end()) {
      validate(instance, *next, pointer, out);
    }
  }
}

void Validator::validate_number(const json& instance, const json& schema,
                                const std::string& pointer, Violations& out) {
  const long double x = as_number(instance);
  struct Bound {
    const char* keyword;
    const char* relation;
    bool (*ok)(long double x, long double bound);
  };
  static const Bound bounds[] = {
      {"minimum", ">=", [](long double x, long double b) { return x >= b; }},
      {"exclusiveMinimum", ">", [](long double x, long double b) { return x > b; }},
      {"maximum", "<=", [](long double x, long double b) { return x <= b; }},
      {"exclusiveMaximum", "<", [](long double x, long double b) { return x < b; }},
  };
  for (const Bound& bound : bounds) {
    auto it = schema.find(bound.keyword);
    if (it == schema.end() || bound.ok(x, as_number(*it))) continue;
    out.push_back({pointer, std::string("must be ") + bound.relation + " " + it->dump() + ", got " +
                                instance.dump()});
  }
}

void Validator::validate_string(const json& instance, const json& schema,
                                const std::string& pointer, Violations& out) {
  const std::string& s = instance.get_ref<const std::string&>();
  const size_t length = count_code_points(s);
  if (auto it = schema.find("minLength"); it != schema.end() && length < it->get<size_t>()) {
    out.push_back({pointer, "must be at least " + plural(it->get<size_t>(), "character") +
                                " long, got " + std::to_string(length)});
  }
  if (auto it = schema.find("maxLength"); it != schema.end() && length > it->get<size_t>()) {
    out.push_back({pointer, "must be at most " + plural(it->get<size_t>(), "character") +
                                " long, got " + std::to_string(length)});
  }
  if (auto it = schema.find("pattern"); it != schema.end()) {
    const std::string& pattern = it->get_ref<const std::string&>();
    // JSON Schema patterns are unanchored: search, not match.
    if (!std::regex_search(s, compiled(pattern, ""))) {
      out.push_back(
          {pointer, "must match pattern " + quote(pattern) + ", got " + dump_short(instance)});
    }
  }
}

void Validator::validate_array(const json& instance, const json& schema, const std::string& pointer,
                               Violations& out) {
  const size_t n = instance.size();
  if (auto it = schema.find("minItems"); it != schema.end() && n < it->get<size_t>()) {
    out.push_back({pointer, "must have at least " + plural(it->get<size_t>(), "item") + ", got " +
                                std::to_string(n)});
  }
  if (auto it = schema.find("maxItems"); it != schema.end() && n > it->get<size_t>()) {
    out.push_back({pointer, "must have at most " + plural(it->get<size_t>(), "item") + ", got " +
                                std::to_string(n)});
  }
  size_t first_for_items = 0;
  if (auto it = schema.find("prefixItems"); it != schema.end()) {
    first_for_items = it->size();
    for (size_t i = 0; i < n && i < it->size(); ++i) {
      validate(instance[i], (*it)[i], child(pointer, i), out);
    }
  }
  // Draft 2020-12: "items" covers only the elements after "prefixItems".
  if (auto it = schema.find("items"); it != schema.end()) {
    for (size_t i = first_for_items; i < n; ++i) {
      if (it->is_boolean() && !it->get<bool>()) {
        out.push_back({child(pointer, i), "unexpected item: no more than " +
                                              plural(first_for_items, "item") + " allowed"});
      } else {
        validate(instance[i], *it, child(pointer, i), out);
      }
    }
  }
  if (auto it = schema.find("uniqueItems"); it != schema.end() && it->get<bool>()) {
    for (size_t i = 1; i < n; ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (instance[i] != instance[j]) continue;
        out.push_back({child(pointer, i), "duplicate of item " + std::to_string(j) + " (" +
                                              dump_short(instance[i]) + "); items must be unique"});
        break;
      }
    }
  }
}

void Validator::validate_object(const json& instance, const json& schema,
                                const std::string& pointer, Violations& out) {
  const auto properties = schema.find("properties");
  const auto pattern_properties = schema.find("patternProperties");
  const auto additional = schema.find("additionalProperties");
  const auto property_names = schema.find("propertyNames");
  const bool has_properties = properties != schema.end();
  const bool has_patterns = pattern_properties != schema.end();

  if (auto it = schema.find("minProperties");
      it != schema.end() && instance.size() < it->get<size_t>()) {
    out.push_back({pointer, "must have at least " + plural(it->get<size_t>(), "key") + ", got " +
                                std::to_string(instance.size())});
  }
  if (auto it = schema.find("required"); it != schema.end()) {
    for (const json& name : *it) {
      const std::string& key = name.get_ref<const std::string&>();
      if (instance.contains(key)) continue;
      std::string msg = "missing required key " + quote(key);
      // A required key that is missing is often present under a misspelt name.
      std::vector<std::string> strays;
      for (const auto& item : instance.items()) {
        if (!has_properties || !properties->contains(item.key())) strays.push_back(item.key());
      }
      const std::string hint = did_you_mean(key, strays);
      if (!hint.empty()) msg += " (found " + quote(hint) + "; a typo?)";
      out.push_back({pointer, msg});
    }
  }

  for (const auto& item : instance.items()) {
    const std::string& key = item.key();
    const std::string at = child(pointer, key);
    if (property_names != schema.end()) {
      Violations sub;
      validate(json(key), *property_names, at, sub);
      for (const SchemaViolation& v : sub)
        out.push_back({at, "key " + quote(key) + ": " + v.message});
    }
    bool known = false;
    if (has_properties) {
      if (auto sub = properties->find(key); sub != properties->end()) {
        known = true;
        validate(item.value(), *sub, at, out);
      }
    }
    if (has_patterns) {
      for (const auto& p : pattern_properties->items()) {
        if (!std::regex_search(key, compiled(p.key(), ""))) continue;
        known = true;
        validate(item.value(), p.value(), at, out);
      }
    }
    if (known || additional == schema.end()) continue;
    if (!(additional->is_boolean() && !additional->get<bool>())) {
      validate(item.value(), *additional, at, out);
      continue;
    }
    std::vector<std::string> names;
    if (has_properties) {
      for (const auto& p : properties->items()) names.push_back(p.key());
    }
    std::string msg = "unknown key " + quote(key);
    const std::string hint = did_you_mean(key, names);
    if (!hint.empty()) {
      msg += "; did you mean " + quote(hint) + "?";
    } else {
      std::vector<std::string> allowed;
      if (!names.empty()) allowed.push_back("one of " + quoted_list(names));
      if (has_patterns) {
        std::vector<std::string> patterns;
        for (const auto& p : pattern_properties->items()) patterns.push_back(p.key());
        allowed.push_back("a key matching " + quoted_list(patterns));
      }
      msg += allowed.empty() ? "; no keys are allowed here" : "; expected " + join_words(allowed);
    }
    out.push_back({at, msg});
  }
}

void Validator::validate_alternatives(const json& instance, const json& branches, bool exactly_one,
                                      const std::string& pointer, Violations& out) {
  std::vector<Violations> results(branches.size());
  std::vector<size_t> passing;
  for (size_t i = 0; i < branches.size(); ++i) {
    validate(instance, branches[i], pointer, results[i]);
    if (results[i].empty()) passing.push_back(i);
  }
  if (passing.empty()) {
    report_no_match(instance, branches, results, pointer, out);
  } else if (exactly_one && passing.size() > 1) {
    std::vector<std::string> which;
    for (size_t i : passing) which.push_back(std::to_string(i));
    out.push_back({pointer, "matches alternatives " + join_words(which, " and ") +
                                " of \"oneOf\", but must match exactly one"});
  }
}

void Validator::report_no_match(const json& instance, const json& branches,
                                const std::vector<Violations>& results, const std::string& pointer,
                                Violations& out) {
  // The branches written for this kind of value are the ones whose complaints are useful.
  std::vector<size_t> candidates;
  std::vector<size_t> untyped;
  for (size_t i = 0; i < branches.size(); ++i) {
    const auto types = branch_types(branches[i]);
    if (!types) {
      untyped.push_back(i);
    } else if (std::any_of(types->begin(), types->end(),
                           [&](const std::string& t) { return matches_type(instance, t); })) {
      candidates.push_back(i);
    }
  }
  if (candidates.empty()) candidates = untyped;

  if (candidates.empty()) {
    std::vector<std::string> phrases;
    for (size_t i = 0; i < branches.size(); ++i) {
      std::string phrase = describe_schema(branches[i]);
      if (phrase.empty()) phrase = "alternative " + std::to_string(i);
      if (std::find(phrases.begin(), phrases.end(), phrase) == phrases.end()) {
        phrases.push_back(phrase);
      }
    }
    out.push_back(
        {pointer, "expected " + join_words(phrases) + ", got " + describe_value(instance)});
    return;
  }
  if (candidates.size() == 1) {
    const Violations& chosen = results[candidates[0]];
    out.insert(out.end(), chosen.begin(), chosen.end());
    return;
  }
  if (instance.is_object()) {
    const PinnedKeys pinned = discriminators(branches, candidates);
    std::vector<size_t> selected;
    for (size_t k = 0; k < candidates.size(); ++k) {
      if (discriminator_matches(instance, pinned[k])) selected.push_back(candidates[k]);
    }
    if (selected.size() == 1) {
      const Violations& chosen = results[selected[0]];
      out.insert(out.end(), chosen.begin(), chosen.end());
      return;
    }
    if (selected.empty() && report_bad_discriminator(instance, pinned, pointer, out)) {
      return;
    }
  }
  // Nothing tells the candidates apart: say why each one failed, briefly.
  std::string msg = "matches none of the alternatives:";
  for (size_t k = 0; k < candidates.size(); ++k) {
    const SchemaViolation& first = results[candidates[k]].front();
    msg += (k ? "; " : " ") + std::string("alternative ") + std::to_string(candidates[k]) + ": " +
           (first.pointer == pointer ? "" : first.pointer + ": ") + first.message;
  }
  out.push_back({pointer, msg});
}

bool Validator::report_bad_discriminator(const json& instance, const PinnedKeys& per_branch,
                                         const std::string& pointer, Violations& out) {
  // A key pinned in every candidate (like "name": "sgd" | "adam") selects the alternative; when
  // it is missing or wrong, that is the one mistake worth reporting.
  for (const auto& first : per_branch[0]) {
    const std::string& key = first.first;
    json values = json::array();
    bool in_all = true;
    for (const auto& pinned : per_branch) {
      auto it =
          std::find_if(pinned.begin(), pinned.end(), [&](const auto& p) { return p.first == key; });
      if (it == pinned.end()) {
        in_all = false;
        break;
      }
      for (const json& v : it->second) {
        if (!contains_value(values, v)) values.push_back(v);
      }
    }
    if (!in_all) continue;
    if (!instance.contains(key)) {
      out.push_back({pointer, "missing required key " + quote(key) + " (one of " +
                                  value_list(values) + "), which selects the alternative"});
      return true;
    }
    if (!contains_value(values, instance.at(key))) {
      out.push_back({child(pointer, key), enum_message(values, instance.at(key))});
      return true;
    }
  }
  return false;
}

const json* Validator::ref_target(const json& schema) const {
  if (!schema.is_object()) return nullptr;
  auto it = schema.find("$ref");
  return it == schema.end() ? nullptr : &resolve_ref(it->get<std::string>(), "");
}

std::optional<std::vector<std::string>> Validator::branch_types(const json& schema,
                                                                int hops) const {
  if (hops > kMaxHops) return std::nullopt;
  if (schema.is_boolean()) {
    if (schema.get<bool>()) return std::nullopt;
    return std::vector<std::string>{};
  }
  if (auto it = schema.find("type"); it != schema.end()) {
    if (it->is_string()) return std::vector<std::string>{it->get<std::string>()};
    return it->get<std::vector<std::string>>();
  }
  if (auto it = schema.find("const"); it != schema.end()) {
    return std::vector<std::string>{type_of(*it)};
  }
  if (auto it = schema.find("enum"); it != schema.end()) {
    std::vector<std::string> types;
    for (const json& v : *it) types.push_back(type_of(v));
    return types;
  }
  if (const json* target = ref_target(schema)) return branch_types(*target, hops + 1);
  if (auto it = schema.find("allOf"); it != schema.end()) {
    for (const json& part : *it) {
      if (auto types = branch_types(part, hops + 1)) return types;
    }
  }
  return std::nullopt;
}

void Validator::collect_pinned(const json& schema, int hops, std::vector<Pinned>& pinned) const {
  if (hops > kMaxHops || !schema.is_object()) return;
  if (auto properties = schema.find("properties"); properties != schema.end()) {
    for (const auto& item : properties->items()) {
      const json* property = &item.value();
      for (int i = 0; i < kMaxHops && property->is_object() && !property->contains("const") &&
                      !property->contains("enum") && ref_target(*property);
           ++i) {
        property = ref_target(*property);
      }
      if (!property->is_object()) continue;
      if (auto c = property->find("const"); c != property->end()) {
        pinned.push_back({item.key(), json::array({*c}), true});
      } else if (auto e = property->find("enum"); e != property->end() && e->is_array()) {
        pinned.push_back({item.key(), *e, false});
      }
    }
  }
  if (const json* target = ref_target(schema)) collect_pinned(*target, hops + 1, pinned);
  if (auto it = schema.find("allOf"); it != schema.end()) {
    for (const json& part : *it) collect_pinned(part, hops + 1, pinned);
  }
}

PinnedKeys Validator::discriminators(const json& branches,
                                     const std::vector<size_t>& candidates) const {
  // A const tells alternatives apart ("op": "rotate"). An enum does only when every candidate
  // pins that key and no value is in two of them ("name": "simple_cnn" | one of the resnets | one
  // of the vggs); an enum-valued option such as "fill" is a field of the chosen alternative,
  // whose own message should win.
  std::vector<std::vector<Pinned>> all(candidates.size());
  for (size_t k = 0; k < candidates.size(); ++k) collect_pinned(branches[candidates[k]], 0, all[k]);
  auto selects_by_enum = [&](const std::string& key) {
    json seen = json::array();
    for (const auto& pinned : all) {
      auto it =
          std::find_if(pinned.begin(), pinned.end(), [&](const Pinned& p) { return p.key == key; });
      if (it == pinned.end()) return false;
      for (const json& v : it->values) {
        if (contains_value(seen, v)) return false;
        seen.push_back(v);
      }
    }
    return true;
  };
  PinnedKeys out(candidates.size());
  for (size_t k = 0; k < candidates.size(); ++k) {
    for (const Pinned& p : all[k]) {
      if (p.by_const || selects_by_enum(p.key)) out[k].emplace_back(p.key, p.values);
    }
  }
  return out;
}

bool Validator::discriminator_matches(
    const json& instance, const std::vector<std::pair<std::string, json>>& pinned) const {
  // Every pinned key the instance has must agree, and at least one must be there: a shared
  // pinned key (like "version": 1) alone does not single out a branch, the others will agree too.
  bool any_present = false;
  for (const auto& [key, values] : pinned) {
    if (!instance.contains(key)) continue;
    if (!contains_value(values, instance.at(key))) return false;
    any_present = true;
  }
  return any_present;
}

std::string Validator::describe_schema(const json& schema, int hops) const {
  if (hops > kMaxHops) return "";
  if (schema.is_boolean()) return schema.get<bool>() ? "anything" : "nothing";
  if (auto it = schema.find("const"); it != schema.end()) return dump_short(*it);
  if (auto it = schema.find("enum"); it != schema.end()) {
    return it->size() == 1 ? dump_short((*it)[0]) : "one of " + value_list(*it);
  }
  if (auto it = schema.find("type"); it != schema.end()) return describe_types(*it);
  if (const json* target = ref_target(schema)) return describe_schema(*target, hops + 1);
  return "";
}

}  // namespace

std::vector<SchemaViolation> validate_json(const nlohmann::json& instance,
                                           const nlohmann::json& schema) {
  Validator validator(schema);
  std::vector<SchemaViolation> out;
  validator.validate(instance, schema, "", out);
  return out;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string folded = lower_ascii(word);
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  std::string best;
  for (const std::string& candidate : candidates) {
    const size_t d = osa_distance(folded, lower_ascii(candidate));
    // Rewriting every character is not a typo: "lr" must not suggest "wd".
    if (d < best_distance && d < std::max(word.size(), candidate.size())) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

namespace {

std::string line_col(const std::string& text, size_t byte) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

// nlohmann's messages start "[json.exception.parse_error.101] parse error at line 1, column 2: ";
// the position is ours to say (line_col), so keep what comes after "syntax error" or the id.
std::string json_reason(const std::string& what) {
  const auto syntax = what.find("syntax error");
  if (syntax != std::string::npos) return what.substr(syntax);
  const auto id_end = what.find("] ");
  return id_end == std::string::npos ? what : what.substr(id_end + 2);
}

}  // namespace

template <typename Json>
Json parse_json_text(const std::string& text, const std::string& where) {
  // The callback sees the depth of every value as it is parsed; refusing there stops a deep
  // document before any recursive code (destructor included) meets it.
  using Event = nlohmann::detail::parse_event_t;
  const auto limit_depth = [&](int depth, Event event, Json&) {
    // depth is that of the container being opened: 0 for the outermost one.
    if ((event == Event::object_start || event == Event::array_start) && depth >= kMaxJsonDepth) {
      throw InputError(where, "JSON nests deeper than " + std::to_string(kMaxJsonDepth) +
                                  " levels of arrays and objects");
    }
    return true;
  };
  try {
    return Json::parse(text, limit_depth);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(where, "not valid JSON at " + line_col(text, e.byte > 0 ? e.byte - 1 : 0) +
                                ": " + json_reason(e.what()));
  } catch (const nlohmann::json::exception& e) {  // out_of_range.406: a number overflows a double
    throw InputError(where, "not valid JSON: " + json_reason(e.what()));
  }
}

template nlohmann::json parse_json_text<nlohmann::json>(const std::string&, const std::string&);
template nlohmann::ordered_json parse_json_text<nlohmann::ordered_json>(const std::string&,
                                                                       const std::string&);

}  // namespace gauntlet
