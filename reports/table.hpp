// A neutral table model and the reporter interface that renders it: one TableFormat subclass per
// output format, one file each (format_markdown.cpp, format_latex.cpp, format_csv.cpp,
// format_html.cpp), so that adding a format adds a file and one line in make_table_format.
//
// Report code builds a Table (reports/report_tables.cpp) and never formats numbers or escapes text
// itself: a cell carries the number, its spread and whether it is the best of its column; the format
// decides how that looks (bold in Markdown, \textbf in LaTeX, <strong> in HTML, nothing in CSV,
// where a spread becomes a column of its own). Every string in a Table is plain text from result
// files (class names, cell labels): the formats escape it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet {

/// How a column's numbers are shown: value * scale with `decimals` digits, or with an SI suffix
/// (81.9k, 11.2M) for counts such as parameters and FLOPs.
struct NumberFormat {
  double scale = 1.0;
  int decimals = 2;
  bool si = false;
};

/// Which way is better in a column, for the best-in-column mark; kNone marks nothing.
enum class Better { kNone, kHigher, kLower };

struct TableColumn {
  std::string header;
  NumberFormat format;
  Better better = Better::kNone;
  bool numeric = true;  ///< right-aligned; text columns are left-aligned
};

struct TableCell {
  enum class Kind { kEmpty, kText, kNumber };
  Kind kind = Kind::kEmpty;
  std::string text;               ///< kText
  double value = 0.0;             ///< kNumber, unscaled
  std::optional<double> spread;   ///< "value ± spread" (a standard deviation), unscaled
  bool best = false;              ///< set by Table::mark_best

  static TableCell empty() { return {}; }
  static TableCell of_text(std::string s);
  static TableCell of_number(double v);
  static TableCell of_number(double v, double sd);
};

struct Table {
  std::string name;                ///< file stem, e.g. "leaderboard"
  std::string title;               ///< one line: a caption
  std::vector<std::string> notes;  ///< sentences shown under the table (not in CSV)
  std::vector<TableColumn> columns;
  std::vector<std::vector<TableCell>> rows;  ///< each as long as columns
  std::vector<size_t> rules;       ///< row indices with a separator line above them (LaTeX \midrule)

  /// Flags, in every column whose `better` is not kNone, the cells whose value as displayed
  /// (rounded to the column's format) is the best; ties are all flagged. Flags nothing in a column
  /// with fewer than two numbers or where every number ties.
  void mark_best();
};

/// `value` as column format `f` displays it: "87.35", "-1.20", "81.9k", "11.2M".
std::string display_number(double value, const NumberFormat& f);

/// The reporter interface: one subclass per format.
class TableFormat {
 public:
  virtual ~TableFormat() = default;
  /// The name --format takes: md, tex, csv, html.
  virtual std::string name() const = 0;
  /// File extension with its dot: ".md".
  virtual std::string extension() const = 0;
  /// The table as a complete file of this format (LaTeX: a booktabs tabular ready for \input;
  /// HTML: a <table> fragment with a class, for embedding in a page).
  virtual std::string render(const Table& table) const = 0;
};

std::unique_ptr<TableFormat> make_markdown_format();
std::unique_ptr<TableFormat> make_latex_format();
std::unique_ptr<TableFormat> make_csv_format();
std::unique_ptr<TableFormat> make_html_format();

/// Every format name, in the order --format lists them: md, html, tex, csv.
const std::vector<std::string>& table_format_names();

/// The format named `name`; throws std::invalid_argument listing the names for any other.
std::unique_ptr<TableFormat> make_table_format(const std::string& name);

/// Text that CommonMark shows as written, on one line (the Markdown format's escaping).
std::string markdown_escape(const std::string& s);

/// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(const std::string& s);

}  // namespace gauntlet
