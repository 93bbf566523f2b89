// Digital building blocks the references take from their libraries: PIL's JPEG round trip (libjpeg
// with PIL's settings), PIL's BOX resampling (libImaging/Resample.c) and scikit-image's HSV
// conversions (skimage.color.rgb2hsv / hsv2rgb), reproduced operation for operation so that the
// corruptions built on them match the references to the grey level.
#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

// jpeglib.h needs <cstdio> first and jerror.h after it.
#include <jerror.h>
#include <jpeglib.h>

#include "augmentations/corruption_kernels.hpp"

namespace gauntlet::corruptions {
namespace {

// --- JPEG ---------------------------------------------------------------------------------------
// libjpeg reports errors through a callback that must not return; it jumps back to the caller,
// which turns the message into an exception once no libjpeg frame is on the stack. The functions
// that call setjmp hold only trivially destructible locals, so the jump skips no destructor.
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_jpeg_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// A growable in-memory destination. libjpeg's own jpeg_mem_dest replaces the caller's buffer
// pointer only when compression finishes, so after an error it can point at freed memory; here
// the buffer is always the one in `data`, which the caller frees.
struct JpegSink {
  jpeg_destination_mgr mgr;  // first member: libjpeg hands back a pointer to it
  unsigned char* data;
  size_t capacity;
  size_t size;  // bytes written, set when compression finishes
};

void sink_init(j_compress_ptr cinfo) {
  auto* sink = reinterpret_cast<JpegSink*>(cinfo->dest);
  sink->mgr.next_output_byte = sink->data;
  sink->mgr.free_in_buffer = sink->capacity;
}

// Called when the buffer is full, i.e. all of it holds output.
boolean sink_grow(j_compress_ptr cinfo) {
  auto* sink = reinterpret_cast<JpegSink*>(cinfo->dest);
  auto* bigger = static_cast<unsigned char*>(std::realloc(sink->data, 2 * sink->capacity));
  if (bigger == nullptr) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
  sink->data = bigger;
  sink->mgr.next_output_byte = bigger + sink->capacity;
  sink->mgr.free_in_buffer = sink->capacity;
  sink->capacity *= 2;
  return TRUE;
}

void sink_term(j_compress_ptr cinfo) {
  auto* sink = reinterpret_cast<JpegSink*>(cinfo->dest);
  sink->size = sink->capacity - sink->mgr.free_in_buffer;
}

// Baseline JPEG of `u8` at `quality` as PIL's JpegEncoder writes it: jpeg_set_defaults (YCbCr
// with 2x2 luma sampling, i.e. 4:2:0, for colour; one grey component otherwise; islow DCT;
// standard Huffman tables), then jpeg_set_quality(quality, force_baseline = TRUE).
bool jpeg_encode(const cv::Mat& u8, int quality, JpegSink* sink, JpegError* err) {
  jpeg_compress_struct cinfo{};
  cinfo.err = jpeg_std_error(&err->mgr);
  err->mgr.error_exit = on_jpeg_error;
  if (setjmp(err->jump)) {
    jpeg_destroy_compress(&cinfo);
    return false;
  }
  jpeg_create_compress(&cinfo);
  sink->mgr.init_destination = sink_init;
  sink->mgr.empty_output_buffer = sink_grow;
  sink->mgr.term_destination = sink_term;
  cinfo.dest = &sink->mgr;
  cinfo.image_width = static_cast<JDIMENSION>(u8.cols);
  cinfo.image_height = static_cast<JDIMENSION>(u8.rows);
  cinfo.input_components = u8.channels();
  cinfo.in_color_space = u8.channels() == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(u8.ptr<uint8_t>(static_cast<int>(cinfo.next_scanline)));
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return true;
}

// Decodes into `dst`, already allocated with the encoded size and channel count, with libjpeg's
// decoder defaults as PIL leaves them (islow IDCT, fancy chroma upsampling, RGB out for colour).
bool jpeg_decode(const JpegSink& in, cv::Mat* dst, JpegError* err) {
  jpeg_decompress_struct cinfo{};
  cinfo.err = jpeg_std_error(&err->mgr);
  err->mgr.error_exit = on_jpeg_error;
  if (setjmp(err->jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, in.data, in.size);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = dst->channels() == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_start_decompress(&cinfo);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = dst->ptr<uint8_t>(static_cast<int>(cinfo.output_scanline));
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

// --- BOX resampling
// ------------------------------------------------------------------------------- PIL's fixed-point
// 8-bit resampling: weights scaled by 2^22 and rounded, accumulated from a rounding offset of 2^21,
// shifted back and clamped.
constexpr int kPrecisionBits = 32 - 8 - 2;

struct AxisCoeffs {
  int ksize = 0;
  std::vector<int> first;    // first source index per output index
  std::vector<int> count;    // source taps per output index
  std::vector<int> weights;  // ksize fixed-point weights per output index
};

// precompute_coeffs + normalize_coeffs_8bpc of Resample.c for the box filter (support 0.5, value
// 1 on (-0.5, 0.5]) over the whole input axis.
AxisCoeffs box_coeffs(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = 0.5 * filterscale;
  AxisCoeffs c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.first.resize(out_size);
  c.count.resize(out_size);
  c.weights.assign(static_cast<size_t>(out_size) * c.ksize, 0);
  std::vector<double> k(c.ksize);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    const int xmin = std::max(static_cast<int>(center - support + 0.5), 0);
    const int xmax = std::min(static_cast<int>(center + support + 0.5), in_size) - xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      const double t = (x + xmin - center + 0.5) * ss;
      k[x] = t > -0.5 && t <= 0.5 ? 1.0 : 0.0;
      ww += k[x];
    }
    for (int x = 0; x < xmax; ++x) {
      const double w = ww != 0.0 ? k[x] / ww : k[x];
      c.weights[static_cast<size_t>(xx) * c.ksize + x] =
          static_cast<int>(0.5 + w * (1 << kPrecisionBits));
    }
    c.first[xx] = xmin;
    c.count[xx] = xmax;
  }
  return c;
}

inline uint8_t clip8(int acc) {
  const int v = acc >> kPrecisionBits;
  return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

// One pass along x (horizontal) or y of a uint8 image with `ch` interleaved channels.
void resample_axis(const cv::Mat& src, cv::Mat& dst, int out_size, bool horizontal) {
  const int ch = src.channels();
  const AxisCoeffs c = box_coeffs(horizontal ? src.cols : src.rows, out_size);
  dst.create(horizontal ? src.rows : out_size, horizontal ? out_size : src.cols, src.type());
  for (int y = 0; y < dst.rows; ++y) {
    uint8_t* out = dst.ptr<uint8_t>(y);
    for (int x = 0; x < dst.cols; ++x) {
      const int o = horizontal ? x : y;
      const int* w = &c.weights[static_cast<size_t>(o) * c.ksize];
      for (int k = 0; k < ch; ++k) {
        int acc = 1 << (kPrecisionBits - 1);
        for (int t = 0; t < c.count[o]; ++t) {
          const int s = c.first[o] + t;
          const uint8_t v =
              horizontal ? src.ptr<uint8_t>(y)[s * ch + k] : src.ptr<uint8_t>(s)[x * ch + k];
          acc += v * w[t];
        }
        out[x * ch + k] = clip8(acc);
      }
    }
  }
}

// --- HSV
// ------------------------------------------------------------------------------------------
// numpy's float remainder by 1: the result takes the divisor's sign, so -0.1 % 1 is 0.9.
template <typename T>
T mod1(T a) {
  T r = std::fmod(a, T(1));
  if (r != 0 && r < 0) r += T(1);
  return r == 0 ? T(0) : r;
}

template <typename T>
void rgb_to_hsv_impl(const cv::Mat& rgb, cv::Mat& hsv) {
  cv::Mat out(rgb.size(), rgb.type());
  for (int y = 0; y < rgb.rows; ++y) {
    const T* in = rgb.ptr<T>(y);
    T* o = out.ptr<T>(y);
    for (int x = 0; x < rgb.cols; ++x, in += 3, o += 3) {
      const T r = in[0], g = in[1], b = in[2];
      const T v = std::max(r, std::max(g, b));
      const T delta = v - std::min(r, std::min(g, b));
      T h = 0, s = 0;
      if (delta != 0) {
        s = delta / v;
        // skimage assigns red, then green, then blue where each is the max: the last one wins.
        const T h6 = b == v   ? T(4) + (r - g) / delta
                     : g == v ? T(2) + (b - r) / delta
                              : (g - b) / delta;
        h = mod1<T>(h6 / T(6));
      }
      o[0] = h;
      o[1] = s;
      o[2] = v;
    }
  }
  hsv = out;
}

template <typename T>
void hsv_to_rgb_impl(const cv::Mat& hsv, cv::Mat& rgb) {
  cv::Mat out(hsv.size(), hsv.type());
  for (int y = 0; y < hsv.rows; ++y) {
    const T* in = hsv.ptr<T>(y);
    T* o = out.ptr<T>(y);
    for (int x = 0; x < hsv.cols; ++x, in += 3, o += 3) {
      const T h6 = in[0] * T(6), s = in[1], v = in[2];
      const T hi = std::floor(h6);
      const T f = h6 - hi;
      const T p = v * (T(1) - s);
      const T q = v * (T(1) - f * s);
      const T t = v * (T(1) - (T(1) - f) * s);
      // skimage casts the sector to uint8 before taking it modulo 6 (h = 1 is sector 0).
      switch (static_cast<uint8_t>(hi) % 6) {
        case 0:
          o[0] = v, o[1] = t, o[2] = p;
          break;
        case 1:
          o[0] = q, o[1] = v, o[2] = p;
          break;
        case 2:
          o[0] = p, o[1] = v, o[2] = t;
          break;
        case 3:
          o[0] = p, o[1] = q, o[2] = v;
          break;
        case 4:
          o[0] = t, o[1] = p, o[2] = v;
          break;
        default:
          o[0] = v, o[1] = p, o[2] = q;
          break;
      }
    }
  }
  rgb = out;
}

}  // namespace

void jpeg_roundtrip(const cv::Mat& u8, cv::Mat& dst, int quality) {
  CV_Assert(u8.depth() == CV_8U && (u8.channels() == 1 || u8.channels() == 3));
  const cv::Mat src = u8.isContinuous() ? u8 : u8.clone();
  cv::Mat out(src.size(), src.type());
  JpegError err{};
  JpegSink sink{};
  sink.capacity = src.total() * src.elemSize() + 4096;
  sink.data = static_cast<unsigned char*>(std::malloc(sink.capacity));
  if (sink.data == nullptr) throw std::bad_alloc();
  const bool ok = jpeg_encode(src, quality, &sink, &err) && jpeg_decode(sink, &out, &err);
  std::free(sink.data);
  if (!ok) throw std::runtime_error(std::string("JPEG round trip failed: ") + err.message);
  dst = out;
}

void resize_box(const cv::Mat& u8, cv::Mat& dst, int width, int height) {
  CV_Assert(u8.depth() == CV_8U && width > 0 && height > 0);
  // PIL resamples horizontally first, through a uint8 intermediate, and skips an axis whose size
  // does not change.
  cv::Mat cur = u8;
  if (width != cur.cols) {
    cv::Mat tmp;
    resample_axis(cur, tmp, width, true);
    cur = tmp;
  }
  if (height != cur.rows) {
    cv::Mat tmp;
    resample_axis(cur, tmp, height, false);
    cur = tmp;
  }
  dst = cur.data == u8.data ? u8.clone() : cur;
}

void rgb_to_hsv(const cv::Mat& rgb, cv::Mat& hsv) {
  CV_Assert(rgb.channels() == 3 && (rgb.depth() == CV_32F || rgb.depth() == CV_64F));
  if (rgb.depth() == CV_32F) {
    rgb_to_hsv_impl<float>(rgb, hsv);
  } else {
    rgb_to_hsv_impl<double>(rgb, hsv);
  }
}

void hsv_to_rgb(const cv::Mat& hsv, cv::Mat& rgb) {
  CV_Assert(hsv.channels() == 3 && (hsv.depth() == CV_32F || hsv.depth() == CV_64F));
  if (hsv.depth() == CV_32F) {
    hsv_to_rgb_impl<float>(hsv, rgb);
  } else {
    hsv_to_rgb_impl<double>(hsv, rgb);
  }
}

void pixelate_box(const cv::Mat& u8, cv::Mat& dst, double factor) {
  const int w = std::max(1, static_cast<int>(u8.cols * factor));
  const int h = std::max(1, static_cast<int>(u8.rows * factor));
  cv::Mat small;
  resize_box(u8, small, w, h);
  resize_box(small, dst, u8.cols, u8.rows);
}

}  // namespace gauntlet::corruptions

namespace gauntlet {

std::string corruption_backends() {
  return "opencv " CV_VERSION ", libjpeg " + std::to_string(JPEG_LIB_VERSION)
#ifdef LIBJPEG_TURBO_VERSION_NUMBER
         + " (turbo " + std::to_string(LIBJPEG_TURBO_VERSION_NUMBER) + ")"
#endif
      ;
}

}  // namespace gauntlet
