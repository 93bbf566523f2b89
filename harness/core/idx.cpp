#include "harness/core/idx.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "harness/core/error.hpp"
#include "harness/core/memory_limit.hpp"

// IDX is big-endian and Array promises host order; the swap below assumes the host is little.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "gauntlet assumes a little-endian host");

namespace gauntlet {
namespace {

// gzread takes an unsigned count but returns int, so a read must stay below INT_MAX; chunks also
// let a header with absurd dimensions fail on the real data length instead of on one huge
// allocation.
constexpr size_t kChunk = size_t{16} << 20;

struct GzClose {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzClose>;

const char* dtype_of(uint8_t type) {
  switch (type) {
    case 0x08:
      return "u1";
    case 0x09:
      return "i1";
    case 0x0B:
      return "i2";
    case 0x0C:
      return "i4";
    case 0x0D:
      return "f4";
    case 0x0E:
      return "f8";
    default:
      return nullptr;
  }
}

std::string hex_byte(uint8_t b) {
  const char* digits = "0123456789abcdef";
  return std::string("0x") + digits[b >> 4] + digits[b & 15];
}

// Appends up to n bytes; returns how many arrived. A gzip stream that stops early is reported by
// zlib as an error only after the short read, so the caller checks state after every read.
size_t read_some(gzFile f, std::vector<uint8_t>& out, size_t n, const std::string& path) {
  const size_t start = out.size();
  out.resize(start + n);
  size_t got = 0;
  while (got < n) {
    const unsigned want = static_cast<unsigned>(std::min(n - got, kChunk));
    const int r = gzread(f, out.data() + start + got, want);
    if (r < 0) break;
    got += static_cast<size_t>(r);
    if (r == 0) break;
  }
  out.resize(start + got);
  int errnum = Z_OK;
  const char* message = gzerror(f, &errnum);
  if (errnum == Z_ERRNO) {
    throw InputError(path, std::string("cannot read: ") + std::strerror(errno));
  }
  if (errnum != Z_OK) throw InputError(path, std::string("corrupt gzip stream: ") + message);
  return got;
}

}  // namespace

Array read_idx(const std::string& path) {
  errno = 0;
  GzFile f(gzopen(path.c_str(), "rb"));
  if (!f) {
    throw InputError(
        path, std::string("cannot open: ") + (errno != 0 ? std::strerror(errno) : "out of memory"));
  }
  gzbuffer(f.get(), 1 << 18);

  std::vector<uint8_t> header;
  if (read_some(f.get(), header, 4, path) < 4) {
    throw InputError(path, "file ends inside the 4-byte IDX magic");
  }
  if (header[0] != 0 || header[1] != 0) {
    throw InputError(path, "bad IDX magic " + hex_byte(header[0]) + " " + hex_byte(header[1]) +
                               " (an IDX file starts with two zero bytes)");
  }
  const char* dtype = dtype_of(header[2]);
  if (dtype == nullptr) {
    throw InputError(path, "unsupported IDX element type " + hex_byte(header[2]));
  }
  const int ndim = header[3];
  if (ndim == 0) throw InputError(path, "IDX file declares 0 dimensions");

  header.clear();
  if (read_some(f.get(), header, 4 * static_cast<size_t>(ndim), path) <
      4 * static_cast<size_t>(ndim)) {
    throw InputError(path, "file ends inside the " + std::to_string(ndim) + " dimension sizes");
  }
  Array a;
  a.dtype = dtype;
  const int itemsize = a.itemsize();
  int64_t nbytes = itemsize;
  for (int k = 0; k < ndim; ++k) {
    const uint8_t* p = header.data() + 4 * k;
    const int32_t d = static_cast<int32_t>(uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 |
                                           uint32_t{p[2]} << 8 | uint32_t{p[3]});
    if (d <= 0) {
      throw InputError(path, "dimension " + std::to_string(k) + " is " + std::to_string(d) +
                                 "; IDX dimensions must be positive");
    }
    if (__builtin_mul_overflow(nbytes, int64_t{d}, &nbytes)) {
      throw InputError(path, "dimensions overflow: more than 2^63 bytes");
    }
    a.shape.push_back(d);
  }

  const size_t expected = static_cast<size_t>(nbytes);
  const size_t header_bytes = 4 + 4 * static_cast<size_t>(ndim);
  // A plain file must hold what it declares; a gzip one can only be checked as it is read, so the
  // declared size must at least fit in memory before any of it is allocated.
  struct stat st;
  if (gzdirect(f.get()) && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<uint64_t>(st.st_size) < header_bytes + expected) {
    throw InputError(path, "truncated payload: dimensions declare " + std::to_string(expected) +
                               " bytes, file has " + std::to_string(st.st_size - header_bytes));
  }
  std::string dims;
  for (int64_t d : a.shape) dims += (dims.empty() ? "" : " x ") + std::to_string(d);
  check_fits_in_memory(expected, path, "the declared dimensions (" + dims + " of " + dtype + ")");
  a.data.reserve(std::min(expected, kChunk * 16));
  while (a.data.size() < expected) {
    const size_t want = std::min(expected - a.data.size(), kChunk);
    if (read_some(f.get(), a.data, want, path) < want) {
      throw InputError(path, "truncated payload: dimensions declare " + std::to_string(expected) +
                                 " bytes, file has " + std::to_string(a.data.size()));
    }
  }
  // One byte more must hit the end: trailing data means the dimensions do not describe the file.
  std::vector<uint8_t> extra;
  if (read_some(f.get(), extra, 1, path) != 0) {
    throw InputError(path, "trailing data after the " + std::to_string(expected) +
                               "-byte payload the dimensions declare");
  }
  const int rc = gzclose(f.release());
  if (rc != Z_OK) throw InputError(path, "corrupt gzip stream (code " + std::to_string(rc) + ")");

  if (itemsize > 1) {
    for (size_t i = 0; i < a.data.size(); i += itemsize) {
      std::reverse(a.data.begin() + i, a.data.begin() + i + itemsize);
    }
  }
  return a;
}

}  // namespace gauntlet
