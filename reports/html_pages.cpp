#include "reports/html_pages.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "reports/table.hpp"

namespace gauntlet {

using nlohmann::json;

namespace {

const char* const kStyle = R"CSS(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1d1d1f;background:#fff;line-height:1.45}
header{background:#0b3954;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:1.5em;word-break:break-word}
header p{margin:4px 0 0;opacity:.85}
nav{background:#f1f4f7;padding:8px 24px;border-bottom:1px solid #d8dee4;position:sticky;top:0;z-index:2}
nav a{margin-right:16px;color:#0b3954;text-decoration:none;font-weight:600}
main{padding:8px 24px 40px;max-width:1400px}
h2{border-bottom:2px solid #0072B2;padding-bottom:3px;margin-top:32px}
h3{margin-bottom:6px}
.scroll{overflow-x:auto}
table.gt{border-collapse:collapse;font-size:.9em;margin:6px 0}
table.gt caption{text-align:left;font-weight:600;padding:4px 0;color:#444}
table.gt th,table.gt td{padding:4px 9px;border-bottom:1px solid #e3e6ea;white-space:nowrap}
table.gt thead th{background:#eef2f6;border-bottom:2px solid #9aa7b4;text-align:left}
table.gt th.num,table.gt td.num{text-align:right;font-variant-numeric:tabular-nums}
table.gt tbody tr:nth-child(even){background:#fafbfc}
table.gt tr.rule td{border-top:2px solid #9aa7b4}
table.gt td.best{background:#e3f1fa}
table.gt .sd{color:#666;font-size:.9em}
.sortable th{cursor:pointer;user-select:none}
.sortable th:after{content:" \2195";color:#aaa;font-size:.8em}
.sortable th[data-dir=asc]:after{content:" \25B2";color:#0072B2}
.sortable th[data-dir=desc]:after{content:" \25BC";color:#0072B2}
p.note{color:#555;font-size:.85em;margin:2px 0}
.files{font-size:.85em;color:#555}
.files a{margin-right:8px}
.figs{display:flex;flex-wrap:wrap;gap:18px}
figure{margin:0;border:1px solid #e3e6ea;padding:8px;background:#fff;max-width:100%}
figure img{max-width:100%;height:auto;display:block}
figure.wide img{max-width:1140px;width:100%}
figcaption{font-size:.85em;color:#444;max-width:640px}
.warn{background:#fff4d6;border:1px solid #e6c35c;padding:8px 12px}
.failed{color:#b00020;font-weight:600}
pre{background:#f6f8fa;padding:10px;overflow-x:auto;font-size:.85em;max-height:480px}
dl.kv{display:grid;grid-template-columns:max-content auto;gap:2px 16px}
dl.kv dt{font-weight:600}
dl.kv dd{margin:0;word-break:break-word}
)CSS";

// Sorts a .sortable table by a clicked header: numbers by their data-v, text alphabetically,
// empty cells last; a second click reverses.
const char* const kScript = R"JS(
document.querySelectorAll('.sortable table').forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    th.title = 'sort';
    th.addEventListener('click', function () {
      var dir = th.getAttribute('data-dir') === 'desc' ? 'asc' : 'desc';
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('data-dir'); });
      th.setAttribute('data-dir', dir);
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function key(row) {
        var c = row.cells[col];
        var v = c.getAttribute('data-v');
        if (v !== null && v !== '') return {n: parseFloat(v)};
        var t = c.textContent.trim();
        return t === '' ? null : {t: t};
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === null || y === null) return (x === null) - (y === null);
        var r = ('n' in x && 'n' in y) ? x.n - y.n : String(x.t || x.n).localeCompare(String(y.t || y.n));
        return dir === 'asc' ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
)JS";

std::string esc(const std::string& s) { return html_escape(s); }

std::string page(const std::string& title, const std::string& heading, const std::string& subtitle,
                 const std::string& nav, const std::string& body, bool script) {
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta name=\"generator\" content=\"gauntlet report\">\n<title>" +
                  esc(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<header><h1>" +
                  esc(heading) + "</h1><p>" + esc(subtitle) + "</p></header>\n<nav>" + nav + "</nav>\n<main>\n" + body +
                  "</main>\n";
  if (script) h += std::string("<script>") + kScript + "</script>\n";
  return h + "</body>\n</html>\n";
}

std::string table_block(const TableBlock& t) {
  std::string files;
  for (const auto& [fmt, path] : t.files) files += "<a href=\"" + esc(path) + "\">" + esc(fmt) + "</a>";
  std::string inner = std::string("<div class=\"scroll") + (t.sortable ? " sortable" : "") + "\">\n" + t.html +
                      "</div>\n" + (files.empty() ? "" : "<p class=\"files\">files: " + files + "</p>\n");
  if (t.open) return inner;
  return "<details><summary>" + esc(t.title) + "</summary>\n" + inner + "</details>\n";
}

std::string figures_block(const PageFigures& f, const std::string& only_prefix = "") {
  if (!f.note.empty()) return "<p class=\"warn\">Figures not drawn: " + esc(f.note) + "</p>\n";
  std::string h = "<div class=\"figs\">\n";
  int shown = 0;
  for (const auto& fig : f.figures) {
    if (!only_prefix.empty() && fig.stem.rfind(only_prefix, 0) != 0) continue;
    ++shown;
    if (!fig.drawn) {
      h += "<p class=\"warn\">Not drawn: " + esc(fig.caption) + " (see " + esc(f.folder + fig.stem) + ".gp)</p>\n";
      continue;
    }
    // SVG when drawn (sharp at any size), else PNG.
    const bool svg = std::find(f.formats.begin(), f.formats.end(), "svg") != f.formats.end();
    const std::string src = f.folder + fig.stem + (svg ? ".svg" : ".png");
    h += std::string("<figure") + (fig.stem == "learning_curves" ? " class=\"wide\"" : "") + "><a href=\"" +
         esc(src) + "\"><img src=\"" + esc(src) + "\" alt=\"" + esc(fig.caption) + "\"></a>\n<figcaption>" +
         esc(fig.caption) + "<br><span class=\"files\">";
    for (const auto& x : f.formats) h += "<a href=\"" + esc(f.folder + fig.stem + "." + x) + "\">" + esc(x) + "</a>";
    h += "<a href=\"" + esc(f.folder + fig.stem) + ".gp\">gp</a><a href=\"" + esc(f.folder + fig.stem) +
         ".dat\">dat</a></span></figcaption></figure>\n";
  }
  h += "</div>\n";
  return shown ? h : "";
}

std::string json_text(const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

// key -> the distinct values the cells recorded, in cell order.
std::string env_block(const std::vector<const ReportCell*>& cells) {
  std::map<std::string, std::vector<std::string>> values;
  for (const auto* c : cells) {
    if (!c->result.contains("env") || !c->result.at("env").is_object()) continue;
    for (const auto& [k, v] : c->result.at("env").items()) {
      auto& list = values[k];
      const std::string s = json_text(v);
      if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
    }
  }
  if (values.empty()) return "<p>The results record no environment.</p>\n";
  std::string h = "<dl class=\"kv\">\n";
  for (const auto& [k, list] : values) {
    std::string joined;
    for (const auto& s : list) joined += (joined.empty() ? "" : " | ") + s;
    h += "<dt>" + esc(k) + "</dt><dd>" + esc(joined) + (list.size() > 1 ? " (differs between cells)" : "") + "</dd>\n";
  }
  return h + "</dl>\n";
}

std::string suite_block(const ReportData& d) {
  // The axes as the cells resolved them, then the settings every cell shares (the first ok cell's).
  std::string h = "<h3>Axes</h3>\n<div class=\"scroll\"><table class=\"gt\"><thead><tr><th>axis</th><th>label</th>"
                  "<th>resolved value</th></tr></thead><tbody>\n";
  const std::vector<std::string> axes{"backbone", "augmentation", "loss", "optimizer"};
  for (size_t a = 0; a < axes.size(); ++a) {
    std::set<std::string> seen;
    for (const auto& c : d.cells) {
      if (!seen.insert(c.labels[a]).second) continue;
      const json& cfg = c.result.at("config");
      h += "<tr><td class=\"txt\">" + esc(axes[a]) + "</td><td class=\"txt\">" + esc(c.labels[a]) +
           "</td><td class=\"txt\"><code>" + esc(cfg.contains(axes[a]) ? cfg.at(axes[a]).dump() : "") +
           "</code></td></tr>\n";
    }
  }
  std::set<int64_t> seeds;
  for (const auto& c : d.cells) seeds.insert(c.seed);
  std::string seed_list;
  for (int64_t s : seeds) seed_list += (seed_list.empty() ? "" : ", ") + std::to_string(s);
  h += "<tr><td class=\"txt\">seeds</td><td class=\"txt\">" + esc(seed_list) + "</td><td></td></tr>\n";
  h += "</tbody></table></div>\n";
  json common = d.cells.front().result.at("config");
  for (const auto& c : d.cells) {
    if (c.ok) {
      common = c.result.at("config");
      break;
    }
  }
  for (const char* k : {"backbone", "augmentation", "loss", "optimizer", "labels", "seed"}) common.erase(k);
  h += "<h3>Shared settings</h3>\n<pre>" + esc(common.dump(2)) + "</pre>\n";
  return h;
}

std::string cell_link(const CellPage& p) { return "cells/" + p.cell->slug + ".html"; }

}  // namespace

std::string index_page(const ReportData& d, const std::vector<TableBlock>& tables, const PageFigures& figures,
                       const std::vector<CellPage>& cells) {
  const std::string nav =
      "<a href=\"#leaderboard\">Leaderboard</a><a href=\"#ranking\">Ranking</a><a href=\"#figures\">Figures</a>"
      "<a href=\"#cells\">Cells</a><a href=\"#environment\">Environment</a><a href=\"#suite\">Suite</a>";
  std::string body;
  body += "<section id=\"leaderboard\">\n<h2>Leaderboard</h2>\n<p class=\"note\">Click a column header to sort.</p>\n";
  std::string ranking;
  for (const auto& t : tables) {
    if (t.html.find("id=\"t-ranking\"") != std::string::npos) ranking += table_block(t);
    else body += table_block(t);
  }
  body += "</section>\n<section id=\"ranking\">\n<h2>Ranking: clean vs shifted</h2>\n" + ranking + "</section>\n";
  body += "<section id=\"figures\">\n<h2>Figures</h2>\n" + figures_block(figures) + "</section>\n";
  body += "<section id=\"cells\">\n<h2>Cells</h2>\n<div class=\"scroll\"><table class=\"gt\"><thead><tr><th>cell</th>"
          "<th>seed</th><th>status</th><th>cell id</th></tr></thead><tbody>\n";
  for (const auto& p : cells) {
    const ReportCell& c = *p.cell;
    std::string title;
    for (const auto& l : c.labels) title += (title.empty() ? "" : "/") + l;
    body += "<tr><td class=\"txt\"><a href=\"" + esc(cell_link(p)) + "\">" + esc(title) + "</a></td><td class=\"num\">" +
            std::to_string(c.seed) + "</td><td class=\"txt\">" +
            (c.ok ? std::string("ok") : "<span class=\"failed\">failed</span>: " + esc(c.result.value("error", ""))) +
            "</td><td class=\"txt\"><code>" + esc(c.result.value("cell_id", "")) + "</code></td></tr>\n";
  }
  body += "</tbody></table></div>\n</section>\n";
  std::vector<const ReportCell*> all;
  for (const auto& c : d.cells) all.push_back(&c);
  body += "<section id=\"environment\">\n<h2>Environment</h2>\n" + env_block(all) + "</section>\n";
  body += "<section id=\"suite\">\n<h2>Suite</h2>\n" + suite_block(d) + "</section>\n";
  const std::string subtitle = std::to_string(d.cells.size()) + " cell(s), " + std::to_string(d.groups.size()) +
                               " combination(s), " + std::to_string(d.classes.size()) + " classes";
  return page("gauntlet report: " + d.suite, "gauntlet report: " + d.suite, subtitle, nav, body, true);
}

namespace {

// What each image `run` stores in <cell>/explain/ shows (harness/explain.cpp, harness/previews.cpp);
// any other file keeps its name as caption.
std::string explain_caption(const std::string& name) {
  static const std::map<std::string, std::string> captions{
      {"augmentation_preview.png",
       "Augmentation preview: the first training image of each class, then the cell's pipeline as the loader "
       "drew it in epochs 0-5 (MixUp / CutMix mix whole batches and are not shown)"},
      {"corruption_preview.png", "Corruption preview: test image 0 as each corrupted hold-out gave it to the model"},
      {"profile_preview.png", "Profile preview: the first test images, clean and as each shifted profile gave them"},
      {"grid.png", "Saliency (max |gradient| over channels) and Grad-CAM of the first test images of each class"},
  };
  const auto it = captions.find(name);
  return it == captions.end() ? name : it->second + " (" + name + ")";
}

}  // namespace

std::string cell_page(const ReportData& d, const CellPage& p) {
  const ReportCell& c = *p.cell;
  const std::string nav = "<a href=\"../index.html\">&larr; Suite " + esc(d.suite) +
                          "</a><a href=\"#figures\">Figures</a><a href=\"#tables\">Tables</a>" +
                          (p.explain.empty() ? "" : "<a href=\"#explain\">Explanations</a>") +
                          "<a href=\"#config\">Config</a><a href=\"#environment\">Environment</a>";
  std::string body = "<section id=\"status\">\n<h2>Summary</h2>\n<dl class=\"kv\">\n";
  auto kv = [&](const std::string& k, const std::string& v) { body += "<dt>" + esc(k) + "</dt><dd>" + esc(v) + "</dd>\n"; };
  kv("cell id", c.result.value("cell_id", ""));
  kv("status", c.result.value("status", ""));
  if (!c.ok) kv("error", c.result.value("error", ""));
  if (c.ok) {
    kv("clean accuracy", display_number(c.number("/eval/clean/accuracy"), {100.0, 2, false}) + " %");
    if (c.result.contains("history")) kv("epochs", std::to_string(c.result.at("history").size()));
    const double t = c.number("/timing/train_seconds");
    if (std::isfinite(t)) kv("training time", display_number(t, {1.0, 1, false}) + " s");
    const double params = c.number("/model/parameters");
    if (std::isfinite(params)) kv("parameters", display_number(params, {1.0, 0, true}));
    const double flops = c.number("/model/flops");
    if (std::isfinite(flops)) kv("FLOPs", display_number(flops, {1.0, 0, true}));
  }
  body += "</dl>\n</section>\n";
  body += "<section id=\"figures\">\n<h2>Figures</h2>\n" + figures_block(p.figures) + "</section>\n";
  body += "<section id=\"tables\">\n<h2>Tables</h2>\n";
  for (const auto& t : p.tables) body += table_block(t);
  body += "</section>\n";
  if (!p.explain.empty()) {
    body += "<section id=\"explain\">\n<h2>Explanations</h2>\n<div class=\"figs\">\n";
    for (const auto& img : p.explain) {
      const std::string name = img.substr(img.rfind('/') + 1);
      body += "<figure><a href=\"" + esc(img) + "\"><img src=\"" + esc(img) + "\" alt=\"" + esc(name) +
              "\"></a><figcaption>" + esc(explain_caption(name)) + "</figcaption></figure>\n";
    }
    body += "</div>\n</section>\n";
  }
  body += "<section id=\"config\">\n<h2>Resolved config</h2>\n<pre>" +
          esc(c.result.contains("config") ? c.result.at("config").dump(2) : "{}") + "</pre>\n";
  if (c.result.contains("dataset")) {
    json ds = c.result.at("dataset");
    body += "<h3>Dataset</h3>\n<pre>" + esc(ds.dump(2)) + "</pre>\n";
  }
  body += "</section>\n<section id=\"environment\">\n<h2>Environment</h2>\n" + env_block({&c}) + "</section>\n";
  return page(d.suite + ": " + c.title(), c.title(), "suite " + d.suite, nav, body, false);
}

}  // namespace gauntlet
