#include "harness/metrics.hpp"

#include <stdexcept>
#include <string>

namespace gauntlet {
namespace {

void check_range(const std::vector<int64_t>& values, const char* name, int64_t num_classes) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] < 0 || values[i] >= num_classes) {
      throw std::invalid_argument(std::string(name) + "[" + std::to_string(i) +
                                  "] = " + std::to_string(values[i]) + " is outside [0, " +
                                  std::to_string(num_classes) + ")");
    }
  }
}

// sklearn's _prf_divide with zero_division=0.
double divide_or_zero(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

}  // namespace

Metrics compute_metrics(const std::vector<int64_t>& labels, const std::vector<int64_t>& preds,
                        int64_t num_classes) {
  if (num_classes < 1) {
    throw std::invalid_argument("num_classes = " + std::to_string(num_classes) +
                                " must be at least 1");
  }
  if (labels.size() != preds.size()) {
    throw std::invalid_argument("labels has " + std::to_string(labels.size()) +
                                " values but preds has " + std::to_string(preds.size()));
  }
  check_range(labels, "labels", num_classes);
  check_range(preds, "preds", num_classes);

  const auto k = static_cast<size_t>(num_classes);
  Metrics m{};
  m.n = static_cast<int64_t>(labels.size());
  m.confusion.assign(k, std::vector<int64_t>(k, 0));
  for (size_t i = 0; i < labels.size(); ++i) {
    ++m.confusion[static_cast<size_t>(labels[i])][static_cast<size_t>(preds[i])];
  }

  std::vector<int64_t> pred_count(k, 0);
  int64_t correct = 0;
  for (size_t t = 0; t < k; ++t) {
    for (size_t p = 0; p < k; ++p) pred_count[p] += m.confusion[t][p];
    correct += m.confusion[t][t];
  }

  // The same operations, in the same order, as sklearn's precision_recall_fscore_support with
  // beta=1: f = (2 * P) * R / (P + R), the denominator set to 1 when it is 0.
  m.per_class.reserve(k);
  for (size_t c = 0; c < k; ++c) {
    int64_t support = 0;
    for (size_t p = 0; p < k; ++p) support += m.confusion[c][p];
    const int64_t tp = m.confusion[c][c];
    ClassMetrics cm{};
    cm.cls = static_cast<int64_t>(c);
    cm.precision = divide_or_zero(tp, pred_count[c]);
    cm.recall = divide_or_zero(tp, support);
    const double denom = cm.precision + cm.recall;
    cm.f1 = 2.0 * cm.precision * cm.recall / (denom == 0.0 ? 1.0 : denom);
    cm.support = support;
    m.per_class.push_back(cm);
  }

  if (m.n == 0) return m;  // sklearn rejects empty input; every score stays 0

  m.accuracy = static_cast<double>(correct) / static_cast<double>(m.n);

  // Without `labels=`, sklearn averages over the classes seen in labels or preds only, and
  // balanced accuracy drops the classes whose recall is NaN (support 0).
  Averages macro_sum{0.0, 0.0, 0.0};
  Averages weighted_sum{0.0, 0.0, 0.0};
  double weight_total = 0.0;
  int64_t present = 0;
  double recall_sum = 0.0;
  int64_t supported = 0;
  for (const ClassMetrics& cm : m.per_class) {
    if (cm.support == 0 && pred_count[static_cast<size_t>(cm.cls)] == 0) continue;
    ++present;
    macro_sum.precision += cm.precision;
    macro_sum.recall += cm.recall;
    macro_sum.f1 += cm.f1;
    const auto w = static_cast<double>(cm.support);
    weighted_sum.precision += cm.precision * w;
    weighted_sum.recall += cm.recall * w;
    weighted_sum.f1 += cm.f1 * w;
    weight_total += w;
    if (cm.support > 0) {
      recall_sum += cm.recall;
      ++supported;
    }
  }
  // n > 0 guarantees at least one present class and at least one supported class.
  const auto count = static_cast<double>(present);
  m.macro = {macro_sum.precision / count, macro_sum.recall / count, macro_sum.f1 / count};
  m.weighted = {weighted_sum.precision / weight_total, weighted_sum.recall / weight_total,
                weighted_sum.f1 / weight_total};
  m.balanced_accuracy = recall_sum / static_cast<double>(supported);
  return m;
}

nlohmann::json to_json(const Metrics& m) {
  auto averages = [](const Averages& a) {
    return nlohmann::json{{"precision", a.precision}, {"recall", a.recall}, {"f1", a.f1}};
  };
  nlohmann::json per_class = nlohmann::json::array();
  for (const ClassMetrics& c : m.per_class) {
    per_class.push_back({{"class", c.cls},
                         {"precision", c.precision},
                         {"recall", c.recall},
                         {"f1", c.f1},
                         {"support", c.support}});
  }
  return {{"n", m.n},
          {"accuracy", m.accuracy},
          {"balanced_accuracy", m.balanced_accuracy},
          {"macro", averages(m.macro)},
          {"weighted", averages(m.weighted)},
          {"per_class", std::move(per_class)},
          {"confusion", m.confusion}};
}

}  // namespace gauntlet
