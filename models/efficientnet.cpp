#include "models/efficientnet.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gauntlet {

namespace nn = torch::nn;

namespace {

StageTable b0_table() {
  return {{"ds_r1_k3_s1_c16_se0.25"},     {"ir_r2_k3_s2_e6_c24_se0.25"},
          {"ir_r2_k5_s2_e6_c40_se0.25"},  {"ir_r3_k3_s2_e6_c80_se0.25"},
          {"ir_r3_k5_s1_e6_c112_se0.25"}, {"ir_r4_k5_s2_e6_c192_se0.25"},
          {"ir_r1_k3_s1_e6_c320_se0.25"}};
}

// B-variants: (width, depth, dropout, crop); B5-B7 use BN eps 1e-3, momentum 0.01.
EfficientNetConfig b_variant(double width, double depth, double drop_rate, int64_t input_size,
                             bool tf_norm) {
  EfficientNetConfig c;
  c.table = b0_table();
  c.width_mult = width;
  c.depth_mult = depth;
  if (tf_norm) c.norm = NormSpec{1e-3, 0.01};
  c.drop_rate = drop_rate;
  c.input_size = input_size;
  return c;
}

EfficientNetConfig v2_variant(StageTable table, int64_t stem, double drop_rate,
                              int64_t input_size) {
  EfficientNetConfig c;
  c.table = std::move(table);
  c.stem_channels = stem;
  c.norm = NormSpec{1e-3, 0.1};
  c.last_channel = 1280;
  c.drop_rate = drop_rate;
  c.input_size = input_size;
  return c;
}

}  // namespace

EfficientNetConfig efficientnet_config(const std::string& variant) {
  if (variant == "b0") return b_variant(1.0, 1.0, 0.2, 224, false);
  if (variant == "b1") return b_variant(1.0, 1.1, 0.2, 240, false);
  if (variant == "b2") return b_variant(1.1, 1.2, 0.3, 288, false);
  if (variant == "b3") return b_variant(1.2, 1.4, 0.3, 300, false);
  if (variant == "b4") return b_variant(1.4, 1.8, 0.4, 380, false);
  if (variant == "b5") return b_variant(1.6, 2.2, 0.4, 456, true);
  if (variant == "b6") return b_variant(1.8, 2.6, 0.5, 528, true);
  if (variant == "b7") return b_variant(2.0, 3.1, 0.5, 600, true);
  if (variant == "v2_s") {
    return v2_variant({{"er_r2_k3_s1_e1_c24"},
                       {"er_r4_k3_s2_e4_c48"},
                       {"er_r4_k3_s2_e4_c64"},
                       {"ir_r6_k3_s2_e4_c128_se0.25"},
                       {"ir_r9_k3_s1_e6_c160_se0.25"},
                       {"ir_r15_k3_s2_e6_c256_se0.25"}},
                      24, 0.2, 384);
  }
  if (variant == "v2_m") {
    return v2_variant({{"er_r3_k3_s1_e1_c24"},
                       {"er_r5_k3_s2_e4_c48"},
                       {"er_r5_k3_s2_e4_c80"},
                       {"ir_r7_k3_s2_e4_c160_se0.25"},
                       {"ir_r14_k3_s1_e6_c176_se0.25"},
                       {"ir_r18_k3_s2_e6_c304_se0.25"},
                       {"ir_r5_k3_s1_e6_c512_se0.25"}},
                      24, 0.3, 480);
  }
  if (variant == "v2_l") {
    return v2_variant({{"er_r4_k3_s1_e1_c32"},
                       {"er_r7_k3_s2_e4_c64"},
                       {"er_r7_k3_s2_e4_c96"},
                       {"ir_r10_k3_s2_e4_c192_se0.25"},
                       {"ir_r19_k3_s1_e6_c224_se0.25"},
                       {"ir_r25_k3_s2_e6_c384_se0.25"},
                       {"ir_r7_k3_s1_e6_c640_se0.25"}},
                      32, 0.4, 480);
  }
  throw std::invalid_argument("efficientnet: no variant \"" + variant +
                              "\" (b0 ... b7, v2_s, v2_m, v2_l)");
}

EfficientNetImpl::EfficientNetImpl(EfficientNetConfig config, int64_t in_channels,
                                   int64_t num_classes, EfficientNetOptions options)
    : config_(std::move(config)),
      in_channels_(in_channels),
      num_classes_(num_classes),
      options_(options) {
  TORCH_CHECK(in_channels > 0, "efficientnet: in_channels must be positive, got ", in_channels);
  TORCH_CHECK(num_classes == 0 || num_classes > 1, "efficientnet: need at least 2 classes (or 0: no classifier), got ",
              num_classes);
  TORCH_CHECK(options_.drop_rate() >= 0 && options_.drop_rate() < 1,
              "efficientnet: drop_rate must be in [0, 1), got ", options_.drop_rate());
  TORCH_CHECK(options_.stochastic_depth_prob() >= 0 && options_.stochastic_depth_prob() < 1,
              "efficientnet: stochastic_depth_prob must be in [0, 1), got ",
              options_.stochastic_depth_prob());
  reset();
}

void EfficientNetImpl::reset() {
  using Layout = InvertedResidualConfig::Layout;
  const auto& cfg = config_;
  const int64_t stem = make_divisible(static_cast<double>(cfg.stem_channels) * cfg.width_mult);
  features_ = Stack();
  features_->push_back(conv_norm_act(in_channels_, stem, 3, 2, 1, cfg.norm, Activation::kSiLU));
  const auto blocks =
      unroll(scale_stages(parse_stages(cfg.table), cfg.width_mult, cfg.depth_mult), stem);
  int64_t channels = stem;
  Stack stage{nullptr};
  for (size_t i = 0; i < blocks.size(); ++i) {
    const UnrolledBlock& b = blocks[i];
    if (b.spec.type == BlockType::kConv) {
      throw std::invalid_argument("efficientnet: cn rows are not supported");
    }
    if (b.index == 0) {
      stage = Stack();
      features_->push_back(stage);
    }
    InvertedResidualConfig c = block_config(
        b, b.spec.type == BlockType::kEdgeResidual ? Layout::kFusedMBConv : Layout::kMBConv,
        Activation::kSiLU, cfg.norm);
    c.expanded = make_divisible(static_cast<double>(c.in) * b.spec.expand_ratio);
    if (b.spec.se_ratio > 0) {  // torchvision: max(1, input_channels // 4)
      c.se_channels = std::max<int64_t>(
          1, static_cast<int64_t>(std::floor(static_cast<double>(c.in) * b.spec.se_ratio)));
    }
    c.se_act = Activation::kSiLU;
    c.se_gate = Activation::kSigmoid;
    c.drop_path = options_.stochastic_depth_prob() * static_cast<double>(i) /
                  static_cast<double>(blocks.size());
    channels = c.out;
    stage->push_back(InvertedResidual(c));
  }
  const int64_t head = cfg.last_channel > 0 ? cfg.last_channel : 4 * channels;
  features_->push_back(conv_norm_act(channels, head, 1, 1, 1, cfg.norm, Activation::kSiLU));
  // num_classes 0: no classifier, forward returns the pooled features (timm's convention).
  classifier_ = num_classes_ > 0 ? Stack(nn::Dropout(options_.drop_rate()), nn::Linear(head, num_classes_)) : Stack();
  register_module("features", features_);
  register_module("classifier", classifier_);
  init_mbconv_family(*this, /*efficientnet_linear=*/true);
}

torch::Tensor EfficientNetImpl::forward(torch::Tensor x) {
  return pool_and_classify(features_, classifier_, in_channels_, "efficientnet", x);
}

}  // namespace gauntlet
