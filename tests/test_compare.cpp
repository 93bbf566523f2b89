// `gauntlet compare` logic (harness/compare) on small result folders written by the test: how
// cells pair, what seed groups compute, what is listed, and which inputs are refused.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/compare.hpp"
#include "harness/core/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "tests/test_util.hpp"

namespace fs = std::filesystem;
using gauntlet::compare_runs;
using gauntlet::CompareOptions;
using gauntlet::InputError;
using nlohmann::json;

namespace {

using gauntlet::testing::TempDir;


using Holdouts =
    std::map<std::string, std::pair<std::vector<int>, std::vector<int>>>;  // labels, preds

// A cell folder with a minimal result.json and one predictions file per hold-out (K = 3).
void write_cell(const fs::path& runs, const std::string& id, const std::string& optimizer,
                int64_t seed, const Holdouts& holdouts, bool ok = true) {
  json eval = json::object();
  for (const auto& [h, lp] : holdouts) {
    eval[h] = json::object();
    std::string csv = "index,label,pred,p0,p1,p2\n";
    for (size_t i = 0; i < lp.first.size(); ++i) {
      csv += std::to_string(i) + "," + std::to_string(lp.first[i]) + "," +
             std::to_string(lp.second[i]) + ",0.3,0.3,0.4\n";
    }
    gauntlet::write_file_atomic((runs / id / "predictions" / (h + ".csv")).string(), csv);
  }
  json r{{"schema", "gauntlet.result/1"},
         {"cell_id", id},
         {"config",
          {{"seed", seed},
           {"labels",
            {{"backbone", "cnn"},
             {"augmentation", "none"},
             {"loss", "ce"},
             {"optimizer", optimizer}}},
           {"backbone", {{"name", "simple_cnn"}}},
           {"augmentation", json::array()},
           {"loss", {{"name", "cross_entropy"}}},
           {"optimizer", {{"name", optimizer}}},
           {"train", {{"epochs", 1}}},
           {"data", {{"source", "fashion-mnist:train"}}}}},
         {"status", ok ? "ok" : "failed"}};
  if (ok)
    r["eval"] = eval;
  else
    r["error"] = "boom";
  gauntlet::write_file_atomic((runs / id / "result.json").string(), r.dump());
}

const std::vector<int> kLabels{0, 1, 2, 0, 1, 2, 0, 1, 2, 0};

std::vector<int> wrong_at(std::vector<int> preds, std::vector<size_t> at) {
  for (size_t i : at) preds[i] = (preds[i] + 1) % 3;
  return preds;
}

CompareOptions fast() {
  CompareOptions o;
  o.resamples = 200;
  return o;
}

}  // namespace

TEST_CASE("a seed group averages deltas and sums McNemar counts over seeds", "[compare]") {
  TempDir t;
  const auto base_s1 = wrong_at(kLabels, {0, 1});  // base wrong on 2 samples of seed 1
  write_cell(t.path() / "base", "b0", "sgd", 0, {{"clean", {kLabels, kLabels}}});
  write_cell(t.path() / "base", "b1", "sgd", 1, {{"clean", {kLabels, base_s1}}});
  write_cell(t.path() / "cand", "c0", "sgd", 0,
             {{"clean", {kLabels, wrong_at(kLabels, {2, 3, 4})}}});              // b = 3
  write_cell(t.path() / "cand", "c1", "sgd", 1, {{"clean", {kLabels, kLabels}}});  // c = 2
  const json doc = compare_runs((t.path() / "base").string(), (t.path() / "cand").string(), fast());
  REQUIRE(doc.at("groups").size() == 1);
  const json& g = doc["groups"][0];
  CHECK(g["seeds"] == json::array({0, 1}));
  REQUIRE(g["holdouts"].size() == 1);
  const json& h = g["holdouts"][0];
  // Deltas -0.3 and +0.2: mean -0.05, sample sd sqrt(2 * 0.25^2) = 0.353553...
  CHECK(h["delta"].get<double>() == Approx(-0.05));
  CHECK(h["delta_sd"].get<double>() == Approx(std::sqrt(0.125)));
  CHECK(h["base_accuracy"].get<double>() == Approx(0.9));
  CHECK(h["candidate_accuracy"].get<double>() == Approx(0.85));
  CHECK(h["mcnemar"]["b"] == 3);
  CHECK(h["mcnemar"]["c"] == 2);
  CHECK(h["mcnemar"]["p"].get<double>() == 1.0);  // 2 * P(X <= 2), X ~ Bin(5, 1/2) = 1
  CHECK(h["per_seed"].size() == 2);
  CHECK(h["verdict"] == "no evidence");
  CHECK(doc["summary"]["verdict"] == "no evidence");
}

TEST_CASE("Holm runs over the hold-outs of one cell pair", "[compare]") {
  TempDir t;
  std::vector<int> labels, preds;
  for (int i = 0; i < 60; ++i) labels.push_back(i % 3);
  std::vector<size_t> twelve;
  for (size_t i = 0; i < 12; ++i) twelve.push_back(i);
  write_cell(t.path() / "base", "b0", "sgd", 0,
             {{"clean", {labels, labels}}, {"c.x.1", {labels, labels}}});
  write_cell(t.path() / "cand", "c0", "sgd", 0,
             {{"clean", {labels, labels}}, {"c.x.1", {labels, wrong_at(labels, twelve)}}});
  const json doc = compare_runs((t.path() / "base").string(), (t.path() / "cand").string(), fast());
  const json& hs = doc["groups"][0]["holdouts"];
  REQUIRE(hs.size() == 2);
  CHECK(hs[0]["holdout"] == "clean");  // clean first
  const json& bad = hs[1];
  // b = 12, c = 0: p = 2 / 2^12; Holm with m = 2 doubles the smallest p.
  CHECK(bad["mcnemar"]["p"].get<double>() == Approx(2.0 / 4096.0));
  CHECK(bad["mcnemar"]["p_holm"].get<double>() == Approx(4.0 / 4096.0));
  CHECK(hs[0]["mcnemar"]["p_holm"].get<double>() == 1.0);
  CHECK(bad["verdict"] == "regression");
  CHECK(bad["confusion_growth"][0]["growth"].get<int64_t>() ==
        4);  // each class loses 4 to the next
  CHECK(gauntlet::count_verdicts(doc, "regression") == 1);
  // A tolerance above the drop (0.2) makes it no evidence.
  CompareOptions tolerant = fast();
  tolerant.tolerance = 0.25;
  CHECK(gauntlet::count_verdicts(
            compare_runs((t.path() / "base").string(), (t.path() / "cand").string(), tolerant),
            "regression") == 0);
}

TEST_CASE("unmatched and failed cells are listed, not dropped", "[compare]") {
  TempDir t;
  write_cell(t.path() / "base", "b0", "sgd", 0, {{"clean", {kLabels, kLabels}}});
  write_cell(t.path() / "base", "b1", "adam", 0, {{"clean", {kLabels, kLabels}}});
  write_cell(t.path() / "cand", "c0", "sgd", 0, {{"clean", {kLabels, kLabels}}});
  write_cell(t.path() / "cand", "c1", "sgd", 1, {{"clean", {kLabels, kLabels}}});
  write_cell(t.path() / "cand", "c2", "adam", 0, {}, /*ok=*/false);
  const json doc = compare_runs((t.path() / "base").string(), (t.path() / "cand").string(), fast());
  CHECK(doc["groups"].size() == 1);
  CHECK(doc["unmatched"]["base"].empty());
  REQUIRE(doc["unmatched"]["candidate"].size() == 1);
  CHECK(doc["unmatched"]["candidate"][0]["cell"] == "c1");
  REQUIRE(doc["failed"]["candidate"].size() == 1);
  CHECK(doc["failed"]["candidate"][0]["error"] == "boom");
  // c2 failed where b1 (same labels and seed) succeeded: a regression, whatever the hold-outs say.
  REQUIRE(doc["candidate_failures"].size() == 1);
  CHECK(doc["candidate_failures"][0]["base"]["cell"] == "b1");
  CHECK(doc["candidate_failures"][0]["candidate"]["cell"] == "c2");
  CHECK(doc["summary"]["verdict"] == "regression");
  CHECK(doc["summary"]["candidate_failures"] == 1);
}

TEST_CASE("a match key without the seed pairs cells by seed and refuses ambiguity", "[compare]") {
  TempDir t;
  write_cell(t.path() / "base", "b0", "sgd", 0, {{"clean", {kLabels, kLabels}}});
  write_cell(t.path() / "base", "b1", "adam", 0, {{"clean", {kLabels, kLabels}}});
  write_cell(t.path() / "cand", "c0", "sgd", 0, {{"clean", {kLabels, kLabels}}});
  CompareOptions o = fast();
  o.match = {"optimizer"};
  CHECK(compare_runs((t.path() / "base").string(), (t.path() / "cand").string(), o)["groups"].size() ==
        1);
  o.match = {"backbone", "seed"};  // b0 and b1 share backbone and seed
  CHECK_THROWS_WITH(compare_runs((t.path() / "base").string(), (t.path() / "cand").string(), o),
                    Catch::Contains("ambiguous match: 2 base cells"));
  CHECK_THROWS_AS(gauntlet::parse_match_fields("backbone,color"), InputError);
  CHECK(gauntlet::parse_match_fields("seed,loss") == std::vector<std::string>{"seed", "loss"});
}

TEST_CASE("predictions that disagree on samples are bad input naming both files", "[compare]") {
  TempDir t;
  write_cell(t.path() / "base", "b0", "sgd", 0, {{"clean", {kLabels, kLabels}}});
  write_cell(t.path() / "cand", "c0", "sgd", 0, {{"clean", {wrong_at(kLabels, {5}), kLabels}}});
  const std::string base = (t.path() / "base").string(), cand = (t.path() / "cand").string();
  CHECK_THROWS_WITH(compare_runs(base, cand, fast()),
                    Catch::Contains("b0/predictions/clean.csv and ") &&
                        Catch::Contains("c0/predictions/clean.csv") &&
                        Catch::Contains("index 5 has label 2 in the first, 0 in the second"));
  CHECK_THROWS_WITH(compare_runs(base, (t.path() / "nope").string(), fast()),
                    Catch::Contains("does not exist"));
}

TEST_CASE("predictions files are read by index, and malformed ones refused", "[compare]") {
  TempDir t;
  const fs::path f = t.path() / "p.csv";
  gauntlet::write_file_atomic(f.string(), "index,label,pred,p0,p1\n1,1,0,0.5,0.5\n0,0,0,0.9,0.1\n");
  const gauntlet::Predictions p = gauntlet::read_predictions_csv(f.string());
  CHECK(p.num_classes == 2);
  CHECK(p.labels == std::vector<int64_t>{0, 1});
  CHECK(p.preds == std::vector<int64_t>{0, 0});
  auto refused =
      GENERATE(as<std::string>{},
               "index,label,pred,p0,p1\n0,0,0,0.5,0.5\n0,1,1,0.5,0.5\n",  // repeated index
               "index,label,pred,p0,p1\n0,0,2,0.5,0.5\n",                 // class out of range
               "index,label,pred,p0,p1\n0,0,x,0.5,0.5\n",                 // not an integer
               "idx,label,pred,p0,p1\n0,0,0,0.5,0.5\n",                   // header
               "index,label,pred,p0,p1\n0,0,0,0.5\n");                    // short row
  gauntlet::write_file_atomic(f.string(), refused);
  CHECK_THROWS_AS(gauntlet::read_predictions_csv(f.string()), InputError);
}
