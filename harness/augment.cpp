#include "harness/augment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "augmentations/transform.hpp"
#include "harness/command_io.hpp"
#include "harness/core/error.hpp"
#include "harness/core/parallel.hpp"
#include "harness/data_source.hpp"
#include "harness/previews.hpp"
#include "harness/suite.hpp"
#include "reports/image_grid.hpp"

namespace gauntlet {
namespace {

constexpr uint64_t kAugmentOp = 0x6175676dull;  // "augm"

}  // namespace

void augment(const AugmentOptions& o) {
  if (o.out.empty() && o.preview.empty()) throw InputError("augment", "give --out FILE.npz, --preview FILE.png or both");
  const Pipeline pipeline(load_pipeline_file(o.pipeline));
  const Dataset d = load_dataset({o.data});
  if (o.index < 0 || o.index >= d.n) {
    throw InputError("--index", fmt::format("{} is outside 0..{} ({} has {} images)", o.index, d.n - 1, o.data, d.n));
  }
  // Image i at epoch e draws op k from Rng{key, e, i, k}, as in training (Pipeline::apply).
  const uint64_t key = mix_key({o.seed, kAugmentOp});
  if (!o.out.empty()) {
    Dataset out = d;
    parallel_chunks(d.n, o.threads, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        cv::Mat dst = image_mat(out, i);
        pipeline.apply(image_mat(d, i), dst, key, 0, static_cast<uint64_t>(i));
        if (dst.data != out.image(i)) {
          throw std::logic_error("augment: a transform changed the image size");
        }
      }
    });
    write_output("--out", [&] { write_dataset_npz(o.out, out); });
    fmt::print("{}: {} images of {}, one draw each (epoch 0, seed {})\n", o.out, d.n, o.data, o.seed);
  }
  if (!o.preview.empty()) {
    std::vector<std::string> columns{"original"};
    for (int e = 0; e < o.draws; ++e) columns.push_back(fmt::format("epoch {}", e));
    std::vector<GridRow> rows;
    for (int64_t i = o.index; i < std::min<int64_t>(d.n, o.index + o.samples); ++i) {
      rows.push_back(augmentation_row(fmt::format("#{} ({})", i, d.class_names[static_cast<size_t>(d.labels[i])]),
                                      image_mat(d, i), pipeline, key, static_cast<uint64_t>(i), o.draws));
    }
    write_output("--preview", [&] { write_grid_png(o.preview, rows, columns, o.cell_side); });
    fmt::print("{}: preview, {} images x {} draws of {}\n", o.preview, rows.size(), o.draws, o.data);
  }
}

}  // namespace gauntlet
