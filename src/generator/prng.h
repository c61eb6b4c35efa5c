// The generator's own pseudo-random numbers: xoshiro256** seeded through splitmix64.
//
// std::mt19937 is portable but std::*_distribution is not (libstdc++ and libc++ map the
// same engine output to different values), and the manifest promises byte-identical files
// for a seed on every platform. Everything here is integer arithmetic with fixed
// algorithms; Uniform01() returns a double only to drive choices, never amounts.
#pragma once

#include <cstdint>

namespace salesflow::generator {

// One step of splitmix64: a good 64-bit mixer, used to derive independent seeds.
constexpr uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A stateless hash of two values, for attributes that must not depend on draw order
// (a customer's country is a function of the seed and the customer, nothing else).
constexpr uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t state = a ^ (b * 0xD1B54A32D192ED03ULL);
  return SplitMix64(state);
}

// xoshiro256** 1.0 (Blackman & Vigna). Not thread-safe; one instance per stream.
class Prng {
 public:
  explicit Prng(uint64_t seed) {
    for (uint64_t& word : s_) word = SplitMix64(seed);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound) by Lemire's multiply-shift (bias < 2^-40 for our bounds).
  // REQUIRES: bound > 0.
  uint64_t Below(uint64_t bound) {
    __extension__ typedef unsigned __int128 Wide;
    return static_cast<uint64_t>((static_cast<Wide>(Next()) * bound) >> 64);
  }

  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform01() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // True with probability `p` (p <= 0 never, p >= 1 always).
  bool Chance(double p) { return Uniform01() < p; }

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace salesflow::generator
