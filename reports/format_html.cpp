// HTML: a <table class="gt"> fragment for embedding in a page (index.html embeds the leaderboard),
// every string escaped. Number cells carry their raw value in data-v, so that a page script can
// sort by it; the best value of a column is <strong> and its cell has class "best".
#include "reports/table.hpp"

#include <algorithm>

#include <cmath>
#include <cstdio>

namespace gauntlet {
namespace {

class HtmlFormat : public TableFormat {
 public:
  std::string name() const override { return "html"; }
  std::string extension() const override { return ".html"; }

  std::string render(const Table& t) const override {
    std::string h = "<table class=\"gt\" id=\"t-" + html_escape(t.name) + "\">\n";
    h += "<caption>" + html_escape(t.title) + "</caption>\n<thead><tr>";
    for (const auto& col : t.columns) {
      h += std::string(col.numeric ? "<th class=\"num\">" : "<th>") + html_escape(col.header) + "</th>";
    }
    h += "</tr></thead>\n<tbody>\n";
    for (size_t r = 0; r < t.rows.size(); ++r) {
      const bool rule = r > 0 && std::find(t.rules.begin(), t.rules.end(), r) != t.rules.end();
      h += rule ? "<tr class=\"rule\">" : "<tr>";
      for (size_t c = 0; c < t.columns.size(); ++c) h += cell(t.rows[r][c], t.columns[c]);
      h += "</tr>\n";
    }
    h += "</tbody>\n</table>\n";
    for (const auto& note : t.notes) h += "<p class=\"note\">" + html_escape(note) + "</p>\n";
    return h;
  }

 private:
  static std::string cell(const TableCell& c, const TableColumn& col) {
    const std::string open = col.numeric ? "<td class=\"num" : "<td class=\"txt";
    switch (c.kind) {
      case TableCell::Kind::kEmpty: return open + "\"></td>";
      case TableCell::Kind::kText: return open + "\">" + html_escape(c.text) + "</td>";
      case TableCell::Kind::kNumber: break;
    }
    char v[40];
    std::snprintf(v, sizeof v, "%.17g", c.value);
    std::string s = display_number(c.value, col.format);
    if (c.best) s = "<strong>" + s + "</strong>";
    if (c.spread) s += " <span class=\"sd\">&plusmn;&nbsp;" + display_number(*c.spread, col.format) + "</span>";
    return open + (c.best ? " best" : "") + "\" data-v=\"" + (std::isfinite(c.value) ? v : "") + "\">" + s + "</td>";
  }
};

}  // namespace

std::unique_ptr<TableFormat> make_html_format() { return std::make_unique<HtmlFormat>(); }

}  // namespace gauntlet
