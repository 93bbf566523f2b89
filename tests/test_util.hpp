// Helpers shared by the Catch2 tests: a scratch folder and the message of an expected InputError.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "harness/core/error.hpp"

namespace gauntlet::testing {

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

}  // namespace gauntlet::testing
