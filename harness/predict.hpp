// `gauntlet predict`: logits of a backbone (registered, with weights from a file, or a TorchScript
// module) on a data set or on a ready float32 NCHW array, written as a float32 (N, K) .npy. The
// path a model takes from a hub into a challenge submission, and the parity check of our
// backbones against PyTorch's (same weights, same input, same logits).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet {

struct PredictOptions {
  std::string backbone;     ///< a registered name (gauntlet list backbones)
  std::string torchscript;  ///< or a torch.jit.save file (runs its code: needs allow_torchscript)
  bool allow_torchscript = false;
  std::string weights;      ///< .safetensors or torch.save state_dict; empty: random init
  int64_t num_classes = 0;  ///< 0: the weights' classifier rows
  std::string data;         ///< a data spec, preprocessed as the backbone's defaults say
  std::string input_npy;    ///< or a float32 NCHW .npy used as it is
  int64_t input_size = 0;   ///< --data only; 0: the backbone's default input size
  std::string resize = "auto";        ///< --data only: as data.preprocess.resize
  double center_crop = 1.0;           ///< --data only: as data.preprocess.center_crop
  std::string normalize = "backbone";  ///< --data only: a preset of data.preprocess.normalize
  std::vector<float> mean, std;       ///< --data only: explicit normalisation (1 or 3 values each)
  std::string out;          ///< float32 (N, K) .npy
  int64_t batch_size = 64;
  int threads = 0;          ///< LibTorch compute threads; 0: LibTorch's default
};

struct PredictSummary {
  int64_t n = 0, num_classes = 0;
  std::string notes;  ///< what the weights load skipped, how the input was preprocessed
};

/// Throws InputError (bad flag, file, weights or input); writes `out` only when all went well.
PredictSummary predict(const PredictOptions& o);

}  // namespace gauntlet
