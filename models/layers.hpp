// Small operations several backbone families share, as torch/torchvision define them:
// truncated-normal initialisation (torch.nn.init.trunc_normal_) and stochastic depth
// (torchvision.ops.stochastic_depth, "row" mode; timm's DropPath), and the containers and norm
// layers their module trees are built from.
#pragma once

#include <torch/torch.h>

namespace gauntlet {

/// Fills `t` from N(mean, std^2) truncated to [a, b] (absolute bounds, as PyTorch's), by the
/// same inverse-CDF method and the same draws from torch's generator as PyTorch, in place.
torch::Tensor trunc_normal_(torch::Tensor t, double mean, double std, double a, double b);

/// Huang et al., "Deep Networks with Stochastic Depth", ECCV 2016: in training, zeroes each
/// sample's residual branch with probability p and scales survivors by 1 / (1 - p); identity
/// otherwise or when p is 0.
torch::Tensor stochastic_depth(const torch::Tensor& x, double p, bool training);

/// A Sequential with a plain forward(Tensor), so that one can hold another (LibTorch's AnyModule
/// cannot hold nn::Sequential, whose forward is a template); names its children like Sequential
/// ("0", "1", ... or the names given to push_back).
class ChainImpl : public torch::nn::SequentialImpl {
 public:
  using SequentialImpl::SequentialImpl;
  torch::Tensor forward(torch::Tensor x) { return SequentialImpl::forward(std::move(x)); }
};
TORCH_MODULE(Chain);

/// LayerNorm over the channels of an (N, C, H, W) tensor (torchvision's LayerNorm2d): parameters
/// "weight" and "bias" of shape (C).
class LayerNorm2dImpl : public torch::nn::Cloneable<LayerNorm2dImpl> {
 public:
  explicit LayerNorm2dImpl(int64_t channels, double eps = 1e-6);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight, bias;

 private:
  int64_t channels_;
  double eps_;
};
TORCH_MODULE(LayerNorm2d);

}  // namespace gauntlet
