// Replacement classifier heads. A backbone built with num_classes 0 has no classifier and returns
// its pooled feature vector (timm's convention); Headed holds such a backbone and a head, and
// registers the backbone's children under their own names beside "head", so the backbone's
// tensors keep their torchvision/timm names and the head's are "head.*".
#pragma once

#include <torch/torch.h>

#include "models/head_options.hpp"

namespace gauntlet {

/// [Dropout, Linear, activation] per hidden width, then Dropout, Linear(num_classes); names
/// "0", "1", ... like a torchvision classifier. Dropout layers are present even at p = 0, so the
/// indices do not depend on the probability.
torch::nn::AnyModule dense_head(int64_t in_features, int64_t num_classes,
                                const DenseHeadOptions& options);

/// z(x) = sqrt(2 / D) cos(x W^T / scale + b), W (D, F) ~ N(0, 1) and b (D) ~ U(0, 2 pi) fixed
/// buffers drawn from torch's generator at construction ("projection", "offset"), so that
/// E[z(x) . z(y)] = exp(-|x - y|^2 / (2 scale^2)); then "fc" = Linear(D, num_classes).
/// "log_scale" (a 0-dim tensor) is a parameter with learn_scale, a buffer otherwise.
class RffHeadImpl : public torch::nn::Cloneable<RffHeadImpl> {
 public:
  RffHeadImpl(int64_t in_features, int64_t num_classes, RffHeadOptions options = {});
  void reset() override;
  /// x: (N, in_features) -> the random features z(x), (N, D).
  torch::Tensor features(const torch::Tensor& x);
  /// x: (N, in_features) -> logits (N, num_classes).
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t in_features_, num_classes_;
  RffHeadOptions options_;
  torch::Tensor projection_, offset_, log_scale_;
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(RffHead);

/// The head of `options` for `in_features` pooled features; throws std::invalid_argument for
/// std::monostate (no head) or a bad option.
torch::nn::AnyModule make_head(int64_t in_features, int64_t num_classes,
                               const HeadOptions& options);

/// A backbone without classifier + a head. Not Cloneable: it shares the backbone's modules.
class HeadedImpl : public torch::nn::Module {
 public:
  /// body: a backbone built with num_classes 0 (forward gives (N, F) features) and no tensors of
  /// its own outside its children.
  HeadedImpl(torch::nn::AnyModule body, torch::nn::AnyModule head);
  torch::Tensor forward(torch::Tensor x);
  /// Sets the mode of the body itself too (it is no child of this module).
  void train(bool on = true) override;

 private:
  torch::nn::AnyModule body_, head_;
};
TORCH_MODULE(Headed);

/// The width F of body's output for a (1, in_channels, side, side) input, measured once in eval
/// mode without gradients (the body's mode is restored).
int64_t feature_width(torch::nn::AnyModule& body, int64_t in_channels, int64_t side);

}  // namespace gauntlet
