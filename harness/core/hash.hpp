// Content hashing (XXH3-64) for fingerprints and content-addressed ids.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace gauntlet {

/// Incremental XXH3-64; feed bytes, then `hex()` gives 16 lowercase hex digits.
class Hasher {
 public:
  Hasher();
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  Hasher& update(const void* data, size_t size);
  Hasher& update(const std::string& s);
  /// Hashes the value's bytes after its length-prefix-free encoding; use for fixed-size ints.
  Hasher& update_u64(uint64_t v);
  uint64_t digest() const;
  std::string hex() const;

 private:
  void* state_;
};

std::string hash_hex(const std::string& bytes);
std::string to_hex(uint64_t v);

}  // namespace gauntlet
