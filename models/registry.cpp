#include "models/registry.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "models/convnext.hpp"
#include "models/efficientnet.hpp"
#include "models/heads.hpp"
#include "models/inception.hpp"
#include "models/mobilenet.hpp"
#include "models/resnet.hpp"
#include "models/resnetv2.hpp"
#include "models/simple_cnn.hpp"
#include "models/vgg.hpp"

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

template <typename Options>
const Options& options_of(const BackboneOptions& o) {
  const auto* opts = std::get_if<Options>(&o);
  if (opts == nullptr) throw std::invalid_argument("backbone options of the wrong family");
  return *opts;
}

Factory resnet(int depth) {
  return
      [arch = resnet_arch(depth)](const BackboneOptions& o, const BackboneDefaults& d, int64_t k) {
        return torch::nn::AnyModule(ResNet(arch, d.in_channels, k, options_of<ResNetOptions>(o)));
      };
}

Factory vgg(int depth, bool batch_norm) {
  return [config = vgg_config(depth), batch_norm](const BackboneOptions& o,
                                                  const BackboneDefaults& d, int64_t k) {
    return torch::nn::AnyModule(
        Vgg(config, batch_norm, d.in_channels, k, options_of<VggOptions>(o)));
  };
}

Factory mobilenet_v3(const std::string& variant) {
  return [config = mobilenet_v3_config(variant)](const BackboneOptions& o,
                                                 const BackboneDefaults& d, int64_t k) {
    return torch::nn::AnyModule(
        MobileNetV3(config, d.in_channels, k, options_of<MobileNetOptions>(o)));
  };
}

Factory efficientnet(const EfficientNetConfig& config) {
  return [config](const BackboneOptions& o, const BackboneDefaults& d, int64_t k) {
    return torch::nn::AnyModule(
        EfficientNet(config, d.in_channels, k, options_of<EfficientNetOptions>(o)));
  };
}

Factory convnext(const std::string& size) {
  return [arch = convnext_arch(size)](const BackboneOptions& o, const BackboneDefaults& d,
                                      int64_t k) {
    return torch::nn::AnyModule(ConvNeXt(arch, d.in_channels, k, options_of<ConvNeXtOptions>(o)));
  };
}

Factory resnetv2(std::array<int64_t, 4> layers) {
  return [layers](const BackboneOptions& o, const BackboneDefaults& d, int64_t k) {
    return torch::nn::AnyModule(ResNetV2(layers, d.in_channels, k, options_of<ResNetV2Options>(o)));
  };
}

// torchvision's ImageNet preprocessing.
BackboneDefaults imagenet(const std::string& classifier) {
  BackboneDefaults d;
  d.input_size = 224;
  d.in_channels = 3;
  d.mean = {0.485f, 0.456f, 0.406f};
  d.std = {0.229f, 0.224f, 0.225f};
  d.classifier = classifier;
  return d;
}

// An EfficientNet variant: its crop size and classifier dropout from its config.
Entry efficientnet_entry(const std::string& variant, const std::string& summary) {
  const EfficientNetConfig config = efficientnet_config(variant);
  BackboneDefaults d = imagenet("classifier");
  d.input_size = config.input_size;
  return {
      {"efficientnet_" + variant, summary, d, EfficientNetOptions().drop_rate(config.drop_rate)},
      efficientnet(config)};
}

// torchvision's ConvNeXt meta: min_size 32 (four downsamplings).
BackboneDefaults convnext_defaults() {
  BackboneDefaults d = imagenet("classifier");
  d.min_input_size = 32;
  return d;
}

// torchvision's inception_v3 preset: 299 px (it accepts >= 75).
BackboneDefaults inception_defaults() {
  BackboneDefaults d = imagenet("fc");
  d.input_size = 299;
  d.min_input_size = 75;
  return d;
}

// timm's resnetv2_50 default_cfg: 224 px, Inception mean/std (0.5), classifier "head.fc" (its
// module "head").
BackboneDefaults timm_inception_norm(const std::string& classifier) {
  BackboneDefaults d = imagenet(classifier);
  d.mean = {0.5f, 0.5f, 0.5f};
  d.std = {0.5f, 0.5f, 0.5f};
  return d;
}

ConvNeXtOptions convnext_options(double stochastic_depth_prob) {
  return ConvNeXtOptions().stochastic_depth_prob(stochastic_depth_prob);
}

const std::vector<Entry>& entries() {
  static const std::vector<Entry> table = {
      {{"simple_cnn", "VGG-like: [conv3x3-BN-ReLU]*k + maxpool per block, GAP, dense head",
        BackboneDefaults{}, SimpleCnnOptions{}},
       factory_of<SimpleCnnOptions, SimpleCnn>()},
      {{"resnet18", "torchvision ResNet-18 (BasicBlock [2,2,2,2])", imagenet("fc"),
        ResNetOptions{}},
       resnet(18)},
      {{"resnet34", "torchvision ResNet-34 (BasicBlock [3,4,6,3])", imagenet("fc"),
        ResNetOptions{}},
       resnet(34)},
      {{"resnet50", "torchvision ResNet-50 (Bottleneck v1.5 [3,4,6,3])", imagenet("fc"),
        ResNetOptions{}},
       resnet(50)},
      {{"resnet101", "torchvision ResNet-101 (Bottleneck v1.5 [3,4,23,3])", imagenet("fc"),
        ResNetOptions{}},
       resnet(101)},
      {{"resnet152", "torchvision ResNet-152 (Bottleneck v1.5 [3,8,36,3])", imagenet("fc"),
        ResNetOptions{}},
       resnet(152)},
      {{"vgg11", "torchvision VGG-11 (config A)", imagenet("classifier"), VggOptions{}},
       vgg(11, false)},
      {{"vgg11_bn", "torchvision VGG-11 with BatchNorm", imagenet("classifier"), VggOptions{}},
       vgg(11, true)},
      {{"vgg13", "torchvision VGG-13 (config B)", imagenet("classifier"), VggOptions{}},
       vgg(13, false)},
      {{"vgg13_bn", "torchvision VGG-13 with BatchNorm", imagenet("classifier"), VggOptions{}},
       vgg(13, true)},
      {{"vgg16", "torchvision VGG-16 (config D)", imagenet("classifier"), VggOptions{}},
       vgg(16, false)},
      {{"vgg16_bn", "torchvision VGG-16 with BatchNorm", imagenet("classifier"), VggOptions{}},
       vgg(16, true)},
      {{"vgg19", "torchvision VGG-19 (config E)", imagenet("classifier"), VggOptions{}},
       vgg(19, false)},
      {{"vgg19_bn", "torchvision VGG-19 with BatchNorm", imagenet("classifier"), VggOptions{}},
       vgg(19, true)},
      {{"mobilenet_v2", "torchvision MobileNetV2 (inverted residuals, ReLU6)",
        imagenet("classifier"), MobileNetOptions{}},
       factory_of<MobileNetOptions, MobileNetV2>()},
      {{"mobilenet_v3_small", "torchvision MobileNetV3-Small (hard-swish, SE)",
        imagenet("classifier"), MobileNetOptions{}},
       mobilenet_v3("small")},
      {{"mobilenet_v3_large", "torchvision MobileNetV3-Large (hard-swish, SE)",
        imagenet("classifier"), MobileNetOptions{}},
       mobilenet_v3("large")},
      efficientnet_entry("b0", "torchvision EfficientNet-B0 (MBConv + SE, stochastic depth)"),
      efficientnet_entry("b1", "torchvision EfficientNet-B1 (width 1.0, depth 1.1)"),
      efficientnet_entry("b2", "torchvision EfficientNet-B2 (width 1.1, depth 1.2)"),
      efficientnet_entry("b3", "torchvision EfficientNet-B3 (width 1.2, depth 1.4)"),
      efficientnet_entry("b4", "torchvision EfficientNet-B4 (width 1.4, depth 1.8)"),
      efficientnet_entry("b5", "torchvision EfficientNet-B5 (width 1.6, depth 2.2)"),
      efficientnet_entry("b6", "torchvision EfficientNet-B6 (width 1.8, depth 2.6)"),
      efficientnet_entry("b7", "torchvision EfficientNet-B7 (width 2.0, depth 3.1)"),
      efficientnet_entry("v2_s", "torchvision EfficientNetV2-S (FusedMBConv + MBConv)"),
      efficientnet_entry("v2_m", "torchvision EfficientNetV2-M (FusedMBConv + MBConv)"),
      efficientnet_entry("v2_l", "torchvision EfficientNetV2-L (FusedMBConv + MBConv)"),
      {{"convnext_tiny", "torchvision ConvNeXt-T ([3,3,9,3] x [96..768])", convnext_defaults(),
        convnext_options(0.1)},
       convnext("tiny")},
      {{"convnext_small", "torchvision ConvNeXt-S ([3,3,27,3] x [96..768])", convnext_defaults(),
        convnext_options(0.4)},
       convnext("small")},
      {{"convnext_base", "torchvision ConvNeXt-B ([3,3,27,3] x [128..1024])", convnext_defaults(),
        convnext_options(0.5)},
       convnext("base")},
      {{"convnext_large", "torchvision ConvNeXt-L ([3,3,27,3] x [192..1536])", convnext_defaults(),
        convnext_options(0.5)},
       convnext("large")},
      {{"inception_v3", "torchvision Inception v3 (299 px, >= 75; aux head optional)",
        inception_defaults(), InceptionOptions{}},
       factory_of<InceptionOptions, Inception3>()},
      {{"resnetv2_50", "timm pre-activation ResNet-50 (He et al. 2016, BatchNorm)",
        timm_inception_norm("head"), ResNetV2Options{}},
       resnetv2({3, 4, 6, 3})},
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
                                   int64_t num_classes, const HeadOptions& head) {
  const Entry& e = entry(name);
  if (std::holds_alternative<std::monostate>(head)) {
    return e.make(options, e.info.defaults, num_classes);
  }
  torch::nn::AnyModule body = e.make(options, e.info.defaults, 0);
  // The pooled width is measured, not tabulated: it follows options (simple_cnn's channels). A
  // small side keeps it cheap.
  const BackboneDefaults& d = e.info.defaults;
  const int64_t side = std::max(d.min_input_size, std::min<int64_t>(d.input_size, 64));
  const int64_t width = feature_width(body, d.in_channels, side);
  return torch::nn::AnyModule(Headed(std::move(body), make_head(width, num_classes, head)));
}

}  // namespace gauntlet
