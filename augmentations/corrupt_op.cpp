#include "augmentations/corrupt_op.hpp"

#include <stdexcept>

#include "augmentations/corruption.hpp"

namespace gauntlet {

Corrupt::Corrupt(CorruptOptions o) : o_(std::move(o)) {
  if (!has_corruption(o_.corruption)) {
    throw std::invalid_argument("unknown corruption \"" + o_.corruption +
                                "\" (see `gauntlet list corruptions`)");
  }
  if (o_.severity_min < 1 || o_.severity_max > 5 || o_.severity_min > o_.severity_max) {
    throw std::invalid_argument("corrupt: severity range must lie in 1..5 with min <= max");
  }
}

void Corrupt::apply(const cv::Mat& src, cv::Mat& dst, Rng& rng) const {
  // Both draws happen whether or not p fires, so p does not shift the corruption's own draws.
  const bool on = rng.bernoulli(o_.p);
  const int severity =
      o_.severity_min + static_cast<int>(rng.below(o_.severity_max - o_.severity_min + 1));
  if (!on) {
    if (dst.data != src.data) src.copyTo(dst);
    return;
  }
  cv::Mat out;
  apply_corruption(o_.corruption, severity, src, out, size_table_for(src.rows, src.cols), rng);
  dst = out;
}

}  // namespace gauntlet
