// libFuzzer target: suite text -> JSON parse, schema validation, conversion and expansion (what
// `gauntlet validate` does). Bad input must end in an InputError (exit 2); anything else,
// including another exception type (which the CLI would report as an internal error), is a
// finding.
#include <cstdint>

#include "harness/core/error.hpp"
#include "harness/suite.hpp"
#include "tests/fuzz/memfd_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    gauntlet::load_suite(gauntlet::fuzz::as_file(data, size));
  } catch (const gauntlet::InputError&) {
  }
  return 0;
}
