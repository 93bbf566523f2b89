// libFuzzer target: the IDX reader, plain and gzip-compressed. Bad input must end in an
// InputError; anything else is a finding.
#include <cstdint>

#include "harness/core/error.hpp"
#include "harness/core/idx.hpp"
#include "tests/fuzz/memfd_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    gauntlet::read_idx(gauntlet::fuzz::as_file(data, size));
  } catch (const gauntlet::InputError&) {
  }
  return 0;
}
