// What a trained model looks at, computed once at evaluation time and stored with the run, so that
// reports can show it without the model (DESIGN.md: reports read result files only):
//   - saliency maps (Simonyan et al. 2014): |d score_y / d input|, max over channels, as the seeds
//     drew them;
//   - Grad-CAM (Selvaraju et al. 2017): ReLU(sum_c alpha_c A_c), alpha_c the spatial mean of
//     d score_y / d A_c, for A the feature map that enters the backbone's final global average
//     pooling, upsampled bilinearly to the input;
//   - a 2-D PCA of the pooled backbone features (the mean of A over space) of test images.
// y is the image's true class. LibTorch has no forward hooks, so A is captured by a RecordFunction
// observer on aten::adaptive_avg_pool2d (the last call of a forward is the global pooling every
// registered family ends in; squeeze-excitation pools come earlier); a model without one gets
// saliency and no Grad-CAM or PCA, said in explain.json.
//
// Written to <cell>/explain/: grid.png (one row per image: image | saliency | Grad-CAM overlay,
// colour map viridis), pca.csv (index,label,pc1,pc2), explain.json (what was computed, images,
// explained variance).
#pragma once

#include <torch/torch.h>

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "harness/compute.hpp"
#include "harness/loader.hpp"

namespace gauntlet {

struct ExplainOptions {
  int64_t per_class = 2;       ///< images per class in grid.png (the first of each class)
  int64_t pca_images = 1000;   ///< test images projected in pca.csv (the first ones)
};

/// Indices of the first `per_class` images of each class, class by class.
std::vector<int64_t> pick_per_class(const std::vector<int64_t>& labels, int64_t num_classes, int64_t per_class);

/// Saliency maps (N, H, W) in [0, 1] (each image scaled by its maximum) of `x` (N, C, H, W) for
/// classes `y`, and Grad-CAM maps (N, H, W) in [0, 1] (undefined when no pooling input was seen).
struct Attribution {
  torch::Tensor saliency, grad_cam;
};
Attribution attribute(torch::nn::AnyModule& model, const torch::Tensor& x, const torch::Tensor& y);

/// Top-2 principal components of `features` (N, D) centred: scores (N, 2) and the share of the
/// variance each explains. Signs are fixed so that each component's largest |loading| is positive.
struct Pca2 {
  torch::Tensor scores;
  double explained[2] = {0, 0};
};
Pca2 pca2(const torch::Tensor& features);

/// Computes all of the above on `test` with the model in eval mode and writes <dir>/explain/.
/// Returns the summary stored as result.json's "explain".
nlohmann::json explain_model(torch::nn::AnyModule& model, const PreparedSet& test, const Normalization& norm,
                             const std::vector<std::string>& class_names, const std::string& dir,
                             const ExplainOptions& options, const ComputeOptions& compute);

}  // namespace gauntlet
