#include "harness/core/memory_limit.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness/core/error.hpp"

namespace gauntlet {
namespace {

constexpr const char* kVariable = "GAUNTLET_MAX_MEMORY";

uint64_t system_available_bytes() {
  std::ifstream in("/proc/meminfo");
  for (std::string line; std::getline(in, line);) {
    unsigned long long kib = 0;
    if (std::sscanf(line.c_str(), "MemAvailable: %llu kB", &kib) == 1) return uint64_t{kib} * 1024;
  }
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : UINT64_MAX;
}

uint64_t parse_size(const std::string& text) {
  const auto bad = [&]() -> uint64_t {
    throw InputError(kVariable, "expected a positive size such as 8G, 512M or 1000000, got \"" + text + "\"");
  };
  size_t used = 0;
  unsigned long long v = 0;
  try {
    if (text.empty() || text[0] == '-') return bad();
    v = std::stoull(text, &used);
  } catch (const std::exception&) {
    return bad();
  }
  int shift = 0;
  const std::string suffix = text.substr(used);
  if (suffix == "K" || suffix == "k") shift = 10;
  else if (suffix == "M" || suffix == "m") shift = 20;
  else if (suffix == "G" || suffix == "g") shift = 30;
  else if (suffix == "T" || suffix == "t") shift = 40;
  else if (!suffix.empty()) return bad();
  if (v == 0 || (shift > 0 && v > (UINT64_MAX >> shift))) return bad();
  return uint64_t{v} << shift;
}

}  // namespace

uint64_t memory_limit_bytes() {
  uint64_t limit = system_available_bytes();
  if (const char* cap = std::getenv(kVariable); cap != nullptr && *cap != '\0') {
    limit = std::min(limit, parse_size(cap));
  }
  return limit;
}

void check_fits_in_memory(uint64_t bytes, const std::string& where, const std::string& what) {
  const uint64_t limit = memory_limit_bytes();
  if (bytes <= limit) return;
  const bool capped = std::getenv(kVariable) != nullptr && *std::getenv(kVariable) != '\0';
  throw InputError(where, what + " would take " + format_bytes(bytes) + ", more than the " +
                              format_bytes(limit) + " of memory " +
                              (capped ? "allowed (GAUNTLET_MAX_MEMORY, or available)"
                                      : "available (MemAvailable; GAUNTLET_MAX_MEMORY caps it lower)"));
}

std::string format_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 6) {
    v /= 1024;
    ++u;
  }
  std::ostringstream s;
  if (u == 0) s << bytes << " B";
  else s << (v < 10 ? std::round(v * 10) / 10 : std::round(v)) << " " << units[u];
  return s.str();
}

}  // namespace gauntlet
