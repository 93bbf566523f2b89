// Class-imbalance samplers: which training indices one epoch visits (light header, no torch).
#pragma once

#include <stdexcept>
#include <string>

namespace gauntlet {

/// kOversample: every class drawn up to the largest class's count (all of its samples, the rest
/// with replacement); kUndersample: every class cut to the smallest class's count (without
/// replacement). Drawn per epoch, then shuffled.
enum class Sampler { kNone, kOversample, kUndersample };

inline Sampler sampler_from_name(const std::string& s) {
  if (s == "none") return Sampler::kNone;
  if (s == "oversample") return Sampler::kOversample;
  if (s == "undersample") return Sampler::kUndersample;
  throw std::invalid_argument("unknown sampler '" + s + "' (none, oversample, undersample)");
}

inline const char* sampler_name(Sampler s) {
  switch (s) {
    case Sampler::kOversample: return "oversample";
    case Sampler::kUndersample: return "undersample";
    default: return "none";
  }
}

}  // namespace gauntlet
