// optim_dump IN.npz CASES.json OUT.npz: for each case of CASES.json, an object
//   {name: {"optimizer": {"name": ..., any OptimizerOptions field}, "groups": [{"lr_scale": x,
//           "weight_decay": bool}, ...]}}
// builds make_optimizer() over the float32 parameters p0 and p1 of IN.npz (p0 in group 0, p1 in
// the last group), sets their gradients to g0[s] and g1[s] for each step s, steps, and writes the
// parameters after every step as "<name>.p0" (steps x p0's shape) and "<name>.p1". Options not
// given are default_optimizer_options(name)'s. The C++ side of tests/parity/optimizers_parity.py.
// Exit codes: 0 ok, 2 bad input.
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "harness/core/npy.hpp"
#include "tests/parity/tensor_npz.hpp"
#include "harness/optimizers.hpp"

namespace {

using gauntlet::Array;
using gauntlet::parity::to_array;
using gauntlet::parity::to_tensor;

gauntlet::OptimizerOptions options_from(const nlohmann::json& j) {
  gauntlet::OptimizerOptions o =
      gauntlet::default_optimizer_options(j.at("name").get<std::string>());
  for (const auto& [key, v] : j.items()) {
    if (key == "name") continue;
    if (key == "lr")
      o.lr = v;
    else if (key == "weight_decay")
      o.weight_decay = v;
    else if (key == "momentum")
      o.momentum = v;
    else if (key == "nesterov")
      o.nesterov = v;
    else if (key == "beta1")
      o.beta1 = v;
    else if (key == "beta2")
      o.beta2 = v;
    else if (key == "eps")
      o.eps = v;
    else if (key == "alpha")
      o.alpha = v;
    else if (key == "centered")
      o.centered = v;
    else if (key == "momentum_decay")
      o.momentum_decay = v;
    else
      throw std::invalid_argument("unknown optimizer key \"" + key + "\"");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: optim_dump IN.npz CASES.json OUT.npz\n";
    return 2;
  }
  try {
    torch::set_num_threads(1);
    const auto in = gauntlet::read_npz(argv[1]);
    const torch::Tensor p0 = to_tensor(in.at("p0"), "p0"), p1 = to_tensor(in.at("p1"), "p1");
    const torch::Tensor g0 = to_tensor(in.at("g0"), "g0"), g1 = to_tensor(in.at("g1"), "g1");
    const int64_t steps = g0.size(0);
    std::ifstream cases_file(argv[2]);
    const nlohmann::json cases = nlohmann::json::parse(cases_file);
    std::map<std::string, Array> outs;
    for (const auto& [name, c] : cases.items()) {
      torch::Tensor a = p0.clone().requires_grad_(), b = p1.clone().requires_grad_();
      std::vector<gauntlet::ParamGroupSpec> groups;
      for (const auto& g : c.at("groups")) {
        gauntlet::ParamGroupSpec spec;
        spec.name = "group" + std::to_string(groups.size());
        spec.lr_scale = g.value("lr_scale", 1.0);
        spec.weight_decay = g.value("weight_decay", true);
        groups.push_back(spec);
      }
      if (groups.empty()) throw std::invalid_argument(name + ": no groups");
      groups.front().params.push_back(a);
      groups.back().params.push_back(b);
      auto opt = gauntlet::make_optimizer(options_from(c.at("optimizer")), groups);
      std::vector<torch::Tensor> after_a, after_b;
      for (int64_t s = 0; s < steps; ++s) {
        a.mutable_grad() = g0[s].clone();
        b.mutable_grad() = g1[s].clone();
        opt->step();
        after_a.push_back(a.detach().clone());
        after_b.push_back(b.detach().clone());
      }
      outs[name + ".p0"] = to_array(torch::stack(after_a));
      outs[name + ".p1"] = to_array(torch::stack(after_b));
    }
    std::vector<std::pair<std::string, const Array*>> members;
    for (const auto& [key, array] : outs) members.emplace_back(key, &array);
    gauntlet::write_npz(argv[3], members);
  } catch (const std::exception& e) {
    std::cerr << "optim_dump: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
