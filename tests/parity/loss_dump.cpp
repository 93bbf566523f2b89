// loss_dump IN.npz CASES.json OUT.npz: for each case of CASES.json, an object
//   {name: {"loss": {"name": ..., any LossOptions field}, "targets": "labels" | "soft"}}
// computes compute_loss() of IN.npz's float32 "logits" (N, K) against its int64 "labels" (N) or
// float32 "soft" (N, K) targets, and writes the loss as "<name>" (float64, shape (1)) and its
// gradient with respect to the logits as "<name>.grad" (float32, N x K). The C++ side of
// tests/parity/losses_parity.py. Exit codes: 0 ok, 2 bad input.
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "harness/core/npy.hpp"
#include "tests/parity/tensor_npz.hpp"
#include "harness/losses.hpp"

namespace {

using gauntlet::Array;
using gauntlet::parity::to_array;
using gauntlet::parity::to_tensor;

gauntlet::LossOptions options_from(const nlohmann::json& j) {
  gauntlet::LossOptions o;
  for (const auto& [key, v] : j.items()) {
    if (key == "name")
      o.name = v;
    else if (key == "label_smoothing")
      o.label_smoothing = v;
    else if (key == "focal_gamma")
      o.focal_gamma = v;
    else if (key == "focal_alpha")
      o.focal_alpha = v.get<std::vector<double>>();
    else if (key == "class_weights")
      o.class_weights = v.get<std::vector<double>>();
    else
      throw std::invalid_argument("unknown loss key \"" + key + "\"");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: loss_dump IN.npz CASES.json OUT.npz\n";
    return 2;
  }
  try {
    torch::set_num_threads(1);
    const auto in = gauntlet::read_npz(argv[1]);
    const torch::Tensor logits = to_tensor(in.at("logits"), "logits");
    const std::map<std::string, torch::Tensor> targets = {
        {"labels", to_tensor(in.at("labels"), "labels")},
        {"soft", to_tensor(in.at("soft"), "soft")}};
    std::ifstream cases_file(argv[2]);
    const nlohmann::json cases = nlohmann::json::parse(cases_file);
    std::map<std::string, Array> outs;
    for (const auto& [name, c] : cases.items()) {
      torch::Tensor z = logits.clone().requires_grad_();
      const torch::Tensor loss =
          gauntlet::compute_loss(options_from(c.at("loss")), z, targets.at(c.at("targets")));
      loss.backward();
      outs[name] = to_array(loss.detach().to(torch::kFloat64).reshape({1}));
      outs[name + ".grad"] = to_array(z.grad());
    }
    std::vector<std::pair<std::string, const Array*>> members;
    for (const auto& [key, array] : outs) members.emplace_back(key, &array);
    gauntlet::write_npz(argv[3], members);
  } catch (const std::exception& e) {
    std::cerr << "loss_dump: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
