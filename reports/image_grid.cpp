#include "reports/image_grid.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "harness/core/png.hpp"

namespace gauntlet {
namespace {

constexpr int kGap = 4;
constexpr int kPad = 4;  // between a label and the edges of its strip
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr int kThickness = 1;
// About 10 px capitals: readable, yet small beside cells of 64 px and more.
constexpr double kFontScale = 0.45;
// Below this the thin Hershey strokes break up and labels become unreadable.
constexpr double kMinFontScale = 0.3;
// A row label may not widen the sheet past this; past it the label shrinks instead.
constexpr int kMinRowLabelLimit = 128;
const cv::Scalar kInk(64, 64, 64);
const cv::Scalar kPaper(255, 255, 255);

cv::Size text_size(const std::string& text, double scale, int* baseline) {
  return cv::getTextSize(text, kFont, scale, kThickness, baseline);
}

int widest(const std::vector<std::string>& labels, double scale) {
  int w = 0, baseline = 0;
  for (const auto& label : labels) w = std::max(w, text_size(label, scale, &baseline).width);
  return w;
}

bool all_empty(const std::vector<std::string>& labels) {
  return std::all_of(labels.begin(), labels.end(), [](const auto& s) { return s.empty(); });
}

// The largest scale up to kFontScale at which every label is at most `limit` px wide, but no
// smaller than kMinFontScale.
double fitting_scale(const std::vector<std::string>& labels, int limit) {
  const int w = widest(labels, kFontScale);
  if (w <= limit) return kFontScale;
  double scale = kFontScale * limit / w;
  // Widths are rounded and the stroke adds a pixel, so the proportional guess can be just over.
  while (scale > kMinFontScale && widest(labels, scale) > limit) scale *= 0.95;
  return std::max(scale, kMinFontScale);
}

// `image` scaled to fit a cell, as RGB.
cv::Mat cell_image(const cv::Mat& image, int cell_side, const GridRow& row, size_t r, size_t c) {
  const auto where = [&] {
    return "draw_grid: image at row " + std::to_string(r) + " ('" + row.label + "'), column " +
           std::to_string(c) + ": ";
  };
  if (image.empty()) throw std::invalid_argument(where() + "empty");
  if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) {
    throw std::invalid_argument(where() + "must be uint8 with 1 or 3 channels, got type " +
                                cv::typeToString(image.type()));
  }
  const double scale = std::min(static_cast<double>(cell_side) / image.cols,
                                static_cast<double>(cell_side) / image.rows);
  const cv::Size size(std::clamp(static_cast<int>(std::lround(image.cols * scale)), 1, cell_side),
                      std::clamp(static_cast<int>(std::lround(image.rows * scale)), 1, cell_side));
  cv::Mat fitted = image;
  if (size != image.size()) {
    cv::resize(image, fitted, size, 0, 0, scale > 1 ? cv::INTER_NEAREST : cv::INTER_AREA);
  }
  if (fitted.channels() == 1) cv::cvtColor(fitted, fitted, cv::COLOR_GRAY2RGB);
  return fitted;
}

}  // namespace

cv::Mat draw_grid(const std::vector<GridRow>& rows, const std::vector<std::string>& column_labels,
                  int cell_side) {
  if (cell_side < 1) {
    throw std::invalid_argument("draw_grid: cell_side " + std::to_string(cell_side) +
                                " (must be >= 1)");
  }
  size_t num_columns = column_labels.size();
  std::vector<std::string> row_labels;
  for (const auto& row : rows) {
    num_columns = std::max(num_columns, row.images.size());
    row_labels.push_back(row.label);
  }
  if (rows.empty() || num_columns == 0) {
    throw std::invalid_argument("draw_grid: nothing to draw (" + std::to_string(rows.size()) +
                                " rows, " + std::to_string(num_columns) + " columns)");
  }
  const int pitch = cell_side + kGap;

  const double row_scale = fitting_scale(row_labels, std::max(2 * cell_side, kMinRowLabelLimit));
  const int left = all_empty(row_labels) ? 0 : widest(row_labels, row_scale) + 2 * kPad;
  const double column_scale = fitting_scale(column_labels, cell_side);
  int column_baseline = 0;
  const int column_text_height = text_size("Ag", column_scale, &column_baseline).height;
  const int top = all_empty(column_labels) ? 0 : column_text_height + column_baseline + 2 * kPad;

  cv::Mat sheet(top + kGap + static_cast<int>(rows.size()) * pitch,
                left + kGap + static_cast<int>(num_columns) * pitch, CV_8UC3, kPaper);
  for (size_t c = 0; c < column_labels.size() && top > 0; ++c) {
    const int x0 = left + kGap + static_cast<int>(c) * pitch;
    // Drawing into the column's own strip clips a label too long even at the floor scale, instead
    // of letting it run into its neighbours.
    cv::Mat strip = sheet(cv::Rect(x0, 0, cell_side, top));
    const int w = widest({column_labels[c]}, column_scale);
    cv::putText(strip, column_labels[c],
                cv::Point(std::max(0, (cell_side - w) / 2), top - kPad - column_baseline), kFont,
                column_scale, kInk, kThickness, cv::LINE_AA);
  }
  int row_baseline = 0;
  const int row_text_height = text_size("Ag", row_scale, &row_baseline).height;
  for (size_t r = 0; r < rows.size(); ++r) {
    const int y0 = top + kGap + static_cast<int>(r) * pitch;
    if (left > 0) {
      cv::putText(sheet, rows[r].label, cv::Point(kPad, y0 + (cell_side + row_text_height) / 2),
                  kFont, row_scale, kInk, kThickness, cv::LINE_AA);
    }
    for (size_t c = 0; c < rows[r].images.size(); ++c) {
      const cv::Mat fitted = cell_image(rows[r].images[c], cell_side, rows[r], r, c);
      const int x0 = left + kGap + static_cast<int>(c) * pitch;
      fitted.copyTo(sheet(cv::Rect(x0 + (cell_side - fitted.cols) / 2,
                                   y0 + (cell_side - fitted.rows) / 2, fitted.cols, fitted.rows)));
    }
  }
  return sheet;
}

void write_grid_png(const std::string& path, const std::vector<GridRow>& rows,
                    const std::vector<std::string>& column_labels, int cell_side) {
  const cv::Mat sheet = draw_grid(rows, column_labels, cell_side);
  // A freshly allocated Mat is continuous: rows packed, as write_png expects.
  write_png(path, sheet.ptr<uint8_t>(), sheet.cols, sheet.rows, sheet.channels());
}

}  // namespace gauntlet
