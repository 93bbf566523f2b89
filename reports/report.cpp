#include "reports/report.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "harness/core/atomic_file.hpp"
#include "reports/gnuplot.hpp"
#include "reports/html_pages.hpp"
#include "reports/report_data.hpp"
#include "reports/report_figures.hpp"
#include "reports/report_tables.hpp"
#include "reports/table.hpp"

namespace gauntlet {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> parse_report_formats(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, comma - start);
    const auto& known = table_format_names();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      throw std::invalid_argument("unknown report format \"" + name + "\" in \"" + list +
                                  "\" (expected a comma-separated list of md, html, tex, csv)");
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    start = comma + 1;
  }
  return out;
}

std::string report_folder_name(const std::string& suite) {
  std::string out;
  for (char c : suite) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '-' || c == '_';
    out += safe ? c : '_';
  }
  if (out.empty() || out[0] == '.' || out[0] == '-' || out[0] == '_') out = "suite" + out;
  return out;
}

namespace {

// Writes `t` in every requested format into <root>/<folder>; returns the block a page shows, with
// file links through `link_folder` (the same folder as seen from the page).
class TableWriter {
 public:
  TableWriter(const StagedFolder& root, const std::vector<std::string>& formats) : root_(root) {
    for (const auto& f : formats) formats_.push_back(make_table_format(f));
  }

  TableBlock write(const Table& t, const std::string& folder, const std::string& link_folder) {
    TableBlock b;
    b.title = t.title;
    b.html = html_.render(t);
    for (const auto& f : formats_) {
      const std::string file = t.name + f->extension();
      root_.write(folder + "/" + file, f->render(t));
      b.files.push_back({f->name(), link_folder + "/" + file});
      ++count;
    }
    return b;
  }

  int count = 0;

 private:
  const StagedFolder& root_;
  std::vector<std::unique_ptr<TableFormat>> formats_;
  std::unique_ptr<TableFormat> html_owner_ = make_html_format();
  const TableFormat& html_ = *html_owner_;
};

bool has_format(const ReportOptions& o, const std::string& f) {
  return std::find(o.formats.begin(), o.formats.end(), f) != o.formats.end();
}

// The run folder's explain/ images (saliency, Grad-CAM: drawn at evaluation time), copied beside the
// cell page so that the report folder stands alone. Names are reduced to safe characters.
std::vector<std::string> copy_explain_images(const ReportCell& c, const StagedFolder& stage, const std::string& dest,
                                             const std::string& prefix) {
  std::vector<std::string> out;
  const fs::path src = fs::path(c.dir) / "explain";
  std::error_code ec;
  if (!fs::is_directory(src, ec)) return out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(src, ec)) {
    std::string ext = e.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (e.is_regular_file() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".svg" || ext == ".webp")) {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::set<std::string> used;
  for (const auto& f : files) {
    std::string name;
    for (char ch : f.filename().string()) {
      const bool safe = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                        ch == '.' || ch == '-' || ch == '_';
      name += safe ? ch : '_';
    }
    if (name[0] == '.') name = "_" + name;
    while (!used.insert(name).second) name = "_" + name;
    stage.write(dest + "/" + name, read_file(f.string()));
    out.push_back(prefix + name);
  }
  return out;
}

}  // namespace

ReportOutput write_report(const std::string& runs_dir, const std::string& report_dir, const ReportOptions& o) {
  const ReportData d = load_report_data(runs_dir);
  ReportOutput out;
  out.dir = report_dir;
  const bool html = has_format(o, "html");
  // Hundreds of small files: written into a staging folder, flushed once, swapped in whole.
  StagedFolder stage(report_dir);
  const fs::path root(stage.path());
  TableWriter tables(stage, o.formats);

  // summary.md: the per-cell leaderboard, what `run` prints.
  const Table per_seed = leaderboard_table(d, true);
  out.summary_markdown = make_markdown_format()->render(per_seed);
  out.summary_path = (fs::path(report_dir) / "summary.md").string();
  stage.write("summary.md", "# " + markdown_escape(d.suite) + "\n\n" + out.summary_markdown);

  std::vector<TableBlock> index_tables;
  if (d.multi_seed) {
    index_tables.push_back(tables.write(leaderboard_table(d, false), "tables", "tables"));
    index_tables.back().sortable = true;
  }
  index_tables.push_back(tables.write(per_seed, "tables", "tables"));
  index_tables.back().sortable = true;
  index_tables.back().open = !d.multi_seed;
  index_tables.push_back(tables.write(ranking_table(d), "tables", "tables"));

  std::unique_ptr<FigureWriter> figures;
  if (o.figures) {
    figures = std::make_unique<FigureWriter>();
    if (!figures->unavailable().empty()) out.warnings.push_back(figures->unavailable());
  }
  PageFigures suite_figs;
  suite_figs.folder = "figures/";
  if (figures) {
    suite_figs.figures = suite_figures(d, (root / "figures").string(), *figures, out.warnings);
    suite_figs.formats = figures->formats();
    suite_figs.note = figures->unavailable();
  } else {
    suite_figs.note = "figures were turned off (--no-figures)";
  }

  std::vector<CellPage> pages;
  for (const auto& c : d.cells) {
    CellPage p;
    p.cell = &c;
    const std::string folder = "cells/" + c.slug;
    const std::string from_page = c.slug + "/";  // cells/<slug>.html links cells/<slug>/...
    if (c.ok) {
      const Table ct = corruption_table(d, c);
      if (!ct.rows.empty()) p.tables.push_back(tables.write(ct, folder + "/tables", from_page + "tables"));
      std::vector<std::string> holdouts{"clean"};
      holdouts.insert(holdouts.end(), d.shifted_holdouts.begin(), d.shifted_holdouts.end());
      for (const auto& cor : d.corruptions) {
        for (int s : cor.severities) holdouts.push_back("c." + cor.name + "." + std::to_string(s));
      }
      for (size_t i = 0; i < holdouts.size(); ++i) {
        const json* e = c.eval(holdouts[i]);
        if (e == nullptr || !e->contains("per_class")) continue;
        p.tables.push_back(tables.write(per_class_table(d, c, holdouts[i]), folder + "/tables", from_page + "tables"));
        // Clean and shifted hold-outs shown; each corrupted one folded.
        p.tables.back().open = holdouts[i][0] != 'c';
      }
    }
    p.figures.folder = from_page + "figures/";
    if (figures) {
      p.figures.figures = cell_figures(d, c, (root / folder / "figures").string(), *figures, out.warnings);
      p.figures.formats = figures->formats();
      p.figures.note = figures->unavailable();
    } else {
      p.figures.note = suite_figs.note;
    }
    p.explain = copy_explain_images(c, stage, folder + "/explain", from_page + "explain/");
    pages.push_back(std::move(p));
  }
  out.tables = tables.count;
  if (figures) {
    for (const auto& f : suite_figs.figures) out.figures += f.drawn ? 1 : 0;
    for (const auto& p : pages) {
      for (const auto& f : p.figures.figures) out.figures += f.drawn ? 1 : 0;
    }
  }
  if (html) {
    out.index_path = (fs::path(report_dir) / "index.html").string();
    stage.write("index.html", index_page(d, index_tables, suite_figs, pages));
    for (const auto& p : pages) stage.write("cells/" + p.cell->slug + ".html", cell_page(d, p));
  }
  stage.commit();
  return out;
}

}  // namespace gauntlet
