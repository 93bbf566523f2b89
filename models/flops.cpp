#include "models/flops.hpp"

#include <ATen/ExpandUtils.h>
#include <ATen/record_function.h>

#include <cmath>
#include <cstdio>
#include <cstring>

namespace gauntlet {
namespace {

// The counter of the thread running count_macs; depth > 0 while inside a counted operator.
struct Tally {
  double macs = 0;
  int64_t ops = 0;
  int depth = 0;
};
thread_local Tally* tally = nullptr;

struct Marker : at::ObserverContext {};

double prod(c10::IntArrayRef v, size_t from = 0, size_t to = SIZE_MAX) {
  double p = 1;
  for (size_t i = from; i < std::min(to, v.size()); ++i) p *= static_cast<double>(v[i]);
  return p;
}

// MACs of a convolution: each output element is a dot product of weight.numel() / C_out terms;
// a transposed one scatters each input element through weight.numel() / C_in of them.
double conv_macs(c10::ArrayRef<const c10::IValue> in) {
  const auto x = in[0].toTensor().sizes();
  const auto w = in[1].toTensor().sizes();
  const auto stride = in[3].toIntVector();
  const auto padding = in[4].toIntVector();
  const auto dilation = in[5].toIntVector();
  const bool transposed = in[6].toBool();
  const double batch = static_cast<double>(x[0]);
  const size_t spatial = x.size() - 2;
  if (transposed) return batch * prod(x, 2) * prod(w);  // w: C_in x C_out/g x k...
  double out = 1;
  for (size_t d = 0; d < spatial; ++d) {
    const auto pick = [&](const std::vector<int64_t>& v) { return v.size() == 1 ? v[0] : v[d]; };
    const int64_t k = w[2 + d];
    out *= std::floor(static_cast<double>(x[2 + d] + 2 * pick(padding) - pick(dilation) * (k - 1) - 1) /
                      static_cast<double>(pick(stride))) + 1;
  }
  return batch * out * prod(w);  // w: C_out x C_in/g x k...: output elements x (C_in/g x k...)
}

// MACs of torch.matmul's broadcasting product of a (..., n, k) and b (..., k, m) (1-D: a vector).
double matmul_macs(c10::IntArrayRef a, c10::IntArrayRef b) {
  if (a.empty() || b.empty()) return 0;
  const double k = static_cast<double>(a.back());
  const double n = a.size() >= 2 ? static_cast<double>(a[a.size() - 2]) : 1;
  const double m = b.size() >= 2 ? static_cast<double>(b.back()) : 1;
  const auto batch_a = a.size() > 2 ? a.slice(0, a.size() - 2) : c10::IntArrayRef{};
  const auto batch_b = b.size() > 2 ? b.slice(0, b.size() - 2) : c10::IntArrayRef{};
  return prod(at::infer_size(batch_a, batch_b)) * n * m * k;
}

double macs_of(const at::RecordFunction& fn) {
  const std::string name = fn.name();
  const auto in = fn.inputs();
  auto size = [&](size_t i) { return in[i].toTensor().sizes(); };
  if (name == "aten::convolution" || name == "aten::_convolution") return conv_macs(in);
  if (name == "aten::linear") return prod(size(0)) * static_cast<double>(size(1)[0]);
  if (name == "aten::addmm") return matmul_macs(size(1), size(2));
  if (name == "aten::mm" || name == "aten::bmm" || name == "aten::matmul") return matmul_macs(size(0), size(1));
  return -1;  // not a counted operator
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  if (tally == nullptr) return nullptr;
  double macs = 0;
  try {
    macs = macs_of(fn);
  } catch (const std::exception&) {
    return nullptr;  // an overload whose inputs do not read as expected: not counted
  }
  if (macs < 0) return nullptr;
  if (tally->depth == 0) {
    tally->macs += macs;
    ++tally->ops;
  }
  ++tally->depth;
  return std::make_unique<Marker>();
}

void on_end(const at::RecordFunction&, at::ObserverContext* ctx) {
  if (ctx != nullptr && tally != nullptr) --tally->depth;
}

}  // namespace

ComputeCost count_macs(const std::function<void()>& fn) {
  Tally t;
  tally = &t;
  at::RecordFunctionGuard enabled(true);
  const auto handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(on_start, on_end).needsInputs(true).scopes({at::RecordScope::FUNCTION}));
  try {
    fn();
  } catch (...) {
    at::removeCallback(handle);
    tally = nullptr;
    throw;
  }
  at::removeCallback(handle);
  tally = nullptr;
  return {t.macs, t.ops};
}

ComputeCost forward_cost(torch::nn::AnyModule& model, int64_t channels, int64_t side) {
  const bool was_training = model.ptr()->is_training();
  model.ptr()->eval();
  torch::NoGradGuard no_grad;
  // On the model's device (a model trained on CUDA is counted there).
  const auto params = model.ptr()->parameters();
  const torch::Device device = params.empty() ? torch::Device(torch::kCPU) : params.front().device();
  const torch::Tensor x = torch::zeros({1, channels, side, side}, torch::TensorOptions().device(device));
  ComputeCost c;
  try {
    c = count_macs([&] { model.forward(x); });
  } catch (...) {
    model.ptr()->train(was_training);
    throw;
  }
  model.ptr()->train(was_training);
  return c;
}

int64_t parameter_count(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

std::string human_count(double v) {
  const char* suffix[] = {"", "k", "M", "G", "T", "P"};
  int i = 0;
  while (std::fabs(v) >= 1000 && i < 5) {
    v /= 1000;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 || i == 0 ? "%.0f%s" : v >= 10 ? "%.1f%s" : "%.2f%s", v, suffix[i]);
  return buf;
}

}  // namespace gauntlet
