// Tests of harness/core/npy and idx: files written by numpy itself (tests/data/npy, made by
// tests/data/make_npy_fixtures.py) read back to exact values, write_npz -> read_npz round trips,
// a table of malformed .npy files each rejected with a specific message, IDX files written here
// with zlib, and (tagged [slow]) the Fashion-MNIST files Debian ships.
#include <stdlib.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "harness/core/array.hpp"
#include "harness/core/error.hpp"
#include "harness/core/idx.hpp"
#include "harness/core/npy.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

using testing::TempDir;
using testing::make_array;
using testing::input_error;

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

// GAUNTLET_TEST_DATA, when defined, is a string literal: the absolute path of tests/data.
#ifdef GAUNTLET_TEST_DATA
const std::string kDataDir = GAUNTLET_TEST_DATA;
#else
const std::string kDataDir = "tests/data";
#endif

std::string fixture(const std::string& name) { return kDataDir + "/npy/" + name; }


std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

template <typename T>
std::vector<T> values(const Array& a) {
  REQUIRE(a.data.size() == static_cast<size_t>(a.numel()) * sizeof(T));
  std::vector<T> out(static_cast<size_t>(a.numel()));
  std::memcpy(out.data(), a.data.data(), a.data.size());
  return out;
}


// A .npy file around `dict`, padded like numpy's writer (newline last, 64-byte aligned).
std::string npy_file(const std::string& dict, const std::string& payload, int major = 1,
                     int minor = 0, bool newline = true) {
  const size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((prefix + header.size() + (newline ? 1 : 0)) % 64 != 0) header += ' ';
  if (newline) header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += static_cast<char>(minor);
  for (size_t i = 0; i < prefix - 8; ++i)
    out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header + payload;
}

const std::string kGoodDict = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }";
const std::string kSix("\x01\x02\x03\x04\x05\x06", 6);

Array parse(const std::string& bytes) {
  return parse_npy(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "mem.npy");
}

std::string with_byte(std::string s, size_t i, char c) {
  s.at(i) = c;
  return s;
}

TEST_CASE("read_npy reads the fixtures numpy wrote", "[io]") {
  SECTION("uint8 NHWC images") {
    const Array a = read_npy(fixture("u1_nhwc.npy"));
    CHECK(a.dtype == "u1");
    CHECK(a.shape == std::vector<int64_t>{2, 3, 3, 3});
    REQUIRE(a.numel() == 54);
    const auto v = values<uint8_t>(a);
    for (size_t i = 0; i < v.size(); ++i) CHECK(v[i] == 4 * i);
  }
  SECTION("int64 labels") {
    const Array a = read_npy(fixture("i8_labels.npy"));
    CHECK(a.dtype == "i8");
    CHECK(a.shape == std::vector<int64_t>{5});
    CHECK(to_int64(a, "labels") == std::vector<int64_t>{0, 9, 3, -7, 1});
  }
  SECTION("float32 matrix") {
    const Array a = read_npy(fixture("f4_2x3.npy"));
    CHECK(a.dtype == "f4");
    CHECK(a.shape == std::vector<int64_t>{2, 3});
    const auto v = values<float>(a);
    CHECK(v == std::vector<float>{0.5f, -1.25f, 3.0f, 1e-3f, 1048576.0f, -0.0f});
    CHECK(std::signbit(v[5]));
  }
  SECTION("Fortran-order float64 comes back in C order") {
    const Array a = read_npy(fixture("f8_fortran.npy"));
    CHECK(a.dtype == "f8");
    CHECK(a.shape == std::vector<int64_t>{2, 3});
    CHECK(values<double>(a) == std::vector<double>{0, 1, 2, 3, 4, 5});
  }
  SECTION("big-endian int32 comes back in host order") {
    const Array a = read_npy(fixture("i4_big_endian.npy"));
    CHECK(a.dtype == "i4");
    CHECK(values<int32_t>(a) == std::vector<int32_t>{1, -2, 70000});
  }
  SECTION("bool") {
    const Array a = read_npy(fixture("b1.npy"));
    CHECK(a.dtype == "b1");
    CHECK(values<uint8_t>(a) == std::vector<uint8_t>{1, 0, 1});
    CHECK(to_int64(a, "b") == std::vector<int64_t>{1, 0, 1});
  }
  SECTION("format versions 2.0 and 3.0") {
    for (const char* name : {"i2_v2.npy", "i2_v3.npy"}) {
      INFO(name);
      const Array a = read_npy(fixture(name));
      CHECK(a.dtype == "i2");
      CHECK(a.shape == std::vector<int64_t>{3});
      CHECK(values<int16_t>(a) == std::vector<int16_t>{-1, 2, 300});
    }
  }
  SECTION("missing file") {
    CHECK_THAT(input_error([] { read_npy(fixture("absent.npy")); }),
               Contains("absent.npy: cannot open: No such file"));
  }
}

TEST_CASE("read_npz reads numpy's savez and savez_compressed", "[io]") {
  SECTION("compressed") {
    const auto arrays = read_npz(fixture("compressed.npz"));
    REQUIRE(arrays.size() == 2);
    const Array& images = arrays.at("images");
    CHECK(images.dtype == "u1");
    CHECK(images.shape == std::vector<int64_t>{2, 3, 3, 3});
    CHECK(images.data == read_npy(fixture("u1_nhwc.npy")).data);
    const Array& labels = arrays.at("labels");
    CHECK(labels.shape == std::vector<int64_t>{5});
    CHECK(to_int64(labels, "labels") == std::vector<int64_t>{0, 9, 3, -7, 1});
  }
  SECTION("stored, with a 0-d member") {
    const auto arrays = read_npz(fixture("stored.npz"));
    REQUIRE(arrays.size() == 2);
    CHECK(arrays.at("floats").shape == std::vector<int64_t>{2, 3});
    CHECK(values<float>(arrays.at("floats"))[1] == -1.25f);
    const Array& scalar = arrays.at("scalar");
    CHECK(scalar.dtype == "f8");
    CHECK(scalar.shape.empty());
    CHECK(scalar.numel() == 1);
    CHECK(values<double>(scalar) == std::vector<double>{2.5});
  }
}

TEST_CASE("parse_npy accepts what numpy may write", "[io]") {
  SECTION("0-d and empty arrays") {
    const Array scalar = parse(npy_file("{'descr': '<i4', 'fortran_order': False, 'shape': (), }",
                                        std::string("\x07\x00\x00\x00", 4)));
    CHECK(scalar.shape.empty());
    CHECK(values<int32_t>(scalar) == std::vector<int32_t>{7});
    const Array empty =
        parse(npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }", ""));
    CHECK(empty.shape == std::vector<int64_t>{0, 3});
    CHECK(empty.numel() == 0);
    CHECK(empty.data.empty());
  }
  SECTION("Python 2 longs, double quotes, no trailing comma, '<' on a byte type") {
    const Array a = parse(
        npy_file("{\"descr\": \"<u1\", \"fortran_order\": False, \"shape\": (2L, 3L)}", kSix));
    CHECK(a.dtype == "u1");
    CHECK(a.shape == std::vector<int64_t>{2, 3});
    CHECK(values<uint8_t>(a) == std::vector<uint8_t>{1, 2, 3, 4, 5, 6});
  }
  SECTION("3-d Fortran order is transposed to C order") {
    // Element (i, j, k) of a 2x3x4 array holds 100i + 10j + k; in Fortran order i varies fastest.
    std::vector<int16_t> f;
    for (int k = 0; k < 4; ++k)
      for (int j = 0; j < 3; ++j)
        for (int i = 0; i < 2; ++i) f.push_back(static_cast<int16_t>(100 * i + 10 * j + k));
    const std::string payload(reinterpret_cast<const char*>(f.data()), f.size() * 2);
    const Array a =
        parse(npy_file("{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3, 4), }", payload));
    const auto v = values<int16_t>(a);
    size_t n = 0;
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 4; ++k) CHECK(v[n++] == 100 * i + 10 * j + k);
  }
  SECTION("big-endian float64 and uint16") {
    const Array d = parse(npy_file("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }",
                                   std::string("\x3f\xf8\x00\x00\x00\x00\x00\x00", 8)));
    CHECK(values<double>(d) == std::vector<double>{1.5});
    const Array u = parse(npy_file("{'descr': '>u2', 'fortran_order': False, 'shape': (2,), }",
                                   std::string("\x01\x02\xff\xfe", 4)));
    CHECK(values<uint16_t>(u) == std::vector<uint16_t>{0x0102, 0xfffe});
  }
}

TEST_CASE("parse_npy rejects malformed files with a precise message", "[io]") {
  using Row = std::tuple<std::string, std::string, std::string>;
  auto [name, bytes, expected] = GENERATE(table<std::string, std::string, std::string>({
      Row{"empty file", "", "bad magic"},
      Row{"pickle instead of npy", "\x80\x04\x95\x10\x00\x00\x00\x00", "bad magic"},
      Row{"bad magic", with_byte(npy_file(kGoodDict, kSix), 5, 'X'), "bad magic"},
      Row{"version 4.0", npy_file(kGoodDict, kSix, 4), "unsupported .npy format version 4.0"},
      Row{"version 1.1", npy_file(kGoodDict, kSix, 1, 1), "unsupported .npy format version 1.1"},
      Row{"cut in length field", npy_file(kGoodDict, kSix).substr(0, 9),
          "file ends inside its length field"},
      Row{"truncated header", npy_file(kGoodDict, kSix).substr(0, 40),
          "truncated header: declares 118 bytes, file has 30"},
      Row{"extra key",
          npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", kSix),
          "unexpected header key 'x'"},
      Row{"missing key", npy_file("{'descr': '|u1', 'fortran_order': False}", kSix),
          "header lacks key 'shape'"},
      Row{"duplicate key",
          npy_file("{'descr': '|u1', 'descr': '|u1', 'fortran_order': False, 'shape': (6,)}", kSix),
          "duplicate header key 'descr'"},
      Row{"object dtype", npy_file("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", ""),
          "object dtype '|O' is not supported"},
      Row{"structured dtype",
          npy_file("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (2,), }", ""),
          "structured dtype"},
      Row{"unicode dtype",
          npy_file("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", ""),
          "unsupported dtype '<U3'"},
      Row{"half float", npy_file("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", kSix),
          "unsupported dtype '<f2'"},
      Row{"multi-byte type without byte order",
          npy_file("{'descr': '|i2', 'fortran_order': False, 'shape': (3,), }", kSix),
          "dtype '|i2' lacks a byte order"},
      Row{"fortran_order not a bool",
          npy_file("{'descr': '|u1', 'fortran_order': 0, 'shape': (6,), }", kSix),
          "fortran_order must be True or False"},
      Row{"payload one byte short", npy_file(kGoodDict, kSix.substr(0, 5)),
          "payload is 5 bytes, but shape (2, 3) of u1 needs 6"},
      Row{"payload one byte long", npy_file(kGoodDict, kSix + "x"),
          "payload is 7 bytes, but shape (2, 3) of u1 needs 6"},
      Row{"negative dimension",
          npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (-2, -3), }", kSix),
          "negative dimension -2 in shape"},
      Row{"shape product overflows",
          npy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
                   kSix),
          "overflows: more than 2^63 bytes"},
      Row{"dimension overflows int64",
          npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999,), }",
                   kSix),
          "dimension 99999999999999999999 in shape overflows int64"},
      Row{"shape not a tuple",
          npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (6), }", kSix),
          "is not a tuple"},
      Row{"float in shape",
          npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (6.0,), }", kSix),
          "expected ','"},
      Row{"no newline after the dict", npy_file(kGoodDict, kSix, 1, 0, false),
          "unexpected characters after the header dict"},
      Row{"code after the dict", npy_file(kGoodDict + " + 1", kSix),
          "unexpected characters after the header dict"},
      Row{"escape in a string",
          npy_file("{'descr': '|u\\x31', 'fortran_order': False, 'shape': (2, 3), }", kSix),
          "escape sequences are not supported"},
      Row{"control character in a string",
          npy_file("{'descr': '|u1\t', 'fortran_order': False, 'shape': (2, 3), }", kSix),
          "non-printable"},
      Row{"bool byte that is not 0 or 1",
          npy_file("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
                   std::string("\x01\x00\x02", 3)),
          "bool element 2 is 2, not 0 or 1"},
  }));
  INFO(name);
  const std::string input = bytes;  // clang 14 cannot capture a structured binding
  const std::string message = input_error([&] { parse(input); });
  CHECK_THAT(message, Contains(expected));
  CHECK_THAT(message, Catch::Matchers::StartsWith("mem.npy: "));
}

TEST_CASE("write_npz round trips through read_npz", "[io]") {
  TempDir dir;
  const std::string path = dir.file("sub/out.npz");
  const Array images = make_array<uint8_t>("u1", {2, 2, 2, 3}, [] {
    std::vector<uint8_t> v(24);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint8_t>(250 + i);  // wraps past 255
    return v;
  }());
  const Array labels = make_array<int64_t>("i8", {2}, {-5, INT64_MAX});
  const Array probs = make_array<float>("f4", {2, 3}, {0.25f, 0.5f, 0.25f, 1e-30f, 0.f, 1.f});
  const Array scalar = make_array<double>("f8", {}, {3.25});
  const Array empty = make_array<int32_t>("i4", {0, 7}, {});
  const Array flags = make_array<uint8_t>("b1", {3}, {1, 1, 0});
  const Array u16 = make_array<uint16_t>("u2", {2}, {1, 65535});
  write_npz(path, {{"images", &images},
                   {"labels", &labels},
                   {"probs", &probs},
                   {"scalar", &scalar},
                   {"empty", &empty},
                   {"flags", &flags},
                   {"u16", &u16}});

  const auto back = read_npz(path);
  REQUIRE(back.size() == 7);
  for (const auto& [key, original] :
       std::vector<std::pair<std::string, const Array*>>{{"images", &images},
                                                         {"labels", &labels},
                                                         {"probs", &probs},
                                                         {"scalar", &scalar},
                                                         {"empty", &empty},
                                                         {"flags", &flags},
                                                         {"u16", &u16}}) {
    INFO(key);
    const Array& a = back.at(key);
    CHECK(a.dtype == original->dtype);
    CHECK(a.shape == original->shape);
    CHECK(a.data == original->data);
  }
  // Nothing but the archive is left behind.
  CHECK(std::distance(fs::directory_iterator(dir.path() / "sub"), fs::directory_iterator{}) == 1);

  SECTION("payloads are 64-byte aligned like numpy's") {
    const std::string raw = slurp(path);
    size_t found = 0;
    for (size_t at = raw.find("\x93NUMPY"); at != std::string::npos;
         at = raw.find("\x93NUMPY", at + 1)) {
      ++found;
      CHECK(raw[at + 6] == 1);
      const size_t header_len =
          static_cast<uint8_t>(raw[at + 8]) | static_cast<uint8_t>(raw[at + 9]) << 8;
      CHECK((10 + header_len) % 64 == 0);
      CHECK(raw[at + 10 + header_len - 1] == '\n');
    }
    CHECK(found == 7);
  }
  SECTION("overwrites an existing file") {
    write_npz(path, {{"u16", &u16}});
    const auto again = read_npz(path);
    REQUIRE(again.size() == 1);
    CHECK(again.at("u16").data == u16.data);
  }
  SECTION("an empty archive") {
    write_npz(path, {});
    CHECK(read_npz(path).empty());
  }
}

TEST_CASE("write_npz refuses bad arguments and unwritable paths", "[io]") {
  TempDir dir;
  const Array ok = make_array<uint8_t>("u1", {2}, {1, 2});
  const Array short_data = make_array<uint8_t>("u1", {3}, {1, 2});
  const Array bad_dtype = make_array<uint8_t>("c8", {2}, {1, 2});
  const std::string path = dir.file("x.npz");
  CHECK_THROWS_AS(write_npz(path, {{"a", &short_data}}), std::invalid_argument);
  CHECK_THROWS_AS(write_npz(path, {{"a", &bad_dtype}}), std::invalid_argument);
  CHECK_THROWS_AS(write_npz(path, {{"", &ok}}), std::invalid_argument);
  CHECK_THROWS_AS(write_npz(path, {{"a", &ok}, {"a", &ok}}), std::invalid_argument);
  CHECK_THROWS_AS(write_npz(path, {{"a", nullptr}}), std::invalid_argument);
  CHECK_FALSE(fs::exists(path));

  spit(dir.file("plain"), "not a folder");
  CHECK_THROWS_WITH(write_npz(dir.file("plain/x.npz"), {{"a", &ok}}),
                    Contains("plain/x.npz: cannot write"));
}

TEST_CASE("read_npz rejects bad archives and names the member", "[io]") {
  TempDir dir;
  const std::string path = dir.file("bad.npz");

  SECTION("missing file") {
    CHECK_THAT(input_error([&] { read_npz(dir.file("absent.npz")); }),
               Contains("absent.npz: cannot open as a zip archive"));
  }
  SECTION("not a zip") {
    spit(path, npy_file(kGoodDict, kSix));
    CHECK_THAT(input_error([&] { read_npz(path); }),
               Contains("bad.npz: cannot open as a zip archive: Not a zip archive"));
  }
  SECTION("a member that is not .npy data") {
    int code = 0;
    zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    REQUIRE(za != nullptr);
    static const char kText[] = "hello";
    zip_source_t* src = zip_source_buffer(za, kText, 5, 0);
    REQUIRE(zip_file_add(za, "x.npy", src, 0) >= 0);
    REQUIRE(zip_close(za) == 0);
    CHECK_THAT(input_error([&] { read_npz(path); }), Contains("bad.npz[x.npy]: not a .npy file"));
  }

  // Damage a stored archive written by write_npz in place: changing a payload byte breaks only
  // the CRC, since stored data is not otherwise checked.
  const Array a = make_array<int32_t>("i4", {4}, {1, 2, 3, 4});
  write_npz(path, {{"a", &a}});
  std::string raw = slurp(path);
  const size_t central = raw.find("PK\x01\x02");
  REQUIRE(central != std::string::npos);

  SECTION("CRC mismatch") {
    const size_t magic = raw.find("\x93NUMPY");
    REQUIRE(magic != std::string::npos);
    const size_t payload = magic + 10 + static_cast<uint8_t>(raw[magic + 8]);
    REQUIRE(raw[payload] == 1);  // the first int32, little-endian
    raw[payload] = 5;
    spit(path, raw);
    CHECK_THAT(input_error([&] { read_npz(path); }),
               Contains("bad.npz[a.npy]: cannot read member"));
  }
  SECTION("declared size larger than the stored bytes") {
    // Uncompressed size fields: offset 22 in the local header, 24 in the central header. Both are
    // patched so that libzip's consistency check passes and ours is the one that fires.
    for (size_t at : {size_t{22}, central + 24}) raw.replace(at, 4, "\x00\x00\x00\x7f", 4);
    spit(path, raw);
    CHECK_THAT(input_error([&] { read_npz(path); }),
               Contains("bad.npz[a.npy]: stored member declares 2130706432 bytes uncompressed"));
  }
}

TEST_CASE("to_int64 converts labels and refuses what is not an integer", "[io]") {
  CHECK(to_int64(make_array<float>("f4", {3}, {0.f, 9.f, -3.f}), "l") ==
        std::vector<int64_t>{0, 9, -3});
  CHECK(to_int64(make_array<uint64_t>("u8", {1}, {uint64_t{1} << 62}), "l") ==
        std::vector<int64_t>{int64_t{1} << 62});
  CHECK(to_int64(make_array<int8_t>("i1", {2}, {-128, 127}), "l") ==
        std::vector<int64_t>{-128, 127});
  CHECK_THAT(input_error([] {
               to_int64(make_array<double>("f8", {2}, {1.0, 2.5}), "y.npy");
             }),
             Contains("y.npy: element 1 of f8 array is 2.5, not an integer"));
  CHECK_THAT(input_error([] {
               to_int64(make_array<float>("f4", {1}, {std::numeric_limits<float>::quiet_NaN()}),
                        "y");
             }),
             Contains("element 0 of f4 array is nan"));
  CHECK_THAT(input_error([] { to_int64(make_array<double>("f8", {1}, {1e19}), "y"); }),
             Contains("not an integer in int64 range"));
  CHECK_THAT(input_error([] { to_int64(make_array<uint64_t>("u8", {1}, {~uint64_t{0}}), "y"); }),
             Contains("element 0 is 18446744073709551615, too large for int64"));
  CHECK_THAT(input_error([] { to_int64(make_array<uint8_t>("U1", {1}, {0}), "y"); }),
             Contains("dtype 'U1' is not numeric"));
  CHECK_THAT(input_error([] { to_int64(make_array<uint8_t>("u1", {3}, {0}), "y"); }),
             Contains("array holds 1 bytes, shape needs 3"));
}

// An IDX file: magic, big-endian int32 dims, then `payload` as given.
std::string idx_file(uint8_t type, const std::vector<int32_t>& dims, const std::string& payload) {
  std::string out{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (int32_t d : dims) {
    const auto u = static_cast<uint32_t>(d);
    for (int shift : {24, 16, 8, 0}) out += static_cast<char>((u >> shift) & 0xff);
  }
  return out + payload;
}

void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb9");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

TEST_CASE("read_idx reads gzip and plain IDX files", "[io]") {
  TempDir dir;
  std::string pixels;
  for (int i = 0; i < 2 * 3 * 4; ++i) pixels += static_cast<char>(i * 10);
  const std::string images = idx_file(0x08, {2, 3, 4}, pixels);

  for (const bool gz : {true, false}) {
    INFO((gz ? "gzip" : "plain"));
    const std::string path = dir.file(gz ? "images.gz" : "images");
    if (gz) {
      write_gz(path, images);
    } else {
      spit(path, images);
    }
    const Array a = read_idx(path);
    CHECK(a.dtype == "u1");
    CHECK(a.shape == std::vector<int64_t>{2, 3, 4});
    const auto v = values<uint8_t>(a);
    for (size_t i = 0; i < v.size(); ++i) CHECK(v[i] == 10 * i);
  }

  SECTION("big-endian int32 and float32 become host order") {
    spit(dir.file("i4"), idx_file(0x0C, {2}, std::string("\x00\x01\x00\x02\xff\xff\xff\xfe", 8)));
    const Array i = read_idx(dir.file("i4"));
    CHECK(i.dtype == "i4");
    CHECK(values<int32_t>(i) == std::vector<int32_t>{65538, -2});
    write_gz(dir.file("f4.gz"), idx_file(0x0D, {1, 1}, std::string("\xc0\x20\x00\x00", 4)));
    const Array f = read_idx(dir.file("f4.gz"));
    CHECK(f.shape == std::vector<int64_t>{1, 1});
    CHECK(values<float>(f) == std::vector<float>{-2.5f});
  }
}

TEST_CASE("read_idx rejects malformed IDX files", "[io]") {
  TempDir dir;
  const std::string path = dir.file("bad.gz");
  const std::string six = "abcdef";
  auto [name, bytes, expected] = GENERATE_COPY(table<std::string, std::string, std::string>({
      {"empty", "", "file ends inside the 4-byte IDX magic"},
      {"wrong magic", "\x01\x02" + idx_file(0x08, {6}, six).substr(2), "bad IDX magic 0x01 0x02"},
      {"npy file", npy_file(kGoodDict, kSix), "bad IDX magic 0x93 0x4e"},
      {"unknown type", idx_file(0x0A, {6}, six), "unsupported IDX element type 0x0a"},
      {"rank 0", idx_file(0x08, {}, six), "IDX file declares 0 dimensions"},
      {"dims cut short", idx_file(0x08, {2, 3}, "").substr(0, 9),
       "file ends inside the 2 dimension sizes"},
      {"zero dimension", idx_file(0x08, {2, 0}, ""), "dimension 1 is 0; IDX dimensions must be"},
      {"negative dimension", idx_file(0x08, {-1}, six), "dimension 0 is -1"},
      {"truncated payload", idx_file(0x08, {2, 3}, six.substr(0, 5)),
       "truncated payload: dimensions declare 6 bytes, file has 5"},
      {"truncated int32 payload", idx_file(0x0C, {2}, six),
       "truncated payload: dimensions declare 8 bytes, file has 6"},
      {"trailing data", idx_file(0x08, {2, 3}, six + "g"),
       "trailing data after the 6-byte payload"},
      {"huge dimensions", idx_file(0x0E, {0x7fffffff, 0x7fffffff, 0x7fffffff}, six),
       "dimensions overflow"},
  }));
  INFO(name);
  for (const bool gz : {true, false}) {
    INFO((gz ? "gzip" : "plain"));
    if (gz) {
      write_gz(path, bytes);
    } else {
      spit(path, bytes);
    }
    const std::string message = input_error([&] { read_idx(path); });
    CHECK_THAT(message, Contains(expected));
    CHECK_THAT(message, Catch::Matchers::StartsWith(path + ": "));
  }
}

TEST_CASE("read_idx rejects damaged gzip streams", "[io]") {
  TempDir dir;
  const std::string path = dir.file("x.gz");
  write_gz(path, idx_file(0x08, {100}, std::string(100, 'z')));
  const std::string gz = slurp(path);

  SECTION("trailer cut off") {
    spit(path, gz.substr(0, gz.size() - 4));
    CHECK_THAT(input_error([&] { read_idx(path); }), Contains("corrupt gzip stream"));
  }
  SECTION("deflate data cut off") {
    spit(path, gz.substr(0, gz.size() - 12));
    CHECK_THAT(input_error([&] { read_idx(path); }), Contains("corrupt gzip stream"));
  }
  SECTION("CRC mismatch") {
    spit(path, with_byte(gz, gz.size() - 6, static_cast<char>(gz[gz.size() - 6] ^ 1)));
    CHECK_THAT(input_error([&] { read_idx(path); }), Contains("corrupt gzip stream"));
  }
  SECTION("missing file") {
    CHECK_THAT(input_error([&] { read_idx(dir.file("absent.gz")); }),
               Contains("absent.gz: cannot open"));
  }
}

TEST_CASE("read_idx reads Debian's Fashion-MNIST", "[io][slow]") {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(dir)) {
    WARN("skipped: " << dir << " is absent (install dataset-fashion-mnist)");
    return;
  }
  for (const auto& [split, n] :
       std::vector<std::pair<std::string, int64_t>>{{"train", 60000}, {"t10k", 10000}}) {
    INFO(split);
    const Array images = read_idx(dir + "/" + split + "-images-idx3-ubyte.gz");
    CHECK(images.dtype == "u1");
    CHECK(images.shape == std::vector<int64_t>{n, 28, 28});
    const Array labels = read_idx(dir + "/" + split + "-labels-idx1-ubyte.gz");
    CHECK(labels.dtype == "u1");
    REQUIRE(labels.shape == std::vector<int64_t>{n});
    std::vector<int64_t> counts(10, 0);
    int64_t out_of_range = 0;
    for (int64_t y : to_int64(labels, split)) {
      if (y < 0 || y > 9) {
        ++out_of_range;
      } else {
        ++counts[static_cast<size_t>(y)];
      }
    }
    CHECK(out_of_range == 0);
    CHECK(counts == std::vector<int64_t>(10, n / 10));
  }
}

}  // namespace
}  // namespace gauntlet
