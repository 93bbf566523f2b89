// mcnemar_dump: reads lines "b c" (discordant counts) from stdin and prints "b c p" per line, p
// being gauntlet's exact two-sided McNemar p-value (harness/stats) with 17 significant digits.
// It is the C++ side of tests/parity/mcnemar_parity.py, which checks it against scipy.
// Exit codes: 0 ok, 2 bad input (message on stderr).
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "harness/stats.hpp"

int main() {
  int64_t b = 0, c = 0;
  try {
    while (std::cin >> b >> c) {
      std::printf("%lld %lld %.17g\n", static_cast<long long>(b), static_cast<long long>(c),
                  gauntlet::mcnemar_exact_p(b, c));
    }
  } catch (const std::exception& e) {
    std::cerr << "mcnemar_dump: " << e.what() << '\n';
    return 2;
  }
  if (!std::cin.eof()) {
    std::cerr << "mcnemar_dump: expected lines of two non-negative integers\n";
    return 2;
  }
  return 0;
}
