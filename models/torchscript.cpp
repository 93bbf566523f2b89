#include "models/torchscript.hpp"

#include "harness/core/error.hpp"

namespace gauntlet {

const char* const kTorchScriptWarning =
    "a TorchScript file is a program: loading it runs the code it holds, with your user's rights "
    "(see SECURITY.md). Load only files you trust, and say so with --allow-torchscript";

ScriptedModuleImpl::ScriptedModuleImpl(torch::jit::Module m) : m_(std::move(m)) {
  for (const auto& p : m_.named_parameters(/*recurse=*/false)) {
    register_parameter(p.name, p.value, p.value.requires_grad());
  }
  for (const auto& b : m_.named_buffers(/*recurse=*/false)) register_buffer(b.name, b.value);
  for (const auto& c : m_.named_children()) register_module(c.name, std::make_shared<ScriptedModuleImpl>(c.value));
  torch::nn::Module::train(m_.is_training());
}

torch::Tensor ScriptedModuleImpl::forward(torch::Tensor x) {
  const torch::IValue y = m_.forward({std::move(x)});
  TORCH_CHECK(y.isTensor(), "the TorchScript module's forward returned a ", y.tagKind(), ", not a tensor");
  return y.toTensor();
}

void ScriptedModuleImpl::train(bool on) {
  torch::nn::Module::train(on);  // children first (each sets its own scripted counterpart)
  // Only this module's own flag: jit::Module::train would reset every descendant.
  if (m_.hasattr("training")) m_.setattr("training", on);
}

ScriptedModule load_torchscript(const std::string& path) {
  try {
    return ScriptedModule(torch::jit::load(path, torch::kCPU));
  } catch (const c10::Error& e) {
    throw InputError(path, std::string("cannot load it as TorchScript: ") + e.what_without_backtrace());
  }
}

}  // namespace gauntlet
