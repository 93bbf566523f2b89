// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N
// bytes of JSON header {"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
// "__metadata__": {string: string}}, then the data area, offsets relative to its start.
//
// Weight files come from users and model hubs, so the header is checked as strictly as the
// reference (Rust) implementation does before any byte of data is read: N bounded by the file size
// (nothing is allocated from a size the file declares), valid JSON, no duplicate names, known
// dtypes, shape product x dtype size == end - begin (no overflow), and the tensors tile the data
// area exactly: sorted by begin they start at 0, each begins where the previous ended (so none
// overlap and no byte is left unaccounted for) and the last ends at the end of the file.
// Torch-free (a fuzz target links it alone); models/weights.hpp turns entries into tensors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gauntlet {

enum class SafetensorsDtype { kF64, kF32, kF16, kBF16, kI64 };

struct SafetensorsEntry {
  std::string name;
  SafetensorsDtype dtype = SafetensorsDtype::kF32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  ///< byte offsets into the whole file (data area start already added)
  uint64_t end = 0;
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> tensors;  ///< in the order of the header
  std::map<std::string, std::string> metadata;
  uint64_t data_begin = 0;  ///< 8 + header length
};

/// Bytes per element of `d`.
size_t dtype_size(SafetensorsDtype d);
/// "F32", ... as the header writes it.
const char* dtype_name(SafetensorsDtype d);

/// The largest header accepted (the reference implementation's limit).
constexpr uint64_t kMaxSafetensorsHeader = 100u << 20;

/// Parses and checks the header of a safetensors file held in memory (`data`, `size` bytes).
/// Throws InputError(path_for_messages, what is wrong) on any violation. Never reads past
/// data + size; allocations are bounded by `size`.
SafetensorsHeader parse_safetensors_header(const std::string& path_for_messages, const uint8_t* data,
                                           size_t size);

}  // namespace gauntlet
