// Where results live on disk (DESIGN.md, Formats):
//   <out>/runs/<suite>/<cell-id>/result.json              "schema": "gauntlet.result/1"
//   <out>/runs/<suite>/<cell-id>/predictions/<holdout>.csv  index,label,pred,p0..pK-1
// Every file is written atomically; result.json is written last, so its presence with
// "status": "ok" means the cell is complete.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet {

inline constexpr const char* kResultSchema = "gauntlet.result/1";

std::string runs_dir(const std::string& out, const std::string& suite);
std::string cell_dir(const std::string& out, const std::string& suite, const std::string& cell_id);
std::string reports_dir(const std::string& out, const std::string& suite);

/// The cell's result.json when it exists, parses and has status "ok"; nullopt otherwise
/// (a damaged file is treated as absent, so the cell is run again).
std::optional<nlohmann::json> read_ok_result(const std::string& dir);

/// `probs` is N x K row-major. Probabilities are printed with 6 significant digits.
void write_predictions(const std::string& dir, const std::string& holdout,
                       const std::vector<int64_t>& labels, const std::vector<int64_t>& preds,
                       const std::vector<float>& probs, int64_t num_classes);

void write_result(const std::string& dir, const nlohmann::json& result);

}  // namespace gauntlet
