// Counting a model's compute by running it: multiply-accumulates (MACs) of every convolution,
// linear layer and matrix product executed, read from the operators' input shapes through
// LibTorch's RecordFunction callbacks (the mechanism torch.profiler uses to count FLOPs). A
// forward that goes through those aten operators is counted whatever module built it, TorchScript
// included. Counted: aten::convolution (and _convolution), linear, addmm, mm, bmm, matmul; an
// operator called inside a counted one (linear -> addmm) is not counted again. Not counted:
// element-wise ops, norms, pooling, activations (a few percent of a CNN's total).
// FLOPs are reported as 2 x MACs (a multiply and an add), the convention of papers and of
// fvcore/torch.utils.flop_counter; "GMACs" tables (torchvision's docs, ptflops) are half of it.
#pragma once

#include <torch/torch.h>

#include <functional>

namespace gauntlet {

struct ComputeCost {
  double macs = 0;      ///< multiply-accumulates
  int64_t counted_ops = 0;
  double flops() const { return 2.0 * macs; }
};

/// Runs `fn` on this thread and counts the MACs of the operators it executes (see above).
ComputeCost count_macs(const std::function<void()>& fn);

/// The cost of one forward of `model` (eval mode, no grad) on a batch of one
/// `channels` x `side` x `side` image of zeros; the model's train/eval mode is restored.
ComputeCost forward_cost(torch::nn::AnyModule& model, int64_t channels, int64_t side);

/// Number of parameters (elements) of `m`, trainable or not; buffers are not counted.
int64_t parameter_count(const torch::nn::Module& m);

/// "11.7M", "1.82G": 3 significant digits with k/M/G/T suffix.
std::string human_count(double v);

}  // namespace gauntlet
