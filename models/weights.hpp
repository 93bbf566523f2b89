// Weight import: named tensors from a file, then into a model by torchvision's state_dict names.
// Formats: safetensors (models/safetensors.hpp: header checked strictly before any data is read)
// and torch.save's zip format (what torch.save writes since PyTorch 1.6), read by a restricted
// unpickler of our own (models/torch_save.cpp: dicts, lists, numbers, strings and tensors only;
// no Python global beyond what a state_dict needs, so no code runs). TorchScript
// modules (torch.jit.save) are code and are loaded elsewhere, only when the user opts in.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "models/state_dict.hpp"

namespace gauntlet {

using NamedTensors = std::map<std::string, torch::Tensor>;

/// A safetensors file: floating tensors as float32 (F16/BF16/F64 converted), I64 as int64.
/// Throws InputError naming `path`.
NamedTensors load_safetensors(const std::string& path);

/// A torch.save file holding a state_dict: a dict of name -> tensor, or a dict with such a dict
/// under "state_dict" or "model" (training checkpoints). Tensors as load_safetensors returns them.
/// Throws InputError naming `path` ("not a state_dict: ...") for anything else.
NamedTensors load_torch_save(const std::string& path);

/// By content: a torch.save zip file ("PK" magic) or else safetensors. Throws InputError.
NamedTensors load_weights(const std::string& path);

/// The name of the classifier's output weight: the last 2-D parameter of `m` whose name starts
/// with `classifier` + "." ("fc.weight", "classifier.6.weight"); empty when there is none.
std::string classifier_weight_name(const torch::nn::Module& m, const std::string& classifier);

/// Rows of `tensors`[name] (its class count), or -1 when it is absent or not 2-D.
int64_t rows_of(const NamedTensors& tensors, const std::string& name);

/// Loads `tensors` into `m` strictly (every name present, no extra name, every shape equal),
/// except that classifier tensors (names under `classifier` + ".") whose shape differs are
/// skipped, leaving those parameters as initialised: the way to fine-tune on K other classes.
/// Returns the report (`mismatched` lists the skipped ones); throws InputError naming `path`
/// with the report's summary otherwise, copying nothing.
StateDictReport load_weights_into(torch::nn::Module& m, const NamedTensors& tensors,
                                  const std::string& classifier, const std::string& path);

}  // namespace gauntlet
