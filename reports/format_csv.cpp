// CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted, quotes doubled):
// data for scripts and spreadsheets, so a column with spreads becomes two columns ("X" and "X sd"),
// numbers keep two more digits than the other formats show (SI columns: the plain number), and
// there are no best-value marks and no notes.
#include "reports/table.hpp"

#include <cmath>
#include <cstdio>

namespace gauntlet {
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_number(double v, const NumberFormat& f) {
  if (!std::isfinite(v)) return "";
  if (f.si) {
    char buf[64];
    std::snprintf(buf, sizeof buf, v == std::floor(v) && std::fabs(v) < 1e15 ? "%.0f" : "%.6g", v);
    return buf;
  }
  NumberFormat more = f;
  more.decimals += 2;
  return display_number(v, more);
}

class CsvFormat : public TableFormat {
 public:
  std::string name() const override { return "csv"; }
  std::string extension() const override { return ".csv"; }

  std::string render(const Table& t) const override {
    // A column gets an " sd" partner when any of its cells has a spread.
    std::vector<bool> spread(t.columns.size(), false);
    for (const auto& row : t.rows) {
      for (size_t c = 0; c < t.columns.size(); ++c) spread[c] = spread[c] || row[c].spread.has_value();
    }
    std::vector<std::string> fields;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      fields.push_back(t.columns[c].header);
      if (spread[c]) fields.push_back(t.columns[c].header + " sd");
    }
    std::string csv = line(fields);
    for (const auto& row : t.rows) {
      fields.clear();
      for (size_t c = 0; c < t.columns.size(); ++c) {
        const TableCell& cell = row[c];
        const bool number = cell.kind == TableCell::Kind::kNumber;
        fields.push_back(number ? csv_number(cell.value, t.columns[c].format) : cell.text);
        if (spread[c]) fields.push_back(number && cell.spread ? csv_number(*cell.spread, t.columns[c].format) : "");
      }
      csv += line(fields);
    }
    return csv;
  }

 private:
  static std::string line(const std::vector<std::string>& fields) {
    std::string s;
    for (size_t i = 0; i < fields.size(); ++i) s += (i ? "," : "") + csv_field(fields[i]);
    return s + "\r\n";
  }
};

}  // namespace

std::unique_ptr<TableFormat> make_csv_format() { return std::make_unique<CsvFormat>(); }

}  // namespace gauntlet
