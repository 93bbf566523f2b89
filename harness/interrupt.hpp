// Ctrl-C (SIGINT) and SIGTERM during `gauntlet run`: the first one asks training to stop at the
// next batch boundary; the cell's last checkpoint (after its last finished epoch) stays, nothing
// half-done is written, and the same command resumes. A second one ends the process at once.
#pragma once

#include <stdexcept>
#include <string>

namespace gauntlet {

/// Thrown at a batch boundary once a stop was asked for.
class Interrupted : public std::runtime_error {
 public:
  explicit Interrupted(const std::string& what) : std::runtime_error(what) {}
};

/// Installs the handlers (idempotent).
void install_interrupt_handlers();

/// Whether SIGINT or SIGTERM has arrived since the handlers were installed.
bool interrupt_requested();

/// Throws Interrupted(`where`) when a stop was asked for.
void throw_if_interrupted(const std::string& where);

}  // namespace gauntlet
