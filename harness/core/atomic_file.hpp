// Crash-safe writes: content goes to a temporary file beside the target, is flushed to disk, and is
// renamed over the target, so a reader sees the old file or the new one, never half of one.
#pragma once

#include <stdexcept>
#include <string>

namespace gauntlet {

/// A file gauntlet writes could not be written (disk full, no permission): the CLI prints the
/// message, which names the file, and exits 1. The previous file, if any, is left as it was.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The temporary name a write to `path` goes through: "<path>.tmp-<host>-<pid>", unique across
/// processes and, on a shared filesystem (Slurm), across machines.
std::string temp_path_for(const std::string& path);

/// Writes `content` to `path` atomically (temp file + fsync + rename + fsync of the folder).
/// Creates missing parent folders. Throws OutputError (a std::runtime_error) naming the path on
/// failure (disk full, no permission), after removing the temporary file: `path` is untouched.
void write_file_atomic(const std::string& path, const std::string& content);

/// Finishes a write that another writer (LibTorch's serializer, say) made to `tmp`
/// (temp_path_for(path)): fsync, rename over `path`, fsync of the folder. On failure `tmp` is
/// removed and std::runtime_error names the path.
void commit_temp_file(const std::string& tmp, const std::string& path);

/// A folder written as a whole: files go into a hidden staging folder beside `target`
/// (".<name>.tmp-<host>-<pid>") with plain writes; commit() flushes the filesystem once (syncfs)
/// and swaps the staging folder in for `target`, so a reader sees the old folder or the new one,
/// and many small files cost one flush instead of one each. Destroyed uncommitted, it removes the
/// staging folder. What `target` held before is replaced entirely.
class StagedFolder {
 public:
  explicit StagedFolder(std::string target);
  ~StagedFolder();
  StagedFolder(const StagedFolder&) = delete;
  StagedFolder& operator=(const StagedFolder&) = delete;

  /// The staging folder: write here (through write(), or by any other writer).
  const std::string& path() const { return stage_; }
  /// Writes `content` to <staging>/<relative>, creating folders. Throws std::runtime_error.
  void write(const std::string& relative, const std::string& content) const;
  /// Flushes and moves the staging folder to `target`. Throws std::runtime_error naming the path.
  void commit();

 private:
  std::string target_, stage_;
  bool committed_ = false;
};

/// Removes the temporary files (temp_path_for) in `dir` left by writers on this host that no
/// longer run: a process killed mid-write leaves one behind. Files of live processes and of other
/// hosts are kept. Returns how many were removed; a missing folder is no error.
int remove_stale_temp_files(const std::string& dir);

/// Whole file as bytes; throws InputError naming the path when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace gauntlet
