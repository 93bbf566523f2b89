// The fuzz input as a file: the readers under test take paths (libzip, zlib and the suite loader
// open files themselves), so every input is written to one memory file, reached by a path.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace gauntlet::fuzz {

/// The path of a memory file that holds exactly `data` (rewritten on every call).
inline const std::string& as_file(const uint8_t* data, size_t size) {
  static const int fd = ::memfd_create("gauntlet-fuzz", MFD_CLOEXEC);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || ::ftruncate(fd, 0) != 0) std::abort();
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<size_t>(n);
  }
  return path;
}

}  // namespace gauntlet::fuzz
