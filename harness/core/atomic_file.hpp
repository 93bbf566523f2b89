// Crash-safe writes: content goes to a temporary file beside the target, is flushed to disk, and is
// renamed over the target, so a reader sees the old file or the new one, never half of one.
#pragma once

#include <string>

namespace gauntlet {

/// The temporary name a write to `path` goes through: "<path>.tmp-<host>-<pid>", unique across
/// processes and, on a shared filesystem (Slurm), across machines.
std::string temp_path_for(const std::string& path);

/// Writes `content` to `path` atomically (temp file + fsync + rename + fsync of the folder).
/// Creates missing parent folders. Throws std::runtime_error naming the path on failure.
void write_file_atomic(const std::string& path, const std::string& content);

/// Finishes a write that another writer (LibTorch's serializer, say) made to `tmp`
/// (temp_path_for(path)): fsync, rename over `path`, fsync of the folder. On failure `tmp` is
/// removed and std::runtime_error names the path.
void commit_temp_file(const std::string& tmp, const std::string& path);

/// Whole file as bytes; throws InputError naming the path when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace gauntlet
