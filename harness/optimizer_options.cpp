#include "harness/optimizer_options.hpp"

#include <stdexcept>

namespace gauntlet {

const std::vector<std::string>& optimizer_names() {
  static const std::vector<std::string> names = {"sgd",     "adam",  "adamw",
                                                 "rmsprop", "nadam", "lion"};
  return names;
}

OptimizerOptions default_optimizer_options(const std::string& name) {
  OptimizerOptions o;
  o.name = name;
  if (name == "sgd") {
    o.lr = 0.01;
    o.momentum = 0.9;  // gauntlet's default since the first suite; torch's is 0
  } else if (name == "adam" || name == "adamw") {
    o.lr = 1e-3;
    o.weight_decay = name == "adamw" ? 1e-2 : 0.0;
  } else if (name == "rmsprop") {
    o.lr = 1e-2;
  } else if (name == "nadam") {
    o.lr = 2e-3;
  } else if (name == "lion") {
    o.lr = 1e-4;
    o.beta2 = 0.99;
  } else {
    throw std::invalid_argument("unknown optimizer \"" + name + "\"");
  }
  return o;
}

}  // namespace gauntlet
