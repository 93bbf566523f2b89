// libFuzzer target: the safetensors header reader (models/safetensors.hpp), which checks the header
// length, the JSON header, dtypes, shapes and that the tensors tile the data area. Bad input must
// end in an InputError; anything else is a finding.
#include <cstdint>

#include "harness/core/error.hpp"
#include "models/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    gauntlet::parse_safetensors_header("fuzz.safetensors", data, size);
  } catch (const gauntlet::InputError&) {
  }
  return 0;
}
