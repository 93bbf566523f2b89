// The memory a single allocation for input data may take, so that a file declaring a huge shape is
// refused with a message before anything is allocated, instead of the kernel killing gauntlet (or
// the machine swapping) halfway through a run.
#pragma once

#include <cstdint>
#include <string>

namespace gauntlet {

/// Bytes a data set or batch may occupy: the smaller of the memory the system has available
/// (MemAvailable in /proc/meminfo, else physical pages from sysconf) and GAUNTLET_MAX_MEMORY when
/// set (bytes, or with a K, M, G or T suffix, powers of 1024). Throws InputError naming the
/// variable when it is set to something that is not a positive size.
uint64_t memory_limit_bytes();

/// Throws InputError naming `where` when `bytes` (what `what` needs, e.g. "the images") exceed
/// memory_limit_bytes(). Call before allocating.
void check_fits_in_memory(uint64_t bytes, const std::string& where, const std::string& what);

/// "1.5 GiB", "300 MiB", "12 KiB", "17 B".
std::string format_bytes(uint64_t bytes);

}  // namespace gauntlet
