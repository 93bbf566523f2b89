// MixUp and CutMix as timm's Mixup draws them (mode "batch", correct_lam for CutMix, partner =
// the batch reversed), on a raw float buffer so that augmentations/ stays free of LibTorch.
#include "augmentations/mixing.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "augmentations/policies.hpp"

namespace gauntlet {

MixResult mix_batch(const MixOptions& o, float* images, int64_t n, int64_t c, int64_t h, int64_t w,
                    const int64_t* labels, int64_t num_classes, float* targets, Rng& rng) {
  MixResult r;
  if (o.enabled() && rng.bernoulli(o.prob)) {
    bool cutmix = o.mixup_alpha <= 0.0;
    if (o.mixup_alpha > 0.0 && o.cutmix_alpha > 0.0) cutmix = rng.bernoulli(o.switch_prob);
    const double alpha = cutmix ? o.cutmix_alpha : o.mixup_alpha;
    r.lam = sample_beta(rng, alpha, alpha);
    r.kind = cutmix ? MixKind::kCutMix : MixKind::kMixUp;
    if (cutmix) {
      // timm's rand_bbox: a box of (h, w) x sqrt(1 - lam), centre uniform, clipped to the image.
      const double cut = std::sqrt(1.0 - r.lam);
      const auto ch = static_cast<int64_t>(h * cut), cw = static_cast<int64_t>(w * cut);
      const auto cy = static_cast<int64_t>(rng.below(static_cast<uint64_t>(h)));
      const auto cx = static_cast<int64_t>(rng.below(static_cast<uint64_t>(w)));
      r.box_y0 = static_cast<int>(std::clamp<int64_t>(cy - ch / 2, 0, h));
      r.box_y1 = static_cast<int>(std::clamp<int64_t>(cy + ch / 2, 0, h));
      r.box_x0 = static_cast<int>(std::clamp<int64_t>(cx - cw / 2, 0, w));
      r.box_x1 = static_cast<int>(std::clamp<int64_t>(cx + cw / 2, 0, w));
      r.lam = 1.0 - static_cast<double>(r.box_y1 - r.box_y0) * (r.box_x1 - r.box_x0) / (h * w);
    }
  }
  const int64_t image = c * h * w;
  // Pairs (i, n-1-i) are mixed together so that both read the other's original pixels.
  for (int64_t i = 0, j = n - 1; i < j && r.kind != MixKind::kNone; ++i, --j) {
    float* a = images + i * image;
    float* b = images + j * image;
    if (r.kind == MixKind::kMixUp) {
      const auto lam = static_cast<float>(r.lam), rest = static_cast<float>(1.0 - r.lam);
      for (int64_t k = 0; k < image; ++k) {
        const float va = a[k], vb = b[k];
        a[k] = lam * va + rest * vb;
        b[k] = lam * vb + rest * va;
      }
    } else {
      for (int64_t p = 0; p < c; ++p) {
        for (int64_t y = r.box_y0; y < r.box_y1; ++y) {
          const int64_t row = (p * h + y) * w;
          std::swap_ranges(a + row + r.box_x0, a + row + r.box_x1, b + row + r.box_x0);
        }
      }
    }
  }
  std::fill(targets, targets + n * num_classes, 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t own = labels[i], other = labels[n - 1 - i];
    if (own < 0 || own >= num_classes || other < 0 || other >= num_classes) {
      throw std::invalid_argument("mix_batch: label " + std::to_string(own < 0 || own >= num_classes ? own : other) +
                                  " outside 0.." + std::to_string(num_classes - 1));
    }
    targets[i * num_classes + own] += static_cast<float>(r.lam);
    targets[i * num_classes + other] += static_cast<float>(1.0 - r.lam);
  }
  return r;
}

}  // namespace gauntlet
