#include <type_traits>

#include "augmentations/corrupt_op.hpp"
#include "augmentations/geometric.hpp"
#include "augmentations/occlusion.hpp"
#include "augmentations/transform.hpp"

namespace gauntlet {

const std::vector<TransformInfo>& transform_infos() {
  static const std::vector<TransformInfo> infos = {
      {HFlipOptions::kName, "mirror left-right with probability p", HFlipOptions{}},
      {RotateOptions::kName, "rotate by U(-degrees, degrees) about the centre; fill constant|reflect|nearest",
       RotateOptions{}},
      {CorruptOptions::kName,
       "apply a corruption (gauntlet list corruptions) at a severity U{severity_min..severity_max}",
       CorruptOptions{}},
      {EraseOptions::kName,
       "random erasing: a rectangle of U(scale) of the area, log-uniform aspect ratio, noise or value",
       EraseOptions{}},
  };
  return infos;
}

const char* transform_name(const TransformOptions& options) {
  return std::visit([](const auto& o) { return std::decay_t<decltype(o)>::kName; }, options);
}

const char* erase_fill_name(EraseFill fill) {
  return fill == EraseFill::kRandom ? "random" : "constant";
}

const char* fill_name(Fill fill) {
  switch (fill) {
    case Fill::kConstant: return "constant";
    case Fill::kReflect: return "reflect";
    case Fill::kNearest: return "nearest";
  }
  return "constant";
}

std::unique_ptr<Transform> make_transform(const TransformOptions& options) {
  struct Make {
    std::unique_ptr<Transform> operator()(const HFlipOptions& o) const { return std::make_unique<HFlip>(o); }
    std::unique_ptr<Transform> operator()(const RotateOptions& o) const { return std::make_unique<Rotate>(o); }
    std::unique_ptr<Transform> operator()(const CorruptOptions& o) const { return std::make_unique<Corrupt>(o); }
    std::unique_ptr<Transform> operator()(const EraseOptions& o) const { return std::make_unique<Erase>(o); }
  };
  return std::visit(Make{}, options);
}

Pipeline::Pipeline(const std::vector<TransformOptions>& ops) {
  for (const auto& o : ops) ops_.push_back(make_transform(o));
}

void Pipeline::apply(const cv::Mat& src, cv::Mat& dst, uint64_t key, uint64_t epoch,
                     uint64_t sample) const {
  if (ops_.empty()) {
    if (dst.data != src.data) src.copyTo(dst);
    return;
  }
  cv::Mat cur = src;
  for (size_t k = 0; k < ops_.size(); ++k) {
    Rng rng{key, epoch, sample, k};
    cv::Mat next;
    ops_[k]->apply(cur, next, rng);
    cur = next;
  }
  if (dst.data != nullptr && dst.size() == cur.size() && dst.type() == cur.type()) {
    cur.copyTo(dst);  // keep writing into the caller's buffer (e.g. a slot of a batch)
  } else {
    dst = cur;
  }
}

}  // namespace gauntlet
