// Inception v3: Szegedy et al., "Rethinking the Inception Architecture for Computer Vision",
// CVPR 2016, exactly as torchvision 0.14 builds it (Inception3 with init_weights=True): the same
// module names (Conv2d_1a_3x3.conv, Mixed_5b.branch5x5_1.bn, AuxLogits.fc, fc, ...) so that a
// torchvision state_dict loads unchanged, BatchNorm eps 1e-3, and truncated-normal
// initialisation (std 0.1; 0.01 and 0.001 in the auxiliary head). Inputs must be >= 75 px.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "models/inception_options.hpp"

namespace gauntlet {

/// conv (no bias) + BatchNorm (eps 1e-3) + ReLU: torchvision's BasicConv2d.
class BasicConv2dImpl : public torch::nn::Cloneable<BasicConv2dImpl> {
 public:
  explicit BasicConv2dImpl(torch::nn::Conv2dOptions options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Conv2d& conv() { return conv_; }

 private:
  torch::nn::Conv2dOptions options_;
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(BasicConv2d);

/// One branch of a Mixed block: an optional 3x3 pool ("avg": stride 1 pad 1, "max": stride 2),
/// a chain of convs, and optionally two convs applied to the chain's output and concatenated
/// (InceptionE's 1x3 / 3x1 split).
struct InceptionBranch {
  std::string pool;
  std::vector<std::string> chain;
  std::vector<std::string> split;
};

/// One Mixed block as data: its convs in torchvision's registration order, then its branches,
/// whose outputs are concatenated along channels. kind 'A' (width = pool_features), 'B', 'C'
/// (width = channels_7x7), 'D' or 'E': torchvision's InceptionA ... InceptionE.
class InceptionBlockImpl : public torch::nn::Cloneable<InceptionBlockImpl> {
 public:
  InceptionBlockImpl(char kind, int64_t in_channels, int64_t width = 0);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

 private:
  char kind_;
  int64_t in_channels_, width_;
  std::map<std::string, BasicConv2d> convs_;
  std::vector<InceptionBranch> branches_;
};
TORCH_MODULE(InceptionBlock);

class InceptionAuxImpl : public torch::nn::Cloneable<InceptionAuxImpl> {
 public:
  InceptionAuxImpl(int64_t in_channels, int64_t num_classes);
  void reset() override;
  torch::Tensor forward(torch::Tensor x);
  /// torchvision's stddev of the aux head: 0.01 for conv1, 0.001 for fc.
  void init_weights();

 private:
  int64_t in_channels_, num_classes_;
  BasicConv2d conv0_{nullptr}, conv1_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(InceptionAux);

class Inception3Impl : public torch::nn::Cloneable<Inception3Impl> {
 public:
  /// num_classes 0 builds no fc (and allows no aux head): forward returns the pooled features
  /// (N, 2048), timm's convention for a replaced head.
  Inception3Impl(int64_t in_channels, int64_t num_classes, InceptionOptions options = {});
  void reset() override;
  /// x: (N, in_channels, H, W) float, H and W >= 75 -> logits (N, num_classes).
  torch::Tensor forward(torch::Tensor x);
  /// The auxiliary logits (N, num_classes) of the last forward in training mode with aux_logits;
  /// undefined otherwise (eval mode, or no aux head).
  const torch::Tensor& aux_logits() const { return aux_; }

 private:
  int64_t in_channels_;
  int64_t num_classes_;
  InceptionOptions options_;
  // Conv2d_1a_3x3 ... Mixed_7c (and the parameter-free max pools) in forward order.
  std::vector<torch::nn::AnyModule> trunk_;
  InceptionAux aux_head_{nullptr};
  size_t aux_after_ = 0;  // the index of Mixed_6e in trunk_
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear fc_{nullptr};
  torch::Tensor aux_;
};
TORCH_MODULE(Inception3);

}  // namespace gauntlet
