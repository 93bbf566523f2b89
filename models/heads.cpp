#include "models/heads.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "models/layers.hpp"

namespace gauntlet {
namespace {

namespace nn = torch::nn;

nn::AnyModule activation(HeadActivation a) {
  switch (a) {
    case HeadActivation::kRelu:
      return nn::AnyModule(nn::ReLU());
    case HeadActivation::kGelu:
      return nn::AnyModule(nn::GELU());
    case HeadActivation::kSilu:
      return nn::AnyModule(nn::SiLU());
  }
  throw std::invalid_argument("head: unknown activation");
}

}  // namespace

nn::AnyModule dense_head(int64_t in_features, int64_t num_classes,
                         const DenseHeadOptions& options) {
  if (in_features < 1 || num_classes < 2) {
    throw std::invalid_argument("dense head: need in_features >= 1 and >= 2 classes, got " +
                                std::to_string(in_features) + " and " +
                                std::to_string(num_classes));
  }
  if (!(options.dropout() >= 0 && options.dropout() < 1)) {
    throw std::invalid_argument("dense head: dropout must be in [0, 1), got " +
                                std::to_string(options.dropout()));
  }
  Chain head;
  int64_t width = in_features;
  for (int64_t h : options.hidden()) {
    if (h < 1)
      throw std::invalid_argument("dense head: hidden widths must be >= 1, got " +
                                  std::to_string(h));
    head->push_back(nn::Dropout(options.dropout()));
    head->push_back(nn::Linear(width, h));
    head->push_back(activation(options.activation()));
    width = h;
  }
  head->push_back(nn::Dropout(options.dropout()));
  head->push_back(nn::Linear(width, num_classes));
  return nn::AnyModule(head);
}

RffHeadImpl::RffHeadImpl(int64_t in_features, int64_t num_classes, RffHeadOptions options)
    : in_features_(in_features), num_classes_(num_classes), options_(options) {
  TORCH_CHECK(in_features >= 1 && num_classes >= 2,
              "rff head: need in_features >= 1 and >= 2 classes, got ", in_features, " and ",
              num_classes);
  TORCH_CHECK(options_.features() >= 1, "rff head: features must be >= 1, got ",
              options_.features());
  TORCH_CHECK(options_.scale() > 0 && std::isfinite(options_.scale()),
              "rff head: scale must be positive, got ", options_.scale());
  reset();
}

void RffHeadImpl::reset() {
  const int64_t d = options_.features();
  projection_ = register_buffer("projection", torch::randn({d, in_features_}));
  offset_ = register_buffer("offset", torch::rand({d}) * (2 * M_PI));
  const torch::Tensor log_scale = torch::tensor(std::log(options_.scale()));
  log_scale_ = options_.learn_scale() ? register_parameter("log_scale", log_scale)
                                      : register_buffer("log_scale", log_scale);
  fc_ = register_module("fc", nn::Linear(d, num_classes_));
}

torch::Tensor RffHeadImpl::features(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == in_features_, "rff head: expected (N, ", in_features_,
              ") features, got ", x.sizes());
  const torch::Tensor arg = torch::matmul(x, projection_.t()) * torch::exp(-log_scale_) + offset_;
  return std::sqrt(2.0 / static_cast<double>(options_.features())) * torch::cos(arg);
}

torch::Tensor RffHeadImpl::forward(const torch::Tensor& x) { return fc_->forward(features(x)); }

nn::AnyModule make_head(int64_t in_features, int64_t num_classes, const HeadOptions& options) {
  if (const auto* dense = std::get_if<DenseHeadOptions>(&options)) {
    return dense_head(in_features, num_classes, *dense);
  }
  if (const auto* rff = std::get_if<RffHeadOptions>(&options)) {
    return nn::AnyModule(RffHead(in_features, num_classes, *rff));
  }
  throw std::invalid_argument("make_head: no head given");
}

HeadedImpl::HeadedImpl(nn::AnyModule body, nn::AnyModule head)
    : body_(std::move(body)), head_(std::move(head)) {
  const auto& b = *body_.ptr();
  TORCH_CHECK(b.named_parameters(/*recurse=*/false).is_empty() &&
                  b.named_buffers(/*recurse=*/false).is_empty(),
              "Headed: the backbone has tensors outside its children");
  for (const auto& child : b.named_children()) {
    TORCH_CHECK(child.key() != "head", "Headed: the backbone already has a child named head");
    register_module(child.key(), child.value());
  }
  register_module("head", head_.ptr());
}

torch::Tensor HeadedImpl::forward(torch::Tensor x) {
  return head_.forward(body_.forward(std::move(x)));
}

void HeadedImpl::train(bool on) {
  body_.ptr()->train(on);
  Module::train(on);
}

int64_t feature_width(nn::AnyModule& body, int64_t in_channels, int64_t side) {
  torch::NoGradGuard no_grad;
  const bool training = body.ptr()->is_training();
  body.ptr()->eval();
  const torch::Tensor y = body.forward(torch::zeros({1, in_channels, side, side}));
  body.ptr()->train(training);
  TORCH_CHECK(y.dim() == 2, "a backbone built without classifier returned ", y.sizes(),
              ", not (N, features)");
  return y.size(1);
}

}  // namespace gauntlet
