#include "models/vgg.hpp"

#include <stdexcept>
#include <string>

namespace gauntlet {

namespace nn = torch::nn;

std::vector<int64_t> vgg_config(int depth) {
  switch (depth) {  // torchvision's cfgs "A", "B", "D", "E"
    case 11:
      return {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
    case 13:
      return {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
    case 16:
      return {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
    case 19:
      return {64,  64,  0,   128, 128, 0,   256, 256, 256, 256, 0,
              512, 512, 512, 512, 0,   512, 512, 512, 512, 0};
    default:
      throw std::invalid_argument("vgg: no depth " + std::to_string(depth));
  }
}

VggImpl::VggImpl(std::vector<int64_t> config, bool batch_norm, int64_t in_channels,
                 int64_t num_classes, VggOptions options)
    : config_(std::move(config)),
      batch_norm_(batch_norm),
      in_channels_(in_channels),
      num_classes_(num_classes),
      options_(options) {
  TORCH_CHECK(in_channels > 0, "vgg: in_channels must be positive, got ", in_channels);
  TORCH_CHECK(num_classes == 0 || num_classes > 1,
              "vgg: need at least 2 classes (or 0 for no classifier), got ", num_classes);
  TORCH_CHECK(options_.dropout() >= 0 && options_.dropout() < 1,
              "vgg: dropout must be in [0, 1), got ", options_.dropout());
  reset();
}

void VggImpl::reset() {
  features_ = nn::Sequential();
  int64_t c = in_channels_;
  int64_t last = 0;
  for (int64_t v : config_) {
    if (v == 0) {
      features_->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)));
      continue;
    }
    features_->push_back(nn::Conv2d(nn::Conv2dOptions(c, v, 3).padding(1)));
    if (batch_norm_) features_->push_back(nn::BatchNorm2d(v));
    features_->push_back(nn::ReLU(nn::ReLUOptions().inplace(true)));
    c = last = v;
  }
  TORCH_CHECK(last > 0, "vgg: the config has no convolution");
  register_module("features", features_);
  classifier_ = nullptr;
  // Dropout layers stay even at p = 0, so the Linear layers keep torchvision's indices 0, 3, 6.
  if (num_classes_ > 0) {
    classifier_ =
        nn::Sequential(nn::Linear(last * 7 * 7, 4096), nn::ReLU(nn::ReLUOptions().inplace(true)),
                       nn::Dropout(options_.dropout()), nn::Linear(4096, 4096),
                       nn::ReLU(nn::ReLUOptions().inplace(true)), nn::Dropout(options_.dropout()),
                       nn::Linear(4096, num_classes_));
    register_module("classifier", classifier_);
  }

  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0, torch::kFanOut, torch::kReLU);
      nn::init::zeros_(conv->bias);
    } else if (auto* bn = m->as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    } else if (auto* fc = m->as<nn::Linear>()) {
      nn::init::normal_(fc->weight, 0, 0.01);
      nn::init::zeros_(fc->bias);
    }
  }
}

torch::Tensor VggImpl::forward(torch::Tensor x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == in_channels_, "vgg: expected (N, ", in_channels_,
              ", H, W) input, got ", x.sizes());
  x = features_->forward(x);
  // Without classifier, the features a replaced head takes are global-average pooled.
  if (!classifier_) return torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  x = torch::adaptive_avg_pool2d(x, {7, 7}).flatten(1);
  return classifier_->forward(x);
}

}  // namespace gauntlet
