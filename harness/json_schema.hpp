// Validates JSON documents (suites, configs) against a subset of JSON Schema (draft 2020-12
// keywords), so that a bad suite is rejected before any training starts, with one message per
// mistake that says where (a JSON pointer) and how to fix it ("did you mean ...?").
//
// Supported keywords: annotations $schema, $id, title, description, default, examples, $comment,
// markdownDescription (ignored); $ref (local "#/..." pointers into the root schema), $defs; type,
// enum, const; properties, required, additionalProperties, patternProperties, propertyNames,
// minProperties; items, prefixItems, minItems, maxItems, uniqueItems; minimum, maximum,
// exclusiveMinimum, exclusiveMaximum; minLength, maxLength, pattern; oneOf, anyOf, allOf, not,
// if/then/else. Any other keyword makes the schema invalid, so nobody relies on a check that is
// silently not made.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gauntlet {

/// One mistake in an instance: where it is and what is wrong, in words meant for the user.
struct SchemaViolation {
  /// JSON pointer into the instance, e.g. "/axes/optimizer/1/lr"; "" for the root.
  std::string pointer;
  /// E.g. `expected a number, got string "0.1"` or `unknown key "optimiser"; did you mean
  /// "optimizer"?`.
  std::string message;
};

/// Every violation of `schema` by `instance`, in a deterministic order (instance keys as
/// nlohmann::json iterates them, i.e. sorted); empty means valid.
/// Throws std::invalid_argument when the schema itself is malformed, uses a keyword outside the
/// supported subset, or has a $ref that does not resolve or loops without consuming the instance.
std::vector<SchemaViolation> validate_json(const nlohmann::json& instance,
                                           const nlohmann::json& schema);

/// Deepest nesting of arrays and objects parse_json_text accepts. The code that walks a document
/// (validation, conversion, dump) recurses once per level, so an unbounded depth is a stack
/// overflow waiting for a crafted file; no suite, pipeline or result comes near this.
inline constexpr int kMaxJsonDepth = 100;

/// Parses a JSON document a user gave us (a suite, a pipeline, a profile, a --set value): text that
/// is not valid JSON, nests deeper than kMaxJsonDepth, or holds a number no double can hold is an
/// InputError naming `where` (with line and column for syntax errors). Json is nlohmann::json or
/// nlohmann::ordered_json.
template <typename Json = nlohmann::json>
Json parse_json_text(const std::string& text, const std::string& where);

/// The candidate closest to `word` by optimal-string-alignment (Damerau-Levenshtein) distance,
/// ignoring ASCII case; "" when none is within max(2, word.size() / 3) edits, or when the edits
/// would replace the whole word. Ties go to the earlier candidate.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace gauntlet
