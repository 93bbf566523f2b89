#include "harness/audit.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "harness/core/atomic_file.hpp"
#include "harness/core/hash.hpp"
#include "harness/core/parallel.hpp"
#include "reports/image_grid.hpp"

namespace gauntlet {
namespace {

constexpr int kColourFeatures = 7;
const char* const kColourNames[kColourFeatures] = {"mean red",        "mean green",       "mean blue",
                                                   "grey contrast",   "mean saturation",  "saturated share",
                                                   "near-black share"};
// Below these spreads a feature is treated as this spread: a statistic that is constant over the
// clean images (no saturated pixels at all) must not turn every small deviation into z = inf.
const double kColourFloor[kColourFeatures] = {2.0, 2.0, 2.0, 1.5, 2.0, 0.01, 0.01};
constexpr int kHistBins = 256;  // LBP codes
constexpr int kMinClassForCentroid = 20;

int thread_count(int threads) {
  return threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

cv::Mat3b as_rgb(const Dataset& d, int64_t i) {
  cv::Mat src(static_cast<int>(d.height), static_cast<int>(d.width), d.channels == 3 ? CV_8UC3 : CV_8UC1,
              const_cast<uint8_t*>(d.image(i)));
  cv::Mat3b rgb;
  if (d.channels == 3) {
    rgb = src.clone();
  } else {
    cv::cvtColor(src, rgb, cv::COLOR_GRAY2RGB);
  }
  return rgb;
}

struct ImageFeatures {
  double colour[kColourFeatures];
  std::vector<float> hist;  // LBP histogram (sums to 1)
  uint64_t phash = 0;
};

ImageFeatures features(const cv::Mat3b& rgb, cv::Ptr<cv::img_hash::PHash>& hasher) {
  ImageFeatures f;
  cv::Mat hsv, grey;
  cv::cvtColor(rgb, hsv, cv::COLOR_RGB2HSV);
  cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
  const cv::Scalar mean = cv::mean(rgb);
  cv::Scalar gm, gs;
  cv::meanStdDev(grey, gm, gs);
  double sat = 0, saturated = 0, black = 0;
  f.hist.assign(kHistBins, 0.0f);
  const int rows = rgb.rows, cols = rgb.cols;
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      const cv::Vec3b h = hsv.at<cv::Vec3b>(y, x);
      sat += h[1];
      saturated += (h[1] > 170 && h[2] > 80) ? 1 : 0;
      black += grey.at<uint8_t>(y, x) < 40 ? 1 : 0;
    }
  }
  const double n = static_cast<double>(rows) * cols;
  const double values[kColourFeatures] = {mean[0], mean[1], mean[2], gs[0], sat / n, saturated / n, black / n};
  std::copy(values, values + kColourFeatures, f.colour);
  double lbp_total = 0;
  static const int dy[8] = {-1, -1, -1, 0, 1, 1, 1, 0}, dx[8] = {-1, 0, 1, 1, 1, 0, -1, -1};
  for (int y = 1; y + 1 < rows; ++y) {
    for (int x = 1; x + 1 < cols; ++x) {
      const uint8_t c = grey.at<uint8_t>(y, x);
      int code = 0;
      for (int k = 0; k < 8; ++k) code |= (grey.at<uint8_t>(y + dy[k], x + dx[k]) >= c) << k;
      f.hist[code] += 1;
      lbp_total += 1;
    }
  }
  if (lbp_total > 0) {
    for (int b = 0; b < kHistBins; ++b) f.hist[b] /= static_cast<float>(lbp_total);
  }
  cv::Mat h;
  hasher->compute(rgb, h);
  for (int b = 0; b < 8; ++b) f.phash = (f.phash << 8) | h.at<uint8_t>(0, b);
  return f;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double hi = v[mid];
  if (v.size() % 2 == 1) return hi;
  return (hi + *std::max_element(v.begin(), v.begin() + mid)) / 2;
}

// (x - median) / max(1.4826 MAD, floor), for each x.
std::vector<double> robust_z(const std::vector<double>& x, double floor) {
  const double med = median(x);
  std::vector<double> dev(x.size());
  for (size_t i = 0; i < x.size(); ++i) dev[i] = std::abs(x[i] - med);
  const double scale = std::max(1.4826 * median(dev), floor);
  std::vector<double> z(x.size());
  for (size_t i = 0; i < x.size(); ++i) z[i] = (x[i] - med) / scale;
  return z;
}

double chi_square(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    const double sum = a[k] + b[k];
    if (sum > 0) s += (a[k] - b[k]) * (a[k] - b[k]) / sum;
  }
  return s / 2;
}

std::string fixed(double v, int digits = 1) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << v;
  return s.str();
}

void exact_duplicates(const Dataset& d, AuditReport& r) {
  std::unordered_map<uint64_t, std::vector<int64_t>> by_hash;
  for (int64_t i = 0; i < d.n; ++i) {
    Hasher h;
    h.update(d.image(i), d.image_bytes());
    by_hash[h.digest()].push_back(i);
  }
  for (auto& [hash, members] : by_hash) {
    if (members.size() < 2) continue;
    // Confirm byte by byte: a hash collision must not merge different images.
    std::vector<bool> used(members.size(), false);
    for (size_t a = 0; a < members.size(); ++a) {
      if (used[a]) continue;
      std::vector<int64_t> group{members[a]};
      for (size_t b = a + 1; b < members.size(); ++b) {
        if (!used[b] && std::memcmp(d.image(members[a]), d.image(members[b]), d.image_bytes()) == 0) {
          used[b] = true;
          group.push_back(members[b]);
        }
      }
      if (group.size() > 1) r.duplicates.push_back(group);
    }
  }
  std::sort(r.duplicates.begin(), r.duplicates.end());
  for (const auto& g : r.duplicates) {
    for (int64_t i : g) {
      if (d.labels[i] != d.labels[g[0]]) {
        r.conflicts.push_back(g);
        break;
      }
    }
  }
}

void near_duplicates(const Dataset& d, const std::vector<ImageFeatures>& f, const AuditOptions& o,
                     AuditReport& r) {
  std::vector<int64_t> group_of(d.n, -1);
  for (size_t g = 0; g < r.duplicates.size(); ++g) {
    for (int64_t i : r.duplicates[g]) group_of[i] = static_cast<int64_t>(g);
  }
  const int threads = thread_count(o.threads);
  std::vector<std::vector<std::tuple<int64_t, int64_t, int>>> found(d.n);
  parallel_chunks(d.n, threads, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      for (int64_t j = i + 1; j < d.n; ++j) {
        const int dist = __builtin_popcountll(f[i].phash ^ f[j].phash);
        if (dist <= o.near_threshold && (group_of[i] < 0 || group_of[i] != group_of[j])) {
          found[i].emplace_back(i, j, dist);
        }
      }
    }
  });
  for (auto& v : found) r.near_duplicates.insert(r.near_duplicates.end(), v.begin(), v.end());
}

void outliers(const Dataset& d, const std::vector<ImageFeatures>& f, const AuditOptions& o, AuditReport& r) {
  // Signal 1: colour statistics.
  std::vector<double> colour_score(d.n, 0.0);
  std::vector<int> colour_worst(d.n, 0);
  std::vector<double> colour_value(d.n, 0.0);
  for (int k = 0; k < kColourFeatures; ++k) {
    std::vector<double> x(d.n);
    for (int64_t i = 0; i < d.n; ++i) x[i] = f[i].colour[k];
    const std::vector<double> z = robust_z(x, kColourFloor[k]);
    for (int64_t i = 0; i < d.n; ++i) {
      if (std::abs(z[i]) > std::abs(colour_score[i])) {
        colour_score[i] = z[i];
        colour_worst[i] = k;
        colour_value[i] = x[i];
      }
    }
  }
  // Signal 2: histogram distance to the class's per-bin median histogram.
  std::vector<std::vector<float>> centroid(d.num_classes() + 1, std::vector<float>(kHistBins, 0.0f));
  std::vector<std::vector<int64_t>> members(d.num_classes() + 1);
  for (int64_t i = 0; i < d.n; ++i) {
    members[d.labels[i]].push_back(i);
    members[d.num_classes()].push_back(i);
  }
  for (size_t c = 0; c < members.size(); ++c) {
    if (members[c].empty()) continue;
    std::vector<double> bin(members[c].size());
    for (int b = 0; b < kHistBins; ++b) {
      for (size_t m = 0; m < members[c].size(); ++m) bin[m] = f[members[c][m]].hist[b];
      centroid[c][b] = static_cast<float>(median(bin));
    }
  }
  std::vector<double> dist(d.n);
  std::vector<bool> own_class(d.n);
  for (int64_t i = 0; i < d.n; ++i) {
    own_class[i] = members[d.labels[i]].size() >= kMinClassForCentroid;
    dist[i] = chi_square(f[i].hist, centroid[own_class[i] ? d.labels[i] : d.num_classes()]);
  }
  const std::vector<double> texture_z = robust_z(dist, 1e-3);
  for (int64_t i = 0; i < d.n; ++i) {
    AuditOutlier out;
    out.index = i;
    out.score = std::max(std::abs(colour_score[i]) / o.colour_z, texture_z[i] / o.texture_z);
    if (std::abs(colour_score[i]) > o.colour_z) {
      out.reasons.push_back("colour: " + std::string(kColourNames[colour_worst[i]]) + " " +
                            fixed(colour_value[i], 3) + " (robust z " + fixed(colour_score[i]) + ")");
    }
    if (texture_z[i] > o.texture_z) {
      out.reasons.push_back(std::string("texture: LBP histogram far from the ") +
                            (own_class[i] ? "class" : "global") + " median (chi-square " + fixed(dist[i], 3) +
                            ", robust z " + fixed(texture_z[i]) + ")");
    }
    if (!out.reasons.empty()) r.outliers.push_back(std::move(out));
  }
}

}  // namespace

AuditReport audit_dataset(const Dataset& d, const AuditOptions& o) {
  AuditReport r;
  r.class_names = d.class_names;
  r.class_counts = class_counts(d);
  int64_t hi = 0, lo = 0;
  for (int64_t c : r.class_counts) {
    hi = std::max(hi, c);
    if (c > 0) lo = lo == 0 ? c : std::min(lo, c);
  }
  r.imbalance_ratio = lo > 0 ? static_cast<double>(hi) / lo : 0.0;
  exact_duplicates(d, r);

  std::vector<ImageFeatures> f(d.n);
  parallel_chunks(d.n, thread_count(o.threads), [&](int64_t begin, int64_t end) {
    cv::Ptr<cv::img_hash::PHash> hasher = cv::img_hash::PHash::create();
    for (int64_t i = begin; i < end; ++i) f[i] = features(as_rgb(d, i), hasher);
  });
  near_duplicates(d, f, o, r);
  outliers(d, f, o, r);
  return r;
}

std::string audit_json(const Dataset& d, const AuditReport& r, const AuditOptions& o) {
  nlohmann::json j;
  j["schema"] = "gauntlet.audit/1";
  j["source"] = d.source;
  j["n"] = d.n;
  j["image_shape"] = {d.height, d.width, d.channels};
  j["class_names"] = r.class_names;
  j["class_counts"] = r.class_counts;
  j["imbalance_ratio"] = r.imbalance_ratio;
  j["duplicates"] = r.duplicates;
  j["conflicts"] = r.conflicts;
  j["near_duplicates"] = nlohmann::json::array();
  for (const auto& [a, b, dist] : r.near_duplicates) j["near_duplicates"].push_back({a, b, dist});
  j["outliers"] = nlohmann::json::array();
  for (const auto& out : r.outliers) {
    j["outliers"].push_back({{"index", out.index}, {"score", out.score}, {"reasons", out.reasons}});
  }
  j["options"] = {{"near_threshold", o.near_threshold}, {"colour_z", o.colour_z}, {"texture_z", o.texture_z}};
  return j.dump(1) + "\n";
}

std::string audit_markdown(const Dataset& d, const AuditReport& r, const AuditOptions& o) {
  std::ostringstream s;
  int64_t in_dups = 0, in_conflicts = 0;
  for (const auto& g : r.duplicates) in_dups += static_cast<int64_t>(g.size()) - 1;
  for (const auto& g : r.conflicts) in_conflicts += static_cast<int64_t>(g.size());
  s << "# Data audit: " << d.source << "\n\n"
    << d.n << " images of " << d.height << "x" << d.width << "x" << d.channels << ", " << d.num_classes()
    << " classes, imbalance ratio (largest / smallest class) " << fixed(r.imbalance_ratio, 2) << ".\n\n"
    << "| finding | count |\n|---|---|\n"
    << "| exact-duplicate groups | " << r.duplicates.size() << " (" << in_dups << " redundant images) |\n"
    << "| groups with conflicting labels | " << r.conflicts.size() << " (" << in_conflicts << " images) |\n"
    << "| near-duplicate pairs (pHash distance <= " << o.near_threshold << ") | " << r.near_duplicates.size() << " |\n"
    << "| outliers (colour z > " << o.colour_z << " or texture z > " << o.texture_z << ") | " << r.outliers.size()
    << " |\n\n## Classes\n\n| class | name | count |\n|---|---|---|\n";
  for (size_t c = 0; c < r.class_counts.size(); ++c) {
    s << "| " << c << " | " << r.class_names[c] << " | " << r.class_counts[c] << " |\n";
  }
  const size_t kShown = 50;
  auto group_text = [&](const std::vector<int64_t>& g) {
    std::string t;
    for (int64_t i : g) t += (t.empty() ? "" : ", ") + std::to_string(i) + " (label " + std::to_string(d.labels[i]) + ")";
    return t;
  };
  s << "\n## Conflicting labels\n\n";
  for (size_t k = 0; k < std::min(kShown, r.conflicts.size()); ++k) s << "- " << group_text(r.conflicts[k]) << "\n";
  s << "\n## Exact duplicates\n\n";
  for (size_t k = 0; k < std::min(kShown, r.duplicates.size()); ++k) s << "- " << group_text(r.duplicates[k]) << "\n";
  s << "\n## Outliers (by score)\n\n";
  std::vector<AuditOutlier> by_score = r.outliers;
  std::stable_sort(by_score.begin(), by_score.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  for (size_t k = 0; k < std::min(kShown, by_score.size()); ++k) {
    s << "- " << by_score[k].index << " (score " << fixed(by_score[k].score, 2) << "): ";
    for (size_t q = 0; q < by_score[k].reasons.size(); ++q) s << (q ? "; " : "") << by_score[k].reasons[q];
    s << "\n";
  }
  s << "\nFull lists, 0-based indices: audit.json. Contact sheet of flagged images: audit.png.\n";
  return s.str();
}

void write_audit(const std::string& dir, const Dataset& d, const AuditReport& r, const AuditOptions& o) {
  const size_t kPerRow = 12;
  std::vector<GridRow> rows;
  auto add_row = [&](const std::string& label, const std::vector<int64_t>& idx) {
    if (idx.empty()) return;
    GridRow row{label, {}};
    for (size_t k = 0; k < std::min(kPerRow, idx.size()); ++k) row.images.push_back(as_rgb(d, idx[k]));
    rows.push_back(std::move(row));
  };
  std::vector<int64_t> conflict_idx, dup_idx, outlier_idx, near_idx;
  for (const auto& g : r.conflicts) conflict_idx.insert(conflict_idx.end(), g.begin(), g.end());
  for (const auto& g : r.duplicates) dup_idx.insert(dup_idx.end(), g.begin(), g.end());
  std::vector<AuditOutlier> by_score = r.outliers;
  std::stable_sort(by_score.begin(), by_score.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  for (const auto& out : by_score) outlier_idx.push_back(out.index);
  for (const auto& [a, b, dist] : r.near_duplicates) {
    near_idx.push_back(a);
    near_idx.push_back(b);
  }
  add_row("outliers", outlier_idx);
  add_row("conflicts", conflict_idx);
  add_row("duplicates", dup_idx);
  add_row("near dups", near_idx);
  if (rows.empty()) {
    std::vector<int64_t> first;
    for (int64_t i = 0; i < std::min<int64_t>(kPerRow, d.n); ++i) first.push_back(i);
    add_row("nothing flagged", first);
  }
  write_file_atomic((std::filesystem::path(dir) / "audit.json").string(), audit_json(d, r, o));
  write_file_atomic((std::filesystem::path(dir) / "audit.md").string(), audit_markdown(d, r, o));
  write_grid_png((std::filesystem::path(dir) / "audit.png").string(), rows, {},
                 static_cast<int>(std::clamp<int64_t>(std::max(d.height, d.width), 48, 96)));
}

CleanResult clean_dataset(const Dataset& d, const CleanOptions& o, int threads) {
  AuditOptions ao;
  ao.colour_z = o.colour_z;
  ao.texture_z = o.texture_z;
  ao.threads = threads;
  const AuditReport r = audit_dataset(d, ao);
  std::vector<uint8_t> reason(d.n, 0);  // 0 kept, 1 conflict, 2 duplicate, 3 outlier
  if (o.conflicts) {
    for (const auto& g : r.conflicts) {
      for (int64_t i : g) reason[i] = 1;
    }
  }
  if (o.duplicates) {
    for (const auto& g : r.duplicates) {
      for (size_t k = 1; k < g.size(); ++k) {
        if (reason[g[k]] == 0) reason[g[k]] = 2;
      }
    }
  }
  if (o.outliers) {
    for (const auto& out : r.outliers) {
      if (reason[out.index] == 0) reason[out.index] = 3;
    }
  }
  CleanResult c;
  for (int64_t i = 0; i < d.n; ++i) {
    switch (reason[i]) {
      case 0: c.kept.push_back(i); break;
      case 1: c.conflicts.push_back(i); break;
      case 2: c.duplicates.push_back(i); break;
      default: c.outliers.push_back(i); break;
    }
  }
  return c;
}

AuditScore score_planted(const Dataset& d, const AuditReport& r, const BloodcellTruth& truth) {
  AuditScore sc;
  std::vector<int64_t> dup_group(d.n, -1), conflict_group(d.n, -1);
  for (size_t g = 0; g < r.duplicates.size(); ++g) {
    for (int64_t i : r.duplicates[g]) dup_group[i] = static_cast<int64_t>(g);
  }
  for (size_t g = 0; g < r.conflicts.size(); ++g) {
    for (int64_t i : r.conflicts[g]) conflict_group[i] = static_cast<int64_t>(g);
  }
  std::vector<bool> is_outlier(d.n, false), planted(d.n, false);
  for (const auto& out : r.outliers) is_outlier[out.index] = true;
  auto pairs_found = [](const std::vector<std::pair<int64_t, int64_t>>& pairs, const std::vector<int64_t>& group,
                        std::vector<bool>& planted_mark) {
    int64_t found = 0;
    for (const auto& [a, b] : pairs) {
      found += group[a] >= 0 && group[a] == group[b];
      planted_mark[a] = planted_mark[b] = true;
    }
    return found;
  };
  sc.duplicates = static_cast<int64_t>(truth.duplicates.size());
  sc.duplicates_found = pairs_found(truth.duplicates, dup_group, planted);
  sc.conflicts = static_cast<int64_t>(truth.conflicts.size());
  sc.conflicts_found = pairs_found(truth.conflicts, conflict_group, planted);
  sc.outliers = static_cast<int64_t>(truth.outliers.size());
  for (int64_t i : truth.outliers) {
    planted[i] = true;
    sc.outliers_found += is_outlier[i];
  }
  for (int64_t i = 0; i < d.n; ++i) {
    if (planted[i]) continue;
    ++sc.clean;
    sc.clean_flagged += is_outlier[i] || dup_group[i] >= 0;
  }
  nlohmann::json t;
  t["outliers"] = truth.outliers;
  t["duplicates"] = truth.duplicates;
  t["conflicts"] = truth.conflicts;
  sc.truth_json = t.dump() + "\n";
  return sc;
}

}  // namespace gauntlet
