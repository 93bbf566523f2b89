#include "models/layers.hpp"

#include <cmath>

namespace gauntlet {

torch::Tensor trunc_normal_(torch::Tensor t, double mean, double std, double a, double b) {
  TORCH_CHECK(std > 0 && a < b, "trunc_normal_: need std > 0 and a < b, got std ", std, ", [", a,
              ", ", b, "]");
  torch::NoGradGuard no_grad;
  const auto cdf = [](double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; };
  const double l = cdf((a - mean) / std);
  const double u = cdf((b - mean) / std);
  t.uniform_(2 * l - 1, 2 * u - 1);
  t.erfinv_();
  t.mul_(std * std::sqrt(2.0));
  t.add_(mean);
  t.clamp_(a, b);
  return t;
}

torch::Tensor stochastic_depth(const torch::Tensor& x, double p, bool training) {
  TORCH_CHECK(p >= 0 && p <= 1, "stochastic_depth: p must be in [0, 1], got ", p);
  if (!training || p == 0.0) return x;
  std::vector<int64_t> size(x.dim(), 1);
  size[0] = x.size(0);
  const double survival = 1.0 - p;
  torch::Tensor noise = torch::empty(size, x.options()).bernoulli_(survival);
  if (survival > 0.0) noise.div_(survival);
  return x * noise;
}

LayerNorm2dImpl::LayerNorm2dImpl(int64_t channels, double eps) : channels_(channels), eps_(eps) {
  reset();
}

void LayerNorm2dImpl::reset() {
  weight = register_parameter("weight", torch::ones({channels_}));
  bias = register_parameter("bias", torch::zeros({channels_}));
}

torch::Tensor LayerNorm2dImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == channels_, "LayerNorm2d: expected (N, ", channels_,
              ", H, W), got ", x.sizes());
  return torch::layer_norm(x.permute({0, 2, 3, 1}), {channels_}, weight, bias, eps_)
      .permute({0, 3, 1, 2});
}

}  // namespace gauntlet
