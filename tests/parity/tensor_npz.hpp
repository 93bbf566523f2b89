// The parity dump programs' bridge between .npz arrays (what the Python side writes and reads) and
// LibTorch tensors.
#pragma once

#include <torch/torch.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include "harness/core/array.hpp"

namespace gauntlet::parity {

/// A float32 or int64 array as a tensor of that dtype (copied); `name` is for the message.
inline torch::Tensor to_tensor(const Array& a, const std::string& name) {
  torch::Dtype dtype;
  if (a.dtype == "f4") {
    dtype = torch::kFloat32;
  } else if (a.dtype == "i8") {
    dtype = torch::kInt64;
  } else {
    throw std::invalid_argument(name + ": want float32 or int64, got " + a.dtype);
  }
  torch::Tensor t = torch::empty(a.shape, dtype);
  std::memcpy(t.data_ptr(), a.data.data(), a.data.size());
  return t;
}

/// A float tensor as an array: float64 stays f8, anything else becomes f4.
inline Array to_array(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(t.scalar_type() == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32).contiguous();
  Array a;
  a.dtype = c.scalar_type() == torch::kFloat64 ? "f8" : "f4";
  a.shape = c.sizes().vec();
  a.data.resize(static_cast<size_t>(c.numel()) * c.element_size());
  std::memcpy(a.data.data(), c.data_ptr(), a.data.size());
  return a;
}

}  // namespace gauntlet::parity
