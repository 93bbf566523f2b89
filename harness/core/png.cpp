#include "harness/core/png.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "harness/core/atomic_file.hpp"

namespace gauntlet {
namespace {

constexpr uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
// A chunk's length field allows 2^31 - 1 bytes; smaller IDAT chunks also keep the buffers of
// streaming decoders small. Any split is valid: decoders concatenate the IDAT payloads.
constexpr size_t kMaxIdatBytes = size_t{1} << 20;
constexpr int kNumFilters = 5;  // None, Sub, Up, Average, Paeth, numbered as in the spec

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void put_chunk(std::vector<uint8_t>& out, const char (&type)[5], const uint8_t* data, size_t size) {
  put_u32(out, static_cast<uint32_t>(size));
  const size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data, data + size);
  // The CRC covers the type and the data, not the length.
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), out.data() + start, static_cast<uInt>(size + 4));
  put_u32(out, static_cast<uint32_t>(crc));
}

uint8_t paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return static_cast<uint8_t>(a);
  return static_cast<uint8_t>(pb <= pc ? b : c);
}

// Rows prefixed by their filter type, ready to deflate. The choice is libpng's heuristic: residues
// read as signed bytes, smallest sum of magnitudes wins, ties to the lower type. It favours rows of
// small residues, which deflate codes well, at one pass over the row per filter.
std::vector<uint8_t> filter_rows(const uint8_t* pixels, size_t row_bytes, int height, int bpp) {
  std::vector<uint8_t> out;
  out.reserve((row_bytes + 1) * static_cast<size_t>(height));
  const std::vector<uint8_t> zeros(row_bytes, 0);  // the row "above" the first
  std::array<std::vector<uint8_t>, kNumFilters> candidates;
  for (auto& c : candidates) c.resize(row_bytes);
  for (int y = 0; y < height; ++y) {
    const uint8_t* row = pixels + static_cast<size_t>(y) * row_bytes;
    const uint8_t* up = y > 0 ? row - row_bytes : zeros.data();
    for (size_t i = 0; i < row_bytes; ++i) {
      const int a = i >= static_cast<size_t>(bpp) ? row[i - bpp] : 0;
      const int b = up[i];
      const int c = i >= static_cast<size_t>(bpp) ? up[i - bpp] : 0;
      candidates[0][i] = row[i];
      candidates[1][i] = static_cast<uint8_t>(row[i] - a);
      candidates[2][i] = static_cast<uint8_t>(row[i] - b);
      candidates[3][i] = static_cast<uint8_t>(row[i] - (a + b) / 2);
      candidates[4][i] = static_cast<uint8_t>(row[i] - paeth(a, b, c));
    }
    int best = 0;
    uint64_t best_sum = UINT64_MAX;
    for (int f = 0; f < kNumFilters; ++f) {
      uint64_t sum = 0;
      for (const uint8_t v : candidates[f]) sum += v < 128 ? v : 256 - v;
      if (sum < best_sum) {
        best_sum = sum;
        best = f;
      }
    }
    out.push_back(static_cast<uint8_t>(best));
    out.insert(out.end(), candidates[best].begin(), candidates[best].end());
  }
  return out;
}

}  // namespace

std::vector<uint8_t> encode_png(const uint8_t* pixels, int width, int height, int channels) {
  if (width < 1 || height < 1) {
    throw std::invalid_argument("encode_png: image size " + std::to_string(width) + "x" +
                                std::to_string(height) + " (width and height must be >= 1)");
  }
  if (channels != 1 && channels != 3 && channels != 4) {
    throw std::invalid_argument("encode_png: " + std::to_string(channels) +
                                " channels (must be 1 grey, 3 RGB or 4 RGBA)");
  }
  const uint8_t colour_type = channels == 1 ? 0 : channels == 3 ? 2 : 6;
  if (pixels == nullptr) throw std::invalid_argument("encode_png: pixels is null");

  const size_t row_bytes = static_cast<size_t>(width) * static_cast<size_t>(channels);
  const std::vector<uint8_t> filtered = filter_rows(pixels, row_bytes, height, channels);
  uLongf deflated_size = compressBound(filtered.size());
  std::vector<uint8_t> deflated(deflated_size);
  const int rc = compress2(deflated.data(), &deflated_size, filtered.data(), filtered.size(),
                           Z_DEFAULT_COMPRESSION);
  if (rc != Z_OK) {
    throw std::runtime_error("encode_png: zlib compress2 failed (" + std::to_string(rc) + ")");
  }

  std::vector<uint8_t> out(std::begin(kSignature), std::end(kSignature));
  std::vector<uint8_t> ihdr;
  put_u32(ihdr, static_cast<uint32_t>(width));
  put_u32(ihdr, static_cast<uint32_t>(height));
  // Bit depth 8, colour type, then compression, filter method and interlace all 0 (the only
  // compression and filter methods PNG defines; no interlacing).
  ihdr.insert(ihdr.end(), {8, colour_type, 0, 0, 0});
  put_chunk(out, "IHDR", ihdr.data(), ihdr.size());
  for (size_t at = 0; at < deflated_size; at += kMaxIdatBytes) {
    put_chunk(out, "IDAT", deflated.data() + at, std::min(kMaxIdatBytes, deflated_size - at));
  }
  put_chunk(out, "IEND", nullptr, 0);
  return out;
}

void write_png(const std::string& path, const uint8_t* pixels, int width, int height,
               int channels) {
  const std::vector<uint8_t> png = encode_png(pixels, width, height, channels);
  try {
    write_file_atomic(path, std::string(png.begin(), png.end()));
  } catch (const std::filesystem::filesystem_error& e) {
    // Creating the parent folders fails with a message naming only the folder.
    throw std::runtime_error(path + ": cannot create its folder: " + e.code().message());
  }
}

}  // namespace gauntlet
