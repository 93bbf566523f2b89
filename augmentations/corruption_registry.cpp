#include <algorithm>
#include <stdexcept>

#include "augmentations/corruptions_impl.hpp"

namespace gauntlet {
namespace {

using Fn = void (*)(const cv::Mat&, cv::Mat&, double, Rng&);

struct Entry {
  CorruptionInfo info;
  const corruptions::Table5* table;
  Fn fn;
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> table = {
      {{"gaussian_noise", "imagenet-c", "x + N(0, c) per element"}, &corruptions::kGaussianNoise,
       &corruptions::gaussian_noise},
      {{"contrast", "imagenet-c", "(x - channel mean) * c + channel mean"}, &corruptions::kContrast,
       &corruptions::contrast},
  };
  return table;
}

const Entry& entry(const std::string& name) {
  for (const auto& e : entries()) {
    if (e.info.name == name) return e;
  }
  throw std::invalid_argument("unknown corruption \"" + name + "\" (see `gauntlet list corruptions`)");
}

}  // namespace

double corruptions::Table5::at(int severity, SizeTable t) const {
  if (severity < 1 || severity > 5) {
    throw std::invalid_argument("severity must be 1..5, got " + std::to_string(severity));
  }
  const double* row = t == SizeTable::kSmall ? small : t == SizeTable::kMedium ? medium : large;
  return row[severity - 1];
}

SizeTable size_table_for(int height, int width) {
  const int side = std::max(height, width);
  if (side <= 48) return SizeTable::kSmall;
  if (side < 160) return SizeTable::kMedium;
  return SizeTable::kLarge;
}

const char* size_table_name(SizeTable t) {
  switch (t) {
    case SizeTable::kSmall: return "small";
    case SizeTable::kMedium: return "medium";
    case SizeTable::kLarge: return "large";
  }
  return "small";
}

const std::vector<CorruptionInfo>& corruption_infos() {
  static const std::vector<CorruptionInfo> infos = [] {
    std::vector<CorruptionInfo> v;
    for (const auto& e : entries()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

bool has_corruption(const std::string& name) {
  return std::any_of(entries().begin(), entries().end(),
                     [&](const Entry& e) { return e.info.name == name; });
}

double corruption_parameter(const std::string& name, int severity, SizeTable table) {
  return entry(name).table->at(severity, table);
}

void apply_corruption(const std::string& name, int severity, const cv::Mat& src, cv::Mat& dst,
                      SizeTable table, Rng& rng) {
  const Entry& e = entry(name);
  cv::Mat in = src.isContinuous() ? src : src.clone();
  e.fn(in, dst, e.table->at(severity, table), rng);
}

}  // namespace gauntlet
