// Loading named tensors into a module by torchvision's state_dict names (parameters and buffers,
// dotted paths such as "layer1.0.downsample.1.running_mean"), the step every weight importer
// (safetensors, torch.save, .npz) ends in. Like PyTorch's load_state_dict: names that are missing
// or unexpected and shapes that differ are reported, all at once, before anything is copied.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace gauntlet {

struct StateDictReport {
  std::vector<std::string> missing;     ///< in the module, not in the tensors
  std::vector<std::string> unexpected;  ///< in the tensors, not in the module
  std::vector<std::string> mismatched;  ///< "name: module [64, 3, 7, 7] vs tensor [64, 1, 7, 7]"
  bool ok() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
  /// One line per problem kind, e.g. "missing: fc.weight, fc.bias" (the first 12 names and the
  /// count when there are more); empty when ok().
  std::string summary() const;
};

/// The module's parameters and buffers by dotted name, in registration order.
std::vector<std::pair<std::string, torch::Tensor>> named_state(const torch::nn::Module& m);

/// Copies `tensors` into `m`'s parameters and buffers of the same name (converting dtype and
/// device). A shape mismatch is always an error; with `strict`, so are missing and unexpected
/// names. On an error it throws std::invalid_argument with the report's summary and copies
/// nothing; otherwise it copies every matching name and returns the report.
StateDictReport load_state_dict(torch::nn::Module& m,
                                const std::map<std::string, torch::Tensor>& tensors,
                                bool strict = true);

}  // namespace gauntlet
