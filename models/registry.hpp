// Backbone registry: name -> defaults + factory. Adding a backbone is its family file, one
// alternative in BackboneOptions and one line in registry.cpp.
#pragma once

#include <torch/torch.h>

#include "models/backbone_options.hpp"

namespace gauntlet {

/// Builds the backbone `name` with a classifier for `num_classes`; `options` must hold the
/// alternative of that backbone. Parameters are initialised from torch's global generator.
torch::nn::AnyModule make_backbone(const std::string& name, const BackboneOptions& options,
                                   int64_t num_classes);

}  // namespace gauntlet
