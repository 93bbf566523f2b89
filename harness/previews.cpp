#include "harness/previews.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "harness/command_io.hpp"

namespace gauntlet {

GridRow augmentation_row(const std::string& label, const cv::Mat& src, const Pipeline& pipeline, uint64_t key,
                         uint64_t index, int draws) {
  GridRow row{label, {src.clone()}};
  for (int e = 0; e < draws; ++e) {
    cv::Mat dst;
    pipeline.apply(src, dst, key, static_cast<uint64_t>(e), index);
    row.images.push_back(dst);
  }
  return row;
}

std::vector<GridRow> augmentation_preview(const PreparedSet& train, const std::vector<std::string>& class_names,
                                          const Pipeline& pipeline, uint64_t key, int max_rows, int draws) {
  std::vector<GridRow> rows;
  for (size_t k = 0; k < class_names.size() && static_cast<int>(rows.size()) < max_rows; ++k) {
    const auto it = std::find(train.labels.begin(), train.labels.end(), static_cast<int64_t>(k));
    if (it == train.labels.end()) continue;
    const int64_t i = it - train.labels.begin();
    rows.push_back(augmentation_row(fmt::format("#{} ({})", i, class_names[k]), image_mat(train, i), pipeline, key,
                                    static_cast<uint64_t>(i), draws));
  }
  return rows;
}

void HoldoutPreview::add(const HoldoutSpec& h, const PreparedSet& set) {
  if (set.n == 0) return;
  const int64_t count = std::min<int64_t>(images_, set.n);
  switch (h.kind) {
    case HoldoutSpec::Kind::kClean:
      clean_.clear();
      for (int64_t i = 0; i < count; ++i) clean_.push_back(image_mat(set, i).clone());
      break;
    case HoldoutSpec::Kind::kCorruption: {
      auto it = std::find_if(corruptions_.begin(), corruptions_.end(),
                             [&](const Corruption& c) { return c.name == h.corruption; });
      if (it == corruptions_.end()) it = corruptions_.insert(corruptions_.end(), Corruption{h.corruption, {}, {}});
      it->severities.push_back(h.severity);
      it->images.push_back(image_mat(set, 0).clone());
      break;
    }
    case HoldoutSpec::Kind::kProfile: {
      GridRow row{h.id, {}};
      for (int64_t i = 0; i < count; ++i) row.images.push_back(image_mat(set, i).clone());
      profiles_.push_back(std::move(row));
      break;
    }
    case HoldoutSpec::Kind::kExternal:
      break;
  }
}

HoldoutPreview::Grid HoldoutPreview::corruptions() const {
  Grid g;
  if (corruptions_.empty() || clean_.empty()) return g;
  g.columns = {"clean"};
  // Columns by severity over every corruption (a suite gives all corruptions the same list).
  std::vector<int> severities;
  for (const auto& c : corruptions_) {
    for (int s : c.severities) {
      if (std::find(severities.begin(), severities.end(), s) == severities.end()) severities.push_back(s);
    }
  }
  std::sort(severities.begin(), severities.end());
  for (int s : severities) g.columns.push_back(fmt::format("severity {}", s));
  for (const auto& c : corruptions_) {
    GridRow row{c.name, {clean_.front()}};
    for (int s : severities) {
      const auto it = std::find(c.severities.begin(), c.severities.end(), s);
      // A severity this corruption lacks: a blank cell keeps the columns aligned.
      row.images.push_back(it == c.severities.end() ? cv::Mat(clean_.front().size(), clean_.front().type(),
                                                               cv::Scalar::all(255))
                                                     : c.images[static_cast<size_t>(it - c.severities.begin())]);
    }
    g.rows.push_back(std::move(row));
  }
  return g;
}

HoldoutPreview::Grid HoldoutPreview::profiles() const {
  Grid g;
  if (profiles_.empty() || clean_.empty()) return g;
  for (size_t i = 0; i < clean_.size(); ++i) g.columns.push_back(fmt::format("test #{}", i));
  g.rows.push_back(GridRow{"clean", clean_});
  g.rows.insert(g.rows.end(), profiles_.begin(), profiles_.end());
  return g;
}

std::vector<std::string> write_preview_grids(const std::string& explain_dir, const std::vector<GridRow>& augmentation,
                                             int draws, const HoldoutPreview& holdouts, int cell_side) {
  std::vector<std::string> written;
  auto write = [&](const std::string& name, const std::vector<GridRow>& rows, const std::vector<std::string>& columns) {
    write_grid_png(explain_dir + "/" + name, rows, columns, cell_side);
    written.push_back(name);
  };
  if (!augmentation.empty()) {
    std::vector<std::string> columns{"original"};
    for (int e = 0; e < draws; ++e) columns.push_back(fmt::format("epoch {}", e));
    write("augmentation_preview.png", augmentation, columns);
  }
  if (const auto g = holdouts.corruptions(); !g.empty()) write("corruption_preview.png", g.rows, g.columns);
  if (const auto g = holdouts.profiles(); !g.empty()) write("profile_preview.png", g.rows, g.columns);
  return written;
}

}  // namespace gauntlet
