// Architecture tables of the MBConv families (MobileNetV2/V3, EfficientNet V1/V2) as data: timm's
// block strings ("ir_r2_k3_s2_e6_c24_se0.25"), decoded by one parser into BlockSpec rows, and the
// width/depth scaling torchvision applies to them. Light header (no torch): the families build
// their modules from the specs, the parser is unit-tested on its own.
//
// A block string is '_'-separated tokens; the first names the block type, the rest are fields,
// each at most once, in any order:
//   ds  depthwise-separable (an inverted residual without expansion; takes no e / x)
//   ir  inverted residual (MBConv): [1x1 expand], kxk depthwise, [SE], 1x1 project
//   er  edge residual (FusedMBConv): kxk expand conv carrying the stride, 1x1 project
//   cn  plain conv-BN-activation (takes no e / x / se)
//   rN repeats (default 1)   kN kernel, odd (default 3)   sN stride of the first repeat (default 1)
//   eF expansion ratio (default 1)   xN expanded channels given directly (MobileNetV3's tables)
//   cN output channels (required)    seF squeeze-excitation ratio in (0, 1] (default: no SE)
//   nre ReLU, nre6 ReLU6, nhs hard-swish, nsw SiLU (default: the family's activation)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet {

enum class BlockType { kDepthwiseSeparable, kInvertedResidual, kEdgeResidual, kConv };

/// Activations the MBConv families use; kDefault stands for "the family's choice".
enum class Activation { kDefault, kNone, kReLU, kReLU6, kHardSwish, kSiLU, kSigmoid, kHardSigmoid };

struct BlockSpec {
  BlockType type = BlockType::kInvertedResidual;
  int64_t repeats = 1;
  int64_t kernel = 3;
  int64_t stride = 1;             ///< of the first repeat; the others have stride 1
  double expand_ratio = 1.0;      ///< expanded = f(input channels * ratio), f per family
  int64_t expanded_channels = 0;  ///< > 0: the expanded width directly (overrides expand_ratio)
  int64_t out_channels = 0;
  double se_ratio = 0.0;  ///< 0: no squeeze-excitation
  Activation activation = Activation::kDefault;

  bool operator==(const BlockSpec& o) const;
};

/// One stage: rows of block strings. A table is the stages in order.
using StageTable = std::vector<std::vector<std::string>>;
using BlockStages = std::vector<std::vector<BlockSpec>>;

/// Decodes one block string; throws std::invalid_argument naming the string and the bad token.
BlockSpec parse_block(const std::string& block);

/// Decodes every row; errors name the stage and row besides the token.
BlockStages parse_stages(const StageTable& table);

/// torchvision's _make_divisible: v rounded to the nearest multiple of `divisor` (at least
/// `min_value`, `divisor` when min_value is 0), never more than 10% below v.
int64_t make_divisible(double v, int64_t divisor = 8, int64_t min_value = 0);

/// The builder step of EfficientNet / MobileNet: every row's out (and explicit expanded) channels
/// become make_divisible(c * width_mult, 8), its repeats ceil(repeats * depth_mult).
BlockStages scale_stages(BlockStages stages, double width_mult, double depth_mult);

/// One block of a table after unrolling its row's repeats: the first repeat takes the row's stride
/// and the previous block's output width, the others stride 1 and the row's own width.
struct UnrolledBlock {
  BlockSpec spec;
  size_t stage = 0;  ///< index of the stage in the table
  size_t index = 0;  ///< index of the block within its stage
  int64_t in_channels = 0;
  int64_t stride = 1;
};

/// Every block of `stages` in order, the first fed `stem_channels`.
std::vector<UnrolledBlock> unroll(const BlockStages& stages, int64_t stem_channels);

}  // namespace gauntlet
