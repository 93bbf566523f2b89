#include "reports/table.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace gauntlet {

TableCell TableCell::of_text(std::string s) {
  TableCell c;
  c.kind = Kind::kText;
  c.text = std::move(s);
  return c;
}

TableCell TableCell::of_number(double v) {
  TableCell c;
  c.kind = Kind::kNumber;
  c.value = v;
  return c;
}

TableCell TableCell::of_number(double v, double sd) {
  TableCell c = of_number(v);
  c.spread = sd;
  return c;
}

namespace {

// The value a reader sees, so that two cells shown alike are both best or neither.
double displayed(double v, const NumberFormat& f) {
  const double p = std::pow(10.0, f.decimals);
  return std::round(v * f.scale * p) / p;
}

}  // namespace

void Table::mark_best() {
  for (size_t c = 0; c < columns.size(); ++c) {
    const TableColumn& col = columns[c];
    if (col.better == Better::kNone) continue;
    std::optional<double> best;
    int numbers = 0;
    for (const auto& row : rows) {
      const TableCell& cell = row.at(c);
      if (cell.kind != TableCell::Kind::kNumber || !std::isfinite(cell.value)) continue;
      ++numbers;
      // SI columns compare the raw value: their display drops the magnitude.
      const double v = col.format.si ? cell.value : displayed(cell.value, col.format);
      if (!best || (col.better == Better::kHigher ? v > *best : v < *best)) best = v;
    }
    if (numbers < 2) continue;
    int marked = 0;
    for (auto& row : rows) {
      TableCell& cell = row.at(c);
      if (cell.kind != TableCell::Kind::kNumber || !std::isfinite(cell.value)) continue;
      const double v = col.format.si ? cell.value : displayed(cell.value, col.format);
      cell.best = v == *best;
      marked += cell.best ? 1 : 0;
    }
    // A column where every value ties has no best.
    if (marked == numbers) {
      for (auto& row : rows) row.at(c).best = false;
    }
  }
}

std::string display_number(double value, const NumberFormat& f) {
  if (!std::isfinite(value)) return "n/a";
  char buf[64];
  if (f.si) {
    static const char* const kSuffix[] = {"", "k", "M", "G", "T"};
    double v = value;
    int i = 0;
    while (std::fabs(v) >= 999.5 && i < 4) {
      v /= 1000.0;
      ++i;
    }
    const int decimals = i == 0 ? 0 : std::fabs(v) < 9.995 ? 2 : std::fabs(v) < 99.95 ? 1 : 0;
    std::snprintf(buf, sizeof buf, "%.*f%s", decimals, v, kSuffix[i]);
    return buf;
  }
  const double p = std::pow(10.0, f.decimals);
  double v = std::round(value * f.scale * p) / p;
  if (v == 0.0) v = 0.0;  // no "-0.00"
  std::snprintf(buf, sizeof buf, "%.*f", f.decimals, v);
  return buf;
}

const std::vector<std::string>& table_format_names() {
  static const std::vector<std::string> names{"md", "html", "tex", "csv"};
  return names;
}

std::unique_ptr<TableFormat> make_table_format(const std::string& name) {
  if (name == "md") return make_markdown_format();
  if (name == "html") return make_html_format();
  if (name == "tex") return make_latex_format();
  if (name == "csv") return make_csv_format();
  throw std::invalid_argument("unknown table format \"" + name + "\" (expected md, html, tex or csv)");
}

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace gauntlet
