#include "models/weights.hpp"

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
