#include "harness/robustness.hpp"

#include <algorithm>
#include <map>

#include "augmentations/corruption.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;

double error_of(const json& metrics, const std::string& measure) {
  return 1.0 - metrics.at(measure == "balanced_error" ? "balanced_accuracy" : "accuracy").get<double>();
}

// Mean over the baseline's seeds of the error on one hold-out; false when a seed lacks it.
bool baseline_error(const std::vector<json>& evals, const std::string& holdout, const std::string& measure,
                    double& out) {
  double sum = 0;
  for (const auto& e : evals) {
    if (!e.contains(holdout)) return false;
    sum += error_of(e.at(holdout), measure);
  }
  out = sum / static_cast<double>(evals.size());
  return true;
}

json mean_or_null(double sum, int n) { return n > 0 ? json(sum / n) : json(nullptr); }

}  // namespace

json robustness_scores(const json& eval, const json& holdouts, const std::vector<json>& baseline_evals,
                       const std::string& measure, const std::string& baseline_label) {
  struct PerCorruption {
    std::string family;
    std::map<int, std::string> holdout_by_severity;
    double acc_sum = 0, f1_sum = 0;
    int n = 0;
  };
  std::map<std::string, PerCorruption> per;
  double acc_sum = 0;
  int acc_n = 0;
  json class_accuracy = json::object();
  for (const auto& [id, m] : eval.items()) {
    json recalls = json::array();
    for (const auto& c : m.at("per_class")) recalls.push_back(c.at("recall"));
    class_accuracy[id] = recalls;
    if (id.rfind("c.", 0) != 0 || !holdouts.contains(id)) continue;
    const json& info = holdouts.at(id);
    auto& pc = per[info.at("corruption").get<std::string>()];
    pc.family = info.value("family", kImageNetC);
    pc.holdout_by_severity[info.at("severity").get<int>()] = id;
    pc.acc_sum += m.at("accuracy").get<double>();
    pc.f1_sum += m.at("macro").at("f1").get<double>();
    ++pc.n;
    acc_sum += m.at("accuracy").get<double>();
    ++acc_n;
  }

  json out{{"mean_corruption_accuracy", mean_or_null(acc_sum, acc_n)},
           {"gap", acc_n > 0 && eval.contains("clean")
                       ? json(eval.at("clean").at("accuracy").get<double>() - acc_sum / acc_n)
                       : json(nullptr)},
           {"per_corruption", json::object()},
           {"per_family", json::object()},
           {"class_accuracy", class_accuracy},
           {"measure", measure},
           {"baseline", baseline_label.empty() ? json(nullptr) : json(baseline_label)},
           {"mce", nullptr},
           {"relative_mce", nullptr}};

  std::map<std::string, std::pair<double, int>> family_acc;
  std::map<std::string, std::vector<double>> family_ce, family_rce;
  std::map<std::string, int> family_voters;  // mCE corruptions evaluated, per family
  const bool have_base = !baseline_evals.empty();
  double base_clean = 0;
  const bool base_has_clean = have_base && baseline_error(baseline_evals, "clean", measure, base_clean);
  const bool has_clean = eval.contains("clean");
  const double clean = has_clean ? error_of(eval.at("clean"), measure) : 0.0;
  for (const auto& [cid, pc] : per) {
    json entry{{"family", pc.family},
               {"mean_accuracy", pc.acc_sum / pc.n},
               {"mean_macro_f1", pc.f1_sum / pc.n},
               {"accuracy_by_severity", json::object()}};
    for (const auto& [sev, hid] : pc.holdout_by_severity) {
      entry["accuracy_by_severity"][std::to_string(sev)] = eval.at(hid).at("accuracy");
    }
    family_acc[pc.family].first += pc.acc_sum / pc.n;
    family_acc[pc.family].second += 1;
    if (have_base) {
      double num = 0, den = 0, rnum = 0, rden = 0;
      bool complete = true;
      for (const auto& [sev, hid] : pc.holdout_by_severity) {
        double b = 0;
        if (!baseline_error(baseline_evals, hid, measure, b)) {
          complete = false;
          break;
        }
        const double e = error_of(eval.at(hid), measure);
        num += e;
        den += b;
        rnum += e - clean;
        rden += b - base_clean;
      }
      const json ce = complete && den > 0 ? json(num / den) : json(nullptr);
      const json rce = complete && has_clean && base_has_clean && rden != 0 ? json(rnum / rden) : json(nullptr);
      entry["ce"] = ce;
      entry["relative_ce"] = rce;
      if (has_corruption(cid) && corruption_info(cid).in_mce) {
        ++family_voters[pc.family];
        if (!ce.is_null()) family_ce[pc.family].push_back(ce.get<double>());
        if (!rce.is_null()) family_rce[pc.family].push_back(rce.get<double>());
      }
    }
    out["per_corruption"][cid] = entry;
  }
  for (const auto& [family, acc] : family_acc) {
    out["per_family"][family] = {{"mean_accuracy", acc.first / acc.second}, {"corruptions", acc.second}};
  }
  // An mCE over fewer corruptions than were evaluated (a null CE: the baseline lacks a hold-out or
  // never erred) would not be comparable with other cells' mCE: then it is null too.
  auto mean_of = [](const std::vector<double>& v, int voters) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() || static_cast<int>(v.size()) != voters ? json(nullptr)
                                                              : json(s / static_cast<double>(v.size()));
  };
  // mCE over every family's mCE corruptions together (one family in practice); per family too.
  std::vector<double> all_ce, all_rce;
  int all_voters = 0;
  for (const auto& [family, voters] : family_voters) {
    const auto& ce = family_ce[family];
    const auto& rce = family_rce[family];
    out["per_family"][family]["mce"] = mean_of(ce, voters);
    out["per_family"][family]["relative_mce"] = mean_of(rce, voters);
    all_ce.insert(all_ce.end(), ce.begin(), ce.end());
    all_rce.insert(all_rce.end(), rce.begin(), rce.end());
    all_voters += voters;
  }
  // One family's mCE is a number the literature reports; a mean over two families' CEs is not
  // (their baselines and error measures differ in kind): then only per_family has them.
  const bool one_family = family_voters.size() == 1;
  out["mce"] = one_family ? mean_of(all_ce, all_voters) : json(nullptr);
  out["relative_mce"] = one_family ? mean_of(all_rce, all_voters) : json(nullptr);
  out["mce_corruptions"] = all_voters;
  return out;
}

}  // namespace gauntlet
