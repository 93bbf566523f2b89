#include "models/safetensors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <set>

#include "harness/core/error.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;

struct DtypeRow {
  const char* name;
  SafetensorsDtype dtype;
  size_t size;
};

constexpr DtypeRow kDtypes[] = {
    {"F64", SafetensorsDtype::kF64, 8}, {"F32", SafetensorsDtype::kF32, 4},
    {"F16", SafetensorsDtype::kF16, 2}, {"BF16", SafetensorsDtype::kBF16, 2},
    {"I64", SafetensorsDtype::kI64, 8},
};

const DtypeRow& row_of(SafetensorsDtype d) {
  for (const auto& r : kDtypes) {
    if (r.dtype == d) return r;
  }
  return kDtypes[1];
}

// Non-negative integer that fits in uint64 (JSON numbers may be negative, floats or huge).
bool as_u64(const json& j, uint64_t& out) {
  if (!j.is_number_unsigned()) return false;
  out = j.get<uint64_t>();
  return true;
}

}  // namespace

size_t dtype_size(SafetensorsDtype d) { return row_of(d).size; }
const char* dtype_name(SafetensorsDtype d) { return row_of(d).name; }

SafetensorsHeader parse_safetensors_header(const std::string& path, const uint8_t* data, size_t size) {
  auto fail = [&](const std::string& what) -> void { throw InputError(path, "not a valid safetensors file: " + what); };
  if (size < 8) fail("shorter (" + std::to_string(size) + " bytes) than the 8-byte header length");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | data[i];
  if (n > size - 8) {
    fail("the header length " + std::to_string(n) + " is more than the " + std::to_string(size - 8) +
         " bytes after it (truncated file?)");
  }
  if (n > kMaxSafetensorsHeader) fail("the header length " + std::to_string(n) + " is over the 100 MiB limit");
  if (n < 2) fail("the header length " + std::to_string(n) + " is too small for a JSON object");

  // Duplicate names: nlohmann keeps the last silently, so the top-level keys are collected while
  // parsing.
  std::set<std::string> seen;
  std::string duplicate;
  const auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 1) {
      const std::string key = parsed.get<std::string>();
      if (!seen.insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  json header;
  try {
    header = json::parse(data + 8, data + 8 + n, callback);
  } catch (const json::parse_error& e) {
    fail("the header is not valid JSON (byte " + std::to_string(e.byte) + " of the header)");
  } catch (const json::out_of_range&) {  // a number such as 5E616 (found by fuzz_safetensors)
    fail("the header holds a number too large to represent");
  }
  if (!duplicate.empty()) fail("tensor \"" + duplicate + "\" appears twice in the header");
  if (!header.is_object()) fail("the header is not a JSON object");

  SafetensorsHeader out;
  out.data_begin = 8 + n;
  const uint64_t data_size = size - out.data_begin;
  for (const auto& [name, v] : header.items()) {
    const std::string where = "tensor \"" + name + "\": ";
    if (name == "__metadata__") {
      if (!v.is_object()) fail("__metadata__ is not an object");
      for (const auto& [k, s] : v.items()) {
        if (!s.is_string()) fail("__metadata__ value of \"" + k + "\" is not a string");
        out.metadata[k] = s.get<std::string>();
      }
      continue;
    }
    if (!v.is_object()) fail(where + "not an object");
    for (const auto& [k, unused] : v.items()) {
      if (k != "dtype" && k != "shape" && k != "data_offsets") fail(where + "unknown key \"" + k + "\"");
    }
    if (!v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets")) {
      fail(where + "needs dtype, shape and data_offsets");
    }
    SafetensorsEntry e;
    e.name = name;
    const json& dt = v.at("dtype");
    const auto row = std::find_if(std::begin(kDtypes), std::end(kDtypes),
                                  [&](const DtypeRow& r) { return dt.is_string() && dt.get<std::string>() == r.name; });
    if (row == std::end(kDtypes)) {
      fail(where + "dtype " + dt.dump() + " is not supported (F32, F16, BF16, F64, I64)");
    }
    e.dtype = row->dtype;
    const json& shape = v.at("shape");
    if (!shape.is_array()) fail(where + "shape is not a list");
    uint64_t bytes = row->size;
    for (const auto& d : shape) {
      uint64_t dim = 0;
      if (!as_u64(d, dim)) fail(where + "shape " + shape.dump() + " holds a value that is not a non-negative integer");
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
          (dim != 0 && bytes > std::numeric_limits<uint64_t>::max() / dim)) {
        fail(where + "shape " + shape.dump() + " overflows");
      }
      bytes *= dim;
      e.shape.push_back(static_cast<int64_t>(dim));
    }
    const json& off = v.at("data_offsets");
    uint64_t b = 0, en = 0;
    if (!off.is_array() || off.size() != 2 || !as_u64(off[0], b) || !as_u64(off[1], en)) {
      fail(where + "data_offsets " + off.dump() + " is not [begin, end] of non-negative integers");
    }
    if (b > en || en > data_size) {
      fail(where + "data_offsets [" + std::to_string(b) + ", " + std::to_string(en) +
           "] are not within the data area of " + std::to_string(data_size) + " bytes");
    }
    if (en - b != bytes) {
      fail(where + "dtype " + row->name + " and shape " + shape.dump() + " need " + std::to_string(bytes) +
           " bytes, data_offsets hold " + std::to_string(en - b));
    }
    e.begin = out.data_begin + b;
    e.end = out.data_begin + en;
    out.tensors.push_back(std::move(e));
  }

  // The tensors must tile the data area: no overlap, no gap, nothing after the last one.
  std::vector<const SafetensorsEntry*> sorted;
  for (const auto& e : out.tensors) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(), [](const SafetensorsEntry* a, const SafetensorsEntry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t at = out.data_begin;
  for (const auto* e : sorted) {
    if (e->begin < at) {
      fail("tensor \"" + e->name + "\" (data_offsets [" + std::to_string(e->begin - out.data_begin) + ", " +
           std::to_string(e->end - out.data_begin) + "]) overlaps the tensor before it");
    }
    if (e->begin > at) {
      fail("bytes " + std::to_string(at - out.data_begin) + ".." + std::to_string(e->begin - out.data_begin) +
           " of the data area belong to no tensor (before \"" + e->name + "\")");
    }
    at = e->end;
  }
  if (at != size) {
    fail(std::to_string(size - at) + " bytes after the last tensor belong to no tensor (the data area is " +
         std::to_string(data_size) + " bytes, the tensors cover " + std::to_string(at - out.data_begin) + ")");
  }
  return out;
}

}  // namespace gauntlet
