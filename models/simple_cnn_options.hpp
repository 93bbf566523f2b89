// Options of simple_cnn, kept free of torch's heavy headers so the suite layer can include it.
#pragma once

#include <torch/arg.h>

#include <cstdint>
#include <vector>

namespace gauntlet {

struct SimpleCnnOptions {
  /// Output channels of each conv block; every block ends in 2x2 max pooling.
  TORCH_ARG(std::vector<int64_t>, channels) = {32, 64, 128};
  /// 3x3 convolutions per block.
  TORCH_ARG(int64_t, convs_per_block) = 2;
  /// BatchNorm after each convolution (before ReLU).
  TORCH_ARG(bool, batch_norm) = true;
  /// Dropout probability before the final linear layer.
  TORCH_ARG(double, dropout) = 0.2;
  /// Width of a hidden dense layer after global average pooling; 0 for none.
  TORCH_ARG(int64_t, hidden) = 128;
};

}  // namespace gauntlet
