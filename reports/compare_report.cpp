#include "reports/compare_report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "harness/core/atomic_file.hpp"
#include "reports/gnuplot.hpp"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string fixed(double v) { return format("%.4f", v); }
std::string signed4(double v) { return format("%+.4f", v); }
std::string pvalue(double p) { return p >= 0.001 ? format("%.3f", p) : format("%.1e", p); }

// Markdown table cells cannot hold '|' or newlines.
std::string cell_text(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string join(const json& list) {
  std::string s;
  for (const auto& v : list) s += (s.empty() ? "" : ",") + v.get<std::string>();
  return s;
}

std::string plural(int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string class_name(const json& group, int64_t k) {
  const json& classes = group.at("classes");
  if (k >= 0 && static_cast<size_t>(k) < classes.size() && classes[k].is_string()) {
    return classes[k].get<std::string>() + " (" + std::to_string(k) + ")";
  }
  return std::to_string(k);
}

std::string group_label(const json& g) {
  const size_t seeds = g.at("seeds").size();
  std::string s = g.at("title").get<std::string>();
  if (seeds == 1) {
    const json& pair = g.at("pairs")[0];
    const int64_t bs = pair["base"]["seed"], cs = pair["candidate"]["seed"];
    const bool same_labels = g.at("base_labels") == g.at("candidate_labels");
    const std::string seeds =
        bs == cs ? std::to_string(bs) : std::to_string(bs) + "->" + std::to_string(cs);
    s += same_labels ? "/seed" + seeds : " (seed " + seeds + ")";
  } else {
    s += " (" + std::to_string(seeds) + " seeds)";
  }
  return s;
}

// Counts for the verdict line.
struct Tally {
  int64_t groups = 0, seed_groups = 0, holdouts = 0, regressions = 0, improvements = 0;
};

Tally tally(const json& doc) {
  Tally t;
  for (const auto& g : doc.at("groups")) {
    ++t.groups;
    if (g.at("seeds").size() > 1) ++t.seed_groups;
    for (const auto& h : g.at("holdouts")) {
      ++t.holdouts;
      const std::string v = h.at("verdict");
      t.regressions += v == "regression";
      t.improvements += v == "improvement";
    }
  }
  return t;
}

std::string verdict_text(const json& doc, bool markdown) {
  const Tally t = tally(doc);
  const std::string b = markdown ? "**" : "";
  std::string of = " of " + plural(t.holdouts, "hold-out", "hold-outs") + " of " +
                   plural(t.groups, "cell pair", "cell pairs");
  if (t.seed_groups > 0) of += " (" + std::to_string(t.seed_groups) + " of them seed groups)";
  const size_t failures = doc.contains("candidate_failures") ? doc.at("candidate_failures").size() : 0;
  if (failures > 0) {
    return b + "Regression" + b + ": " + plural(static_cast<int64_t>(failures), "candidate cell", "candidate cells") +
           " failed where the base succeeded; " + std::to_string(t.regressions) + of + " regressed";
  }
  if (t.regressions > 0) {
    std::string s = b + "Regression" + b + ": " + std::to_string(t.regressions) + of;
    if (t.improvements > 0) s += "; " + std::to_string(t.improvements) + " improved";
    return s;
  }
  if (t.improvements > 0) {
    return b + "Improvement" + b + ": " + std::to_string(t.improvements) + of + ", no regression";
  }
  return b + "No evidence of change" + b + ": 0" + of +
         " moved beyond the tolerance with significance";
}

}  // namespace

std::string compare_verdict_line(const json& doc) { return verdict_text(doc, false); }

std::string compare_markdown(const json& doc) {
  const json& o = doc.at("options");
  std::ostringstream md;
  md << verdict_text(doc, true) << "\n\n";
  if (doc.contains("candidate_failures")) {
    for (const auto& f : doc.at("candidate_failures")) {
      md << "- **candidate failed**: " << cell_text(f.at("candidate").at("title").get<std::string>())
         << " [" << f.at("candidate").at("cell").get<std::string>()
         << "]: " << cell_text(f.at("candidate").at("error").get<std::string>()) << " (base "
         << f.at("base").at("cell").get<std::string>() << " succeeded)\n";
    }
    if (!doc.at("candidate_failures").empty()) md << "\n";
  }
  md << "Base `" << doc.at("base").get<std::string>() << "` vs candidate `"
     << doc.at("candidate").get<std::string>() << "`; cells matched on "
     << cell_text(join(o.at("match")))
     << (o.at("map").is_null() ? "" : " and the map `" + o.at("map").get<std::string>() + "`")
     << "; tolerance " << o.at("tolerance").get<double>() << ", alpha "
     << o.at("alpha").get<double>() << ", " << o.at("resamples").get<int64_t>()
     << " bootstrap resamples (seed " << o.at("seed").get<uint64_t>() << ").\n\n";

  md << "| cell | hold-out | base acc | cand acc | delta | 95% CI | McNemar p (Holm) | macro F1 "
        "delta | verdict |\n"
        "|---|---|---:|---:|---:|---|---:|---:|---|\n";
  for (const auto& g : doc.at("groups")) {
    const std::string label = cell_text(group_label(g));
    for (const auto& h : g.at("holdouts")) {
      const std::string v = h.at("verdict");
      std::string delta = signed4(h.at("delta").get<double>());
      if (!h.at("delta_sd").is_null())
        delta += " (sd " + fixed(h.at("delta_sd").get<double>()) + ")";
      if (v != "no evidence") delta = "**" + delta + "**";
      const json& ci = h.at("ci");
      md << "| " << label << " | " << cell_text(h.at("holdout").get<std::string>()) << " | "
         << fixed(h.at("base_accuracy").get<double>()) << " | "
         << fixed(h.at("candidate_accuracy").get<double>()) << " | " << delta << " | ["
         << signed4(ci[0].get<double>()) << ", " << signed4(ci[1].get<double>()) << "] | "
         << pvalue(h.at("mcnemar").at("p_holm").get<double>()) << " | "
         << signed4(h.at("macro_f1").at("delta").get<double>()) << " | "
         << (v == "no evidence" ? v : "**" + v + "**") << " |\n";
    }
  }
  md << "\ndelta = candidate - base accuracy (mean over seeds for seed groups). A hold-out is a "
        "**regression** when delta < -tolerance, its McNemar p-value, Holm-corrected over the "
        "hold-outs of its cell pair, is < alpha, and the whole 95% CI is below 0; an "
        "**improvement** likewise above; otherwise there is no evidence of a change.\n";

  bool header = false;
  for (const auto& g : doc.at("groups")) {
    for (const auto& h : g.at("holdouts")) {
      if (h.at("verdict") != "regression") continue;
      if (!header) {
        md << "\n### Class pairs that degraded most (true -> predicted, confusion count base -> "
              "candidate)\n\n";
        header = true;
      }
      md << "- " << cell_text(group_label(g)) << ", " << h.at("holdout").get<std::string>() << ": ";
      const json& grown = h.at("confusion_growth");
      if (grown.empty()) md << "no class pair grew";
      for (size_t i = 0; i < grown.size(); ++i) {
        const json& p = grown[i];
        md << (i ? "; " : "") << class_name(g, p.at("true")) << " -> "
           << class_name(g, p.at("pred")) << " +" << p.at("growth").get<int64_t>() << " ("
           << p.at("base").get<int64_t>() << " -> " << p.at("candidate").get<int64_t>() << ")";
      }
      md << "\n";
    }
  }

  // What differs inside the pairs: config paths with both values, data and code versions. One
  // line per distinct difference of a group (pairs of one group usually differ alike).
  std::vector<std::string> diff_lines;
  for (const auto& g : doc.at("groups")) {
    std::vector<std::string> seen;
    for (const auto& pr : g.at("pairs")) {
      if (!pr.contains("differences")) continue;
      const json& d = pr.at("differences");
      std::vector<std::string> lines;
      for (const auto& c : d.at("config")) {
        lines.push_back("`" + c.at("path").get<std::string>() + "`: " + c.at("base").dump() +
                        " -> " + c.at("candidate").dump());
      }
      for (const auto& o : d.at("other")) {
        lines.push_back(o.at("what").get<std::string>() + ": " + o.at("base").dump() + " -> " +
                        o.at("candidate").dump());
      }
      for (const auto& l : lines) {
        if (std::find(seen.begin(), seen.end(), l) == seen.end()) seen.push_back(l);
      }
    }
    for (const auto& l : seen) diff_lines.push_back("- " + cell_text(group_label(g)) + ": " + cell_text(l));
  }
  md << "\n### What differs between paired cells\n\n";
  if (diff_lines.empty()) md << "Nothing: configs, data and code versions are identical.\n";
  for (const auto& l : diff_lines) md << l << "\n";

  const json& un = doc.at("unmatched");
  const json& failed = doc.at("failed");
  bool one_sided = false;
  for (const auto& g : doc.at("groups"))
    one_sided = one_sided || !g.at("one_sided_holdouts").empty();
  md << "\n### Not compared\n\n";
  if (un.at("base").empty() && un.at("candidate").empty() && !one_sided &&
      failed.at("base").empty() && failed.at("candidate").empty()) {
    md << "Every cell and hold-out was matched.\n";
  }
  for (const char* side : {"base", "candidate"}) {
    for (const auto& c : un.at(side)) {
      md << "- unmatched " << side << " cell: " << cell_text(c.at("title").get<std::string>())
         << " [" << c.at("cell").get<std::string>() << "]";
      if (c.contains("closest") && !c.at("closest").is_null()) {
        const json& near = c.at("closest");
        std::string fields;
        for (const auto& f : near.at("differs_in")) fields += (fields.empty() ? "" : ", ") + f.get<std::string>();
        md << "; closest " << (std::string(side) == "base" ? "candidate" : "base") << " cell "
           << cell_text(near.at("title").get<std::string>()) << " differs in "
           << (fields.empty() ? "nothing (it was paired with another cell)" : fields);
      }
      md << "\n";
    }
  }
  for (const auto& g : doc.at("groups")) {
    for (const auto& h : g.at("one_sided_holdouts")) {
      const std::string side = h.at("side");
      md << "- hold-out " << h.at("holdout").get<std::string>() << " of "
         << cell_text(group_label(g))
         << (side == "some seeds" ? ": missing for some seeds" : ": only in the " + side) << "\n";
    }
  }
  for (const char* side : {"base", "candidate"}) {
    for (const auto& c : failed.at(side)) {
      md << "- failed " << side << " cell: " << cell_text(c.at("title").get<std::string>()) << " ["
         << c.at("cell").get<std::string>() << "]: " << cell_text(c.at("error").get<std::string>())
         << "\n";
    }
  }
  return md.str();
}


std::string write_compare_figure(const json& doc, const std::string& png_path) {
  const fs::path png(png_path);
  const fs::path dat = fs::path(png).replace_extension(".dat");
  const fs::path gp = fs::path(png).replace_extension(".gp");
  // x ticks name the hold-out and the cell pair's number; the numbers are spelled out below the
  // plot, so that long labels do not crowd the axis.
  std::ostringstream data, extras;
  data << "# x delta ci_lo ci_hi verdict(-1 regression, 0 no evidence, 1 improvement) "
          "\"#pair holdout\"\n";
  int64_t x = 0, group_no = 0;
  std::vector<std::string> legend;
  for (const auto& g : doc.at("groups")) {
    ++group_no;
    if (x > 0) {
      extras << "set arrow from " << x - 0.5 << ", graph 0 to " << x - 0.5
             << ", graph 1 nohead dt 2 lc rgb '#999999'\n";
    }
    std::string title = "#" + std::to_string(group_no) + " " + group_label(g);
    std::replace_if(title.begin(), title.end(), [](char c) { return c == '\'' || c == '"'; }, ' ');
    legend.push_back(title);
    for (const auto& h : g.at("holdouts")) {
      const std::string v = h.at("verdict");
      const int code = v == "regression" ? -1 : v == "improvement" ? 1 : 0;
      data << x++ << " " << format("%.6f", h.at("delta").get<double>()) << " "
           << format("%.6f", h.at("ci")[0].get<double>()) << " "
           << format("%.6f", h.at("ci")[1].get<double>()) << " " << code << " \"#" << group_no
           << " " << h.at("holdout").get<std::string>() << "\"\n";
    }
  }
  write_file_atomic(dat.string(), data.str());

  const double legend_px = 16.0 * static_cast<double>(legend.size()) + 10.0;
  const double height = 560.0 + legend_px;
  for (size_t i = 0; i < legend.size(); ++i) {
    const double y = (legend_px - 16.0 * static_cast<double>(i) - 8.0) / height;
    extras << "set label '" << legend[i] << "' at screen 0.01, screen " << format("%.4f", y)
           << " left\n";
  }
  std::ostringstream gps;
  gps << "# Accuracy delta (candidate - base) per hold-out with its paired-bootstrap 95% CI.\n";
  gps << "# Redraw: gnuplot " << gp.filename().string() << " > " << png.filename().string() << "\n";
  gps << "set terminal pngcairo noenhanced size " << std::max<int64_t>(800, 22 * x + 200) << ","
      << static_cast<int64_t>(height) << " font 'sans,9'\n";
  gps << "set title 'gauntlet compare: accuracy delta (candidate - base) with 95% CI'\n";
  gps << "set ylabel 'accuracy delta'\n";
  gps << "set xtics rotate by 90 right\n";
  gps << "set grid ytics\n";
  gps << "set key outside top center horizontal\n";
  gps << "set bmargin at screen " << format("%.4f", (legend_px + 170.0) / height) << "\n";
  gps << "set xrange [-0.5:" << static_cast<double>(std::max<int64_t>(x, 1)) - 0.5 << "]\n";
  gps << "set style line 1 lc rgb '#777777' pt 7 ps 0.8\n";
  gps << "set style line 2 lc rgb '#c0392b' pt 7 ps 0.9\n";
  gps << "set style line 3 lc rgb '#27ae60' pt 7 ps 0.9\n";
  gps << extras.str();
  gps << "data = '" << dat.filename().string() << "'\n";
  gps << "plot 0 with lines lc rgb 'black' notitle, \\\n";
  gps << "  data using 1:($5 == 0 ? $2 : 1/0):3:4:xtic(6) with yerrorbars ls 1 title 'no evidence', \\\n";
  gps << "  data using 1:($5 < 0 ? $2 : 1/0):3:4 with yerrorbars ls 2 title 'regression', \\\n";
  gps << "  data using 1:($5 > 0 ? $2 : 1/0):3:4 with yerrorbars ls 3 title 'improvement'\n";
  write_file_atomic(gp.string(), gps.str());
  if (!on_path("gnuplot"))
    return "gnuplot not found on PATH (Debian: gnuplot-nox); wrote " + dat.string() + " and " +
           gp.string() + " only";
  // gnuplot writes the PNG to stdout, so that it lands through write_file_atomic like every file.
  const std::string cmd = "cd " +
                          shell_word(gp.parent_path().empty() ? "." : gp.parent_path().string()) +
                          " && gnuplot " + shell_word(gp.filename().string());
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return "could not start gnuplot";
  std::string bytes;
  char buf[65536];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, pipe)) > 0) bytes.append(buf, got);
  const int status = ::pclose(pipe);
  if (status != 0 || bytes.size() < 8 || bytes.compare(1, 3, "PNG") != 0) {
    return "gnuplot failed (exit status " + std::to_string(status) + "; its messages are above)";
  }
  write_file_atomic(png.string(), bytes);
  return "";
}

}  // namespace gauntlet
