// A labelled contact sheet of images: one row per label (a corruption, an augmentation), one
// column per header label (a severity, a sample), so that `--preview` shows at a glance what a
// suite does to its images.
//
// Layout, all in pixels: a left margin for the row labels (absent when every row label is empty),
// a header strip for the column labels (absent when there are none), then cells of cell_side x
// cell_side separated and surrounded by 4 px gaps. The cells sit at the right and bottom edges:
// cell (r, c) has its top-left corner at
//   x = width - (num_columns - c) * (cell_side + 4),
//   y = height - (num_rows - r) * (cell_side + 4).
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace gauntlet {

struct GridRow {
  std::string label;
  /// uint8 images, 1 (grey) or 3 (RGB) channels, any size; a row shorter than the sheet is wide
  /// leaves its last cells blank.
  std::vector<cv::Mat> images;
};

/// The sheet as an RGB uint8 image on white. The columns are as many as the longest of
/// `column_labels` and the rows' image lists. Each image is scaled to fit its cell, keeping its
/// aspect ratio and centred: nearest neighbour when enlarging, so that pixels stay visible, area
/// averaging when shrinking. Labels are drawn in dark grey with OpenCV's Hershey simplex font; row
/// labels shrink (to a floor) rather than widen the margin past max(2 * cell_side, 128) px, column
/// labels shrink to fit their cell and are clipped to it below the floor.
/// Throws std::invalid_argument for cell_side < 1, no rows or no columns, or an image that is
/// empty, not uint8, or not 1 or 3 channels (naming its row and column).
cv::Mat draw_grid(const std::vector<GridRow>& rows, const std::vector<std::string>& column_labels,
                  int cell_side);

/// draw_grid written as a PNG file (see write_png). Throws as draw_grid and write_png do.
void write_grid_png(const std::string& path, const std::vector<GridRow>& rows,
                    const std::vector<std::string>& column_labels, int cell_side);

}  // namespace gauntlet
