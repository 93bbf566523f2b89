// Classification metrics for one hold-out (accuracy, balanced accuracy, per-class and averaged
// precision/recall/F1, confusion matrix), defined exactly as scikit-learn 1.2 defines them with
// zero_division=0, so that a result.json can be checked against sklearn to 1e-12 and readers can
// trust that the names mean what they mean there (tests/parity/metrics_parity.py checks this).
// Plain integers in, no torch: the evaluator, `compare` and the reports all share this one code.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace gauntlet {

/// Scores of one class, computed one-vs-rest.
struct ClassMetrics {
  int64_t cls;       ///< the class index
  double precision;  ///< tp / predicted count, 0 when the class is never predicted
  double recall;     ///< tp / true count (support), 0 when the support is 0
  double f1;         ///< 2PR / (P + R), 0 when P + R == 0
  int64_t support;   ///< how many samples truly belong to the class
};

/// An average of per-class precision, recall and F1.
struct Averages {
  double precision;
  double recall;
  double f1;
};

/// Metrics of one set of predictions. Empty input (n == 0) gives all scores 0, zero supports and
/// an all-zero confusion matrix; sklearn refuses empty input, so this is our own definition.
struct Metrics {
  int64_t n;                 ///< number of samples
  double accuracy;           ///< fraction of samples predicted right
  double balanced_accuracy;  ///< mean recall over the classes with nonzero support
  /// Unweighted mean over the classes present in labels or preds (sklearn without `labels=`):
  /// a class absent from both does not pull the mean down.
  Averages macro;
  /// Mean over the same classes weighted by their support.
  Averages weighted;
  std::vector<ClassMetrics> per_class;          ///< one per class 0..K-1, always all K
  std::vector<std::vector<int64_t>> confusion;  ///< K x K, row = true label, column = predicted
};

/// Computes every metric of `preds` against `labels`; both hold values in [0, num_classes).
/// Sums run sequentially in class order, so results are bit-reproducible.
/// Throws std::invalid_argument when num_classes < 1, the sizes differ or a value is out of
/// range (the message names the vector, the index and the value).
Metrics compute_metrics(const std::vector<int64_t>& labels, const std::vector<int64_t>& preds,
                        int64_t num_classes);

/// {"n","accuracy","balanced_accuracy","macro":{"precision","recall","f1"},"weighted":{...},
///  "per_class":[{"class","precision","recall","f1","support"}],"confusion":[[...]]}
nlohmann::json to_json(const Metrics& m);

}  // namespace gauntlet
