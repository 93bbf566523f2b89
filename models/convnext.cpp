#include "models/convnext.hpp"

#include <stdexcept>

#include "models/layers.hpp"

namespace gauntlet {
namespace {

namespace nn = torch::nn;

// torchvision's Permute([0, 2, 3, 1]) and back: a parameter-free slot that keeps the indices of
// CNBlock's Sequential (block.2 is the LayerNorm, block.3 and block.5 the Linears).
nn::Functional permute(std::vector<int64_t> dims) {
  return nn::Functional([dims](const torch::Tensor& x) { return x.permute(dims); });
}

}  // namespace

ConvNeXtArch convnext_arch(const std::string& size) {
  if (size == "tiny") return {{3, 3, 9, 3}, {96, 192, 384, 768}};
  if (size == "small") return {{3, 3, 27, 3}, {96, 192, 384, 768}};
  if (size == "base") return {{3, 3, 27, 3}, {128, 256, 512, 1024}};
  if (size == "large") return {{3, 3, 27, 3}, {192, 384, 768, 1536}};
  throw std::invalid_argument("convnext: no size \"" + size + "\"");
}

CNBlockImpl::CNBlockImpl(int64_t dim, double layer_scale, double stochastic_depth_prob)
    : dim_(dim), layer_scale_init_(layer_scale), stochastic_depth_prob_(stochastic_depth_prob) {
  reset();
}

void CNBlockImpl::reset() {
  // PyTorch's state_dict lists a module's own parameters before its children's: layer_scale
  // first, as torchvision's.
  layer_scale_ = register_parameter("layer_scale", torch::full({dim_, 1, 1}, layer_scale_init_));
  block_ = register_module(
      "block",
      nn::Sequential(nn::Conv2d(nn::Conv2dOptions(dim_, dim_, 7).padding(3).groups(dim_)),
                     permute({0, 2, 3, 1}), nn::LayerNorm(nn::LayerNormOptions({dim_}).eps(1e-6)),
                     nn::Linear(dim_, 4 * dim_), nn::GELU(), nn::Linear(4 * dim_, dim_),
                     permute({0, 3, 1, 2})));
}

torch::Tensor CNBlockImpl::forward(torch::Tensor x) {
  torch::Tensor branch = layer_scale_ * block_->forward(x);
  return stochastic_depth(branch, stochastic_depth_prob_, is_training()) + x;
}

ConvNeXtImpl::ConvNeXtImpl(ConvNeXtArch arch, int64_t in_channels, int64_t num_classes,
                           ConvNeXtOptions options)
    : arch_(arch), in_channels_(in_channels), num_classes_(num_classes), options_(options) {
  TORCH_CHECK(in_channels > 0, "convnext: in_channels must be positive, got ", in_channels);
  TORCH_CHECK(num_classes == 0 || num_classes > 1,
              "convnext: need at least 2 classes (or 0 for no classifier), got ", num_classes);
  TORCH_CHECK(options_.stochastic_depth_prob() >= 0 && options_.stochastic_depth_prob() <= 1,
              "convnext: stochastic_depth_prob must be in [0, 1], got ",
              options_.stochastic_depth_prob());
  reset();
}

void ConvNeXtImpl::reset() {
  const auto& dims = arch_.dims;
  features_ = Chain();
  // Conv2dNormActivation(kernel 4, stride 4, bias, LayerNorm2d, no activation).
  features_->push_back(Chain(nn::Conv2d(nn::Conv2dOptions(in_channels_, dims[0], 4).stride(4)),
                             LayerNorm2d(dims[0])));
  int64_t total = 0;
  for (int64_t d : arch_.depths) total += d;
  int64_t block_id = 0;
  for (size_t s = 0; s < 4; ++s) {
    Chain stage;
    for (int64_t i = 0; i < arch_.depths[s]; ++i, ++block_id) {
      // Linearly increasing drop probability, 0 for the first block (torchvision's formula).
      const double p = options_.stochastic_depth_prob() * static_cast<double>(block_id) /
                       (static_cast<double>(total) - 1.0);
      stage->push_back(CNBlock(dims[s], options_.layer_scale(), p));
    }
    features_->push_back(stage);
    if (s + 1 < 4) {
      features_->push_back(Chain(LayerNorm2d(dims[s]),
                                 nn::Conv2d(nn::Conv2dOptions(dims[s], dims[s + 1], 2).stride(2))));
    }
  }
  classifier_ = nn::Sequential(LayerNorm2d(dims[3]), nn::Flatten());
  if (num_classes_ > 0) classifier_->push_back(nn::Linear(dims[3], num_classes_));
  register_module("features", features_);
  register_module("classifier", classifier_);

  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      trunc_normal_(conv->weight, 0.0, 0.02, -2.0, 2.0);
      nn::init::zeros_(conv->bias);
    } else if (auto* fc = m->as<nn::Linear>()) {
      trunc_normal_(fc->weight, 0.0, 0.02, -2.0, 2.0);
      nn::init::zeros_(fc->bias);
    }
  }
}

torch::Tensor ConvNeXtImpl::forward(torch::Tensor x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == in_channels_, "convnext: expected (N, ", in_channels_,
              ", H, W) input, got ", x.sizes());
  x = features_->forward(x);
  return classifier_->forward(torch::adaptive_avg_pool2d(x, {1, 1}));
}

}  // namespace gauntlet
