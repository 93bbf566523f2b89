// Progress of long work: on a terminal, a live bar per epoch (images/s, loss, ETA) redrawn in
// place; otherwise (CI logs, pipes) one plain line per finished epoch.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace gauntlet {

class Progress {
 public:
  /// `interactive` defaults to whether `out` is a terminal.
  explicit Progress(std::FILE* out = stdout);
  Progress(std::FILE* out, bool interactive) : out_(out), interactive_(interactive) {}

  bool interactive() const { return interactive_; }
  void begin(const std::string& label, int64_t total);
  /// Redraws the bar at most ten times a second.
  void update(int64_t done, double loss);
  /// Replaces the bar by one finished line.
  void finish(const std::string& line);
  void message(const std::string& line);

 private:
  std::FILE* out_;
  bool interactive_;
  std::string label_;
  int64_t total_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace gauntlet
