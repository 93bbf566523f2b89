#include "harness/core/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "harness/core/error.hpp"

namespace gauntlet {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw OutputError(path + ": " + what + ": " + std::strerror(errno));
}

std::string this_host_name() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return host;
}

}  // namespace

std::string temp_path_for(const std::string& path) {
  return path + ".tmp-" + this_host_name() + "-" + std::to_string(::getpid());
}

void write_file_atomic(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(dir);
  const std::string tmp = temp_path_for(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(tmp, "cannot create");
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t w = ::write(fd, content.data() + done, content.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      errno = saved;
      fail(tmp, "write failed");
    }
    done += static_cast<size_t>(w);
  }
  if (::close(fd) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    fail(tmp, "cannot close");
  }
  commit_temp_file(tmp, path);
}

void commit_temp_file(const std::string& tmp, const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int saved = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    errno = saved;
    fail(tmp, "cannot flush");
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    fail(path, "cannot rename into place");
  }
  // The rename itself is durable only once the folder is synced.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

StagedFolder::StagedFolder(std::string target) : target_(std::move(target)) {
  namespace fs = std::filesystem;
  const fs::path t(target_);
  const fs::path name = t.filename().empty() ? t.parent_path().filename() : t.filename();
  const fs::path parent = t.filename().empty() ? t.parent_path().parent_path() : t.parent_path();
  stage_ = (parent / fs::path(temp_path_for("." + name.string())).filename()).string();
  fs::remove_all(stage_);
  fs::create_directories(stage_);
}

StagedFolder::~StagedFolder() {
  if (committed_) return;
  std::error_code ignored;
  std::filesystem::remove_all(stage_, ignored);
}

void StagedFolder::write(const std::string& relative, const std::string& content) const {
  namespace fs = std::filesystem;
  const fs::path p = fs::path(stage_) / relative;
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) fail(p.string(), "write failed");
}

void StagedFolder::commit() {
  namespace fs = std::filesystem;
  const int fd = ::open(stage_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::syncfs(fd) != 0) {
    if (fd >= 0) ::close(fd);
    fail(stage_, "cannot flush");
  }
  ::close(fd);
  // The old folder steps aside first: rename() cannot replace a non-empty folder. Another process
  // committing the same folder at the same moment (two runs of one suite) can slip its folder in
  // between; then step that one aside too and try again: the last commit wins, none fails.
  std::vector<std::string> olds;
  for (int attempt = 0;; ++attempt) {
    std::error_code ec;
    if (fs::exists(target_, ec)) {
      const std::string old = stage_ + ".old" + std::to_string(attempt);
      if (::rename(target_.c_str(), old.c_str()) == 0) olds.push_back(old);
      else if (errno != ENOENT) fail(target_, "cannot move the old folder aside");
    }
    if (::rename(stage_.c_str(), target_.c_str()) == 0) break;
    if ((errno != ENOTEMPTY && errno != EEXIST) || attempt >= 20) fail(target_, "cannot rename into place");
  }
  committed_ = true;
  for (const auto& old : olds) {
    std::error_code ec;
    fs::remove_all(old, ec);
  }
  const fs::path parent = fs::path(target_).parent_path().empty() ? fs::path(".") : fs::path(target_).parent_path();
  const int dfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

int remove_stale_temp_files(const std::string& dir) {
  namespace fs = std::filesystem;
  const std::string marker = ".tmp-" + this_host_name() + "-";
  int removed = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const size_t at = name.rfind(marker);
    if (at == std::string::npos || at == 0) continue;
    const std::string pid_text = name.substr(at + marker.size());
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::stol(pid_text);
    // ESRCH: no such process. A live one (or one we may not signal) may still be writing.
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    if (fs::remove(e.path(), ignored)) ++removed;
  }
  return removed;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError(path, "read failed");
  return ss.str();
}

}  // namespace gauntlet
