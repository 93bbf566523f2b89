// Counter-based random numbers. Every draw in gauntlet is a pure function of a key (suite seed,
// cell, epoch, sample index, op, ...) and a counter, so results never depend on which thread made
// the draw or in which order: Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC 2011), keyed by a 64-bit hash of the key parts.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>

namespace gauntlet {

/// Mixes key parts into one 64-bit key (SplitMix64 finaliser chained over the parts).
inline uint64_t mix_key(std::initializer_list<uint64_t> parts) {
  uint64_t h = 0x9E3779B97F4A7C15ull;
  for (uint64_t p : parts) {
    h ^= p + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 31;
  }
  return h;
}

/// A stream of draws for one key. Cheap to construct: make one per (sample, op).
class Rng {
 public:
  explicit Rng(uint64_t key) : key_{static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32)} {}
  Rng(std::initializer_list<uint64_t> parts) : Rng(mix_key(parts)) {}

  uint32_t next_u32() {
    if (used_ == 4) refill();
    return block_[used_++];
  }
  uint64_t next_u64() {
    const uint64_t hi = next_u32();  // two statements: the order of the draws is fixed
    return (hi << 32) | next_u32();
  }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [0, n), without modulo bias (Lemire's method).
  uint64_t below(uint64_t n);
  bool bernoulli(double p) { return uniform() < p; }
  /// Standard normal by Box-Muller; the second value of each pair is kept for the next call.
  double normal();

 private:
  void refill();
  std::array<uint32_t, 2> key_;
  std::array<uint32_t, 4> block_{};
  uint64_t counter_ = 0;
  int used_ = 4;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

inline std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = 0xD2511F53ull * c[0];
    const uint64_t p1 = 0xCD9E8D57ull * c[2];
    c = {static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<uint32_t>(p1),
         static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<uint32_t>(p0)};
    k[0] += 0x9E3779B9u;
    k[1] += 0xBB67AE85u;
  }
  return c;
}

inline void Rng::refill() {
  block_ = philox4x32_10(
      {static_cast<uint32_t>(counter_), static_cast<uint32_t>(counter_ >> 32), 0u, 0u}, key_);
  ++counter_;
  used_ = 0;
}

inline uint64_t Rng::below(uint64_t n) {
  if (n <= 1) return 0;
  // Rejection on the 64-bit product keeps the draw exactly uniform.
  const uint64_t threshold = (0 - n) % n;
  while (true) {
    const uint64_t x = next_u64();
    const unsigned __int128 m = static_cast<unsigned __int128>(x) * n;
    if (static_cast<uint64_t>(m) >= threshold) return static_cast<uint64_t>(m >> 64);
  }
}

inline double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double t = 6.283185307179586476925 * u2;
  spare_ = r * std::sin(t);
  has_spare_ = true;
  return r * std::cos(t);
}

}  // namespace gauntlet
