// metrics_dump PREDICTIONS.csv: prints to_json(compute_metrics(...)) of a predictions file
// (header `index,label,pred,p0,...,pK-1`; K is the number of p columns) on one line of stdout.
// It is the C++ side of tests/parity/metrics_parity.py, which compares its output with sklearn,
// on random files and on the predictions of end-to-end runs.
// Exit codes: 0 ok, 2 bad input (message on stderr).
#include <cstdint>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/metrics.hpp"

namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    fields.push_back(line.substr(start, comma - start));
    if (comma == std::string::npos) return fields;
    start = comma + 1;
  }
}

// std::stoll alone accepts "3abc" and " 3"; a stray character means a corrupt file.
int64_t parse_int(const std::string& text, const std::string& where) {
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || text[0] == ' ' || text[0] == '+') {
    throw gauntlet::InputError(where, "expected an integer, got '" + text + "'");
  }
  return value;
}

struct Predictions {
  std::vector<int64_t> labels;
  std::vector<int64_t> preds;
  int64_t num_classes = 0;
};

Predictions read_predictions(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw gauntlet::InputError(path, "cannot open");
  std::string line;
  if (!std::getline(in, line)) throw gauntlet::InputError(path, "empty file, expected a header");
  if (!line.empty() && line.back() == '\r') line.pop_back();  // files written on Windows
  const std::vector<std::string> header = split_fields(line);
  if (header.size() < 4 || header[0] != "index" || header[1] != "label" || header[2] != "pred") {
    throw gauntlet::InputError(path + ":1", "expected header index,label,pred,p0,...,pK-1");
  }
  for (size_t c = 3; c < header.size(); ++c) {
    if (header[c] != "p" + std::to_string(c - 3)) {
      throw gauntlet::InputError(path + ":1", "column " + std::to_string(c + 1) + " is '" +
                                                  header[c] + "', expected 'p" +
                                                  std::to_string(c - 3) + "'");
    }
  }
  Predictions out;
  out.num_classes = static_cast<int64_t>(header.size() - 3);
  for (int64_t line_no = 2; std::getline(in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    const std::vector<std::string> fields = split_fields(line);
    if (fields.size() != header.size()) {
      throw gauntlet::InputError(where, std::to_string(fields.size()) + " fields, expected " +
                                            std::to_string(header.size()));
    }
    out.labels.push_back(parse_int(fields[1], where));
    out.preds.push_back(parse_int(fields[2], where));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: metrics_dump PREDICTIONS.csv\n";
    return 2;
  }
  try {
    const Predictions p = read_predictions(argv[1]);
    std::cout
        << gauntlet::to_json(gauntlet::compute_metrics(p.labels, p.preds, p.num_classes)).dump()
        << '\n';
  } catch (const std::exception& e) {
    // Both InputError (the file) and invalid_argument (a label out of range) are bad input.
    std::cerr << "metrics_dump: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
