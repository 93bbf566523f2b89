// The building blocks MobileNetV2/V3 and EfficientNet V1/V2 share, as torchvision 0.14 writes them
// (torchvision.ops.misc.Conv2dNormActivation and SqueezeExcitation,
// torchvision.ops.StochasticDepth, the inverted residual of each family), with its module names so
// state_dict keys agree.
#pragma once

#include <torch/torch.h>

#include "models/block_table.hpp"

namespace gauntlet {

/// BatchNorm2d settings: torchvision's default, 1e-3/0.01 (MobileNetV3, EfficientNet B5-B7) or
/// 1e-3/0.1 (EfficientNetV2).
struct NormSpec {
  double eps = 1e-5;
  double momentum = 0.1;
};

/// A Sequential that can sit inside another one (nn::Sequential's forward is a template, so
/// AnyModule cannot hold it); torchvision nests Sequentials for Conv2dNormActivation and stages.
class StackImpl : public torch::nn::SequentialImpl {
 public:
  using SequentialImpl::SequentialImpl;
  torch::Tensor forward(torch::Tensor x) { return SequentialImpl::forward(x); }
  std::shared_ptr<torch::nn::Module> clone(
      const torch::optional<torch::Device>& device = torch::nullopt) const override;
};
TORCH_MODULE(Stack);

/// A parameter-free activation module (LibTorch 1.13 has no Hardswish / Hardsigmoid module).
class ActivationLayerImpl : public torch::nn::Cloneable<ActivationLayerImpl> {
 public:
  explicit ActivationLayerImpl(Activation kind);
  void reset() override {}
  torch::Tensor forward(torch::Tensor x);

 private:
  Activation kind_;
};
TORCH_MODULE(ActivationLayer);

/// Conv2dNormActivation: conv (no bias, padding (k - 1) / 2) -> BN -> activation, as a Sequential
/// with entries 0, 1 (, 2); Activation::kNone leaves the activation out.
Stack conv_norm_act(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups,
                    const NormSpec& norm, Activation act);

/// SqueezeExcitation: x * gate(fc2(act(fc1(avgpool(x))))), fc1/fc2 1x1 convs with bias.
class SqueezeExcitationImpl : public torch::nn::Cloneable<SqueezeExcitationImpl> {
 public:
  SqueezeExcitationImpl(int64_t channels, int64_t squeeze, Activation act, Activation gate);
  void reset() override;
  torch::Tensor forward(torch::Tensor x);

 private:
  int64_t channels_, squeeze_;
  Activation act_kind_, gate_kind_;
  torch::nn::Conv2d fc1_{nullptr}, fc2_{nullptr};
  ActivationLayer act_{nullptr}, gate_{nullptr};
};
TORCH_MODULE(SqueezeExcitation);

/// torchvision.ops.StochasticDepth in "row" mode: in training, each sample's residual branch is
/// zeroed with probability p and the survivors scaled by 1 / (1 - p); the identity in eval.
class StochasticDepthImpl : public torch::nn::Cloneable<StochasticDepthImpl> {
 public:
  explicit StochasticDepthImpl(double p);
  void reset() override {}
  torch::Tensor forward(torch::Tensor x);
  double p() const { return p_; }

 private:
  double p_;
};
TORCH_MODULE(StochasticDepth);

/// One inverted-residual block, resolved to widths. The layout follows the family:
///  kMobileNetV2:  "conv" = [expand CNA], depthwise CNA, 1x1 conv, BN (no SE)
///  kMBConv:       "block" = [expand CNA], depthwise CNA, [SE], project CNA (MobileNetV3, EffNet)
///  kFusedMBConv:  "block" = kxk expand CNA with the stride, project CNA; or one kxk CNA when
///                 nothing expands (EfficientNetV2)
/// The residual (stride 1, in == out) passes the branch through StochasticDepth first.
struct InvertedResidualConfig {
  enum class Layout { kMobileNetV2, kMBConv, kFusedMBConv };
  Layout layout = Layout::kMBConv;
  int64_t in = 0, expanded = 0, out = 0, kernel = 3, stride = 1;
  Activation act = Activation::kReLU;
  int64_t se_channels = 0;  ///< 0: no squeeze-excitation
  Activation se_act = Activation::kReLU, se_gate = Activation::kSigmoid;
  double drop_path = 0.0;  ///< stochastic depth probability
  NormSpec norm;
};

/// The fields every family fills alike from an unrolled row: layout, widths in and out, kernel,
/// stride, activation (the row's, else `family_act`) and BatchNorm; the family adds the expanded
/// width, squeeze-excitation and stochastic depth by its own rules.
InvertedResidualConfig block_config(const UnrolledBlock& b, InvertedResidualConfig::Layout layout,
                                    Activation family_act, const NormSpec& norm);

class InvertedResidualImpl : public torch::nn::Cloneable<InvertedResidualImpl> {
 public:
  explicit InvertedResidualImpl(InvertedResidualConfig config);
  void reset() override;
  torch::Tensor forward(torch::Tensor x);
  const InvertedResidualConfig& config() const { return config_; }

 private:
  InvertedResidualConfig config_;
  bool residual_ = false;
  Stack branch_{nullptr};
  StochasticDepth drop_path_{nullptr};
};
TORCH_MODULE(InvertedResidual);

/// torchvision's initialisation of the three families: convs kaiming-normal (fan_out) with zero
/// bias, BN weight 1 and bias 0; Linear layers normal(0, 0.01) or, with `efficientnet_linear`,
/// uniform(+-1/sqrt(out_features)); both with zero bias.
void init_mbconv_family(torch::nn::Module& model, bool efficientnet_linear);

/// The shared forward of the three families: checks x is (N, in_channels, H, W), then features,
/// global average pooling, flatten, classifier.
torch::Tensor pool_and_classify(Stack& features, Stack& classifier, int64_t in_channels,
                                const char* family, torch::Tensor x);

}  // namespace gauntlet
