// The typed options of every registered backbone, as one variant: the suite layer fills the
// alternative that matches a backbone's name, the registry builds from it. Light header (no torch).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "models/convnext_options.hpp"
#include "models/efficientnet_options.hpp"
#include "models/inception_options.hpp"
#include "models/mobilenet_options.hpp"
#include "models/resnet_options.hpp"
#include "models/resnetv2_options.hpp"
#include "models/simple_cnn_options.hpp"
#include "models/vgg_options.hpp"

namespace gauntlet {

using BackboneOptions = std::variant<SimpleCnnOptions, ResNetOptions, VggOptions, MobileNetOptions,
                                     EfficientNetOptions, ConvNeXtOptions, InceptionOptions,
                                     ResNetV2Options>;

/// Preprocessing a backbone expects (timm's "default config").
struct BackboneDefaults {
  int64_t input_size = 32;   ///< side of the square input
  int64_t min_input_size = 1;  ///< the smallest side its forward accepts (torchvision's min_size)
  int64_t in_channels = 3;   ///< 3: grayscale data is replicated to RGB
  std::array<float, 3> mean{0.5f, 0.5f, 0.5f};
  std::array<float, 3> std{0.5f, 0.5f, 0.5f};
  std::string classifier = "classifier";  ///< the head's module name (timm's default_cfg "classifier")
};

struct BackboneInfo {
  std::string name;
  std::string summary;
  BackboneDefaults defaults;
  BackboneOptions default_options;
};

/// Every registered backbone, in registry order.
const std::vector<BackboneInfo>& backbone_infos();
/// The entry named `name`; throws std::out_of_range listing the known names otherwise.
const BackboneInfo& backbone_info(const std::string& name);

}  // namespace gauntlet
