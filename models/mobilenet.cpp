#include "models/mobilenet.hpp"

#include <cmath>
#include <stdexcept>

namespace gauntlet {

namespace nn = torch::nn;

namespace {

using Layout = InvertedResidualConfig::Layout;

void check_arguments(const char* family, int64_t in_channels, int64_t num_classes,
                     const MobileNetOptions& o) {
  TORCH_CHECK(in_channels > 0, family, ": in_channels must be positive, got ", in_channels);
  TORCH_CHECK(num_classes == 0 || num_classes > 1, family, ": need at least 2 classes (or 0: no classifier), got ",
              num_classes);
  TORCH_CHECK(o.width_mult() > 0, family, ": width_mult must be positive, got ", o.width_mult());
  TORCH_CHECK(o.dropout() >= 0 && o.dropout() < 1, family, ": dropout must be in [0, 1), got ",
              o.dropout());
}

void check_type(const char* family, const BlockSpec& b) {
  if (b.type != BlockType::kDepthwiseSeparable && b.type != BlockType::kInvertedResidual) {
    throw std::invalid_argument(std::string(family) + ": only ds and ir blocks are supported");
  }
}

}  // namespace

StageTable mobilenet_v2_table() {
  return {{"ds_r1_k3_s1_c16"},    {"ir_r2_k3_s2_e6_c24"}, {"ir_r3_k3_s2_e6_c32"},
          {"ir_r4_k3_s2_e6_c64"}, {"ir_r3_k3_s1_e6_c96"}, {"ir_r3_k3_s2_e6_c160"},
          {"ir_r1_k3_s1_e6_c320"}};
}

MobileNetV2Impl::MobileNetV2Impl(int64_t in_channels, int64_t num_classes, MobileNetOptions options)
    : in_channels_(in_channels), num_classes_(num_classes), options_(options) {
  check_arguments("mobilenet_v2", in_channels, num_classes, options_);
  reset();
}

void MobileNetV2Impl::reset() {
  const double w = options_.width_mult();
  const NormSpec norm;
  const int64_t stem = make_divisible(32 * w);
  const int64_t last = make_divisible(1280 * std::max(1.0, w));
  features_ = Stack();
  features_->push_back(conv_norm_act(in_channels_, stem, 3, 2, 1, norm, Activation::kReLU6));
  int64_t channels = stem;
  for (const auto& b : unroll(scale_stages(parse_stages(mobilenet_v2_table()), w, 1.0), stem)) {
    check_type("mobilenet_v2", b.spec);
    InvertedResidualConfig c = block_config(b, Layout::kMobileNetV2, Activation::kReLU6, norm);
    // torchvision: int(round(inp * t)), Python rounding half to even like nearbyint.
    c.expanded =
        static_cast<int64_t>(std::nearbyint(static_cast<double>(c.in) * b.spec.expand_ratio));
    channels = c.out;
    features_->push_back(InvertedResidual(c));
  }
  features_->push_back(conv_norm_act(channels, last, 1, 1, 1, norm, Activation::kReLU6));
  // num_classes 0: no classifier, forward returns the pooled features (timm's convention).
  classifier_ = num_classes_ > 0 ? Stack(nn::Dropout(options_.dropout()), nn::Linear(last, num_classes_)) : Stack();
  register_module("features", features_);
  register_module("classifier", classifier_);
  init_mbconv_family(*this, /*efficientnet_linear=*/false);
}

torch::Tensor MobileNetV2Impl::forward(torch::Tensor x) {
  return pool_and_classify(features_, classifier_, in_channels_, "mobilenet_v2", x);
}

MobileNetV3Config mobilenet_v3_config(const std::string& variant) {
  // torchvision's bneck_conf rows (kernel, expanded, out, SE, activation, stride), one per row;
  // equal consecutive rows merged into rN.
  if (variant == "small") {
    return {{{"ir_k3_s2_x16_c16_se0.25_nre"},
             {"ir_k3_s2_x72_c24_nre", "ir_k3_s1_x88_c24_nre"},
             {"ir_k5_s2_x96_c40_se0.25_nhs", "ir_r2_k5_s1_x240_c40_se0.25_nhs",
              "ir_k5_s1_x120_c48_se0.25_nhs", "ir_k5_s1_x144_c48_se0.25_nhs"},
             {"ir_k5_s2_x288_c96_se0.25_nhs", "ir_r2_k5_s1_x576_c96_se0.25_nhs"}},
            16,
            1024};
  }
  if (variant == "large") {
    return {{{"ir_k3_s1_x16_c16_nre"},
             {"ir_k3_s2_x64_c24_nre", "ir_k3_s1_x72_c24_nre"},
             {"ir_k5_s2_x72_c40_se0.25_nre", "ir_r2_k5_s1_x120_c40_se0.25_nre"},
             {"ir_k3_s2_x240_c80_nhs", "ir_k3_s1_x200_c80_nhs", "ir_r2_k3_s1_x184_c80_nhs",
              "ir_k3_s1_x480_c112_se0.25_nhs", "ir_k3_s1_x672_c112_se0.25_nhs"},
             {"ir_k5_s2_x672_c160_se0.25_nhs", "ir_r2_k5_s1_x960_c160_se0.25_nhs"}},
            16,
            1280};
  }
  throw std::invalid_argument("mobilenet_v3: no variant \"" + variant + "\" (small, large)");
}

MobileNetV3Impl::MobileNetV3Impl(MobileNetV3Config config, int64_t in_channels, int64_t num_classes,
                                 MobileNetOptions options)
    : config_(std::move(config)),
      in_channels_(in_channels),
      num_classes_(num_classes),
      options_(options) {
  check_arguments("mobilenet_v3", in_channels, num_classes, options_);
  reset();
}

void MobileNetV3Impl::reset() {
  const double w = options_.width_mult();
  const NormSpec norm{1e-3, 0.01};
  const int64_t stem = make_divisible(static_cast<double>(config_.stem_channels) * w);
  features_ = Stack();
  features_->push_back(conv_norm_act(in_channels_, stem, 3, 2, 1, norm, Activation::kHardSwish));
  int64_t channels = stem;
  for (const auto& b : unroll(scale_stages(parse_stages(config_.table), w, 1.0), stem)) {
    check_type("mobilenet_v3", b.spec);
    InvertedResidualConfig c = block_config(b, Layout::kMBConv, Activation::kHardSwish, norm);
    c.expanded = b.spec.expanded_channels > 0
                     ? b.spec.expanded_channels
                     : make_divisible(static_cast<double>(c.in) * b.spec.expand_ratio);
    if (b.spec.se_ratio > 0) {  // torchvision: _make_divisible(expanded // 4, 8)
      c.se_channels = make_divisible(std::floor(static_cast<double>(c.expanded) * b.spec.se_ratio));
    }
    c.se_act = Activation::kReLU;
    c.se_gate = Activation::kHardSigmoid;
    channels = c.out;
    features_->push_back(InvertedResidual(c));
  }
  const int64_t head = 6 * channels;
  const int64_t last = make_divisible(static_cast<double>(config_.last_channel) * w);
  features_->push_back(conv_norm_act(channels, head, 1, 1, 1, norm, Activation::kHardSwish));
  // num_classes 0: no classifier (its hidden Linear included), forward returns the pooled
  // features of the last conv, `head` wide.
  classifier_ = num_classes_ > 0 ? Stack(nn::Linear(head, last), ActivationLayer(Activation::kHardSwish),
                                         nn::Dropout(options_.dropout()), nn::Linear(last, num_classes_))
                                 : Stack();
  register_module("features", features_);
  register_module("classifier", classifier_);
  init_mbconv_family(*this, /*efficientnet_linear=*/false);
}

torch::Tensor MobileNetV3Impl::forward(torch::Tensor x) {
  return pool_and_classify(features_, classifier_, in_channels_, "mobilenet_v3", x);
}

}  // namespace gauntlet
