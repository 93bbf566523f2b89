// Helpers shared by the Catch2 tests: an Array from values, a scratch folder, the message of an
// expected InputError, and the message a suite with one augmentation op gets.
#pragma once

#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/array.hpp"
#include "harness/core/error.hpp"
#include "harness/suite.hpp"

namespace gauntlet::testing {

/// An Array (harness/core/array.hpp) of `dtype` and `shape` holding the bytes of `v`.
template <typename T>
Array make_array(const std::string& dtype, std::vector<int64_t> shape, const std::vector<T>& v) {
  Array a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.data.resize(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(a.data.data(), v.data(), a.data.size());
  return a;
}

/// A fresh folder under the temporary directory, removed with everything in it when it goes.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gauntlet-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// Writes `text` to `name` inside the folder; returns the file's path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::string f = file(name);
    std::ofstream(f, std::ios::binary) << text;
    return f;
  }

 private:
  std::filesystem::path path_;
};

/// The message of the InputError `f` throws, or a marker that none was thrown (which no expected
/// message contains, so the test's check fails); any other exception escapes and fails the test.
template <typename F>
std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError thrown>";
}

/// The InputError message of a minimal suite ("bad.json") whose augmentation "a" is the one op
/// `op` (JSON text): how the ops' tests check that the schema rejects a value, and where.
inline std::string op_schema_error(const std::string& op) {
  nlohmann::json doc = nlohmann::json::parse(R"({
    "name": "unit",
    "data": {"source": "fashion-mnist:train"},
    "axes": {"backbone": ["simple_cnn"], "augmentation": {}, "loss": ["cross_entropy"], "optimizer": ["sgd"]}
  })");
  doc["axes"]["augmentation"]["a"] = nlohmann::json::array({nlohmann::json::parse(op)});
  return input_error([&] { parse_suite(doc, "bad.json"); });
}

}  // namespace gauntlet::testing
