#include "models/simple_cnn.hpp"

namespace gauntlet {

SimpleCnnImpl::SimpleCnnImpl(int64_t in_channels, int64_t num_classes, SimpleCnnOptions options)
    : in_channels_(in_channels), num_classes_(num_classes), options_(std::move(options)) {
  TORCH_CHECK(in_channels > 0, "simple_cnn: in_channels must be positive, got ", in_channels);
  TORCH_CHECK(num_classes == 0 || num_classes > 1,
              "simple_cnn: need at least 2 classes (or 0 for no classifier), got ", num_classes);
  TORCH_CHECK(!options_.channels().empty(), "simple_cnn: channels must not be empty");
  reset();
}

void SimpleCnnImpl::reset() {
  features_ = torch::nn::Sequential();
  int64_t c = in_channels_;
  for (int64_t width : options_.channels()) {
    for (int64_t k = 0; k < options_.convs_per_block(); ++k) {
      // The conv bias is redundant in front of BatchNorm.
      features_->push_back(torch::nn::Conv2d(
          torch::nn::Conv2dOptions(c, width, 3).padding(1).bias(!options_.batch_norm())));
      if (options_.batch_norm()) features_->push_back(torch::nn::BatchNorm2d(width));
      features_->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
      c = width;
    }
    features_->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
  }
  features_->push_back(torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
  features_->push_back(torch::nn::Flatten());

  register_module("features", features_);
  classifier_ = nullptr;
  if (num_classes_ == 0) return;
  classifier_ = torch::nn::Sequential();
  if (options_.hidden() > 0) {
    classifier_->push_back(torch::nn::Linear(c, options_.hidden()));
    classifier_->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
    c = options_.hidden();
  }
  if (options_.dropout() > 0) classifier_->push_back(torch::nn::Dropout(options_.dropout()));
  classifier_->push_back(torch::nn::Linear(c, num_classes_));
  register_module("classifier", classifier_);
}

torch::Tensor SimpleCnnImpl::forward(torch::Tensor x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == in_channels_, "simple_cnn: expected (N, ", in_channels_,
              ", H, W) input, got ", x.sizes());
  x = features_->forward(x);
  return classifier_ ? classifier_->forward(x) : x;
}

}  // namespace gauntlet
