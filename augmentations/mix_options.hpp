// Options of the batch mixers, MixUp and CutMix, as data (no OpenCV, no JSON): light enough for
// the suite layer. mixing.hpp applies them.
#pragma once

namespace gauntlet {

/// timm's Mixup in batch mode: with probability `prob` a batch is mixed with itself reversed,
/// by MixUp (Zhang et al. 2018; x = lam x + (1 - lam) x_rev) or CutMix (Yun et al. 2019; a box of
/// area ~ (1 - lam) pasted from x_rev, lam then set to the area actually kept), lam ~
/// Beta(alpha, alpha). When both alphas are > 0, CutMix is chosen with probability switch_prob.
/// Targets become lam onehot(y) + (1 - lam) onehot(y_rev). Alpha 0 turns a mixer off.
struct MixOptions {
  double mixup_alpha = 0.0;
  double cutmix_alpha = 0.0;
  double prob = 1.0;
  double switch_prob = 0.5;
  bool enabled() const { return (mixup_alpha > 0.0 || cutmix_alpha > 0.0) && prob > 0.0; }
};

}  // namespace gauntlet
