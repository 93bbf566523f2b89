// Robustness scores of a cell from its per-hold-out metrics (result.json "eval"), after
// Hendrycks & Dietterich (ICLR 2019) and MedMNIST-C (shared/specs/corruptions.md, Scores):
//   mean corruption accuracy over every c.* hold-out, per corruption and per family means,
//   robustness gap (clean minus mean corrupted accuracy), per-class accuracy under each hold-out,
//   and against a baseline cell (its seeds averaged):
//   CE_c = sum_s E(cell, c, s) / sum_s E(base, c, s);
//   relative CE_c = sum_s (E(cell, c, s) - E(cell, clean)) / sum_s (E(base, c, s) - E(base, clean));
//   mCE and relative mCE: their means over the corruptions that count in their family's mCE
//   (ImageNet-C's 15, MedMNIST-C's 11; extras such as speckle_noise get a CE but no vote).
// E is top-1 error, or 1 - balanced accuracy for MedMNIST-C's variant ("balanced_error").
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace gauntlet {

/// `eval` and `holdouts` are a result's objects of those names; `baseline_evals` the eval
/// objects of the baseline cell's seeds (empty: no CE/mCE). `measure` is "error" or
/// "balanced_error". A CE whose baseline denominator is 0 (or whose hold-outs the baseline lacks)
/// is null; an mCE is null unless every mCE corruption evaluated has a CE, so that mCEs of cells
/// always average the same corruptions ("mce_corruptions" says how many).
nlohmann::json robustness_scores(const nlohmann::json& eval, const nlohmann::json& holdouts,
                                 const std::vector<nlohmann::json>& baseline_evals,
                                 const std::string& measure, const std::string& baseline_label = "");

}  // namespace gauntlet
