#include "models/state_dict.hpp"

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>

namespace gauntlet {
namespace {

std::string shape_of(const torch::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

// At most 12 names: a file of another model misses hundreds, and the first ones tell the story.
std::string join(const std::vector<std::string>& items) {
  constexpr size_t kShown = 12;
  std::string out;
  for (size_t i = 0; i < std::min(items.size(), kShown); ++i) out += (out.empty() ? "" : ", ") + items[i];
  if (items.size() > kShown) out += ", ... (" + std::to_string(items.size()) + " in all)";
  return out;
}

}  // namespace

std::string StateDictReport::summary() const {
  std::string out;
  auto line = [&](const char* what, const std::vector<std::string>& names) {
    if (names.empty()) return;
    out += (out.empty() ? "" : "\n") + std::string(what) + ": " + join(names);
  };
  line("missing", missing);
  line("unexpected", unexpected);
  line("shape mismatch", mismatched);
  return out;
}

std::vector<std::pair<std::string, torch::Tensor>> named_state(const torch::nn::Module& m) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  // PyTorch's order: each module's parameters, then its buffers, depth first.
  for (const auto& item : m.named_modules()) {
    const std::string prefix = item.key().empty() ? "" : item.key() + ".";
    for (const auto& p : item.value()->named_parameters(/*recurse=*/false)) {
      out.emplace_back(prefix + p.key(), p.value());
    }
    for (const auto& b : item.value()->named_buffers(/*recurse=*/false)) {
      out.emplace_back(prefix + b.key(), b.value());
    }
  }
  return out;
}

StateDictReport load_state_dict(torch::nn::Module& m,
                                const std::map<std::string, torch::Tensor>& tensors, bool strict) {
  const auto state = named_state(m);
  StateDictReport report;
  std::set<std::string> known;
  for (const auto& [name, target] : state) {
    known.insert(name);
    auto it = tensors.find(name);
    if (it == tensors.end()) {
      report.missing.push_back(name);
    } else if (it->second.sizes() != target.sizes()) {
      report.mismatched.push_back(name + ": module " + shape_of(target) + " vs tensor " +
                                  shape_of(it->second));
    }
  }
  for (const auto& [name, tensor] : tensors) {
    if (known.count(name) == 0) report.unexpected.push_back(name);
  }
  if (!report.mismatched.empty() || (strict && !report.ok())) {
    throw std::invalid_argument("load_state_dict: " + report.summary());
  }
  torch::NoGradGuard no_grad;
  for (const auto& [name, target] : state) {
    auto it = tensors.find(name);
    if (it != tensors.end()) target.copy_(it->second);
  }
  return report;
}

}  // namespace gauntlet
