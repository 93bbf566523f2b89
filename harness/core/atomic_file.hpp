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

/// Whole file as bytes; throws InputError naming the path when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace gauntlet
