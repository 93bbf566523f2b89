// IDX files, the format of MNIST and Fashion-MNIST (Debian ships the latter in
// /usr/share/datasets/fashion-mnist): a 4-byte magic (0, 0, element type, rank), the dimensions
// as big-endian int32, then the elements in C order, big-endian. Read strictly, because a
// truncated download otherwise shows up much later as a short or garbled data set.
#pragma once

#include <string>

#include "harness/core/array.hpp"

namespace gauntlet {

/// Reads an IDX file, gzip-compressed or plain (told apart by content, not by name). Element
/// types: 0x08 -> "u1", 0x09 -> "i1", 0x0B -> "i2", 0x0C -> "i4", 0x0D -> "f4", 0x0E -> "f8",
/// converted to host byte order. Throws InputError naming `path` for a bad magic, a rank of 0, a
/// dimension that is not positive, a corrupt gzip stream, or a payload that is not exactly the
/// product of the dimensions.
Array read_idx(const std::string& path);

}  // namespace gauntlet
