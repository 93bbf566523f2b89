#include "harness/image_folder.hpp"

#include <opencv2/imgproc.hpp>
#ifdef GAUNTLET_WITH_IMGCODECS
#include <opencv2/imgcodecs.hpp>
#endif

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "harness/core/error.hpp"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;

bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::set<std::string> kExtensions = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"};
  return kExtensions.count(ext) > 0;
}

#ifdef GAUNTLET_WITH_IMGCODECS
// libpng (inside OpenCV) prints its errors to stderr itself ("libpng error: Read Error") before
// imread returns an empty image. Held around one decode, this sends them to a memory file
// instead, so a bad image is reported once, by us, with libpng's words in our message. Decoding is
// sequential here, so the process-wide redirection does not catch other threads' output.
class StderrCapture {
 public:
  StderrCapture() {
    std::fflush(stderr);
    mem_ = ::memfd_create("gauntlet-stderr", MFD_CLOEXEC);
    saved_ = mem_ < 0 ? -1 : ::dup(STDERR_FILENO);
    if (saved_ < 0 || ::dup2(mem_, STDERR_FILENO) < 0) restore();
  }
  ~StderrCapture() { restore(); }

  /// Stops capturing; what was written meanwhile, without trailing newlines.
  std::string finish() {
    std::fflush(stderr);
    std::string text;
    if (saved_ >= 0) {
      char buf[1024];
      ssize_t n;
      ::lseek(mem_, 0, SEEK_SET);
      while ((n = ::read(mem_, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    }
    restore();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
  }

 private:
  void restore() {
    if (saved_ >= 0) {
      ::dup2(saved_, STDERR_FILENO);
      ::close(saved_);
      saved_ = -1;
    }
    if (mem_ >= 0) {
      ::close(mem_);
      mem_ = -1;
    }
  }
  int mem_ = -1;
  int saved_ = -1;
};

cv::Mat read_image(const fs::path& f) {
  if (!fs::is_regular_file(f)) {
    throw InputError(f.string(), fs::exists(f) ? "not a regular file" : "a link to nothing (dangling symlink)");
  }
  if (fs::file_size(f) == 0) throw InputError(f.string(), "empty file");
  StderrCapture capture;
  cv::Mat m = cv::imread(f.string(), cv::IMREAD_UNCHANGED);
  const std::string decoder_said = capture.finish();
  if (m.empty()) {
    throw InputError(f.string(), "not an image OpenCV can read" +
                                     (decoder_said.empty() ? "" : " (" + decoder_said + ")"));
  }
  // A decoder's warnings about an image it did read are still the user's to see.
  if (!decoder_said.empty()) std::fprintf(stderr, "%s\n", decoder_said.c_str());
  return m;
}
#endif

std::vector<std::string> class_order(const fs::path& dir) {
  std::vector<std::string> folders;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory() && e.path().filename().string()[0] != '.') folders.push_back(e.path().filename().string());
  }
  std::sort(folders.begin(), folders.end());
  const fs::path classes_file = dir / "classes";
  if (!fs::exists(classes_file)) return folders;
  std::vector<std::string> order;
  std::ifstream in(classes_file);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    if (!std::binary_search(folders.begin(), folders.end(), line)) {
      throw InputError(classes_file.string(), "class \"" + line + "\" has no folder");
    }
    order.push_back(line);
  }
  for (const auto& f : folders) {
    if (std::find(order.begin(), order.end(), f) == order.end()) {
      throw InputError(classes_file.string(), "folder \"" + f + "\" is not listed (list every class, in order)");
    }
  }
  return order;
}

}  // namespace

bool image_folders_supported() {
#ifdef GAUNTLET_WITH_IMGCODECS
  return true;
#else
  return false;
#endif
}

Dataset load_image_folder(const std::string& path) {
#ifndef GAUNTLET_WITH_IMGCODECS
  throw InputError(path, "this gauntlet was built without image reading (GAUNTLET_WITH_IMGCODECS=OFF); "
                         "use a .npz instead");
#else
  const fs::path dir(path);
  const std::vector<std::string> classes = class_order(dir);
  if (classes.empty()) throw InputError(path, "no class folders (expected one sub-folder per class)");
  std::vector<cv::Mat> images;
  std::vector<int64_t> labels;
  for (size_t c = 0; c < classes.size(); ++c) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir / classes[c])) {
      // By name: a folder or a dangling link called x.png is a broken image, not something to skip.
      if (is_image_file(e.path())) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw InputError((dir / classes[c]).string(), "no images (png, jpg, bmp, tif, webp)");
    for (const auto& f : files) {
      cv::Mat m = read_image(f);
      if (m.depth() != CV_8U) {
        cv::Mat eight;
        m.convertTo(eight, CV_8U, m.depth() == CV_16U ? 1.0 / 257.0 : 1.0);
        m = eight;
      }
      if (m.channels() == 4) cv::cvtColor(m, m, cv::COLOR_BGRA2BGR);
      if (m.channels() == 3) cv::cvtColor(m, m, cv::COLOR_BGR2RGB);
      if (m.channels() != 1 && m.channels() != 3) {
        throw InputError(f.string(), std::to_string(m.channels()) + " channels (expected grey, RGB or RGBA)");
      }
      images.push_back(m);
      labels.push_back(static_cast<int64_t>(c));
    }
  }
  // The most common size wins; ties go to the larger image.
  std::map<std::pair<int, int>, int> sizes;
  bool colour = false;
  for (const auto& m : images) {
    ++sizes[{m.rows, m.cols}];
    colour = colour || m.channels() == 3;
  }
  const auto common = std::max_element(sizes.begin(), sizes.end(), [](const auto& a, const auto& b) {
                        return a.second < b.second;
                      })->first;
  Dataset d;
  d.n = static_cast<int64_t>(images.size());
  d.height = common.first;
  d.width = common.second;
  d.channels = colour ? 3 : 1;
  d.class_names = classes;
  d.labels = labels;
  d.images.resize(static_cast<size_t>(d.n) * d.image_bytes());
  for (int64_t i = 0; i < d.n; ++i) {
    cv::Mat m = images[i];
    if (m.rows != d.height || m.cols != d.width) {
      const bool shrink = m.rows > d.height || m.cols > d.width;
      cv::resize(m, m, cv::Size(static_cast<int>(d.width), static_cast<int>(d.height)), 0, 0,
                 shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
    }
    if (colour && m.channels() == 1) cv::cvtColor(m, m, cv::COLOR_GRAY2RGB);
    cv::Mat dst(static_cast<int>(d.height), static_cast<int>(d.width), colour ? CV_8UC3 : CV_8UC1, d.image(i));
    m.copyTo(dst);
  }
  return d;
#endif
}

}  // namespace gauntlet
