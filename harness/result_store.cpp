#include "harness/result_store.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "harness/core/atomic_file.hpp"

namespace gauntlet {

std::string runs_dir(const std::string& out, const std::string& suite) {
  return (std::filesystem::path(out) / "runs" / suite).string();
}

std::string cell_dir(const std::string& out, const std::string& suite, const std::string& cell_id) {
  return (std::filesystem::path(runs_dir(out, suite)) / cell_id).string();
}

std::string reports_dir(const std::string& out, const std::string& suite) {
  return (std::filesystem::path(out) / "reports" / suite).string();
}

std::optional<nlohmann::json> read_ok_result(const std::string& dir) {
  std::ifstream in(std::filesystem::path(dir) / "result.json");
  if (!in) return std::nullopt;
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    if (j.value("schema", "") == kResultSchema && j.value("status", "") == "ok") return j;
  } catch (const nlohmann::json::exception&) {
  }
  return std::nullopt;
}

void write_predictions(const std::string& dir, const std::string& holdout,
                       const std::vector<int64_t>& labels, const std::vector<int64_t>& preds,
                       const std::vector<float>& probs, int64_t num_classes) {
  fmt::memory_buffer buf;
  fmt::format_to(std::back_inserter(buf), "index,label,pred");
  for (int64_t k = 0; k < num_classes; ++k) fmt::format_to(std::back_inserter(buf), ",p{}", k);
  buf.push_back('\n');
  for (size_t i = 0; i < labels.size(); ++i) {
    fmt::format_to(std::back_inserter(buf), "{},{},{}", i, labels[i], preds[i]);
    for (int64_t k = 0; k < num_classes; ++k) {
      fmt::format_to(std::back_inserter(buf), ",{:.6g}", probs[i * num_classes + k]);
    }
    buf.push_back('\n');
  }
  write_file_atomic((std::filesystem::path(dir) / "predictions" / (holdout + ".csv")).string(),
                    fmt::to_string(buf));
}

void write_result(const std::string& dir, const nlohmann::json& result) {
  write_file_atomic((std::filesystem::path(dir) / "result.json").string(), result.dump(2) + "\n");
}

}  // namespace gauntlet
