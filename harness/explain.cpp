#include "harness/explain.hpp"

#include <ATen/record_function.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "harness/core/atomic_file.hpp"
#include "reports/image_grid.hpp"

namespace gauntlet {
namespace {

using json = nlohmann::json;

constexpr const char* kPoolOp = "aten::adaptive_avg_pool2d";
constexpr int64_t kChunk = 32;  // images per forward/backward in explain_model

// Keeps the input of the last kPoolOp call on this thread while alive.
class PoolInputCapture {
 public:
  PoolInputCapture() {
    last() = torch::Tensor();
    handle_ = at::addThreadLocalCallback(at::RecordFunctionCallback(&PoolInputCapture::on_enter).needsInputs(true));
  }
  ~PoolInputCapture() {
    at::removeCallback(handle_);
    last() = torch::Tensor();
  }
  PoolInputCapture(const PoolInputCapture&) = delete;
  PoolInputCapture& operator=(const PoolInputCapture&) = delete;

  /// The 4-D input of the last pooling call since construction (undefined if none).
  torch::Tensor take() { return std::exchange(last(), torch::Tensor()); }

 private:
  static torch::Tensor& last() {
    static thread_local torch::Tensor t;
    return t;
  }
  static std::unique_ptr<at::ObserverContext> on_enter(const at::RecordFunction& fn) {
    if (std::strcmp(fn.name(), kPoolOp) == 0) {
      const auto inputs = fn.inputs();
      if (!inputs.empty() && inputs[0].isTensor() && inputs[0].toTensor().dim() == 4) last() = inputs[0].toTensor();
    }
    return nullptr;
  }
  at::CallbackHandle handle_;
};

// Each (H, W) map of `m` (N, H, W) divided by its maximum; all-zero maps stay zero.
torch::Tensor scale_each(const torch::Tensor& m) {
  const torch::Tensor peak = m.flatten(1).amax(1).clamp_min(1e-12).view({-1, 1, 1});
  return m / peak;
}

// The images [first, first + count) of `set` as a PreparedSet of their own.
PreparedSet slice(const PreparedSet& set, const std::vector<int64_t>& indices) {
  PreparedSet out;
  out.n = static_cast<int64_t>(indices.size());
  out.side = set.side;
  out.channels = set.channels;
  const size_t bytes = set.image_bytes();
  out.images.resize(indices.size() * bytes);
  for (size_t i = 0; i < indices.size(); ++i) {
    std::memcpy(out.images.data() + i * bytes, set.images.data() + static_cast<size_t>(indices[i]) * bytes, bytes);
    out.labels.push_back(set.labels[static_cast<size_t>(indices[i])]);
  }
  return out;
}

// The normalised (N, C, side, side) float tensor of every image of `set`, in order.
torch::Tensor normalised(const PreparedSet& set, const Normalization& norm) {
  LoaderOptions lo;
  lo.batch_size = std::max<int64_t>(set.n, 1);
  lo.norm = norm;
  Loader loader(set, lo);
  loader.start_epoch(0);
  Batch b;
  loader.next(b);
  return b.images;
}

cv::Mat image_of(const PreparedSet& set, int64_t i) {
  const int type = set.channels == 3 ? CV_8UC3 : CV_8UC1;
  cv::Mat m(static_cast<int>(set.side), static_cast<int>(set.side), type);
  std::memcpy(m.data, set.images.data() + static_cast<size_t>(i) * set.image_bytes(), set.image_bytes());
  if (set.channels == 1) cv::cvtColor(m, m, cv::COLOR_GRAY2RGB);
  return m;
}

// A [0, 1] map as an RGB viridis heat map (colour-blind safe).
cv::Mat heat_of(const torch::Tensor& map) {
  const torch::Tensor u8 = (map.clamp(0, 1) * 255).round().to(torch::kUInt8).contiguous();
  cv::Mat grey(static_cast<int>(map.size(0)), static_cast<int>(map.size(1)), CV_8UC1, u8.data_ptr<uint8_t>());
  cv::Mat heat;
  cv::applyColorMap(grey, heat, cv::COLORMAP_VIRIDIS);
  cv::cvtColor(heat, heat, cv::COLOR_BGR2RGB);
  return heat;
}

std::string csv_number(double v) { return fmt::format("{:.6g}", v); }

}  // namespace

std::vector<int64_t> pick_per_class(const std::vector<int64_t>& labels, int64_t num_classes, int64_t per_class) {
  std::vector<std::vector<int64_t>> by_class(static_cast<size_t>(std::max<int64_t>(num_classes, 0)));
  for (size_t i = 0; i < labels.size(); ++i) {
    const int64_t c = labels[i];
    if (c >= 0 && c < num_classes && static_cast<int64_t>(by_class[c].size()) < per_class) {
      by_class[c].push_back(static_cast<int64_t>(i));
    }
  }
  std::vector<int64_t> out;
  for (const auto& v : by_class) out.insert(out.end(), v.begin(), v.end());
  return out;
}

Attribution attribute(torch::nn::AnyModule& model, const torch::Tensor& x, const torch::Tensor& y) {
  TORCH_CHECK(x.dim() == 4 && y.dim() == 1 && y.size(0) == x.size(0), "attribute: expected x (N, C, H, W) and y (N), got ",
              x.sizes(), " and ", y.sizes());
  torch::AutoGradMode grad_on(true);
  const torch::Tensor input = x.detach().clone().requires_grad_(true);
  PoolInputCapture capture;
  const torch::Tensor logits = model.forward(input);
  const torch::Tensor fmap = capture.take();
  // In eval mode each image's score depends on that image alone, so the gradient of the sum is
  // every image's own gradient.
  const torch::Tensor score = logits.gather(1, y.to(logits.device()).view({-1, 1})).sum();
  std::vector<torch::Tensor> wrt{input};
  const bool cam = fmap.defined() && fmap.requires_grad();
  if (cam) wrt.push_back(fmap);
  const auto grads = torch::autograd::grad({score}, wrt);

  Attribution a;
  a.saliency = scale_each(std::get<0>(grads[0].abs().max(1))).detach().cpu();
  if (cam) {
    const torch::Tensor alpha = grads[1].mean({2, 3}, /*keepdim=*/true);
    torch::Tensor map = torch::relu((alpha * fmap).sum(1, /*keepdim=*/true));
    map = torch::nn::functional::interpolate(
        map, torch::nn::functional::InterpolateFuncOptions()
                 .size(std::vector<int64_t>{x.size(2), x.size(3)})
                 .mode(torch::kBilinear)
                 .align_corners(false));
    a.grad_cam = scale_each(map.squeeze(1)).detach().cpu();
  }
  return a;
}

Pca2 pca2(const torch::Tensor& features) {
  TORCH_CHECK(features.dim() == 2 && features.size(0) >= 2, "pca2: expected (N >= 2, D) features, got ", features.sizes());
  const torch::Tensor f = features.to(torch::kDouble);
  const torch::Tensor centred = f - f.mean(0, /*keepdim=*/true);
  const auto [u, s, vh] = torch::linalg::svd(centred, /*full_matrices=*/false, /*driver=*/c10::nullopt);
  const int64_t k = std::min<int64_t>(2, s.size(0));
  Pca2 out;
  out.scores = torch::zeros({f.size(0), 2}, torch::kDouble);
  const double total = (s * s).sum().item<double>();
  for (int64_t c = 0; c < k; ++c) {
    // Fix the sign: the loading of largest magnitude is positive.
    const torch::Tensor v = vh[c];
    const double sign = v[v.abs().argmax()].item<double>() < 0 ? -1.0 : 1.0;
    out.scores.select(1, c).copy_(u.select(1, c) * s[c] * sign);
    out.explained[c] = total > 0 ? (s[c] * s[c]).item<double>() / total : 0.0;
  }
  return out;
}

json explain_model(torch::nn::AnyModule& model, const PreparedSet& test, const Normalization& norm,
                   const std::vector<std::string>& class_names, const std::string& dir,
                   const ExplainOptions& options, const ComputeOptions& compute) {
  auto module = model.ptr();
  const bool was_training = module->is_training();
  module->eval();
  const auto out_dir = std::filesystem::path(dir) / "explain";
  std::filesystem::create_directories(out_dir);
  const auto k = static_cast<int64_t>(class_names.size());
  auto name_of = [&](int64_t c) { return c >= 0 && c < k ? class_names[c] : std::to_string(c); };

  // Saliency and Grad-CAM for the first images of each class.
  const std::vector<int64_t> picks = pick_per_class(test.labels, k, options.per_class);
  std::vector<GridRow> rows;
  bool cam_available = !picks.empty();
  for (size_t first = 0; first < picks.size(); first += kChunk) {
    const std::vector<int64_t> part(picks.begin() + first, picks.begin() + std::min(picks.size(), first + kChunk));
    const PreparedSet subset = slice(test, part);
    const torch::Tensor x = place_input(normalised(subset, norm), compute);
    const torch::Tensor y = torch::tensor(subset.labels, torch::kLong);
    const Attribution a = attribute(model, x, y);
    torch::Tensor pred;
    {
      torch::NoGradGuard no_grad;
      pred = model.forward(x).argmax(1).cpu();
    }
    cam_available = cam_available && a.grad_cam.defined();
    for (size_t i = 0; i < part.size(); ++i) {
      const auto n = static_cast<int64_t>(i);
      const cv::Mat img = image_of(subset, n);
      GridRow row{fmt::format("#{} {} -> {}", part[i], name_of(subset.labels[i]), name_of(pred[n].item<int64_t>())),
                  {img, heat_of(a.saliency[n])}};
      if (a.grad_cam.defined()) {
        cv::Mat overlay;
        cv::addWeighted(img, 0.5, heat_of(a.grad_cam[n]), 0.5, 0.0, overlay);
        row.images.push_back(overlay);
      }
      rows.push_back(std::move(row));
    }
  }
  json summary = {{"images", picks},
                  {"target", "true class"},
                  {"saliency", "max over channels of |d score / d input|, each image scaled to [0, 1]"},
                  {"grad_cam", cam_available ? json(std::string("input of the last ") + kPoolOp) : json(nullptr)}};
  if (!rows.empty()) {
    std::vector<std::string> columns{"image", "saliency"};
    if (cam_available) columns.push_back("Grad-CAM");
    write_grid_png((out_dir / "grid.png").string(), rows, columns, static_cast<int>(std::max<int64_t>(96, test.side)));
    summary["grid"] = "explain/grid.png";
  }

  // PCA of the pooled features of the first test images.
  std::vector<int64_t> first(static_cast<size_t>(std::min(test.n, options.pca_images)));
  for (size_t i = 0; i < first.size(); ++i) first[i] = static_cast<int64_t>(i);
  std::vector<torch::Tensor> pooled;
  for (size_t at = 0; at < first.size(); at += kChunk) {
    const std::vector<int64_t> part(first.begin() + at, first.begin() + std::min(first.size(), at + kChunk));
    torch::NoGradGuard no_grad;
    PoolInputCapture capture;
    model.forward(place_input(normalised(slice(test, part), norm), compute));
    const torch::Tensor fmap = capture.take();
    if (!fmap.defined()) break;
    pooled.push_back(fmap.mean({2, 3}).to(torch::kFloat).cpu());
  }
  const size_t chunks = (first.size() + kChunk - 1) / kChunk;
  if (first.size() >= 2 && pooled.size() == chunks) {
    const Pca2 p = pca2(torch::cat(pooled, 0));
    std::string csv = "index,label,pc1,pc2\n";
    for (size_t i = 0; i < first.size(); ++i) {
      const auto n = static_cast<int64_t>(i);
      csv += fmt::format("{},{},{},{}\n", i, test.labels[i], csv_number(p.scores[n][0].item<double>()),
                         csv_number(p.scores[n][1].item<double>()));
    }
    write_file_atomic((out_dir / "pca.csv").string(), csv);
    summary["pca"] = {{"file", "explain/pca.csv"},
                      {"images", first.size()},
                      {"features", pooled.front().size(1)},
                      {"explained_variance_ratio", {p.explained[0], p.explained[1]}}};
  } else {
    summary["pca"] = nullptr;
  }
  write_file_atomic((out_dir / "explain.json").string(), summary.dump(1) + "\n");
  if (was_training) module->train();
  return summary;
}

}  // namespace gauntlet
