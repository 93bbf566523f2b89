#include "harness/core/npy.hpp"

#include "harness/core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "harness/core/error.hpp"
#include "harness/core/memory_limit.hpp"

// Array promises host order and the readers only ever swap from big-endian, so a big-endian host
// would silently get swapped data.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "gauntlet assumes a little-endian host");

namespace gauntlet {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
// numpy aligns the payload to 64 bytes so that it can be memory-mapped; we match it so files we
// write are byte-identical in layout to numpy's own.
constexpr size_t kAlign = 64;
constexpr uint64_t kMaxMemberBytes = uint64_t{16} << 30;
// Deflate cannot expand better than about 1032:1 (258-byte matches coded in 2 bits); the slack
// covers tiny members whose fixed overheads dominate.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint64_t kDeflateSlack = 1024;

std::string format_shape(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  // A 1-tuple needs its comma in Python syntax, and numpy writes it.
  if (shape.size() == 1) s += ",";
  return s + ")";
}

// What the header says, checked against the file size but not yet applied to the payload.
struct Layout {
  std::string dtype;
  bool swap = false;
  bool fortran = false;
  std::vector<int64_t> shape;
  size_t offset = 0;  // of the payload
};

// The header is a Python dict literal. numpy itself evaluates it with ast.literal_eval; we accept
// only the subset numpy writes (string keys, one string, one bool, one tuple of ints), so that a
// crafted header cannot smuggle in structures we would then have to interpret.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& where) : text_(text), where_(where) {}

  Layout parse() {
    Layout layout;
    bool have_descr = false, have_fortran = false, have_shape = false;
    std::string descr;
    skip_space();
    expect('{');
    skip_space();
    while (!peek('}')) {
      const size_t key_pos = pos_;
      const std::string key = parse_string();
      skip_space();
      expect(':');
      skip_space();
      bool* seen = nullptr;
      if (key == "descr") {
        seen = &have_descr;
        if (peek('[')) {
          throw InputError(where_, "structured dtype (descr is a list) is not supported");
        }
        descr = parse_string();
      } else if (key == "fortran_order") {
        seen = &have_fortran;
        layout.fortran = parse_bool();
      } else if (key == "shape") {
        seen = &have_shape;
        layout.shape = parse_shape();
      } else {
        pos_ = key_pos;
        fail("unexpected header key '" + key + "' (allowed: 'descr', 'fortran_order', 'shape')");
      }
      if (*seen) {
        pos_ = key_pos;
        fail("duplicate header key '" + key + "'");
      }
      *seen = true;
      skip_space();
      if (!peek('}')) {
        expect(',');
        skip_space();
      }
    }
    ++pos_;
    // numpy pads with spaces and ends with one newline; anything else after the dict is not ours.
    while (pos_ + 1 < text_.size() && text_[pos_] == ' ') ++pos_;
    if (pos_ + 1 != text_.size() || text_[pos_] != '\n') {
      fail("unexpected characters after the header dict (expected spaces and one newline)");
    }
    if (!have_descr) throw InputError(where_, "header lacks key 'descr'");
    if (!have_fortran) throw InputError(where_, "header lacks key 'fortran_order'");
    if (!have_shape) throw InputError(where_, "header lacks key 'shape'");
    parse_descr(descr, layout);
    return layout;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(where_, "malformed header at offset " + std::to_string(pos_) + ": " + what);
  }

  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }

  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  std::string parse_string() {
    if (!peek('\'') && !peek('"')) fail("expected a quoted string");
    const char quote = text_[pos_++];
    std::string s;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      const char c = text_[pos_];
      // Escapes would need Python's full string rules; no valid descr or key contains one.
      if (c == '\\') fail("escape sequences are not supported in header strings");
      if (c < 0x20 || c > 0x7e) fail("non-printable or non-ASCII character in header string");
      s += c;
      ++pos_;
    }
    if (pos_ == text_.size()) fail("unterminated string");
    ++pos_;
    return s;
  }

  bool parse_bool() {
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail("fortran_order must be True or False");
  }

  int64_t parse_dim() {
    const size_t start = pos_;
    const bool negative = peek('-');
    if (negative) ++pos_;
    if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') {
      fail("expected an integer in shape");
    }
    int64_t v = 0;
    bool overflow = false;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      overflow = overflow || __builtin_mul_overflow(v, 10, &v) ||
                 __builtin_add_overflow(v, text_[pos_] - '0', &v);
      ++pos_;
    }
    // Python 2 numpy wrote longs as "3L"; such files are still around.
    if (peek('L')) ++pos_;
    const std::string literal(text_.substr(start, pos_ - start));
    if (negative) throw InputError(where_, "negative dimension " + literal + " in shape");
    if (overflow) throw InputError(where_, "dimension " + literal + " in shape overflows int64");
    return v;
  }

  std::vector<int64_t> parse_shape() {
    std::vector<int64_t> shape;
    expect('(');
    skip_space();
    bool trailing_comma = false;
    while (!peek(')')) {
      shape.push_back(parse_dim());
      skip_space();
      trailing_comma = false;
      if (!peek(')')) {
        expect(',');
        trailing_comma = true;
        skip_space();
      }
    }
    // "(5)" is the int 5 in Python, not a shape; numpy would refuse it too.
    if (shape.size() == 1 && !trailing_comma) fail("shape '(n)' is not a tuple; expected '(n,)'");
    ++pos_;
    return shape;
  }

  void parse_descr(const std::string& descr, Layout& layout) const {
    if (descr.size() >= 2 && descr.substr(1) == "O") {
      throw InputError(where_, "object dtype '" + descr + "' is not supported (it needs pickle)");
    }
    if (descr.size() < 3 || std::string_view("<>|=").find(descr[0]) == std::string_view::npos) {
      throw InputError(where_, "unsupported dtype '" + descr + "'");
    }
    const std::string code = descr.substr(1);
    const int itemsize = dtype_itemsize(code);
    if (itemsize == 0) throw InputError(where_, "unsupported dtype '" + descr + "'");
    if (itemsize > 1 && descr[0] == '|') {
      throw InputError(where_, "dtype '" + descr + "' lacks a byte order");
    }
    layout.dtype = code;
    layout.swap = itemsize > 1 && descr[0] == '>';
  }

  std::string_view text_;
  const std::string& where_;
  size_t pos_ = 0;
};

uint32_t read_le(const uint8_t* p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

Layout parse_layout(const uint8_t* bytes, size_t size, const std::string& where) {
  if (size < kMagicLen + 2 || std::memcmp(bytes, kMagic, kMagicLen) != 0) {
    throw InputError(where, "not a .npy file (bad magic; expected \\x93NUMPY)");
  }
  const int major = bytes[6], minor = bytes[7];
  if (minor != 0 || major < 1 || major > 3) {
    throw InputError(where, "unsupported .npy format version " + std::to_string(major) + "." +
                                std::to_string(minor) + " (known: 1.0, 2.0, 3.0)");
  }
  const int len_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicLen + 2 + len_bytes;
  if (size < prefix) throw InputError(where, "truncated header: file ends inside its length field");
  const size_t header_len = read_le(bytes + kMagicLen + 2, len_bytes);
  if (size - prefix < header_len) {
    throw InputError(where, "truncated header: declares " + std::to_string(header_len) +
                                " bytes, file has " + std::to_string(size - prefix));
  }
  // Version 3.0 only changes the header encoding to UTF-8; we accept ASCII alone, valid in both.
  const std::string_view text(reinterpret_cast<const char*>(bytes + prefix), header_len);
  Layout layout = HeaderParser(text, where).parse();
  layout.offset = prefix + header_len;

  const int itemsize = dtype_itemsize(layout.dtype);
  int64_t nbytes = itemsize;
  for (int64_t d : layout.shape) {
    if (__builtin_mul_overflow(nbytes, d, &nbytes)) {
      throw InputError(where, "shape " + format_shape(layout.shape) + " of " + layout.dtype +
                                  " overflows: more than 2^63 bytes");
    }
  }
  const size_t payload = size - layout.offset;
  if (static_cast<uint64_t>(nbytes) != payload) {
    throw InputError(where, "payload is " + std::to_string(payload) + " bytes, but shape " +
                                format_shape(layout.shape) + " of " + layout.dtype + " needs " +
                                std::to_string(nbytes));
  }
  return layout;
}

// Fortran order is column-major: walk the C-order output with an odometer and track where the
// same index sits in the Fortran-order input.
std::vector<uint8_t> fortran_to_c(const std::vector<uint8_t>& in, const std::vector<int64_t>& shape,
                                  size_t itemsize) {
  std::vector<uint8_t> out(in.size());
  const size_t ndim = shape.size();
  std::vector<int64_t> stride(ndim), index(ndim, 0);
  int64_t s = 1;
  for (size_t k = 0; k < ndim; ++k) {
    stride[k] = s;
    s *= shape[k];
  }
  const int64_t numel = s;
  int64_t src = 0;
  for (int64_t i = 0; i < numel; ++i) {
    std::memcpy(out.data() + i * itemsize, in.data() + src * itemsize, itemsize);
    for (size_t k = ndim; k-- > 0;) {
      src += stride[k];
      if (++index[k] < shape[k]) break;
      src -= stride[k] * shape[k];
      index[k] = 0;
    }
  }
  return out;
}

Array finish(Layout layout, std::vector<uint8_t> payload, const std::string& where) {
  Array a;
  a.dtype = std::move(layout.dtype);
  a.shape = std::move(layout.shape);
  a.data = std::move(payload);
  const size_t itemsize = a.itemsize();
  if (a.dtype == "b1") {
    // Anything but 0/1 in a bool array means the file is not what it claims to be.
    const auto bad = std::find_if(a.data.begin(), a.data.end(), [](uint8_t b) { return b > 1; });
    if (bad != a.data.end()) {
      throw InputError(where, "bool element " + std::to_string(bad - a.data.begin()) + " is " +
                                  std::to_string(*bad) + ", not 0 or 1");
    }
  }
  if (layout.swap) {
    for (size_t i = 0; i < a.data.size(); i += itemsize) {
      std::reverse(a.data.begin() + i, a.data.begin() + i + itemsize);
    }
  }
  if (layout.fortran && a.shape.size() > 1 && !a.data.empty()) {
    a.data = fortran_to_c(a.data, a.shape, itemsize);
  }
  return a;
}

// Takes ownership so that a multi-gigabyte member is not held twice while the header is stripped.
Array parse_npy_owned(std::vector<uint8_t> bytes, const std::string& where) {
  Layout layout = parse_layout(bytes.data(), bytes.size(), where);
  bytes.erase(bytes.begin(), bytes.begin() + layout.offset);
  return finish(std::move(layout), std::move(bytes), where);
}

std::vector<uint8_t> read_whole_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    throw InputError(path, std::string("cannot stat: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw InputError(path, "not a regular file");
  check_fits_in_memory(static_cast<uint64_t>(st.st_size), path, "the file");
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + got, std::min<size_t>(bytes.size() - got, 1 << 30));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InputError(path, std::string("cannot read: ") + std::strerror(errno));
    if (n == 0) throw InputError(path, "file shrank while being read");
    got += static_cast<size_t>(n);
  }
  return bytes;
}

struct ZipDiscard {
  void operator()(zip_t* za) const { zip_discard(za); }
};
struct ZipFileClose {
  void operator()(zip_file_t* zf) const { zip_fclose(zf); }
};

std::string zip_error_message(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return message;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<uint8_t> read_member(zip_t* za, const zip_stat_t& st, uint64_t archive_size,
                                 const std::string& where) {
  if (st.encryption_method != ZIP_EM_NONE) {
    throw InputError(where, "encrypted members are not supported");
  }
  if (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE) {
    throw InputError(where, "compression method " + std::to_string(st.comp_method) +
                                " is not supported (only stored and deflate)");
  }
  // The sizes come from the archive's directory, i.e. from whoever made the file: check them
  // before trusting one as an allocation size.
  if (st.comp_size > archive_size) {
    throw InputError(where, "declares " + std::to_string(st.comp_size) + " compressed bytes in a " +
                                std::to_string(archive_size) + "-byte archive");
  }
  if (st.size > kMaxMemberBytes) {
    throw InputError(where, "declares " + std::to_string(st.size) +
                                " bytes uncompressed, above the 16 GiB limit");
  }
  if (st.comp_method == ZIP_CM_STORE && st.size != st.comp_size) {
    throw InputError(where, "stored member declares " + std::to_string(st.size) +
                                " bytes uncompressed but " + std::to_string(st.comp_size) +
                                " stored");
  }
  if (st.comp_method == ZIP_CM_DEFLATE &&
      st.size > st.comp_size * kMaxDeflateRatio + kDeflateSlack) {
    throw InputError(where, "declares " + std::to_string(st.size) + " bytes uncompressed from " +
                                std::to_string(st.comp_size) +
                                " compressed, more than deflate can produce");
  }
  check_fits_in_memory(st.size, where, "the member (uncompressed)");
  std::unique_ptr<zip_file_t, ZipFileClose> zf(zip_fopen_index(za, st.index, 0));
  if (!zf) throw InputError(where, std::string("cannot open member: ") + zip_strerror(za));
  std::vector<uint8_t> bytes(static_cast<size_t>(st.size));
  size_t got = 0;
  while (got < bytes.size()) {
    const zip_int64_t n =
        zip_fread(zf.get(), bytes.data() + got, std::min<size_t>(bytes.size() - got, 1 << 30));
    if (n < 0) {
      throw InputError(where, std::string("cannot read member: ") + zip_file_strerror(zf.get()));
    }
    if (n == 0) {
      throw InputError(where, "member ends after " + std::to_string(got) + " of its declared " +
                                  std::to_string(bytes.size()) + " bytes");
    }
    got += static_cast<size_t>(n);
  }
  // libzip verifies the CRC only once it reaches the end, so read past the declared size.
  uint8_t extra;
  const zip_int64_t n = zip_fread(zf.get(), &extra, 1);
  if (n < 0) {
    throw InputError(where, std::string("cannot read member: ") + zip_file_strerror(zf.get()));
  }
  if (n > 0) {
    throw InputError(where,
                     "member holds more than its declared " + std::to_string(st.size) + " bytes");
  }
  const int rc = zip_fclose(zf.release());
  if (rc != 0) throw InputError(where, "cannot read member: " + zip_error_message(rc));
  return bytes;
}

void check_writable(const std::string& name, const Array* a) {
  if (name.empty()) throw std::invalid_argument("write_npz: empty array name");
  if (a == nullptr) throw std::invalid_argument("write_npz: array '" + name + "' is null");
  const int itemsize = a->itemsize();
  if (itemsize == 0) {
    throw std::invalid_argument("write_npz: array '" + name + "' has unsupported dtype '" +
                                a->dtype + "'");
  }
  int64_t nbytes = itemsize;
  for (int64_t d : a->shape) {
    if (d < 0 || __builtin_mul_overflow(nbytes, d, &nbytes)) {
      throw std::invalid_argument("write_npz: array '" + name + "' has invalid shape " +
                                  format_shape(a->shape));
    }
  }
  if (a->data.size() != static_cast<uint64_t>(nbytes)) {
    throw std::invalid_argument("write_npz: array '" + name + "' holds " +
                                std::to_string(a->data.size()) + " bytes, its shape needs " +
                                std::to_string(nbytes));
  }
}

// Same dict, key order, padding and trailing newline as numpy.lib.format.write_array, so numpy
// (and anything that memory-maps the payload) sees a file exactly like its own.
std::string npy_header(const Array& a) {
  const char order = a.itemsize() == 1 ? '|' : '<';
  const std::string dict = std::string("{'descr': '") + order + a.dtype +
                           "', 'fortran_order': False, 'shape': " + format_shape(a.shape) + ", }";
  constexpr size_t kPrefix = kMagicLen + 2 + 2;
  size_t padded = dict.size() + 1;
  padded += kAlign - (kPrefix + padded) % kAlign;
  // Format 2.0 exists for headers over 64 KiB, i.e. thousands of dimensions; numpy allows 64.
  if (padded > 0xffff) throw std::invalid_argument("write_npz: too many dimensions");
  std::string h(kMagic, kMagicLen);
  h += '\x01';
  h += '\0';
  h += static_cast<char>(padded & 0xff);
  h += static_cast<char>(padded >> 8);
  h += dict;
  h.append(padded - dict.size() - 1, ' ');
  h += '\n';
  return h;
}

[[noreturn]] void write_failed(const std::string& path, const std::string& what) {
  throw OutputError(path + ": cannot write: " + what);
}

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

Array parse_npy(const uint8_t* bytes, size_t size, const std::string& where) {
  Layout layout = parse_layout(bytes, size, where);
  std::vector<uint8_t> payload(bytes + layout.offset, bytes + size);
  return finish(std::move(layout), std::move(payload), where);
}

Array read_npy(const std::string& path) { return parse_npy_owned(read_whole_file(path), path); }

std::map<std::string, Array> read_npz(const std::string& path) {
  int code = 0;
  std::unique_ptr<zip_t, ZipDiscard> za(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (!za) throw InputError(path, "cannot open as a zip archive: " + zip_error_message(code));
  std::error_code ec;
  const uint64_t archive_size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(path, "cannot stat: " + ec.message());

  std::map<std::string, Array> arrays;
  const zip_int64_t count = zip_get_num_entries(za.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    if (zip_stat_index(za.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0) {
      throw InputError(path,
                       "cannot read entry " + std::to_string(i) + ": " + zip_strerror(za.get()));
    }
    constexpr zip_uint64_t kNeeded = ZIP_STAT_NAME | ZIP_STAT_INDEX | ZIP_STAT_SIZE |
                                     ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD |
                                     ZIP_STAT_ENCRYPTION_METHOD;
    if ((st.valid & kNeeded) != kNeeded) {
      throw InputError(path, "entry " + std::to_string(i) + " lacks its name, sizes or method");
    }
    const std::string name = st.name;
    if (!ends_with(name, ".npy")) continue;
    const std::string where = path + "[" + name + "]";
    const std::string key = name.substr(0, name.size() - 4);
    if (arrays.count(key) != 0) throw InputError(where, "duplicate member");
    arrays.emplace(key, parse_npy_owned(read_member(za.get(), st, archive_size, where), where));
  }
  return arrays;
}

void write_npy(const std::string& path, const Array& a) {
  check_writable("npy", &a);
  std::string bytes = npy_header(a);
  bytes.append(reinterpret_cast<const char*>(a.data.data()), a.data.size());
  write_file_atomic(path, bytes);
}

void write_npz(const std::string& path,
               const std::vector<std::pair<std::string, const Array*>>& arrays) {
  std::vector<std::string> headers;
  headers.reserve(arrays.size());
  for (size_t i = 0; i < arrays.size(); ++i) {
    check_writable(arrays[i].first, arrays[i].second);
    for (size_t j = 0; j < i; ++j) {
      if (arrays[j].first == arrays[i].first) {
        throw std::invalid_argument("write_npz: duplicate array name '" + arrays[i].first + "'");
      }
    }
    headers.push_back(npy_header(*arrays[i].second));
  }

  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) write_failed(path, "cannot create folder " + dir.string() + ": " + ec.message());

  const std::string tmp = temp_path_for(path);
  if (arrays.empty()) {
    // libzip creates no file for an archive without members; numpy reads this bare
    // end-of-central-directory record as an empty npz.
    const std::string empty_zip = std::string("PK\x05\x06", 4) + std::string(18, '\0');
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) write_failed(path, std::strerror(errno));
    const bool ok =
        ::write(fd, empty_zip.data(), empty_zip.size()) == static_cast<ssize_t>(empty_zip.size());
    ::close(fd);
    if (!ok) {
      ::unlink(tmp.c_str());
      write_failed(path, std::strerror(errno));
    }
  } else {
    int code = 0;
    zip_t* za = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (za == nullptr) write_failed(path, zip_error_message(code));
    const auto abandon = [&](const std::string& what) {
      const std::string message = what + ": " + zip_strerror(za);
      zip_discard(za);
      ::unlink(tmp.c_str());
      write_failed(path, message);
    };
    for (size_t i = 0; i < arrays.size(); ++i) {
      const Array& a = *arrays[i].second;
      // Fragments point into the caller's arrays: no copy of the payload is made, and both must
      // stay alive until zip_close below has written them.
      zip_buffer_fragment_t fragments[2] = {
          {reinterpret_cast<zip_uint8_t*>(headers[i].data()), headers[i].size()},
          {const_cast<zip_uint8_t*>(a.data.data()), a.data.size()}};
      zip_source_t* source = zip_source_buffer_fragment(za, fragments, a.data.empty() ? 1 : 2, 0);
      if (source == nullptr) abandon("cannot buffer '" + arrays[i].first + "'");
      const std::string member = arrays[i].first + ".npy";
      const zip_int64_t index = zip_file_add(za, member.c_str(), source, ZIP_FL_ENC_UTF_8);
      if (index < 0) {
        zip_source_free(source);
        abandon("cannot add '" + member + "'");
      }
      if (zip_set_file_compression(za, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0) != 0) {
        abandon("cannot store '" + member + "'");
      }
    }
    if (zip_close(za) != 0) abandon("cannot finish archive");
  }
  fsync_path(tmp, O_RDONLY);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string what = std::strerror(errno);
    ::unlink(tmp.c_str());
    write_failed(path, "cannot rename " + tmp + " into place: " + what);
  }
  fsync_path(dir.string(), O_RDONLY | O_DIRECTORY);
}

}  // namespace gauntlet
