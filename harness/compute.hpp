// Where and in which precision a cell trains: the device (CPU or CUDA), mixed precision by autocast
// (bf16 on CPU or CUDA, fp16 on CUDA with a dynamic loss scaler), channels-last memory format, and
// pinned host memory with non-blocking copies for CUDA batches.
#pragma once

#include <torch/torch.h>

#include <string>

namespace gauntlet {

enum class Precision { kFloat32, kBFloat16, kFloat16 };

struct ComputeOptions {
  torch::Device device = torch::kCPU;
  Precision precision = Precision::kFloat32;
  bool channels_last = false;
};

/// "fp32" | "bf16" | "fp16"; throws std::invalid_argument otherwise.
Precision precision_from_name(const std::string& name);
const char* precision_name(Precision p);

/// The compute options of `gauntlet run`: device "cpu" | "cuda" | "auto" (CUDA when LibTorch sees
/// a device). Throws std::invalid_argument for an unknown name, "cuda" without a CUDA device, and
/// fp16 on the CPU (LibTorch's CPU autocast knows bf16 only).
ComputeOptions make_compute_options(const std::string& device, const std::string& precision, bool channels_last);

/// Autocast on for the guard's lifetime when the precision is not fp32 (the forward pass, as
/// torch.autocast is meant to wrap; backward runs outside it); the state before is restored after.
class AutocastScope {
 public:
  explicit AutocastScope(const ComputeOptions& c);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  torch::DeviceType device_ = torch::kCPU;
  bool was_enabled_ = false;
  torch::ScalarType was_dtype_ = torch::kBFloat16;
};

/// Moves `module` to the device, and its 4-D parameters and buffers to channels-last when asked.
void place_module(torch::nn::Module& module, const ComputeOptions& c);

/// A batch of images on its way to the model: on the device, channels-last when asked; from pinned
/// memory without blocking when the device is CUDA.
torch::Tensor place_input(const torch::Tensor& x, const ComputeOptions& c);

/// Dynamic loss scaling for fp16 (torch.cuda.amp.GradScaler's rule): the loss is multiplied by
/// `scale` before backward; unscale() divides the gradients back and says whether they are all
/// finite; update() then halves the scale after a non-finite step (which the caller skips) and
/// doubles it after `growth_interval` finite steps in a row. Disabled, it is the identity.
class LossScaler {
 public:
  struct State {
    double scale = 65536.0;
    int64_t good_steps = 0;
  };
  explicit LossScaler(bool enabled, double init_scale = 65536.0, int64_t growth_interval = 2000);
  bool enabled() const { return enabled_; }
  torch::Tensor scale(const torch::Tensor& loss) const;
  /// Divides every defined gradient by the scale; true when they are all finite.
  bool unscale(const std::vector<torch::Tensor>& params) const;
  void update(bool finite);
  const State& state() const { return state_; }
  void set_state(const State& s) { state_ = s; }

 private:
  bool enabled_;
  int64_t growth_interval_;
  State state_;
};

}  // namespace gauntlet
