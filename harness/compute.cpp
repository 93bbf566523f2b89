#include "harness/compute.hpp"

#include <stdexcept>
#include <tuple>

#include "harness/torch_compat.hpp"

namespace gauntlet {

Precision precision_from_name(const std::string& name) {
  if (name == "fp32") return Precision::kFloat32;
  if (name == "bf16") return Precision::kBFloat16;
  if (name == "fp16") return Precision::kFloat16;
  throw std::invalid_argument("--precision: expected fp32, bf16 or fp16, got \"" + name + "\"");
}

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::kBFloat16: return "bf16";
    case Precision::kFloat16: return "fp16";
    case Precision::kFloat32: break;
  }
  return "fp32";
}

ComputeOptions make_compute_options(const std::string& device, const std::string& precision, bool channels_last) {
  ComputeOptions c;
  if (device == "cuda" || (device == "auto" && torch::cuda::is_available())) {
    if (!torch::cuda::is_available()) {
      throw std::invalid_argument("--device cuda: this LibTorch sees no CUDA device (a CPU-only build, or no GPU)");
    }
    c.device = torch::Device(torch::kCUDA, 0);
  } else if (device != "cpu" && device != "auto") {
    throw std::invalid_argument("--device: expected cpu, cuda or auto, got \"" + device + "\"");
  }
  c.precision = precision_from_name(precision);
  if (c.precision == Precision::kFloat16 && !c.device.is_cuda()) {
    throw std::invalid_argument("--precision fp16 needs --device cuda (on the CPU use bf16)");
  }
  c.channels_last = channels_last;
  return c;
}

AutocastScope::AutocastScope(const ComputeOptions& c) : device_(c.device.type()) {
  if (c.precision == Precision::kFloat32) return;
  std::tie(was_enabled_, was_dtype_) = compat::autocast_state(device_);
  compat::set_autocast(device_, true, c.precision == Precision::kFloat16 ? torch::kHalf : torch::kBFloat16);
  active_ = true;
}

AutocastScope::~AutocastScope() {
  if (active_) compat::set_autocast(device_, was_enabled_, was_dtype_);
}

void place_module(torch::nn::Module& module, const ComputeOptions& c) {
  module.to(c.device);
  if (!c.channels_last) return;
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) {
    if (p.dim() == 4) p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
  }
  for (auto& b : module.buffers()) {
    if (b.dim() == 4) b.set_data(b.data().contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

torch::Tensor place_input(const torch::Tensor& x, const ComputeOptions& c) {
  torch::Tensor out = c.device.is_cpu() ? x : x.to(c.device, /*non_blocking=*/x.is_pinned());
  if (c.channels_last && out.dim() == 4) out = out.contiguous(torch::MemoryFormat::ChannelsLast);
  return out;
}

LossScaler::LossScaler(bool enabled, double init_scale, int64_t growth_interval)
    : enabled_(enabled), growth_interval_(growth_interval) {
  state_.scale = init_scale;
}

torch::Tensor LossScaler::scale(const torch::Tensor& loss) const {
  return enabled_ ? loss * state_.scale : loss;
}

bool LossScaler::unscale(const std::vector<torch::Tensor>& params) const {
  if (!enabled_) return true;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> finite;
  for (const auto& p : params) {
    if (!p.grad().defined()) continue;
    p.grad().div_(state_.scale);
    finite.push_back(torch::isfinite(p.grad()).all());
  }
  // One synchronisation with the device per step, not one per parameter.
  return finite.empty() || torch::stack(finite).all().item<bool>();
}

void LossScaler::update(bool finite) {
  if (!enabled_) return;
  if (!finite) {
    state_.scale *= 0.5;
    state_.good_steps = 0;
  } else if (++state_.good_steps >= growth_interval_) {
    state_.scale *= 2.0;
    state_.good_steps = 0;
  }
}

}  // namespace gauntlet
