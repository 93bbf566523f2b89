// Preview grids drawn by `run` while it has the data, so that the report (which reads result
// folders only) can show what the model was trained and tested on: the cell's augmentation as the
// loader drew it, and the suite's perturbed hold-outs. Stored as <cell>/explain/*.png.
// Light header: OpenCV and the grid drawer, no torch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "augmentations/transform.hpp"
#include "harness/holdouts.hpp"
#include "harness/preprocess.hpp"
#include "reports/image_grid.hpp"

namespace gauntlet {

/// One preview row: `src`, then the pipeline's draws for sample `index` at epochs 0..draws-1 with
/// `key` (Pipeline::apply's keying: exactly the images the loader makes of that sample).
GridRow augmentation_row(const std::string& label, const cv::Mat& src, const Pipeline& pipeline, uint64_t key,
                         uint64_t index, int draws);

/// The augmentation preview of a training set: the first image of each class (class order), at
/// most `max_rows` of them, each with `draws` epochs of the pipeline keyed by `key`.
std::vector<GridRow> augmentation_preview(const PreparedSet& train, const std::vector<std::string>& class_names,
                                          const Pipeline& pipeline, uint64_t key, int max_rows, int draws);

/// Gathers the test images of every clean, corruption and profile hold-out as the model saw them
/// (prepared: cropped, resized) and lays them out as two grids:
///   corruptions: one row per corruption, columns clean | its severities, all of test image 0;
///   profiles:    row "clean", then one row per profile, columns test images 0..images-1.
/// External hold-outs hold other images and are left out.
class HoldoutPreview {
 public:
  explicit HoldoutPreview(int images = 4) : images_(images) {}
  void add(const HoldoutSpec& h, const PreparedSet& set);

  struct Grid {
    std::vector<GridRow> rows;
    std::vector<std::string> columns;
    bool empty() const { return rows.empty(); }
  };
  Grid corruptions() const;
  Grid profiles() const;

 private:
  struct Corruption {
    std::string name;
    std::vector<int> severities;
    std::vector<cv::Mat> images;
  };
  int images_;
  std::vector<cv::Mat> clean_;  ///< test images 0..images-1
  std::vector<Corruption> corruptions_;
  std::vector<GridRow> profiles_;
};

/// Writes explain_dir/augmentation_preview.png (the draws of augmentation_preview, when given),
/// corruption_preview.png and profile_preview.png (when the suite has such hold-outs), each
/// atomically; returns the file names written, in that order.
std::vector<std::string> write_preview_grids(const std::string& explain_dir, const std::vector<GridRow>& augmentation,
                                             int draws, const HoldoutPreview& holdouts, int cell_side = 96);

}  // namespace gauntlet
