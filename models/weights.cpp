#include "models/weights.hpp"

#include <torch/serialize.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <set>

#include "harness/core/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "models/safetensors.hpp"

namespace gauntlet {
namespace {

static_assert(sizeof(float) == 4, "safetensors data is IEEE float");

torch::Dtype torch_dtype(SafetensorsDtype d) {
  switch (d) {
    case SafetensorsDtype::kF64: return torch::kFloat64;
    case SafetensorsDtype::kF16: return torch::kFloat16;
    case SafetensorsDtype::kBF16: return torch::kBFloat16;
    case SafetensorsDtype::kI64: return torch::kInt64;
    case SafetensorsDtype::kF32: break;
  }
  return torch::kFloat32;
}

// Floating tensors become float32 (what every module here computes in), integers int64.
torch::Tensor normalised(const torch::Tensor& t) {
  if (t.is_floating_point()) return t.to(torch::kFloat32).contiguous();
  return t.to(torch::kInt64).contiguous();
}

std::string type_of(const torch::IValue& v) { return v.tagKind(); }

bool is_tensor_dict(const c10::impl::GenericDict& d) {
  for (const auto& item : d) {
    if (!item.key().isString() || !item.value().isTensor()) return false;
  }
  return true;
}

}  // namespace

NamedTensors load_safetensors(const std::string& path) {
  const std::string bytes = read_file(path);
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const SafetensorsHeader h = parse_safetensors_header(path, data, bytes.size());
  NamedTensors out;
  for (const auto& e : h.tensors) {
    // Copied (not from_blob): the data of a tensor need not be aligned for its dtype.
    torch::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(torch_dtype(e.dtype)));
    if (e.end > e.begin) std::memcpy(t.data_ptr(), data + e.begin, e.end - e.begin);
    out.emplace(e.name, normalised(t));
  }
  return out;
}

NamedTensors load_torch_save(const std::string& path) {
  const std::string bytes = read_file(path);
  torch::IValue v;
  try {
    v = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  } catch (const c10::Error& e) {
    throw InputError(path, std::string("cannot read it as a torch.save file: ") + e.what_without_backtrace());
  }
  const std::string not_sd = "not a state_dict (a dict of parameter name -> tensor, as torch.save(model.state_dict()) writes): ";
  if (!v.isGenericDict()) throw InputError(path, not_sd + "it holds a " + type_of(v));
  c10::impl::GenericDict dict = v.toGenericDict();
  if (!is_tensor_dict(dict)) {
    // A training checkpoint: {"state_dict": {...}, "epoch": ...} or {"model": {...}, ...}.
    for (const char* key : {"state_dict", "model"}) {
      const auto it = dict.find(torch::IValue(std::string(key)));
      if (it != dict.end() && it->value().isGenericDict()) {
        dict = it->value().toGenericDict();
        break;
      }
    }
  }
  NamedTensors out;
  for (const auto& item : dict) {
    if (!item.key().isString()) throw InputError(path, not_sd + "a key is a " + type_of(item.key()));
    const std::string name = item.key().toStringRef();
    if (!item.value().isTensor()) {
      throw InputError(path, not_sd + "the value of \"" + name + "\" is a " + type_of(item.value()));
    }
    out.emplace(name, normalised(item.value().toTensor()));
  }
  return out;
}

NamedTensors load_weights(const std::string& path) {
  char magic[4] = {0, 0, 0, 0};
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, "cannot open the weights file");
    in.read(magic, 4);
  }
  if (std::memcmp(magic, "PK\x03\x04", 4) == 0) return load_torch_save(path);
  if (magic[0] == '\x80') {
    throw InputError(path, "a torch.save file in the legacy (pre-1.6, non-zip) format; save it again with "
                           "torch.save(state_dict, path) from PyTorch >= 1.6, or as safetensors");
  }
  return load_safetensors(path);
}

std::string classifier_weight_name(const torch::nn::Module& m, const std::string& classifier) {
  std::string last;
  const std::string prefix = classifier + ".";
  for (const auto& p : m.named_parameters()) {
    if (p.key().rfind(prefix, 0) == 0 && p.value().dim() == 2) last = p.key();
  }
  return last;
}

int64_t rows_of(const NamedTensors& tensors, const std::string& name) {
  const auto it = tensors.find(name);
  return it == tensors.end() || it->second.dim() != 2 ? -1 : it->second.size(0);
}

StateDictReport load_weights_into(torch::nn::Module& m, const NamedTensors& tensors,
                                  const std::string& classifier, const std::string& path) {
  const std::string prefix = classifier + ".";
  NamedTensors kept = tensors;
  std::vector<std::string> skipped;
  for (const auto& [name, target] : named_state(m)) {
    const auto it = kept.find(name);
    if (name.rfind(prefix, 0) == 0 && it != kept.end() && it->second.sizes() != target.sizes()) {
      std::ostringstream s;
      s << name << ": module " << target.sizes() << " vs file " << it->second.sizes();
      skipped.push_back(s.str());
      kept.erase(it);
    }
  }
  StateDictReport r;
  try {
    r = load_state_dict(m, kept, /*strict=*/false);
  } catch (const std::invalid_argument& e) {
    throw InputError(path, std::string("the weights do not fit the model: ") + e.what());
  }
  // Only the skipped classifier tensors may be missing.
  std::vector<std::string> missing;
  for (const auto& name : r.missing) {
    if (kept.count(name) == 0 && tensors.count(name) > 0) continue;  // skipped above
    missing.push_back(name);
  }
  r.missing = missing;
  if (!r.ok()) throw InputError(path, "the weights do not fit the model:\n" + r.summary());
  r.mismatched = skipped;
  return r;
}

}  // namespace gauntlet
