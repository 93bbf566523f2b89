#include "harness/core/hash.hpp"

#include <xxhash.h>

#include <cstdio>
#include <stdexcept>

namespace gauntlet {

Hasher::Hasher() : state_(XXH3_createState()) {
  if (state_ == nullptr) throw std::bad_alloc();
  XXH3_64bits_reset(static_cast<XXH3_state_t*>(state_));
}

Hasher::~Hasher() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

Hasher& Hasher::update(const void* data, size_t size) {
  XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), data, size);
  return *this;
}

Hasher& Hasher::update(const std::string& s) {
  // Length first, so that ("ab","c") and ("a","bc") hash differently.
  update_u64(s.size());
  return update(s.data(), s.size());
}

Hasher& Hasher::update_u64(uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
  return update(b, sizeof b);
}

uint64_t Hasher::digest() const { return XXH3_64bits_digest(static_cast<XXH3_state_t*>(state_)); }

std::string Hasher::hex() const { return to_hex(digest()); }

std::string to_hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string hash_hex(const std::string& bytes) { return to_hex(XXH3_64bits(bytes.data(), bytes.size())); }

}  // namespace gauntlet
