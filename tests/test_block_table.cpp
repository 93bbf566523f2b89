#include <array>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "models/block_table.hpp"

namespace gauntlet {
namespace {

BlockSpec spec(BlockType type, int64_t r, int64_t k, int64_t s, double e, int64_t x, int64_t c,
               double se, Activation a) {
  BlockSpec b;
  b.type = type;
  b.repeats = r;
  b.kernel = k;
  b.stride = s;
  b.expand_ratio = e;
  b.expanded_channels = x;
  b.out_channels = c;
  b.se_ratio = se;
  b.activation = a;
  return b;
}

constexpr auto kDs = BlockType::kDepthwiseSeparable;
constexpr auto kIr = BlockType::kInvertedResidual;
constexpr auto kEr = BlockType::kEdgeResidual;
constexpr auto kCn = BlockType::kConv;
constexpr auto kDef = Activation::kDefault;

TEST_CASE("block strings decode into their fields", "[models][block_table]") {
  auto [text, expected] = GENERATE(table<std::string, BlockSpec>({
      {"ds_r1_k3_s1_c16", spec(kDs, 1, 3, 1, 1.0, 0, 16, 0.0, kDef)},
      {"ir_r2_k3_s2_e6_c24_se0.25", spec(kIr, 2, 3, 2, 6.0, 0, 24, 0.25, kDef)},
      {"er_r4_k3_s2_e4_c48", spec(kEr, 4, 3, 2, 4.0, 0, 48, 0.0, kDef)},
      {"cn_r1_k3_s1_c32", spec(kCn, 1, 3, 1, 1.0, 0, 32, 0.0, kDef)},
      {"ir_k5_s2_x96_c40_se0.25_nhs",
       spec(kIr, 1, 5, 2, 1.0, 96, 40, 0.25, Activation::kHardSwish)},
      {"ir_c80_nre_e2.5", spec(kIr, 1, 3, 1, 2.5, 0, 80, 0.0, Activation::kReLU)},
      {"ir_nre6_c8", spec(kIr, 1, 3, 1, 1.0, 0, 8, 0.0, Activation::kReLU6)},
      {"cn_c1280_k1_nsw", spec(kCn, 1, 1, 1, 1.0, 0, 1280, 0.0, Activation::kSiLU)},
      {"ds_c16_se1", spec(kDs, 1, 3, 1, 1.0, 0, 16, 1.0, kDef)},
      {"er_r15_k7_s1_e.5_c256", spec(kEr, 15, 7, 1, 0.5, 0, 256, 0.0, kDef)},
  }));
  INFO(text);
  CHECK(parse_block(text) == expected);
}

TEST_CASE("bad block strings throw naming the token", "[models][block_table]") {
  auto [text, token] = GENERATE(table<std::string, std::string>({
      {"xx_r1_c16", "\"xx\""},                      // unknown type
      {"", "\"\""},                                 // empty string: empty type
      {"ir_r1_q3_c16", "\"q3\""},                   // unknown field
      {"ir_r1_c16_nxx", "\"nxx\""},                 // unknown activation
      {"ir_r1_r2_c16", "\"r2\""},                   // duplicate field
      {"ir_c16_nre_nhs", "\"nhs\""},                // two activations
      {"ir_c16_se0.25_se0.5", "\"se0.5\""},         // duplicate SE
      {"ir_r_c16", "\"r\""},                        // missing value
      {"ir_r2x_c16", "\"r2x\""},                    // trailing garbage
      {"ir_r0_c16", "\"r0\""},                      // zero repeats
      {"ir_k4_c16", "\"k4\""},                      // even kernel
      {"ir_e-1_c16", "\"e-1\""},                    // negative ratio
      {"ir_e6x_c16", "\"e6x\""},                    // malformed ratio
      {"ir_e1.2.3_c16", "\"e1.2.3\""},              // malformed ratio
      {"ir_c16_se1.5", "\"se1.5\""},                // SE ratio above 1
      {"ir_c16_se0", "\"se0\""},                    // SE ratio 0
      {"ir_r1__c16", "\"\""},                       // empty token
      {"ir_r1_k3", "\"ir\""},                       // no output channels
      {"ds_e6_c16", "\"e6\""},                      // ds has no expansion
      {"cn_c16_se0.25", "\"se0.25\""},              // cn has no SE
      {"cn_x32_c16", "\"x32\""},                    // cn has no expansion
      {"ir_e6_x96_c16", "\"x96\""},                 // e and x together
      {"ir_r99999999999_c16", "\"r99999999999\""},  // overflow
  }));
  INFO(text);
  try {
    parse_block(text);
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("token " + token));
    CHECK_THAT(what, Catch::Contains("\"" + text + "\""));
  }
}

TEST_CASE("a stage table decodes row by row and errors name the stage and row",
          "[models][block_table]") {
  const BlockStages stages = parse_stages({{"ds_r1_k3_s1_c16"}, {"ir_r2_k3_s2_e6_c24", "er_c8"}});
  REQUIRE(stages.size() == 2);
  CHECK(stages[0].size() == 1);
  CHECK(stages[1].size() == 2);
  CHECK(stages[1][1].type == kEr);
  CHECK_THROWS_WITH(parse_stages({{"ir_c16"}, {"ir_c16", "ir_c16_zz"}}),
                    Catch::Contains("stage 1 row 1") && Catch::Contains("\"zz\""));
  CHECK_THROWS_WITH(parse_stages({{"ir_c16"}, {}}), Catch::Contains("stage 1 has no rows"));
}

TEST_CASE("make_divisible is torchvision's _make_divisible", "[models][block_table]") {
  // Values printed by torchvision.models._utils._make_divisible(v, 8[, min_value]).
  auto [v, min_value, expected] = GENERATE(table<double, int64_t, int64_t>({
      {32.0, 0, 32},
      {32 * 0.75, 0, 24},
      {16 * 0.5, 0, 8},
      {3.0, 0, 8},
      {18.0, 0, 24},
      {35.2, 0, 32},
      {11.0, 0, 16},
      {28.8, 0, 32},
      {1280 * 1.1, 0, 1408},
      {320 * 1.4, 0, 448},
      {3.0, 4, 4},
      {35.9, 0, 40},
  }));
  INFO(v);
  CHECK(make_divisible(v, 8, min_value) == expected);
}

TEST_CASE("scale_stages rounds channels like torchvision and ceils depth",
          "[models][block_table]") {
  // efficientnet_b3: width 1.2, depth 1.4 on the B0 rows (torchvision's MBConvConfig values).
  auto [row, out_channels, repeats] = GENERATE(table<std::string, int64_t, int64_t>({
      {"ds_r1_k3_s1_c16_se0.25", 24, 2},
      {"ir_r2_k3_s2_e6_c24_se0.25", 32, 3},
      {"ir_r2_k5_s2_e6_c40_se0.25", 48, 3},
      {"ir_r3_k3_s2_e6_c80_se0.25", 96, 5},
      {"ir_r3_k5_s1_e6_c112_se0.25", 136, 5},
      {"ir_r4_k5_s2_e6_c192_se0.25", 232, 6},
      {"ir_r1_k3_s1_e6_c320_se0.25", 384, 2},
  }));
  INFO(row);
  const BlockSpec b = scale_stages(parse_stages({{row}}), 1.2, 1.4)[0][0];
  CHECK(b.out_channels == out_channels);
  CHECK(b.repeats == repeats);
  CHECK(b.kernel == parse_block(row).kernel);
  // MobileNetV3 rows scale their explicit expanded width too (x88 at width 0.75 -> 64).
  CHECK(scale_stages(parse_stages({{"ir_x88_c24"}}), 0.75, 1.0)[0][0].expanded_channels == 64);
  CHECK_THROWS_AS(scale_stages({}, 0.0, 1.0), std::invalid_argument);
}

TEST_CASE("unroll expands repeats, chaining widths and putting the stride first",
          "[models][block_table]") {
  const auto blocks = unroll(parse_stages({{"ds_c16"}, {"ir_r2_s2_e6_c24", "ir_r2_k5_c32"}}), 32);
  // stage, index, in, stride, out
  const std::vector<std::array<int64_t, 5>> expected = {{0, 0, 32, 1, 16},
                                                        {1, 0, 16, 2, 24},
                                                        {1, 1, 24, 1, 24},
                                                        {1, 2, 24, 1, 32},
                                                        {1, 3, 32, 1, 32}};
  REQUIRE(blocks.size() == expected.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    INFO(i);
    const auto& b = blocks[i];
    CHECK(std::array<int64_t, 5>{static_cast<int64_t>(b.stage), static_cast<int64_t>(b.index),
                                 b.in_channels, b.stride, b.spec.out_channels} == expected[i]);
  }
  CHECK(blocks[3].spec.kernel == 5);
}

}  // namespace
}  // namespace gauntlet
