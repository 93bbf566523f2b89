// Differences between LibTorch versions that gauntlet's code meets, in one place (DESIGN.md: the
// same sources build against Debian's LibTorch 1.13 and a pip wheel's LibTorch 2.x).
//
// - Optimizer::state() is keyed by a string of the parameter's TensorImpl address in 1.13 and by
//   the address itself (void*) in 2.x. Optimizers written here look their per-parameter state up
//   with optimizer_state_key(p), which yields whichever the installed LibTorch uses.
#pragma once

#include <torch/torch.h>

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

}  // namespace gauntlet::compat
