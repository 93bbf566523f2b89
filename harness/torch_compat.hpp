// Differences between LibTorch versions that gauntlet's code meets, in one place (DESIGN.md: the
// same sources build against Debian's LibTorch 1.13 and a pip wheel's LibTorch 2.x).
//
// - Autocast: 1.13 has per-device setters (set_enabled for CUDA, set_cpu_enabled, and
//   set_autocast_gpu_dtype / set_autocast_cpu_dtype); 2.4 replaced them by
//   set_autocast_enabled(device_type, bool) and set_autocast_dtype(device_type, dtype) and
//   deprecated the old ones. set_autocast() below calls whichever the installed LibTorch has.
// - Optimizer::state() is keyed by a string of the parameter's TensorImpl address in 1.13 and by
//   the address itself (void*) in 2.x. Optimizers written here look their per-parameter state up
//   with optimizer_state_key(p), which yields whichever the installed LibTorch uses.
#pragma once

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

namespace gauntlet::compat {

using OptimizerStateMap = std::decay_t<decltype(std::declval<torch::optim::Optimizer&>().state())>;
using OptimizerStateKey = typename OptimizerStateMap::key_type;

/// The key of parameter `p` in Optimizer::state(). The 1.13 string is what LibTorch's own
/// optimizers and its serializer build (c10::guts::to_string of the TensorImpl pointer, which
/// streams the address), so state saved by LibTorch and by us maps back to the same parameters.
template <typename Key = OptimizerStateKey>
Key optimizer_state_key(const torch::Tensor& p) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream s;
    s << static_cast<const void*>(p.unsafeGetTensorImpl());
    return s.str();
  } else {
    return static_cast<Key>(p.unsafeGetTensorImpl());
  }
}

/// Whether autocast is on for `device` (CPU or CUDA), and its dtype.
inline std::pair<bool, torch::ScalarType> autocast_state(torch::DeviceType device) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  return {at::autocast::is_autocast_enabled(device), at::autocast::get_autocast_dtype(device)};
#else
  if (device == torch::kCUDA) return {at::autocast::is_enabled(), at::autocast::get_autocast_gpu_dtype()};
  return {at::autocast::is_cpu_enabled(), at::autocast::get_autocast_cpu_dtype()};
#endif
}

/// Turns autocast on (to `dtype`) or off for `device` (CPU or CUDA), and clears its cast cache
/// when turning it off, as torch.autocast's __exit__ does.
inline void set_autocast(torch::DeviceType device, bool enabled, torch::ScalarType dtype) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  at::autocast::set_autocast_enabled(device, enabled);
  if (enabled) at::autocast::set_autocast_dtype(device, dtype);
#else
  if (device == torch::kCUDA) {
    at::autocast::set_enabled(enabled);
    if (enabled) at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(enabled);
    if (enabled) at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
  if (!enabled) at::autocast::clear_cache();
}

}  // namespace gauntlet::compat
