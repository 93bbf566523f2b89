#include <catch2/catch.hpp>

#include <cstring>

#include "harness/core/error.hpp"
#include "harness/suite.hpp"
#include "models/flops.hpp"
#include "models/registry.hpp"
#include "models/safetensors.hpp"
#include "models/torchscript.hpp"
#include "models/weights.hpp"
#include "test_util.hpp"

namespace gauntlet {
namespace {

// A safetensors file: 8-byte little-endian header length, the header, the data.
std::string safetensors_bytes(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

SafetensorsHeader parse(const std::string& bytes) {
  return parse_safetensors_header("w.safetensors", reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

std::string floats(std::initializer_list<float> v) {
  std::string s(v.size() * 4, '\0');
  std::memcpy(s.data(), v.begin(), s.size());
  return s;
}

TEST_CASE("a valid safetensors header gives its tensors at file offsets", "[weights]") {
  const std::string header =
      R"({"__metadata__": {"format": "pt"}, "b": {"dtype": "F16", "shape": [2], "data_offsets": [12, 16]},)"
      R"( "a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}})";
  const SafetensorsHeader h = parse(safetensors_bytes(header, std::string(16, '\0')));
  REQUIRE(h.tensors.size() == 2);
  CHECK(h.metadata.at("format") == "pt");
  CHECK(h.data_begin == 8 + header.size());
  const auto& a = h.tensors[0].name == "a" ? h.tensors[0] : h.tensors[1];
  CHECK(a.dtype == SafetensorsDtype::kF32);
  CHECK(a.shape == std::vector<int64_t>{3});
  CHECK(a.begin == h.data_begin);
  CHECK(a.end == h.data_begin + 12);
}

TEST_CASE("bad safetensors files are refused with the reason", "[weights]") {
  using Row = std::tuple<std::string, std::string, std::string>;  // header, data, message part
  const auto t = [](const char* dtype, const char* shape, const char* offsets) {
    return std::string(R"({"w": {"dtype": ")") + dtype + R"(", "shape": )" + shape + R"(, "data_offsets": )" +
           offsets + "}}";
  };
  auto [header, data, want] = GENERATE_COPY(table<std::string, std::string, std::string>({
      Row{R"({"w": )", "", "not valid JSON"},
      Row{R"({"w": 5E616})", "", "a number too large to represent"},  // fuzz_safetensors found it
      Row{"[1, 2]", "", "not a JSON object"},
      Row{t("F32", "[2]", "[0, 8]"), std::string(4, '\0'), "not within the data area"},
      Row{t("F32", "[3]", "[0, 8]"), std::string(8, '\0'), "need 12 bytes, data_offsets hold 8"},
      Row{t("I8", "[8]", "[0, 8]"), std::string(8, '\0'), "not supported"},
      Row{t("F32", "[-2]", "[0, 8]"), std::string(8, '\0'), "not a non-negative integer"},
      Row{t("F32", "[2]", "[8, 0]"), std::string(8, '\0'), "not within the data area"},
      Row{t("F32", "[2]", "[0]"), std::string(8, '\0'), "is not [begin, end]"},
      Row{t("F32", "[4294967296, 4294967296]", "[0, 8]"), std::string(8, '\0'), "overflows"},
      Row{t("F32", "[2]", "[0, 8]"), std::string(12, '\0'), "4 bytes after the last tensor"},
      Row{t("F32", "[2]", "[4, 12]"), std::string(12, '\0'), "belong to no tensor"},
      Row{R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "v": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
          std::string(12, '\0'), "overlaps"},
      Row{R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
          std::string(8, '\0'), "appears twice"},
      Row{R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4], "x": 1}})", std::string(4, '\0'),
          "unknown key"},
      Row{R"({"__metadata__": {"a": 1}})", "", "not a string"},
  }));
  INFO(header);
  try {
    parse(safetensors_bytes(header, data));
    FAIL("accepted");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("w.safetensors") && Catch::Contains(want));
  }
}

TEST_CASE("truncated safetensors files and lying header lengths are refused before allocating", "[weights]") {
  const std::string good = safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})",
                                             floats({1.f}));
  for (size_t cut : {size_t{0}, size_t{5}, size_t{8}, size_t{20}, good.size() - 1}) {
    INFO(cut);
    CHECK_THROWS_AS(parse(good.substr(0, cut)), InputError);
  }
  std::string huge = good;
  huge[7] = '\x7f';  // header length ~ 9e18
  CHECK_THROWS_WITH(parse(huge), Catch::Contains("more than the"));
}

TEST_CASE("load_safetensors converts F16 and BF16 to float32", "[weights]") {
  testing::TempDir dir;
  // 1.5 in F16 is 0x3e00; -2 in BF16 is 0xc000.
  const std::string data = floats({0.25f, -3.f}) + std::string("\x00\x3e", 2) + std::string("\x00\xc0", 2);
  const std::string header =
      R"({"f": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
      R"( "h": {"dtype": "F16", "shape": [1, 1], "data_offsets": [8, 10]},)"
      R"( "b": {"dtype": "BF16", "shape": [1], "data_offsets": [10, 12]}})";
  const auto w = load_weights(dir.write("w.safetensors", safetensors_bytes(header, data)));
  CHECK(w.at("f").dtype() == torch::kFloat32);
  CHECK(w.at("f")[1].item<float>() == -3.f);
  CHECK(w.at("h").sizes() == torch::IntArrayRef({1, 1}));
  CHECK(w.at("h").item<float>() == 1.5f);
  CHECK(w.at("b").item<float>() == -2.f);
}

TEST_CASE("weights load strictly, except a classifier of another class count", "[weights]") {
  torch::manual_seed(0);
  torch::nn::AnyModule src = make_backbone("resnet18", backbone_info("resnet18").default_options, 10);
  NamedTensors tensors;
  for (const auto& [name, t] : named_state(*src.ptr())) tensors[name] = t.detach().clone();
  CHECK(classifier_weight_name(*src.ptr(), "fc") == "fc.weight");
  CHECK(rows_of(tensors, "fc.weight") == 10);

  torch::nn::AnyModule same = make_backbone("resnet18", backbone_info("resnet18").default_options, 10);
  CHECK(load_weights_into(*same.ptr(), tensors, "fc", "w.pth").ok());
  CHECK(torch::equal(same.ptr()->named_parameters()["fc.weight"], tensors.at("fc.weight")));

  torch::nn::AnyModule other = make_backbone("resnet18", backbone_info("resnet18").default_options, 3);
  const torch::Tensor fresh = other.ptr()->named_parameters()["fc.weight"].clone();
  const StateDictReport r = load_weights_into(*other.ptr(), tensors, "fc", "w.pth");
  CHECK(r.mismatched.size() == 2);  // fc.weight and fc.bias, skipped
  CHECK(torch::equal(other.ptr()->named_parameters()["fc.weight"], fresh));
  CHECK(torch::equal(other.ptr()->named_parameters()["conv1.weight"], tensors.at("conv1.weight")));

  NamedTensors broken = tensors;
  broken["layer1.0.conv1.weight"] = torch::zeros({1});
  CHECK_THROWS_WITH(load_weights_into(*same.ptr(), broken, "fc", "w.pth"),
                    Catch::Contains("w.pth") && Catch::Contains("layer1.0.conv1.weight"));
  NamedTensors missing = tensors;
  missing.erase("bn1.running_mean");
  CHECK_THROWS_WITH(load_weights_into(*same.ptr(), missing, "fc", "w.pth"), Catch::Contains("missing: bn1.running_mean"));
  NamedTensors extra = tensors;
  extra["head.weight"] = torch::zeros({1});
  CHECK_THROWS_WITH(load_weights_into(*same.ptr(), extra, "fc", "w.pth"), Catch::Contains("unexpected: head.weight"));
}

TEST_CASE("a suite's weights file is found beside the suite and its content enters the cell id", "[weights]") {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "suites" / "w");
  const std::string suite = dir.write("suites/s.json", R"({
    "name": "w", "data": {"source": "fashion-mnist:train"},
    "axes": {"backbone": [{"name": "resnet18", "weights": "w/r18.pth"}], "augmentation": [[]],
             "loss": ["cross_entropy"], "optimizer": ["sgd"]}})");
  const auto cell_id = [&] {
    const Suite s = load_suite(suite);
    const auto config = resolved_config(s, s.cells.at(0));
    CHECK(config.at("backbone").at("weights") == (dir.path() / "suites" / "w" / "r18.pth").string());
    return make_cell_id(config, "data");
  };
  dir.write("suites/w/r18.pth", "one");
  const std::string first = cell_id();
  CHECK(cell_id() == first);
  dir.write("suites/w/r18.pth", "two");
  CHECK(cell_id() != first);
  std::filesystem::remove(dir.path() / "suites" / "w" / "r18.pth");
  CHECK_THAT(testing::input_error([&] { load_suite(suite); }),
             Catch::Contains("s.json") && Catch::Contains("/axes/backbone/0") && Catch::Contains("r18.pth"));
}

TEST_CASE("FLOPs of layers computed by hand", "[flops]") {
  torch::NoGradGuard no_grad;
  SECTION("a 3x3 convolution: out elements x C_in x 9") {
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 8, 3).padding(1));
    const auto c = count_macs([&] { conv(torch::zeros({1, 3, 16, 16})); });
    CHECK(c.macs == 8.0 * 16 * 16 * 3 * 9);
    CHECK(c.counted_ops == 1);
    CHECK(c.flops() == 2 * c.macs);
  }
  SECTION("a strided grouped convolution") {
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(4, 8, 3).stride(2).groups(2));
    const auto c = count_macs([&] { conv(torch::zeros({2, 4, 9, 9})); });
    CHECK(c.macs == 2.0 * 8 * 4 * 4 * 2 * 9);  // batch x C_out x 4x4 x (C_in / groups) x 9
  }
  SECTION("a linear layer counts once, not again as the addmm inside it") {
    torch::nn::Linear fc(10, 5);
    const auto c = count_macs([&] { fc(torch::zeros({2, 10})); });
    CHECK(c.macs == 2.0 * 10 * 5);
    CHECK(c.counted_ops == 1);
  }
  SECTION("a broadcasting matmul") {
    const auto c = count_macs([] { torch::matmul(torch::zeros({2, 3, 4}), torch::zeros({4, 5})); });
    CHECK(c.macs == 2.0 * 3 * 5 * 4);
  }
  SECTION("element-wise ops are not counted, and nothing is counted after the call") {
    CHECK(count_macs([] { torch::relu(torch::ones({4, 4}) + 1); }).macs == 0);
    torch::nn::Linear fc(10, 5);
    count_macs([] {});
    fc(torch::zeros({2, 10}));
    CHECK(count_macs([] {}).macs == 0);
  }
}

TEST_CASE("resnet18's FLOPs at 224 px are torchvision's published 1.81 GMACs", "[flops]") {
  torch::nn::AnyModule m = make_backbone("resnet18", backbone_info("resnet18").default_options, 1000);
  const ComputeCost c = forward_cost(m, 3, 224);
  // torchvision's docs: 1.81 GFLOPS (counted as multiply-adds) and 11,689,512 parameters.
  CHECK(c.macs / 1e9 == Approx(1.81).margin(0.01));
  CHECK(parameter_count(*m.ptr()) == 11689512);
  CHECK(m.ptr()->is_training());
}

TEST_CASE("a scripted module trains as a backbone: shared parameters, names and train/eval", "[weights]") {
  torch::jit::Module fc("fc");
  fc.register_parameter("weight", torch::ones({2, 3}).requires_grad_(), false);
  fc.register_buffer("count", torch::zeros({1}));
  fc.register_attribute("training", c10::BoolType::get(), true);
  fc.define("def forward(self, x):\n  if self.training:\n    return x.mm(self.weight.t()) + 100.0\n  return x.mm(self.weight.t())\n");
  torch::jit::Module top("top");
  top.register_parameter("scale", torch::full({1}, 2.0).requires_grad_(), false);
  top.register_module("fc", fc);
  top.register_attribute("training", c10::BoolType::get(), true);
  top.define("def forward(self, x):\n  return self.fc.forward(x * self.scale)\n");

  ScriptedModule m(top);
  std::vector<std::string> names;
  for (const auto& [name, t] : named_state(*m)) names.push_back(name);
  CHECK(names == std::vector<std::string>{"scale", "fc.weight", "fc.count"});

  const torch::Tensor x = torch::ones({1, 3});
  m->eval();
  CHECK(!top.attr("fc").toModule().is_training());
  CHECK(m->forward(x)[0][0].item<float>() == 6.f);
  m->train();
  CHECK(m->forward(x)[0][0].item<float>() == 106.f);
  m->named_children()[0].value()->eval();  // one child only (what freezing a BatchNorm does)
  CHECK(m->is_training());
  CHECK(!top.attr("fc").toModule().is_training());
  CHECK(m->forward(x)[0][0].item<float>() == 6.f);

  // An optimizer step on the wrapper's parameters changes what the scripted code computes.
  torch::optim::SGD sgd(m->parameters(), torch::optim::SGDOptions(0.5));
  m->forward(x).sum().backward();
  sgd.step();
  CHECK(m->named_parameters()["fc.weight"][0][0].item<float>() == Approx(1.f - 0.5f * 2.f));
  CHECK(m->forward(x)[0][0].item<float>() == Approx(0.f));
  CHECK_THROWS_AS(load_torchscript("/nonexistent/model.pt"), InputError);
}

}  // namespace
}  // namespace gauntlet
