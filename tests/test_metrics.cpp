// Unit tests of harness/metrics: small cases worked out by hand (the fractions below), the edge
// cases where sklearn's zero_division and label-union rules matter, and input validation.
// tests/parity/metrics_parity.py checks the same code against sklearn itself on random data.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <stdexcept>
#include <vector>

#include "harness/metrics.hpp"

namespace gauntlet {
namespace {

using Catch::Matchers::Contains;

Approx near(double expected) { return Approx(expected).epsilon(0).margin(1e-12); }

void check_class(const Metrics& m, int64_t cls, double precision, double recall, double f1,
                 int64_t support) {
  INFO("class " << cls);
  const ClassMetrics& c = m.per_class.at(static_cast<size_t>(cls));
  CHECK(c.cls == cls);
  CHECK(c.precision == near(precision));
  CHECK(c.recall == near(recall));
  CHECK(c.f1 == near(f1));
  CHECK(c.support == support);
}

void check_averages(const Averages& a, double precision, double recall, double f1) {
  CHECK(a.precision == near(precision));
  CHECK(a.recall == near(recall));
  CHECK(a.f1 == near(f1));
}

TEST_CASE("metrics of a small three-class case worked out by hand", "[metrics]") {
  // Confusion (row = true): [2 1 0] [0 1 1] [0 0 1]; predicted counts 2, 2, 2.
  const Metrics m = compute_metrics({0, 0, 0, 1, 1, 2}, {0, 0, 1, 1, 2, 2}, 3);
  CHECK(m.n == 6);
  CHECK(m.confusion == std::vector<std::vector<int64_t>>{{2, 1, 0}, {0, 1, 1}, {0, 0, 1}});
  CHECK(m.accuracy == near(4.0 / 6.0));
  check_class(m, 0, 1.0, 2.0 / 3.0, 0.8, 3);  // F1 = 2 * 1 * 2/3 / (5/3)
  check_class(m, 1, 0.5, 0.5, 0.5, 2);
  check_class(m, 2, 0.5, 1.0, 2.0 / 3.0, 1);                     // F1 = 2 * 0.5 * 1 / 1.5
  CHECK(m.balanced_accuracy == near(13.0 / 18.0));               // (2/3 + 1/2 + 1) / 3
  check_averages(m.macro, 2.0 / 3.0, 13.0 / 18.0, 59.0 / 90.0);  // F1 (0.8 + 0.5 + 2/3) / 3
  // Weights 3, 2, 1: P (3 + 1 + 0.5) / 6, R (2 + 1 + 1) / 6, F1 (2.4 + 1 + 2/3) / 6.
  check_averages(m.weighted, 0.75, 2.0 / 3.0, 61.0 / 90.0);
}

TEST_CASE("perfect predictions score 1 everywhere", "[metrics]") {
  const Metrics m = compute_metrics({0, 1, 2, 2, 1, 0, 2}, {0, 1, 2, 2, 1, 0, 2}, 3);
  CHECK(m.accuracy == 1.0);
  CHECK(m.balanced_accuracy == 1.0);
  check_averages(m.macro, 1.0, 1.0, 1.0);
  check_averages(m.weighted, 1.0, 1.0, 1.0);
  check_class(m, 0, 1.0, 1.0, 1.0, 2);
  check_class(m, 1, 1.0, 1.0, 1.0, 2);
  check_class(m, 2, 1.0, 1.0, 1.0, 3);
  CHECK(m.confusion == std::vector<std::vector<int64_t>>{{2, 0, 0}, {0, 2, 0}, {0, 0, 3}});
}

TEST_CASE("all-wrong predictions score 0 everywhere", "[metrics]") {
  const Metrics m = compute_metrics({0, 1, 0, 1, 1}, {1, 0, 1, 0, 0}, 2);
  CHECK(m.accuracy == 0.0);
  CHECK(m.balanced_accuracy == 0.0);
  check_averages(m.macro, 0.0, 0.0, 0.0);
  check_averages(m.weighted, 0.0, 0.0, 0.0);
  check_class(m, 0, 0.0, 0.0, 0.0, 2);
  check_class(m, 1, 0.0, 0.0, 0.0, 3);
  CHECK(m.confusion == std::vector<std::vector<int64_t>>{{0, 2}, {3, 0}});
}

TEST_CASE("a class never predicted gets precision 0 (zero_division=0)", "[metrics]") {
  const Metrics m = compute_metrics({0, 1, 2, 2}, {0, 1, 1, 1}, 3);
  CHECK(m.accuracy == 0.5);
  check_class(m, 0, 1.0, 1.0, 1.0, 1);
  check_class(m, 1, 1.0 / 3.0, 1.0, 0.5, 1);
  check_class(m, 2, 0.0, 0.0, 0.0, 2);
  CHECK(m.balanced_accuracy == near(2.0 / 3.0));
  check_averages(m.macro, 4.0 / 9.0, 2.0 / 3.0, 0.5);
  check_averages(m.weighted, 1.0 / 3.0, 0.5, 0.375);  // weights 1, 1, 2
}

TEST_CASE("a class absent from labels and preds is left out of the averages", "[metrics]") {
  // Class 2 never occurs: per_class still lists it, the means run over classes 0, 1 and 3.
  const Metrics m = compute_metrics({0, 1, 1, 3}, {0, 1, 3, 3}, 4);
  REQUIRE(m.per_class.size() == 4);
  check_class(m, 0, 1.0, 1.0, 1.0, 1);
  check_class(m, 1, 1.0, 0.5, 2.0 / 3.0, 2);
  check_class(m, 2, 0.0, 0.0, 0.0, 0);
  check_class(m, 3, 0.5, 1.0, 2.0 / 3.0, 1);
  CHECK(m.accuracy == 0.75);
  CHECK(m.balanced_accuracy == near(5.0 / 6.0));
  check_averages(m.macro, 5.0 / 6.0, 5.0 / 6.0, 7.0 / 9.0);  // divided by 3, not 4
  check_averages(m.weighted, 0.875, 0.75, 0.75);
  CHECK(m.confusion[2] == std::vector<int64_t>{0, 0, 0, 0});
}

TEST_CASE("a class predicted but never true counts in macro, not in balanced accuracy",
          "[metrics]") {
  const Metrics m = compute_metrics({0, 0, 1, 1}, {0, 2, 1, 1}, 3);
  check_class(m, 0, 1.0, 0.5, 2.0 / 3.0, 2);
  check_class(m, 1, 1.0, 1.0, 1.0, 2);
  check_class(m, 2, 0.0, 0.0, 0.0, 0);
  CHECK(m.accuracy == 0.75);
  CHECK(m.balanced_accuracy == 0.75);  // (0.5 + 1) / 2: class 2 has no recall
  check_averages(m.macro, 2.0 / 3.0, 0.5, 5.0 / 9.0);
  check_averages(m.weighted, 1.0, 0.75, 5.0 / 6.0);  // weights 2, 2, 0
}

TEST_CASE("a single present class averages over that class alone", "[metrics]") {
  const Metrics m = compute_metrics({1, 1, 1}, {1, 1, 1}, 3);
  CHECK(m.accuracy == 1.0);
  CHECK(m.balanced_accuracy == 1.0);
  check_averages(m.macro, 1.0, 1.0, 1.0);
  check_averages(m.weighted, 1.0, 1.0, 1.0);
  check_class(m, 0, 0.0, 0.0, 0.0, 0);
  check_class(m, 2, 0.0, 0.0, 0.0, 0);
}

TEST_CASE("empty input gives zeros and a K x K zero confusion matrix", "[metrics]") {
  const Metrics m = compute_metrics({}, {}, 2);
  CHECK(m.n == 0);
  CHECK(m.accuracy == 0.0);
  CHECK(m.balanced_accuracy == 0.0);
  check_averages(m.macro, 0.0, 0.0, 0.0);
  check_averages(m.weighted, 0.0, 0.0, 0.0);
  REQUIRE(m.per_class.size() == 2);
  check_class(m, 1, 0.0, 0.0, 0.0, 0);
  CHECK(m.confusion == std::vector<std::vector<int64_t>>{{0, 0}, {0, 0}});
}

TEST_CASE("results are bit-identical whatever the sample order", "[metrics]") {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> cls(0, 9);
  std::vector<int64_t> labels(997), preds(997);
  for (size_t i = 0; i < labels.size(); ++i) {
    labels[i] = cls(rng) % 7;                                // classes 7..9 are never true
    preds[i] = (rng() % 3 == 0) ? labels[i] : cls(rng) % 9;  // class 9 never occurs
  }
  const nlohmann::json first = to_json(compute_metrics(labels, preds, 10));
  std::vector<size_t> order(labels.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<int64_t> shuffled_labels, shuffled_preds;
  for (size_t i : order) {
    shuffled_labels.push_back(labels[i]);
    shuffled_preds.push_back(preds[i]);
  }
  // json equality compares doubles with ==, so this demands the same bits.
  CHECK(to_json(compute_metrics(shuffled_labels, shuffled_preds, 10)) == first);
}

TEST_CASE("to_json writes the result.json eval layout", "[metrics]") {
  const nlohmann::json j = to_json(compute_metrics({0, 1, 1}, {0, 1, 0}, 2));
  CHECK(j.at("n") == 3);
  CHECK(j.at("accuracy").get<double>() == near(2.0 / 3.0));
  CHECK(j.at("balanced_accuracy").get<double>() == 0.75);
  for (const char* avg : {"macro", "weighted"}) {
    INFO(avg);
    CHECK(j.at(avg).size() == 3);
    CHECK(j.at(avg).contains("precision"));
    CHECK(j.at(avg).contains("recall"));
    CHECK(j.at(avg).contains("f1"));
  }
  REQUIRE(j.at("per_class").size() == 2);
  const nlohmann::json& c1 = j.at("per_class").at(1);
  CHECK(c1.at("class") == 1);
  CHECK(c1.at("precision").get<double>() == 1.0);
  CHECK(c1.at("recall").get<double>() == 0.5);
  CHECK(c1.at("f1").get<double>() == near(2.0 / 3.0));
  CHECK(c1.at("support") == 2);
  CHECK(j.at("confusion") == nlohmann::json{{1, 0}, {1, 1}});
}

TEST_CASE("bad input throws std::invalid_argument naming the problem", "[metrics]") {
  SECTION("size mismatch") {
    CHECK_THROWS_WITH(compute_metrics({0, 1, 1}, {0, 1}, 2),
                      Contains("labels has 3") && Contains("preds has 2"));
  }
  SECTION("negative label") {
    CHECK_THROWS_AS(compute_metrics({0, -1}, {0, 0}, 2), std::invalid_argument);
    CHECK_THROWS_WITH(compute_metrics({0, -1}, {0, 0}, 2), Contains("labels[1] = -1"));
  }
  SECTION("prediction equal to num_classes") {
    CHECK_THROWS_AS(compute_metrics({0, 1, 2}, {0, 1, 3}, 3), std::invalid_argument);
    CHECK_THROWS_WITH(compute_metrics({0, 1, 2}, {0, 1, 3}, 3),
                      Contains("preds[2] = 3") && Contains("[0, 3)"));
  }
  SECTION("no classes") { CHECK_THROWS_AS(compute_metrics({}, {}, 0), std::invalid_argument); }
}

}  // namespace
}  // namespace gauntlet
