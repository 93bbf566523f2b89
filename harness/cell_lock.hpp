// One process per cell: `gauntlet run` holds <cell dir>/.lock while it trains and writes a cell, so
// two runs on the same --out (two terminals, two Slurm shards) never run the same cell twice. The
// file names the holder (host and pid); a lock whose holder is a dead process on this host is stale
// (a crash, kill -9) and is taken over. A lock held from another host is trusted (its process
// cannot be checked from here); remove the file by hand if that host is gone.
#pragma once

#include <optional>
#include <string>

namespace gauntlet {

class CellLock {
 public:
  /// Takes the lock of `dir` (creating the folder), or returns nullopt with `holder` set to who has
  /// it. `note` gets a line when a stale lock was taken over.
  static std::optional<CellLock> acquire(const std::string& dir, std::string& holder, std::string& note);
  CellLock(CellLock&& other) noexcept;
  CellLock& operator=(CellLock&&) = delete;
  CellLock(const CellLock&) = delete;
  ~CellLock();

 private:
  explicit CellLock(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace gauntlet
