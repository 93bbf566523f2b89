// Errors gauntlet reports to its user. An InputError is bad input (a file, a suite, a flag): the
// CLI prints its message and exits 2. Anything else that escapes is a bug or a failed cell.
#pragma once

#include <stdexcept>
#include <string>

namespace gauntlet {

/// Bad input: names where (a file, and a JSON pointer or index inside it when known) and what.
class InputError : public std::runtime_error {
 public:
  InputError(std::string where, const std::string& what)
      : std::runtime_error(where.empty() ? what : where + ": " + what),
        where_(std::move(where)) {}
  const std::string& where() const { return where_; }

 private:
  std::string where_;
};

}  // namespace gauntlet
