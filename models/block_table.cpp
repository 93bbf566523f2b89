#include "models/block_table.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <stdexcept>

namespace gauntlet {
namespace {

[[noreturn]] void fail(const std::string& block, const std::string& token, const std::string& why) {
  throw std::invalid_argument("block \"" + block + "\": token \"" + token + "\" " + why);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out(1);
  for (char ch : s) {
    if (ch == '_') {
      out.emplace_back();
    } else {
      out.back() += ch;
    }
  }
  return out;
}

// True when all of `text` is one finite decimal number (no sign, no "inf", no trailing text).
bool parse_double(const std::string& text, double& v) {
  if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '.')) {
    return false;
  }
  size_t used = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == text.size() && std::isfinite(v);
}

// True when `text` is 1 to 9 decimal digits (no sign, no overflow).
bool parse_int(const std::string& text, int64_t& v) {
  if (text.empty() || text.size() > 9) return false;
  for (char ch : text) {
    if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
  }
  v = std::stoll(text);
  return true;
}

const std::map<std::string, BlockType>& types() {
  static const std::map<std::string, BlockType> t = {{"ds", BlockType::kDepthwiseSeparable},
                                                     {"ir", BlockType::kInvertedResidual},
                                                     {"er", BlockType::kEdgeResidual},
                                                     {"cn", BlockType::kConv}};
  return t;
}

const std::map<std::string, Activation>& activations() {
  static const std::map<std::string, Activation> a = {{"nre", Activation::kReLU},
                                                      {"nre6", Activation::kReLU6},
                                                      {"nhs", Activation::kHardSwish},
                                                      {"nsw", Activation::kSiLU}};
  return a;
}

}  // namespace

bool BlockSpec::operator==(const BlockSpec& o) const {
  return type == o.type && repeats == o.repeats && kernel == o.kernel && stride == o.stride &&
         expand_ratio == o.expand_ratio && expanded_channels == o.expanded_channels &&
         out_channels == o.out_channels && se_ratio == o.se_ratio && activation == o.activation;
}

BlockSpec parse_block(const std::string& block) {
  const std::vector<std::string> tokens = split(block);
  const auto type = types().find(tokens[0]);
  if (type == types().end()) fail(block, tokens[0], "is not a block type (ds, ir, er, cn)");
  BlockSpec spec;
  spec.type = type->second;
  static const std::map<std::string, int64_t BlockSpec::*> integers = {
      {"r", &BlockSpec::repeats},
      {"k", &BlockSpec::kernel},
      {"s", &BlockSpec::stride},
      {"x", &BlockSpec::expanded_channels},
      {"c", &BlockSpec::out_channels}};
  std::map<std::string, std::string> seen;  // field -> its token
  for (size_t i = 1; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    const auto act = activations().find(token);
    const bool is_act = act != activations().end();
    // The field is the leading letters ("se0.25" -> "se"); activations are whole words.
    const size_t letters = static_cast<size_t>(
        std::find_if(token.begin(), token.end(),
                     [](char ch) { return !std::isalpha(static_cast<unsigned char>(ch)); }) -
        token.begin());
    const std::string key = is_act ? "n" : token.substr(0, letters);
    const std::string value = is_act ? "" : token.substr(letters);
    if (!seen.emplace(key, token).second) {
      fail(block, token, "repeats the field of \"" + seen.at(key) + "\"");
    }
    int64_t n = 0;
    double f = 0.0;
    if (is_act) {
      spec.activation = act->second;
    } else if (const auto field = integers.find(key); field != integers.end()) {
      if (!parse_int(value, n) || n < 1) fail(block, token, "needs a positive integer");
      if (key == "k" && n % 2 == 0) fail(block, token, "needs an odd kernel size");
      spec.*(field->second) = n;
    } else if (key == "e") {
      if (!parse_double(value, f) || f <= 0) fail(block, token, "needs a positive ratio");
      spec.expand_ratio = f;
    } else if (key == "se") {
      if (!parse_double(value, f) || f <= 0 || f > 1) fail(block, token, "needs a ratio in (0, 1]");
      spec.se_ratio = f;
    } else {
      fail(block, token, "is not a field (r, k, s, e, x, c, se, nre, nre6, nhs, nsw)");
    }
  }
  if (seen.count("e") && seen.count("x")) fail(block, seen.at("x"), "contradicts " + seen.at("e"));
  const bool plain = spec.type == BlockType::kConv;
  for (const char* k : {"e", "x", "se"}) {
    const bool applies =
        std::string(k) == "se" ? !plain : !(plain || spec.type == BlockType::kDepthwiseSeparable);
    if (seen.count(k) && !applies) {
      fail(block, seen.at(k), "does not apply to a " + tokens[0] + " block");
    }
  }
  if (!seen.count("c")) fail(block, tokens[0], "lacks the required output channels cN");
  return spec;
}

BlockStages parse_stages(const StageTable& table) {
  BlockStages out;
  for (size_t s = 0; s < table.size(); ++s) {
    if (table[s].empty()) {
      throw std::invalid_argument("stage " + std::to_string(s) + " has no rows");
    }
    out.emplace_back();
    for (size_t r = 0; r < table[s].size(); ++r) {
      try {
        out.back().push_back(parse_block(table[s][r]));
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("stage " + std::to_string(s) + " row " + std::to_string(r) +
                                    ": " + e.what());
      }
    }
  }
  return out;
}

int64_t make_divisible(double v, int64_t divisor, int64_t min_value) {
  if (min_value == 0) min_value = divisor;
  int64_t new_v = std::max<int64_t>(
      min_value, static_cast<int64_t>(v + static_cast<double>(divisor) / 2) / divisor * divisor);
  if (static_cast<double>(new_v) < 0.9 * v) new_v += divisor;
  return new_v;
}

BlockStages scale_stages(BlockStages stages, double width_mult, double depth_mult) {
  if (!(width_mult > 0) || !(depth_mult > 0)) {
    throw std::invalid_argument("width and depth multipliers must be positive, got " +
                                std::to_string(width_mult) + " and " + std::to_string(depth_mult));
  }
  for (auto& stage : stages) {
    for (BlockSpec& b : stage) {
      b.out_channels = make_divisible(static_cast<double>(b.out_channels) * width_mult);
      if (b.expanded_channels > 0) {
        b.expanded_channels = make_divisible(static_cast<double>(b.expanded_channels) * width_mult);
      }
      b.repeats = static_cast<int64_t>(std::ceil(static_cast<double>(b.repeats) * depth_mult));
    }
  }
  return stages;
}

std::vector<UnrolledBlock> unroll(const BlockStages& stages, int64_t stem_channels) {
  std::vector<UnrolledBlock> out;
  int64_t channels = stem_channels;
  for (size_t s = 0; s < stages.size(); ++s) {
    size_t index = 0;
    for (const BlockSpec& row : stages[s]) {
      for (int64_t r = 0; r < row.repeats; ++r) {
        out.push_back({row, s, index++, channels, r == 0 ? row.stride : 1});
        channels = row.out_channels;
      }
    }
  }
  return out;
}

}  // namespace gauntlet
