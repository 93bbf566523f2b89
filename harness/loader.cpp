#include "harness/loader.hpp"

#include <opencv2/imgproc.hpp>

#include "augmentations/mixing.hpp"

#include <exception>
#include <map>
#include <numeric>
#include <thread>

namespace gauntlet {

int64_t sampled_length(const std::vector<int64_t>& labels, Sampler sampler) {
  if (sampler == Sampler::kNone || labels.empty()) return static_cast<int64_t>(labels.size());
  std::map<int64_t, int64_t> counts;
  for (int64_t y : labels) ++counts[y];
  int64_t lo = static_cast<int64_t>(labels.size()), hi = 0;
  for (const auto& [label, c] : counts) {
    lo = std::min(lo, c);
    hi = std::max(hi, c);
  }
  return static_cast<int64_t>(counts.size()) * (sampler == Sampler::kOversample ? hi : lo);
}

Loader::Loader(const PreparedSet& data, LoaderOptions options) : data_(data), o_(options) {
  if (o_.threads < 1) o_.threads = 1;
  length_ = sampled_length(data_.labels, o_.sampler);
  if (o_.sampler != Sampler::kNone && data_.n > 0) {
    std::map<int64_t, std::vector<int64_t>> classes;
    for (int64_t i = 0; i < data_.n; ++i) classes[data_.labels[i]].push_back(i);
    for (auto& [label, idx] : classes) by_class_.push_back(std::move(idx));
  }
  fill_order(0);
}

void Loader::fill_order(int64_t epoch) {
  order_.resize(length_);
  if (by_class_.empty()) {
    std::iota(order_.begin(), order_.end(), 0);
    return;
  }
  // Per class: a shuffled copy of its indices, taken whole as often as it fits, the rest drawn
  // without replacement (oversample: the remainder; undersample: the first `per_class`).
  Rng rng{o_.key, 0x73616d706c65ull /* "sample" */, static_cast<uint64_t>(epoch)};
  const size_t per_class = static_cast<size_t>(length_) / by_class_.size();
  size_t out = 0;
  for (std::vector<int64_t> idx : by_class_) {
    for (size_t taken = 0; taken < per_class;) {
      for (size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[rng.below(i)]);
      const size_t k = std::min(idx.size(), per_class - taken);
      std::copy(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), order_.begin() + out);
      out += k;
      taken += k;
    }
  }
}

Loader::~Loader() {
  if (pending_.valid()) pending_.wait();
}

int64_t Loader::batches_per_epoch() const {
  return o_.drop_last ? length_ / o_.batch_size : (length_ + o_.batch_size - 1) / o_.batch_size;
}

void Loader::start_epoch(int64_t epoch) {
  if (pending_.valid()) pending_.wait();
  epoch_ = epoch;
  next_batch_ = 0;
  fill_order(epoch);
  if (o_.shuffle) {
    Rng rng{o_.key, 0x6f72646572ull /* "order" */, static_cast<uint64_t>(epoch)};
    for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng.below(i)]);
  }
  if (batches_per_epoch() > 0) {
    pending_ = std::async(std::launch::async, [this] { return make_batch(0); });
  }
}

bool Loader::next(Batch& out) {
  if (!pending_.valid()) return false;
  out = pending_.get();
  ++next_batch_;
  if (next_batch_ < batches_per_epoch()) {
    const int64_t b = next_batch_;
    pending_ = std::async(std::launch::async, [this, b] { return make_batch(b); });
  }
  return true;
}

Batch Loader::make_batch(int64_t b) const {
  const int64_t begin = b * o_.batch_size;
  const int64_t count = std::min(o_.batch_size, length_ - begin);
  const int64_t side = data_.side, ch = data_.channels;
  Batch batch;
  batch.images = torch::empty({count, ch, side, side},
                              torch::TensorOptions().dtype(torch::kFloat32).pinned_memory(o_.pin_memory));
  batch.labels = torch::empty({count}, torch::kInt64);
  float* x = batch.images.data_ptr<float>();
  int64_t* y = batch.labels.data_ptr<int64_t>();
  const int cv_type = ch == 3 ? CV_8UC3 : CV_8UC1;
  std::array<float, 3> scale{}, shift{};
  for (int k = 0; k < 3; ++k) {
    scale[k] = 1.0f / (255.0f * o_.norm.std[k]);
    shift[k] = -o_.norm.mean[k] / o_.norm.std[k];
  }

  auto work = [&](int64_t from, int64_t to) {
    cv::Mat aug;
    for (int64_t j = from; j < to; ++j) {
      const int64_t idx = order_[begin + j];
      y[j] = data_.labels[idx];
      cv::Mat src(static_cast<int>(side), static_cast<int>(side), cv_type,
                  const_cast<uint8_t*>(data_.images.data() + idx * data_.image_bytes()));
      const uint8_t* px = src.data;
      if (o_.pipeline != nullptr && !o_.pipeline->empty()) {
        // Keyed by the sample's index in the data set, not its position in the batch.
        o_.pipeline->apply(src, aug, o_.key, static_cast<uint64_t>(epoch_), static_cast<uint64_t>(idx));
        px = aug.data;
      }
      float* out = x + j * ch * side * side;
      const int64_t plane = side * side;
      for (int64_t p = 0; p < plane; ++p) {
        for (int64_t k = 0; k < ch; ++k) out[k * plane + p] = px[p * ch + k] * scale[k] + shift[k];
      }
    }
  };

  const int threads = static_cast<int>(std::min<int64_t>(o_.threads, count));
  if (threads <= 1) {
    work(0, count);
  } else {
    // An exception must not escape a std::thread (that terminates): each slice keeps its own and
    // the first is rethrown here once every thread has joined.
    const int64_t per = (count + threads - 1) / threads;
    std::vector<std::exception_ptr> errors(threads);
    auto guarded = [&](int t, int64_t from, int64_t to) {
      try {
        work(from, to);
      } catch (...) {
        errors[t] = std::current_exception();
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) {
      const int64_t from = t * per, to = std::min(count, from + per);
      if (from < to) pool.emplace_back(guarded, t, from, to);
    }
    guarded(0, 0, std::min(count, per));
    for (auto& th : pool) th.join();
    for (const auto& e : errors) {
      if (e) std::rethrow_exception(e);
    }
  }
  if (o_.mix != nullptr && o_.mix->enabled()) {
    // Targets whenever mixing is on (one-hot for a batch the draw leaves unmixed): one loss form.
    Rng rng{o_.key, 0x6d6978ull /* "mix" */, static_cast<uint64_t>(epoch_), static_cast<uint64_t>(b)};
    batch.targets = torch::empty({count, o_.num_classes}, torch::kFloat32);
    mix_batch(*o_.mix, x, count, ch, side, side, y, o_.num_classes, batch.targets.data_ptr<float>(), rng);
  }
  return batch;
}

}  // namespace gauntlet
