// GitHub Markdown (CommonMark tables): the best value of a column in bold, "mean ± sd", notes as
// paragraphs under the table.
#include "reports/table.hpp"

#include <cctype>

namespace gauntlet {
namespace {

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

}  // namespace

// Text that CommonMark shows as written: table pipes, emphasis, links, raw HTML and entities are
// backslash-escaped; '_' only where it could open or close emphasis (not inside a word such as
// cross_entropy, which CommonMark never emphasizes); line breaks and control characters become
// spaces, as a table row is one line.
std::string markdown_escape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += ' ';
    } else if (c == '_') {
      const bool inside = i > 0 && i + 1 < s.size() && alnum(s[i - 1]) && alnum(s[i + 1]);
      out += inside ? "_" : "\\_";
    } else if (std::string("\\`*[]<>|&~!#").find(c) != std::string::npos) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

std::string md_text(const std::string& s) { return markdown_escape(s); }

class MarkdownFormat : public TableFormat {
 public:
  std::string name() const override { return "md"; }
  std::string extension() const override { return ".md"; }

  std::string render(const Table& t) const override {
    std::string md = "|";
    std::string rule = "|";
    for (const auto& col : t.columns) {
      md += " " + md_text(col.header) + " |";
      rule += col.numeric ? "---:|" : "---|";
    }
    md += "\n" + rule + "\n";
    for (const auto& row : t.rows) {
      md += "|";
      for (size_t c = 0; c < t.columns.size(); ++c) md += " " + cell(row[c], t.columns[c].format) + " |";
      md += "\n";
    }
    for (const auto& note : t.notes) md += "\n" + md_text(note) + "\n";
    return md;
  }

 private:
  static std::string cell(const TableCell& c, const NumberFormat& f) {
    switch (c.kind) {
      case TableCell::Kind::kEmpty: return "";
      case TableCell::Kind::kText: return md_text(c.text);
      case TableCell::Kind::kNumber: break;
    }
    std::string s = display_number(c.value, f);
    if (c.spread) s += " ± " + display_number(*c.spread, f);
    return c.best ? "**" + s + "**" : s;
  }
};

}  // namespace

std::unique_ptr<TableFormat> make_markdown_format() { return std::make_unique<MarkdownFormat>(); }

}  // namespace gauntlet
