// Backbone registry: name -> defaults + factory. Adding a backbone is its family file, one
// alternative in BackboneOptions and one line in registry.cpp.
#pragma once

#include <torch/torch.h>

#include "models/backbone_options.hpp"
#include "models/head_options.hpp"

namespace gauntlet {

/// Builds the backbone `name` with a classifier for `num_classes`; `options` must hold the
/// alternative of that backbone. Parameters are initialised from torch's global generator.
/// With a `head` (not std::monostate), the backbone is built without its classifier
/// (num_classes 0: it returns pooled features) and wrapped in a Headed module whose head maps
/// them to `num_classes`; its tensors keep the backbone's names, the head's are "head.*".
torch::nn::AnyModule make_backbone(const std::string& name, const BackboneOptions& options,
                                   int64_t num_classes, const HeadOptions& head = {});

}  // namespace gauntlet
