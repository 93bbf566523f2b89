// Losses against hand computations in double and against torch.nn.functional.cross_entropy of
// LibTorch 1.13 (hard labels, label smoothing, class weights, probability targets).
#include <catch2/catch.hpp>
#include <cmath>

#include "harness/losses.hpp"

namespace gauntlet {
namespace {

namespace F = torch::nn::functional;

// Two samples, three classes; float32-exact values.
const std::vector<std::vector<double>> kLogits = {{2.0, -1.0, 0.5}, {0.25, 1.5, -2.0}};
const std::vector<int64_t> kLabels = {2, 0};

torch::Tensor logits_tensor() {
  return torch::tensor({2.0f, -1.0f, 0.5f, 0.25f, 1.5f, -2.0f}).view({2, 3});
}
torch::Tensor labels_tensor() { return torch::tensor(kLabels, torch::kInt64); }

// log softmax of one row, in double.
std::vector<double> log_softmax_row(const std::vector<double>& z) {
  double m = z[0];
  for (double v : z) m = std::max(m, v);
  double sum = 0;
  for (double v : z) sum += std::exp(v - m);
  std::vector<double> out;
  for (double v : z) out.push_back(v - m - std::log(sum));
  return out;
}

double value(const torch::Tensor& t) { return t.item<double>(); }

LossOptions ce() { return LossOptions(); }

TEST_CASE("hard-label cross-entropy is torch's and the hand computation", "[training]") {
  const double hand = (-log_softmax_row(kLogits[0])[2] - log_softmax_row(kLogits[1])[0]) / 2;
  const torch::Tensor loss = compute_loss(ce(), logits_tensor(), labels_tensor());
  CHECK(loss.dim() == 0);
  CHECK(value(loss) == Approx(hand).epsilon(1e-6));
  CHECK(value(loss) ==
        Approx(value(F::cross_entropy(logits_tensor(), labels_tensor()))).epsilon(1e-6));
}

TEST_CASE("one-hot soft targets give the hard-label loss", "[training]") {
  const torch::Tensor one_hot = torch::tensor({0.f, 0.f, 1.f, 1.f, 0.f, 0.f}).view({2, 3});
  LossOptions o;
  SECTION("plain") {}
  SECTION("smoothed") { o.label_smoothing = 0.2; }
  SECTION("weighted and smoothed") {
    o.label_smoothing = 0.1;
    o.class_weights = {0.5, 2.0, 3.0};
  }
  SECTION("focal") {
    o.name = "focal";
    o.focal_gamma = 1.5;
    o.focal_alpha = {0.25, 0.5, 0.75};
    o.class_weights = {1.0, 2.0, 0.5};
  }
  CHECK(value(compute_loss(o, logits_tensor(), one_hot)) ==
        Approx(value(compute_loss(o, logits_tensor(), labels_tensor()))).epsilon(1e-6));
}

TEST_CASE("soft-target cross-entropy is the mean of -sum t log p, as torch's", "[training]") {
  const std::vector<std::vector<double>> t = {{0.7, 0.3, 0.0}, {0.1, 0.6, 0.3}};
  const torch::Tensor targets = torch::tensor({0.7f, 0.3f, 0.f, 0.1f, 0.6f, 0.3f}).view({2, 3});
  double hand = 0;
  for (size_t i = 0; i < 2; ++i) {
    const auto lp = log_softmax_row(kLogits[i]);
    for (size_t k = 0; k < 3; ++k) hand -= static_cast<double>(static_cast<float>(t[i][k])) * lp[k];
  }
  hand /= 2;
  const double got = value(compute_loss(ce(), logits_tensor(), targets));
  CHECK(got == Approx(hand).epsilon(1e-6));
  CHECK(got == Approx(value(F::cross_entropy(logits_tensor(), targets))).epsilon(1e-6));
}

TEST_CASE("label smoothing is torch 1.13's cross_entropy(label_smoothing=s)", "[training]") {
  const double s = GENERATE(0.05, 0.1, 0.3, 1.0);
  INFO("smoothing " << s);
  LossOptions o;
  o.label_smoothing = s;
  const double got = value(compute_loss(o, logits_tensor(), labels_tensor()));
  const double torch_value = value(F::cross_entropy(
      logits_tensor(), labels_tensor(), F::CrossEntropyFuncOptions().label_smoothing(s)));
  CHECK(got == Approx(torch_value).epsilon(1e-6));
  // By hand: t' = (1 - s) one_hot + s / K.
  double hand = 0;
  for (size_t i = 0; i < 2; ++i) {
    const auto lp = log_softmax_row(kLogits[i]);
    for (size_t k = 0; k < 3; ++k) {
      const double tk = (1 - s) * (static_cast<int64_t>(k) == kLabels[i] ? 1 : 0) + s / 3;
      hand -= tk * lp[k];
    }
  }
  CHECK(got == Approx(hand / 2).epsilon(1e-6));
  // Smoothed soft targets: the same rule applies to the distribution.
  const torch::Tensor soft = torch::tensor({0.6f, 0.f, 0.4f, 1.f, 0.f, 0.f}).view({2, 3});
  CHECK(value(compute_loss(o, logits_tensor(), soft)) ==
        Approx(value(F::cross_entropy(logits_tensor(), soft,
                                      F::CrossEntropyFuncOptions().label_smoothing(s))))
            .epsilon(1e-6));
}

TEST_CASE("class weights are torch's weighted cross_entropy, smoothing included", "[training]") {
  const std::vector<double> w = {0.5, 2.0, 3.0};
  const double s = GENERATE(0.0, 0.15);
  INFO("smoothing " << s);
  LossOptions o;
  o.class_weights = w;
  o.label_smoothing = s;
  // Three samples so the weights' normalisation is not symmetric.
  const torch::Tensor logits =
      torch::tensor({2.0f, -1.0f, 0.5f, 0.25f, 1.5f, -2.0f, -0.5f, 0.0f, 1.0f}).view({3, 3});
  const torch::Tensor labels = torch::tensor({2, 0, 1}, torch::kInt64);
  const double got = value(compute_loss(o, logits, labels));
  const double torch_value = value(F::cross_entropy(
      logits, labels,
      F::CrossEntropyFuncOptions().weight(torch::tensor({0.5f, 2.0f, 3.0f})).label_smoothing(s)));
  CHECK(got == Approx(torch_value).epsilon(1e-6));
  // By hand without smoothing: sum_i w_{y_i} (-log p_{i y_i}) / sum_i w_{y_i}.
  if (s == 0) {
    const std::vector<std::vector<double>> z = {{2, -1, 0.5}, {0.25, 1.5, -2}, {-0.5, 0, 1}};
    const std::vector<int> y = {2, 0, 1};
    double num = 0, den = 0;
    for (int i = 0; i < 3; ++i) {
      num -= w[y[i]] * log_softmax_row(z[i])[y[i]];
      den += w[y[i]];
    }
    CHECK(got == Approx(num / den).epsilon(1e-6));
  }
}

TEST_CASE("weighted soft targets weigh each class term and divide by the sample weights",
          "[training]") {
  // A MixUp pair: sample 0 is 0.7 class 0 + 0.3 class 1, sample 1 is pure class 2.
  const std::vector<double> w = {1.0, 4.0, 0.5};
  LossOptions o;
  o.class_weights = w;
  const torch::Tensor targets = torch::tensor({0.75f, 0.25f, 0.f, 0.f, 0.f, 1.f}).view({2, 3});
  const auto lp0 = log_softmax_row(kLogits[0]), lp1 = log_softmax_row(kLogits[1]);
  const double num = -(0.75 * 1.0 * lp0[0] + 0.25 * 4.0 * lp0[1]) - 0.5 * lp1[2];
  const double den = (0.75 * 1.0 + 0.25 * 4.0) + 0.5;
  CHECK(value(compute_loss(o, logits_tensor(), targets)) == Approx(num / den).epsilon(1e-6));
}

TEST_CASE("focal loss with gamma 0 and alpha 1 is cross-entropy", "[training]") {
  LossOptions f;
  f.name = "focal";
  f.focal_gamma = 0;
  SECTION("alpha left empty") {}
  SECTION("alpha 1") { f.focal_alpha = {1.0}; }
  SECTION("alpha 1 per class, weighted and smoothed") {
    f.focal_alpha = {1.0, 1.0, 1.0};
    f.class_weights = {2.0, 1.0, 0.5};
    f.label_smoothing = 0.1;
  }
  LossOptions c = f;
  c.name = "cross_entropy";
  CHECK(value(compute_loss(f, logits_tensor(), labels_tensor())) ==
        Approx(value(compute_loss(c, logits_tensor(), labels_tensor()))).epsilon(1e-6));
}

TEST_CASE("focal loss on two samples matches the hand computation", "[training]") {
  // FL_i = -alpha_{y_i} (1 - p_{i y_i})^gamma log p_{i y_i}, mean over samples.
  LossOptions o;
  o.name = "focal";
  o.focal_gamma = 2.0;
  o.focal_alpha = {0.25, 0.5, 0.75};
  double hand = 0;
  for (size_t i = 0; i < 2; ++i) {
    const double lp = log_softmax_row(kLogits[i])[kLabels[i]];
    hand -= o.focal_alpha[kLabels[i]] * std::pow(1 - std::exp(lp), 2.0) * lp;
  }
  hand /= 2;
  CHECK(value(compute_loss(o, logits_tensor(), labels_tensor())) == Approx(hand).epsilon(1e-6));
  // A scalar alpha scales every class alike.
  o.focal_alpha = {0.5};
  o.focal_gamma = 0.5;
  double scalar = 0;
  for (size_t i = 0; i < 2; ++i) {
    const double lp = log_softmax_row(kLogits[i])[kLabels[i]];
    scalar -= 0.5 * std::pow(1 - std::exp(lp), 0.5) * lp;
  }
  CHECK(value(compute_loss(o, logits_tensor(), labels_tensor())) ==
        Approx(scalar / 2).epsilon(1e-6));
  // Soft targets: the sum over classes of -t_k alpha_k (1 - p_k)^gamma log p_k.
  o.focal_alpha = {0.25, 0.5, 0.75};
  o.focal_gamma = 2.0;
  const torch::Tensor soft = torch::tensor({0.5f, 0.5f, 0.f, 0.f, 0.25f, 0.75f}).view({2, 3});
  const std::vector<std::vector<double>> t = {{0.5, 0.5, 0}, {0, 0.25, 0.75}};
  double soft_hand = 0;
  for (size_t i = 0; i < 2; ++i) {
    const auto lp = log_softmax_row(kLogits[i]);
    for (size_t k = 0; k < 3; ++k) {
      soft_hand -= t[i][k] * o.focal_alpha[k] * std::pow(1 - std::exp(lp[k]), 2.0) * lp[k];
    }
  }
  CHECK(value(compute_loss(o, logits_tensor(), soft)) == Approx(soft_hand / 2).epsilon(1e-6));
}

TEST_CASE("losses are differentiable with finite gradients, focal at p = 1 too", "[training]") {
  LossOptions o;
  o.name = "focal";
  o.focal_gamma = 0.5;
  // Row 0 is so confident that p rounds to 1 in float32.
  torch::Tensor logits = torch::tensor({60.f, -60.f, 0.f, 0.1f, 0.2f, 0.3f}).view({2, 3});
  logits.requires_grad_();
  compute_loss(o, logits, labels_tensor().fill_(0)).backward();
  CHECK(torch::isfinite(logits.grad()).all().item<bool>());
  // Cross-entropy's gradient is (softmax - t') / N.
  torch::Tensor z = logits_tensor().requires_grad_();
  LossOptions c;
  c.label_smoothing = 0.1;
  compute_loss(c, z, labels_tensor()).backward();
  for (size_t i = 0; i < 2; ++i) {
    const auto lp = log_softmax_row(kLogits[i]);
    for (size_t k = 0; k < 3; ++k) {
      const double t = 0.9 * (static_cast<int64_t>(k) == kLabels[i] ? 1 : 0) + 0.1 / 3;
      CHECK(z.grad()[i][k].item<double>() == Approx((std::exp(lp[k]) - t) / 2).margin(1e-7));
    }
  }
}

TEST_CASE("compute_loss rejects what does not fit", "[training]") {
  LossOptions o;
  CHECK_THROWS_WITH(compute_loss(o, logits_tensor(), torch::tensor({0, 3}, torch::kInt64)),
                    Catch::Contains("class index 3 outside [0, 3)"));
  CHECK_THROWS_WITH(compute_loss(o, logits_tensor(), torch::tensor({0}, torch::kInt64)),
                    Catch::Contains("must have shape (2)"));
  CHECK_THROWS_WITH(compute_loss(o, logits_tensor(), torch::zeros({2, 4})),
                    Catch::Contains("soft targets must have the logits' shape (2, 3)"));
  CHECK_THROWS_WITH(compute_loss(o, logits_tensor(), torch::tensor({0, 1}, torch::kInt32)),
                    Catch::Contains("int64 class indices"));
  CHECK_THROWS_WITH(compute_loss(o, torch::zeros({2}), labels_tensor()),
                    Catch::Contains("logits must have shape (N, K)"));
  o.class_weights = {1, 2};
  CHECK_THROWS_WITH(compute_loss(o, logits_tensor(), labels_tensor()),
                    Catch::Contains("class_weights has 2 values for 3 classes"));
  o = LossOptions();
  o.label_smoothing = 1.5;
  CHECK_THROWS_WITH(compute_loss(o, logits_tensor(), labels_tensor()),
                    Catch::Contains("label_smoothing must be in [0, 1]"));
  o = LossOptions();
  o.name = "focal";
  o.focal_alpha = {0.25, 0.5};
  CHECK_THROWS_WITH(compute_loss(o, logits_tensor(), labels_tensor()),
                    Catch::Contains("focal alpha has 2 values"));
  o.focal_alpha = {};
  o.focal_gamma = -1;
  CHECK_THROWS_WITH(compute_loss(o, logits_tensor(), labels_tensor()),
                    Catch::Contains("gamma must be"));
  o.name = "hinge";
  CHECK_THROWS_WITH(compute_loss(o, logits_tensor(), labels_tensor()),
                    Catch::Contains("unknown loss \"hinge\""));
}

TEST_CASE("balanced class weights are sklearn's n / (K count_k), 0 for absent classes",
          "[training]") {
  const std::vector<int64_t> labels = {0, 0, 0, 1, 2, 2};
  // sklearn compute_class_weight("balanced", classes=[0,1,2], y=labels): 6/(3*3), 6/(3*1), 6/(3*2)
  const auto w = balanced_class_weights(labels, 3);
  REQUIRE(w.size() == 3);
  CHECK(w[0] == Approx(2.0 / 3.0).epsilon(1e-15));
  CHECK(w[1] == Approx(2.0).epsilon(1e-15));
  CHECK(w[2] == Approx(1.0).epsilon(1e-15));
  // A fourth class without samples: K = 4 in every denominator, weight 0 for it.
  const auto w4 = balanced_class_weights(labels, 4);
  CHECK(w4 == std::vector<double>{0.5, 1.5, 0.75, 0.0});
  CHECK_THROWS_WITH(balanced_class_weights({0, 3}, 3), Catch::Contains("label 3 outside [0, 3)"));
  CHECK_THROWS_WITH(balanced_class_weights({0}, 0), Catch::Contains("num_classes must be >= 1"));
}

}  // namespace
}  // namespace gauntlet
