// A TorchScript module (torch.jit.save) as a torch::nn::Module: its parameters and buffers are
// registered under the same dotted names (child modules mirrored), sharing storage, so the
// harness sees a backbone like any other: optimizers update it, load_state_dict and torch::save
// reach every tensor, train()/eval() reach the scripted code, freezing by name works.
// Loading a TorchScript file runs code: callers load one only on the user's explicit opt-in.
#pragma once

#include <torch/script.h>
#include <torch/torch.h>

#include <string>

namespace gauntlet {

class ScriptedModuleImpl : public torch::nn::Module {
 public:
  explicit ScriptedModuleImpl(torch::jit::Module m);
  /// The scripted module's forward on one tensor; its output must be a tensor.
  torch::Tensor forward(torch::Tensor x);
  /// Also sets the scripted module's (and its submodules') training flag.
  void train(bool on = true) override;
  torch::jit::Module& scripted() { return m_; }

 private:
  torch::jit::Module m_;
};
TORCH_MODULE(ScriptedModule);

/// Why a TorchScript file is refused without the user's opt-in (for messages).
extern const char* const kTorchScriptWarning;

/// Loads a TorchScript file onto the CPU. Throws InputError naming `path` when it is not one.
ScriptedModule load_torchscript(const std::string& path);

}  // namespace gauntlet
