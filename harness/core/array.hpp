// A dense n-dimensional array as read from .npy/.npz/IDX files: numpy dtype code, shape and raw
// bytes. Plain on purpose (no torch) so the readers, data sources and tests can share it; callers
// convert to a tensor or a Dataset where they need one.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "harness/core/error.hpp"

namespace gauntlet {

/// Bytes per element of a supported dtype code ("b1", "u1", "i1", "u2", "i2", "u4", "i4", "u8",
/// "i8", "f4", "f8"); 0 for anything else.
inline int dtype_itemsize(const std::string& dtype) {
  if (dtype == "b1" || dtype == "u1" || dtype == "i1") return 1;
  if (dtype == "u2" || dtype == "i2") return 2;
  if (dtype == "u4" || dtype == "i4" || dtype == "f4") return 4;
  if (dtype == "u8" || dtype == "i8" || dtype == "f8") return 8;
  return 0;
}

struct Array {
  std::string dtype;           ///< numpy kind + itemsize without byte order: "u1", "i8", "f4", ...
  std::vector<int64_t> shape;  ///< empty for a 0-d (scalar) array
  std::vector<uint8_t> data;   ///< numel() * itemsize() bytes, C order, host (little-endian) order

  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
  int itemsize() const { return dtype_itemsize(dtype); }
};

namespace array_detail {

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

inline std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

template <typename T>
void integers_to_int64(const Array& a, const std::string& where, std::vector<int64_t>& out) {
  for (size_t i = 0; i < out.size(); ++i) {
    const T v = load<T>(a.data.data() + i * sizeof(T));
    // Only u8 can exceed int64; the comparison is constant-false for the other types.
    if constexpr (sizeof(T) == 8 && !std::is_signed_v<T>) {
      if (v > static_cast<T>(INT64_MAX)) {
        throw InputError(where, "element " + std::to_string(i) + " is " + std::to_string(v) +
                                    ", too large for int64");
      }
    }
    out[i] = static_cast<int64_t>(v);
  }
}

template <typename T>
void floats_to_int64(const Array& a, const std::string& where, std::vector<int64_t>& out) {
  for (size_t i = 0; i < out.size(); ++i) {
    const double v = load<T>(a.data.data() + i * sizeof(T));
    // [-2^63, 2^63) is exactly the doubles that convert to int64 without overflow.
    if (!(v == std::floor(v)) || v < -9223372036854775808.0 || v >= 9223372036854775808.0) {
      throw InputError(where, "element " + std::to_string(i) + " of " + a.dtype + " array is " +
                                  format_double(v) + ", not an integer in int64 range");
    }
    out[i] = static_cast<int64_t>(v);
  }
}

}  // namespace array_detail

/// The elements of `a` as int64 (labels, indices). Accepts integer and bool dtypes, and float
/// dtypes whose every value is an exact integer in int64 range (labels saved as float). Throws
/// InputError naming `where` for other dtypes, non-integral or out-of-range values, or a data
/// size that does not match the shape.
inline std::vector<int64_t> to_int64(const Array& a, const std::string& where) {
  const int itemsize = a.itemsize();
  if (itemsize == 0) throw InputError(where, "dtype '" + a.dtype + "' is not numeric");
  for (int64_t d : a.shape) {
    if (d < 0) throw InputError(where, "negative dimension in shape");
  }
  const int64_t n = a.numel();
  if (a.data.size() != static_cast<uint64_t>(n) * itemsize) {
    throw InputError(where, "array holds " + std::to_string(a.data.size()) +
                                " bytes, shape needs " +
                                std::to_string(static_cast<uint64_t>(n) * itemsize));
  }
  std::vector<int64_t> out(static_cast<size_t>(n));
  const std::string& t = a.dtype;
  using array_detail::floats_to_int64;
  using array_detail::integers_to_int64;
  if (t == "b1" || t == "u1") {
    integers_to_int64<uint8_t>(a, where, out);
  } else if (t == "i1") {
    integers_to_int64<int8_t>(a, where, out);
  } else if (t == "u2") {
    integers_to_int64<uint16_t>(a, where, out);
  } else if (t == "i2") {
    integers_to_int64<int16_t>(a, where, out);
  } else if (t == "u4") {
    integers_to_int64<uint32_t>(a, where, out);
  } else if (t == "i4") {
    integers_to_int64<int32_t>(a, where, out);
  } else if (t == "u8") {
    integers_to_int64<uint64_t>(a, where, out);
  } else if (t == "i8") {
    integers_to_int64<int64_t>(a, where, out);
  } else if (t == "f4") {
    floats_to_int64<float>(a, where, out);
  } else {
    floats_to_int64<double>(a, where, out);
  }
  return out;
}

}  // namespace gauntlet
