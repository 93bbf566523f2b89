#include "harness/progress.hpp"

#include <unistd.h>

#include <fmt/format.h>

namespace gauntlet {

Progress::Progress(std::FILE* out) : Progress(out, ::isatty(::fileno(out)) != 0) {}

void Progress::begin(const std::string& label, int64_t total) {
  label_ = label;
  total_ = total;
  start_ = std::chrono::steady_clock::now();
  last_draw_ = start_ - std::chrono::seconds(1);
}

void Progress::update(int64_t done, double loss) {
  if (!interactive_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double rate = secs > 0 ? done / secs : 0.0;
  const double eta = rate > 0 ? (total_ - done) / rate : 0.0;
  constexpr int kWidth = 24;
  const int filled = total_ > 0 ? static_cast<int>(kWidth * done / total_) : 0;
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  fmt::print(out_, "\r\033[K{} [{}] {}/{}  {:.0f} img/s  loss {:.4f}  ETA {:.0f}s", label_, bar,
             done, total_, rate, loss, eta);
  std::fflush(out_);
}

void Progress::finish(const std::string& line) {
  fmt::print(out_, "{}{}\n", interactive_ ? "\r\033[K" : "", line);
  std::fflush(out_);
}

void Progress::message(const std::string& line) {
  fmt::print(out_, "{}\n", line);
  std::fflush(out_);
}

}  // namespace gauntlet
