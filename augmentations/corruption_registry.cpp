#include <algorithm>
#include <stdexcept>

#include "augmentations/corruptions_impl.hpp"

namespace gauntlet {
namespace {

using corruptions::CorruptionEntry;

std::vector<CorruptionEntry> all_entries() {
  std::vector<CorruptionEntry> all;
  for (auto family : {&corruptions::noise_corruptions, &corruptions::blur_corruptions,
                      &corruptions::weather_corruptions, &corruptions::digital_corruptions,
                      &corruptions::blood_corruptions}) {
    for (auto& e : family()) {
      e.info.id = e.info.family == kImageNetC ? e.info.name : e.info.family + "." + e.info.name;
      all.push_back(std::move(e));
    }
  }
  return all;
}

const std::vector<CorruptionEntry>& entries() {
  static const std::vector<CorruptionEntry> table = all_entries();
  return table;
}

const CorruptionEntry& entry(const std::string& id) {
  for (const auto& e : entries()) {
    if (e.info.id == id) return e;
  }
  throw std::invalid_argument("unknown corruption \"" + id + "\" (see `gauntlet list corruptions`)");
}

}  // namespace

const corruptions::Params& corruptions::Table5::at(int severity, SizeTable t) const {
  if (severity < 1 || severity > 5) {
    throw std::invalid_argument("severity must be 1..5, got " + std::to_string(severity));
  }
  const auto& rows = t == SizeTable::kSmall ? small : t == SizeTable::kMedium ? medium : large;
  return rows[severity - 1];
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

const CorruptionInfo& corruption_info(const std::string& id) { return entry(id).info; }

bool has_corruption(const std::string& id) {
  return std::any_of(entries().begin(), entries().end(),
                     [&](const CorruptionEntry& e) { return e.info.id == id; });
}

std::string corruption_id(const std::string& name, const std::string& family) {
  if (has_corruption(name) && family.empty()) return name;  // already an id
  std::string found, families;
  for (const auto& e : entries()) {
    if (e.info.name != name) continue;
    if (e.info.family == family) return e.info.id;
    families += (families.empty() ? "" : ", ") + e.info.family;
    if (found.empty() || e.info.family == kImageNetC) found = e.info.id;
  }
  if (found.empty()) {
    throw std::invalid_argument("unknown corruption \"" + name + "\" (see `gauntlet list corruptions`)");
  }
  if (!family.empty()) {
    throw std::invalid_argument("corruption \"" + name + "\" is not in family \"" + family +
                                "\" (it is in " + families + ")");
  }
  return found;
}

CorruptionParams corruption_parameters(const std::string& id, int severity, SizeTable table) {
  return entry(id).table.at(severity, table);
}

void apply_corruption(const std::string& id, int severity, const cv::Mat& src, cv::Mat& dst,
                      SizeTable table, Rng& rng) {
  const CorruptionEntry& e = entry(id);
  const auto& params = e.table.at(severity, table);
  if (src.depth() != CV_8U || (src.channels() != 1 && src.channels() != 3)) {
    throw std::invalid_argument("corruption \"" + id + "\" needs a uint8 image with 1 or 3 channels");
  }
  cv::Mat in = src.isContinuous() ? src : src.clone();
  e.fn(in, dst, params, rng);
}

}  // namespace gauntlet
