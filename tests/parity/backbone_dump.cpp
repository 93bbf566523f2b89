// The C++ side of tests/parity/backbones_parity.py.
//   backbone_dump keys NUM_CLASSES NAME...
//     prints, for each backbone, "# NAME" and then one line "key d0 d1 ..." per entry of its
//     state (parameters and buffers, in state_dict order).
//   backbone_dump forward NAME NUM_CLASSES STATE.npz INPUT.npz OUT.npz
//     builds NAME, loads STATE.npz (torchvision state_dict names; float32 or int64 arrays)
//     strictly, runs INPUT.npz's "input" (N, 3, H, W) float32 through it in eval mode, writes
//     "logits" (N, NUM_CLASSES) float32.
// Exit codes: 0 ok, 2 bad input.
#include <cstring>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>

#include "harness/core/npy.hpp"
#include "tests/parity/tensor_npz.hpp"
#include "models/registry.hpp"
#include "models/state_dict.hpp"

namespace {

using gauntlet::Array;
using gauntlet::parity::to_array;
using gauntlet::parity::to_tensor;

torch::nn::AnyModule build(const std::string& name, int64_t num_classes) {
  return gauntlet::make_backbone(name, gauntlet::backbone_info(name).default_options, num_classes);
}

int keys(int argc, char** argv) {
  const int64_t k = std::stoll(argv[2]);
  for (int i = 3; i < argc; ++i) {
    std::cout << "# " << argv[i] << "\n";
    for (const auto& [key, t] : gauntlet::named_state(*build(argv[i], k).ptr())) {
      std::cout << key;
      for (int64_t d : t.sizes()) std::cout << " " << d;
      std::cout << "\n";
    }
  }
  return 0;
}

int forward(char** argv) {
  torch::nn::AnyModule m = build(argv[2], std::stoll(argv[3]));
  std::map<std::string, torch::Tensor> state;
  for (const auto& [key, a] : gauntlet::read_npz(argv[4])) state[key] = to_tensor(a, key);
  gauntlet::load_state_dict(*m.ptr(), state);
  const auto inputs = gauntlet::read_npz(argv[5]);
  const torch::Tensor x = to_tensor(inputs.at("input"), "input");
  m.ptr()->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor y = m.forward(x).contiguous();
  const Array out = to_array(y);
  gauntlet::write_npz(argv[6], {{"logits", &out}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "keys" && argc >= 4) return keys(argc, argv);
    if (mode == "forward" && argc == 7) return forward(argv);
    std::cerr << "usage: backbone_dump keys NUM_CLASSES NAME... | "
                 "forward NAME NUM_CLASSES STATE.npz INPUT.npz OUT.npz\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "backbone_dump: " << e.what() << "\n";
    return 2;
  }
}
