// libFuzzer target: the .npy parser (from bytes) and the .npz reader (libzip + the same parser).
// An input starting with "PK" is read as an .npz, anything else as an .npy. Bad input must end in
// an InputError; anything else (a crash, a sanitizer report, another exception) is a finding.
#include <cstdint>

#include "harness/core/error.hpp"
#include "harness/core/npy.hpp"
#include "tests/fuzz/memfd_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
      gauntlet::read_npz(gauntlet::fuzz::as_file(data, size));
    } else {
      gauntlet::parse_npy(data, size, "fuzz.npy");
    }
  } catch (const gauntlet::InputError&) {
  }
  return 0;
}
