// numpy's .npy and .npz files, read strictly and written so that numpy.load reads them back. Data
// sets, predictions and parity fixtures cross the Python/C++ boundary in this format, and these
// files come from users, so the reader parses the header itself (no eval, no pickle) and rejects
// anything it does not understand instead of guessing.
//
// Accepted: format versions 1.0, 2.0 and 3.0; dtypes b1 u1 i1 u2 i2 u4 i4 u8 i8 f4 f8 in any byte
// order ('>' is swapped to host order); fortran_order True (transposed to C order). Rejected with
// InputError: object, string, structured and other dtypes, header dicts with missing, duplicate
// or extra keys, negative or overflowing shapes, and payloads not exactly the declared size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/array.hpp"

namespace gauntlet {

/// Parses one .npy file held in memory. `where` names it in errors (a path, or "a.npz[x.npy]").
Array parse_npy(const uint8_t* bytes, size_t size, const std::string& where);

/// Reads a .npy file. Throws InputError naming `path`.
Array read_npy(const std::string& path);

/// Reads every ".npy" member of an .npz (zip, stored or deflated), keyed by the member name
/// without ".npy", as numpy.load does; other members are ignored. Members declaring more than
/// 16 GiB, or more than their compressed bytes could expand to, are refused before allocating.
/// Throws InputError naming `path`, and "path[member]" for a bad member.
std::map<std::string, Array> read_npz(const std::string& path);

/// Writes `arrays` as an uncompressed .npz (member "<name>.npy" each, .npy format 1.0 with
/// numpy's 64-byte header padding), via a temporary file renamed into place, so readers never see
/// half a file. The parent folder is created if missing.
/// Throws std::invalid_argument for an inconsistent Array or an empty or duplicate name, and
/// OutputError (a std::runtime_error) naming `path` when the file cannot be written (`path` is
/// then untouched and no temporary file is left).
void write_npz(const std::string& path,
               const std::vector<std::pair<std::string, const Array*>>& arrays);

/// Writes `a` as one .npy file (format 1.0, numpy's header padding) atomically (temporary file
/// renamed into place). Throws as write_npz does.
void write_npy(const std::string& path, const Array& a);

}  // namespace gauntlet
