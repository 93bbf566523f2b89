// Classification losses over hard labels (int64 class indices) and soft targets (float (N, K)
// rows, as MixUp and CutMix make): cross-entropy and focal loss (Lin et al., "Focal Loss for
// Dense Object Detection", ICCV 2017), with label smoothing and class weights.
//
// Both losses are one formula over a target distribution t (one-hot for hard labels):
//   t'_ik = (1 - s) t_ik + s / K                           (label smoothing s)
//   l_i   = sum_k w_k t'_ik f_ik (-log p_ik)               (w_k = 1 without class weights)
//   f_ik  = 1 (cross-entropy) | alpha_k (1 - p_ik)^gamma   (focal)
//   loss  = sum_i l_i / N                                  without class weights
//         = sum_i l_i / sum_i sum_k w_k t_ik               with them (t unsmoothed)
// For hard labels this is torch.nn.functional.cross_entropy(weight=w, label_smoothing=s) exactly:
// torch weighs the smoothing term's class k by w_k and divides by the sum of w_{y_i}. With soft
// targets and class weights torch divides by N instead; we divide by the summed sample weights
// sum_k w_k t_ik, so that one-hot soft targets give the hard-label loss and a MixUp sample counts
// with the mixed weight of its two classes. A sample's weight is spread over the classes of its
// target (w_k t_ik inside the sum), not applied to its whole loss: a MixUp pair (lambda, a, b) then
// costs lambda w_a CE(a) + (1 - lambda) w_b CE(b), the mixed-label loss of the MixUp paper.
//
// Focal on soft targets sums the per-class focal terms -t_k alpha_k (1 - p_k)^gamma log p_k; with
// gamma = 0 and alpha = 1 it is the cross-entropy above. The paper's alpha is the sigmoid form's
// positive-class weight (negatives get 1 - alpha); for softmax one alpha per class is the usual
// reading, and a single alpha scales every class the same.
#pragma once

#include <torch/torch.h>

#include "harness/loss_options.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet {



/// The names compute_loss() accepts.
const std::vector<std::string>& loss_names();

/// The mean loss (a 0-d tensor of logits' dtype, differentiable) of `logits` (N, K) against
/// `targets`: int64 (N) class indices in [0, K), or float (N, K) target distributions.
/// Throws std::invalid_argument for an unknown name, a smoothing outside [0, 1], a negative
/// gamma, alpha or weight, alpha or weights of the wrong length, and targets whose shape, dtype
/// or class indices do not fit the logits. With class weights whose summed sample weights are 0
/// the result is NaN, as torch's weighted cross_entropy.
torch::Tensor compute_loss(const LossOptions& options, const torch::Tensor& logits,
                           const torch::Tensor& targets);

/// scikit-learn's compute_class_weight("balanced"): w_k = n / (K * count_k) over `labels`, for k
/// in [0, num_classes), n = labels.size(). A class with no label gets weight 0 (sklearn raises an
/// error instead). Throws std::invalid_argument for a label outside [0, num_classes) or
/// num_classes < 1.
std::vector<double> balanced_class_weights(const std::vector<int64_t>& labels, int num_classes);

}  // namespace gauntlet
