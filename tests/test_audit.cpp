// Tests of harness/audit: exact and conflicting duplicate groups and near duplicates on hand-made
// sets, the audit.json format, and the audit scored against the dirt synthetic:bloodcell plants
// (all duplicates and conflicts, >= 95% of outliers, <= 1% of clean images flagged).
#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/audit.hpp"
#include "harness/core/atomic_file.hpp"
#include "harness/core/rng.hpp"
#include "harness/synthetic_bloodcell.hpp"
#include "tests/test_util.hpp"

namespace gauntlet {
namespace {

// n smooth random RGB images (a gradient plus blobs), label i % k.
Dataset smooth_images(int64_t n, int64_t side, int64_t k, uint64_t seed) {
  Dataset d;
  d.n = n;
  d.height = d.width = side;
  d.channels = 3;
  d.images.resize(n * side * side * 3);
  for (int64_t c = 0; c < k; ++c) d.class_names.push_back(std::to_string(c));
  for (int64_t i = 0; i < n; ++i) {
    Rng rng({seed, static_cast<uint64_t>(i)});
    d.labels.push_back(i % k);
    const double fx = rng.uniform(0.05, 0.3), fy = rng.uniform(0.05, 0.3), ph = rng.uniform(0, 6.28);
    for (int64_t y = 0; y < side; ++y) {
      for (int64_t x = 0; x < side; ++x) {
        for (int ch = 0; ch < 3; ++ch) {
          const double v = 128 + 100 * std::sin(fx * x * (ch + 1) + fy * y + ph + ch);
          d.image(i)[(y * side + x) * 3 + ch] = static_cast<uint8_t>(v);
        }
      }
    }
  }
  return d;
}

TEST_CASE("audit groups exact duplicates, marks groups with two labels as conflicts", "[audit]") {
  Dataset d = smooth_images(12, 24, 3, 1);
  auto copy = [&](int64_t from, int64_t to, int64_t label) {
    std::copy(d.image(from), d.image(from) + d.image_bytes(), d.image(to));
    d.labels[to] = label;
  };
  copy(2, 7, d.labels[2]);   // 2 = 7, same label
  copy(2, 9, d.labels[2]);   // ... and 9
  copy(4, 10, (d.labels[4] + 1) % 3);  // 4 = 10, other label
  const AuditReport r = audit_dataset(d);
  CHECK(r.duplicates == std::vector<std::vector<int64_t>>{{2, 7, 9}, {4, 10}});
  CHECK(r.conflicts == std::vector<std::vector<int64_t>>{{4, 10}});
  // Labels i % 3, then 7 and 9 relabelled 2 (copies of image 2) and 10 relabelled 2: {0,3,6},
  // {1,4}, {2,5,7,8,9,10,11}.
  CHECK(r.class_counts == std::vector<int64_t>{3, 2, 7});
  CHECK(r.imbalance_ratio == 3.5);
  // Exact duplicates are not repeated as near duplicates.
  for (const auto& [a, b, dist] : r.near_duplicates) CHECK(!(a == 2 && b == 7));
}

TEST_CASE("audit finds a noisy, brightened copy as a near duplicate within the threshold", "[audit]") {
  Dataset d = smooth_images(10, 64, 2, 2);
  Rng rng({9});
  for (size_t p = 0; p < d.image_bytes(); ++p) {
    const int v = d.image(3)[p] + 6 + static_cast<int>(rng.normal() * 3);
    d.image(8)[p] = static_cast<uint8_t>(std::clamp(v, 0, 255));
  }
  const AuditReport r = audit_dataset(d);
  REQUIRE(r.duplicates.empty());
  bool found = false;
  for (const auto& [a, b, dist] : r.near_duplicates) {
    CHECK(dist <= AuditOptions{}.near_threshold);
    found = found || (a == 3 && b == 8);
  }
  CHECK(found);
}

TEST_CASE("audit.json lists findings by 0-based index in the issue's format", "[audit]") {
  testing::TempDir dir;
  BloodcellOptions o;
  o.n = 300;
  o.size = 48;
  o.outliers = 6;
  o.duplicates = 4;
  o.conflicts = 2;
  const Dataset d = generate_bloodcell(o);
  const AuditReport r = audit_dataset(d);
  write_audit(dir.path().string(), d, r, {});
  const auto j = nlohmann::json::parse(read_file(dir.file("audit.json")));
  for (const char* key : {"duplicates", "conflicts", "near_duplicates", "outliers", "class_counts"}) {
    INFO(key);
    CHECK(j.contains(key));
  }
  CHECK(j["class_counts"].get<std::vector<int64_t>>() == r.class_counts);
  CHECK(j["duplicates"].size() == r.duplicates.size());
  REQUIRE(!j["outliers"].empty());
  const auto& first = j["outliers"][0];
  CHECK(first["index"].is_number_integer());
  CHECK(first["score"].get<double>() >= 1.0);
  CHECK(!first["reasons"].empty());
  CHECK(std::filesystem::file_size(dir.file("audit.png")) > 1000);
  CHECK(read_file(dir.file("audit.md")).find("# Data audit") == 0);
}

TEST_CASE("audit against synthetic:bloodcell's planted dirt: all duplicates, >= 95% outliers, <= 1% clean flagged",
          "[audit]") {
  BloodcellOptions o;
  o.n = 4000;
  o.size = 96;
  o.seed = GENERATE(1, 2);
  o.outliers = 60;
  o.duplicates = 80;
  o.conflicts = 40;
  BloodcellTruth truth;
  const auto t0 = std::chrono::steady_clock::now();
  const Dataset d = generate_bloodcell(o, &truth);
  const auto t1 = std::chrono::steady_clock::now();
  const AuditReport r = audit_dataset(d);
  const auto t2 = std::chrono::steady_clock::now();
  const AuditScore s = score_planted(d, r, truth);
  std::printf("audit on synthetic:bloodcell n=%lld seed=%llu: duplicates %lld/%lld, conflicts %lld/%lld, "
              "outliers %lld/%lld, clean flagged %lld/%lld (%.2f%%); generate %.2f s, audit %.2f s\n",
              static_cast<long long>(o.n), static_cast<unsigned long long>(o.seed),
              static_cast<long long>(s.duplicates_found), static_cast<long long>(s.duplicates),
              static_cast<long long>(s.conflicts_found), static_cast<long long>(s.conflicts),
              static_cast<long long>(s.outliers_found), static_cast<long long>(s.outliers),
              static_cast<long long>(s.clean_flagged), static_cast<long long>(s.clean),
              100.0 * s.clean_flagged / s.clean, std::chrono::duration<double>(t1 - t0).count(),
              std::chrono::duration<double>(t2 - t1).count());
  CHECK(s.duplicates_found == s.duplicates);
  CHECK(s.conflicts_found == s.conflicts);
  CHECK(r.conflicts.size() == static_cast<size_t>(o.conflicts));
  CHECK(s.outliers_found >= 0.95 * s.outliers);
  CHECK(s.clean_flagged <= 0.01 * s.clean);
}

}  // namespace
}  // namespace gauntlet
