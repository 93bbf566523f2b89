#include "harness/predict.hpp"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstring>
#include <filesystem>
#include <functional>

#include "harness/core/error.hpp"
#include "harness/core/npy.hpp"
#include "harness/data_source.hpp"
#include "harness/loader.hpp"
#include "harness/preprocess.hpp"
#include "harness/trainer.hpp"
#include "models/backbone_options.hpp"
#include "models/registry.hpp"
#include "models/torchscript.hpp"
#include "models/weights.hpp"

namespace gauntlet {

namespace {

// --resize, --center-crop, --normalize, --mean/--std as data.preprocess reads them. "dataset"
// would normalise by the statistics of the images being predicted, not of the training set.
PreprocessOptions predict_preprocess(const PredictOptions& o) {
  nlohmann::json j{{"resize", o.resize}, {"center_crop", o.center_crop}, {"normalize", o.normalize}};
  if (o.mean.empty() != o.std.empty()) throw InputError("--mean/--std", "give both or neither");
  if (!o.mean.empty()) {
    if (o.normalize != "backbone") throw InputError("--normalize", "give a preset or --mean/--std, not both");
    j["normalize"] = {{"mean", o.mean}, {"std", o.std}};
  } else if (o.normalize == "dataset") {
    throw InputError("--normalize", "\"dataset\" means the training set's statistics: pass them as --mean/--std "
                                    "(result.json's preprocess.mean and preprocess.std)");
  }
  try {
    return preprocess_from_json(j);
  } catch (const std::invalid_argument& e) {
    throw InputError("--resize/--center-crop/--normalize", e.what());
  }
}

// The input as float32 NCHW: a .npy used as it is.
torch::Tensor read_input_npy(const std::string& path) {
  const Array a = read_npy(path);
  if (a.dtype != "f4" || a.shape.size() != 4) {
    std::string shape;
    for (auto d : a.shape) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
    throw InputError(path, "expected a float32 array of shape (N, C, H, W), got dtype " + a.dtype + " shape (" +
                               shape + ")");
  }
  torch::Tensor t = torch::empty(a.shape, torch::kFloat32);
  std::memcpy(t.data_ptr<float>(), a.data.data(), a.data.size());
  return t;
}

// Logits of `model` (eval mode, inference mode) on the array in `path`, batch by batch.
torch::Tensor forward_npy(torch::nn::AnyModule& model, const std::string& path, int64_t batch_size,
                          const std::string& model_name) {
  const torch::Tensor x = read_input_npy(path);
  model.ptr()->eval();
  torch::InferenceMode guard;
  std::vector<torch::Tensor> parts;
  try {
    for (int64_t i = 0; i < x.size(0); i += batch_size) {
      parts.push_back(model.forward(x.slice(0, i, std::min(i + batch_size, x.size(0)))));
    }
  } catch (const c10::Error& e) {
    throw InputError(path, "the forward of " + model_name + " failed on this input: " + e.what_without_backtrace());
  }
  return torch::cat(parts, 0);
}

void write_logits(const std::string& path, const torch::Tensor& logits) {
  const torch::Tensor y = logits.to(torch::kFloat32).contiguous();
  Array a;
  a.dtype = "f4";
  a.shape = {y.size(0), y.size(1)};
  a.data.resize(y.numel() * sizeof(float));
  std::memcpy(a.data.data(), y.data_ptr<float>(), a.data.size());
  write_npy(path, a);
}

// A registered backbone, with its weights; the class count from the flag or else the weights.
torch::nn::AnyModule build_registered(const PredictOptions& o, const BackboneInfo& info, PredictSummary& s) {
  NamedTensors tensors;
  if (!o.weights.empty()) tensors = load_weights(o.weights);
  int64_t k = o.num_classes;
  if (k == 0) {
    if (o.weights.empty()) throw InputError("--num-classes", "needed when no --weights give the class count");
    const std::string head = classifier_weight_name(*make_backbone(info.name, info.default_options, 2).ptr(),
                                                    info.defaults.classifier);
    k = rows_of(tensors, head);
    if (k <= 0) {
      throw InputError(o.weights, "no 2-D \"" + head + "\" tensor to take the class count from (is it a " +
                                      info.name + "?); give --num-classes");
    }
  }
  torch::nn::AnyModule model = make_backbone(info.name, info.default_options, k);
  if (!o.weights.empty()) {
    try {
      load_state_dict(*model.ptr(), tensors, /*strict=*/true);
    } catch (const std::invalid_argument& e) {
      throw InputError(o.weights, std::string("the weights do not fit ") + info.name + " with " + std::to_string(k) +
                                      " classes:\n" + e.what());
    }
  }
  s.num_classes = k;
  return model;
}

}  // namespace

PredictSummary predict(const PredictOptions& o) {
  if (o.backbone.empty() == o.torchscript.empty()) {
    throw InputError("predict", "give one of --backbone NAME or --torchscript FILE");
  }
  if (o.data.empty() == o.input_npy.empty()) throw InputError("predict", "give one of --data DATA or --input-npy X.npy");
  if (o.threads > 0) torch::set_num_threads(o.threads);
  PredictSummary s;
  torch::Tensor logits;
  if (!o.torchscript.empty()) {
    if (!o.allow_torchscript) throw InputError(o.torchscript, std::string("refused: ") + kTorchScriptWarning);
    if (!o.weights.empty()) throw InputError("--weights", "a TorchScript file carries its own weights");
    if (o.input_npy.empty()) {
      throw InputError("--data", "a TorchScript module has no registered preprocessing; give --input-npy X.npy");
    }
    torch::nn::AnyModule model(load_torchscript(o.torchscript));
    logits = forward_npy(model, o.input_npy, o.batch_size, o.torchscript);
    s.notes = "input used as it is (float32 NCHW)";
  } else {
    const BackboneInfo* info = nullptr;
    try {
      info = &backbone_info(o.backbone);
    } catch (const std::out_of_range& e) {
      throw InputError("--backbone", e.what());
    }
    torch::nn::AnyModule model = build_registered(o, *info, s);
    model.ptr()->eval();
    if (!o.input_npy.empty()) {
      logits = forward_npy(model, o.input_npy, o.batch_size, info->name);
      s.notes = "input used as it is (float32 NCHW)";
    } else {
      const PreprocessOptions pre = predict_preprocess(o);
      const Dataset d = load_dataset(DataSourceSpec{o.data});
      const int64_t side = o.input_size > 0 ? o.input_size : info->defaults.input_size;
      PreparedSet p;
      try {
        p = prepare(d, side, info->defaults.in_channels, pre);
      } catch (const std::invalid_argument& e) {
        throw InputError(o.data, e.what());
      }
      const Normalization norm = resolve_normalization(pre, {info->defaults.mean, info->defaults.std}, p);
      logits = predict_logits(model, p, norm, o.batch_size, 1);
      s.notes = "images " + std::to_string(d.height) + "x" + std::to_string(d.width) + "x" +
                std::to_string(d.channels) + " -> " + std::to_string(side) + "x" + std::to_string(side) + "x" +
                std::to_string(info->defaults.in_channels) + ", " +
                preprocess_record(pre, norm, info->defaults.in_channels).dump();
    }
  }
  if (logits.dim() != 2) throw InputError("predict", "the model's output is not (N, K) logits");
  s.n = logits.size(0);
  s.num_classes = logits.size(1);
  write_logits(o.out, logits);
  return s;
}

}  // namespace gauntlet
