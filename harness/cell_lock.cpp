#include "harness/cell_lock.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace gauntlet {
namespace {

std::string this_host() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return host;
}

// Creates `path` exclusively with "host pid"; false when it exists.
bool create_exclusive(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    throw std::runtime_error(path + ": cannot create the cell lock: " + std::strerror(errno));
  }
  const std::string text = this_host() + " " + std::to_string(::getpid()) + "\n";
  const ssize_t w = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (w != static_cast<ssize_t>(text.size())) {
    ::unlink(path.c_str());
    throw std::runtime_error(path + ": cannot write the cell lock");
  }
  return true;
}

}  // namespace

std::optional<CellLock> CellLock::acquire(const std::string& dir, std::string& holder, std::string& note) {
  std::filesystem::create_directories(dir);
  const std::string path = (std::filesystem::path(dir) / ".lock").string();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (create_exclusive(path)) return CellLock(path);
    std::ifstream in(path);
    std::string host;
    long pid = 0;
    in >> host >> pid;
    holder = host.empty() ? "an unknown process" : "pid " + std::to_string(pid) + " on " + host;
    // A lock being written this instant reads empty: treat it as held.
    const bool stale = !host.empty() && host == this_host() && pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 &&
                       errno == ESRCH;
    if (!stale) return std::nullopt;
    note = "took over the stale lock of " + holder + " (that process is gone)";
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
  return std::nullopt;  // another process took it over first
}

CellLock::CellLock(CellLock&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }

CellLock::~CellLock() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace gauntlet
