#include "models/registry.hpp"

#include <functional>
#include <stdexcept>

#include "models/simple_cnn.hpp"

namespace gauntlet {
namespace {

using Factory = std::function<torch::nn::AnyModule(const BackboneOptions&, const BackboneDefaults&,
                                                   int64_t num_classes)>;

struct Entry {
  BackboneInfo info;
  Factory make;
};

template <typename Options, typename Module>
Factory factory_of() {
  return [](const BackboneOptions& o, const BackboneDefaults& d, int64_t k) {
    const auto* opts = std::get_if<Options>(&o);
    if (opts == nullptr) throw std::invalid_argument("backbone options of the wrong family");
    return torch::nn::AnyModule(Module(d.in_channels, k, *opts));
  };
}

const std::vector<Entry>& entries() {
  static const std::vector<Entry> table = {
      {{"simple_cnn", "VGG-like: [conv3x3-BN-ReLU]*k + maxpool per block, GAP, dense head",
        BackboneDefaults{}, SimpleCnnOptions{}},
       factory_of<SimpleCnnOptions, SimpleCnn>()},
  };
  return table;
}

const Entry& entry(const std::string& name) {
  for (const auto& e : entries()) {
    if (e.info.name == name) return e;
  }
  std::string known;
  for (const auto& e : entries()) known += (known.empty() ? "" : ", ") + e.info.name;
  throw std::out_of_range("unknown backbone \"" + name + "\" (known: " + known + ")");
}

}  // namespace

const std::vector<BackboneInfo>& backbone_infos() {
  static const std::vector<BackboneInfo> infos = [] {
    std::vector<BackboneInfo> v;
    for (const auto& e : entries()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

const BackboneInfo& backbone_info(const std::string& name) { return entry(name).info; }

torch::nn::AnyModule make_backbone(const std::string& name, const BackboneOptions& options,
                                   int64_t num_classes) {
  const Entry& e = entry(name);
  return e.make(options, e.info.defaults, num_classes);
}

}  // namespace gauntlet
