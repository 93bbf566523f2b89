#include "reports/report_figures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <sstream>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "reports/report_tables.hpp"

namespace gauntlet {

using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Numbers in .dat files: '?' is gnuplot's missing value (each script sets it).
std::string num(double v) {
  if (!std::isfinite(v)) return "?";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

constexpr size_t kMaxTicChars = 24;

// A tic label: at most kMaxTicChars characters (UTF-8 aware), else cut with an ellipsis, so that a
// long class name cannot squeeze the plot.
std::string short_label(const std::string& name) {
  size_t chars = 0, i = 0;
  for (; i < name.size(); ++i) {
    if ((static_cast<unsigned char>(name[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (++chars > kMaxTicChars) break;
  }
  return i < name.size() ? name.substr(0, i) + "\u2026" : name;
}

// `set xtics (...)` from names: each shortened, quoted for gnuplot, '%' doubled (tic labels are
// formats).
std::string tics(const std::vector<std::string>& names) {
  std::string s = "(";
  for (size_t i = 0; i < names.size(); ++i) {
    std::string label;
    for (char c : short_label(names[i])) label += c == '%' ? std::string("%%") : std::string(1, c);
    s += (i ? ", " : "") + gnuplot_quote(label) + " " + std::to_string(i);
  }
  return s + ")";
}

// Line style of combination (group) i: its line colour, then a point type and dash pattern
// that differ too, so that lines stay apart in greyscale and past the palette's length.
std::string group_style(size_t i, const char* point_size = "1.1") {
  return "lc rgb '" + line_colour(i) + "' pt " + std::to_string(i % 7 + 4) + " ps " + point_size + " dt " +
         std::to_string(i / 8 % 4 + 1) + " lw 2";
}

double accuracy_on(const ReportCell& c, const std::string& holdout) {
  const json* e = c.eval(holdout);
  return e != nullptr && e->value("accuracy", json()).is_number() ? e->at("accuracy").get<double>() : kNaN;
}

MeanSd group_accuracy(const ReportGroup& g, const std::string& holdout) {
  std::vector<double> v;
  for (const auto* c : g.ok_cells()) v.push_back(accuracy_on(*c, holdout));
  return mean_sd(v);
}

// Builds and draws one figure; a result file with odd content costs that figure, with a warning.
void draw(const FigureWriter& w, const std::string& dir, const std::function<GnuplotFigure()>& make,
          const std::string& caption, std::vector<FigureRef>& out, std::vector<std::string>& warnings) {
  GnuplotFigure f;
  try {
    f = make();
  } catch (const json::exception& e) {
    warnings.push_back("figure skipped (" + caption + "): unexpected result content: " + e.what());
    return;
  } catch (const std::invalid_argument& e) {
    warnings.push_back("figure skipped (" + caption + "): " + e.what());
    return;
  }
  const std::string why = w.write(dir, f);
  if (!why.empty() && w.unavailable().empty()) warnings.push_back(why);
  out.push_back({f.stem, caption, why.empty()});
}

// --- suite figures -------------------------------------------------------------------------------

GnuplotFigure severity_figure(const ReportData& d, const Corruption& c) {
  GnuplotFigure f;
  f.stem = "severity_" + holdout_file_name(c.name);
  f.title = "Accuracy vs severity of " + c.name + ", one line per combination (severity 0: clean)";
  std::ostringstream data, plot;
  data << "# blocks (index i) per combination in the order of the plot command\n"
       << "# severity accuracy(%) sd_over_seeds(%)\n";
  size_t block = 0;
  plot << "plot ";
  for (size_t g = 0; g < d.groups.size(); ++g) {
    if (d.groups[g].ok_cells().empty()) continue;
    std::vector<std::pair<int, std::string>> points{{0, "clean"}};
    for (int s : c.severities) points.push_back({s, "c." + c.name + "." + std::to_string(s)});
    for (const auto& [s, id] : points) {
      const MeanSd m = group_accuracy(d.groups[g], id);
      data << s << " " << num(m.mean * 100) << " " << num(m.n > 1 ? m.sd * 100 : 0.0) << "\n";
    }
    data << "\n\n";
    plot << (block ? ", \\\n     " : "") << "data index " << block << " using 1:2:3 with yerrorlines "
         << group_style(g) << " title " << gnuplot_quote(d.groups[g].title());
    ++block;
  }
  f.data = data.str();
  std::ostringstream b;
  b << "set datafile missing '?'\n"
    << "set title " << gnuplot_quote("Accuracy under " + c.name) << "\n"
    << "set xlabel 'severity (0 = clean)'\nset ylabel 'accuracy (%)'\n"
    << "set xrange [-0.3:" << (c.severities.empty() ? 1 : c.severities.back()) + 0.3 << "]\n"
    << "set xtics ('clean' 0";
  for (int s : c.severities) b << ", '" << s << "' " << s;
  b << ")\nset grid ytics lc rgb '#dddddd'\nset key below left Left reverse\n"
    << plot.str() << "\n";
  f.body = b.str();
  f.height = 420 + 20 * static_cast<int>(block);
  return f;
}

GnuplotFigure scatter_figure(const ReportData& d, const std::string& holdout, const std::string& label) {
  GnuplotFigure f;
  f.stem = "clean_vs_" + (holdout.empty() ? std::string("mean_corruption") : holdout_file_name(holdout));
  f.title = "Clean accuracy vs " + label + " accuracy, one point per combination";
  std::ostringstream data, plot;
  data << "# one block (index i) per combination: clean_acc(%) shifted_acc(%)\n";
  double lo = 100, hi = 0;
  size_t block = 0;
  plot << "plot x with lines dt 2 lc rgb '#999999' title 'equal accuracy'";
  for (size_t g = 0; g < d.groups.size(); ++g) {
    const MeanSd x = group_accuracy(d.groups[g], "clean");
    const MeanSd y = holdout.empty() ? mean_sd([&] {
      std::vector<double> v;
      for (const auto* c : d.groups[g].ok_cells()) v.push_back(c->number("/robustness/mean_corruption_accuracy"));
      return v;
    }()) : group_accuracy(d.groups[g], holdout);
    if (x.n == 0 || y.n == 0) continue;
    data << num(x.mean * 100) << " " << num(y.mean * 100) << "\n\n\n";
    lo = std::min({lo, x.mean * 100, y.mean * 100});
    hi = std::max({hi, x.mean * 100, y.mean * 100});
    plot << ", \\\n     data index " << block << " using 1:2 with points " << group_style(g, "2") << " title "
         << gnuplot_quote(d.groups[g].title());
    ++block;
  }
  f.data = data.str();
  const double pad = std::max(2.0, (hi - lo) * 0.08);
  lo = std::max(0.0, std::floor(lo - pad));
  hi = std::min(100.0, std::ceil(hi + pad));
  if (hi <= lo) hi = lo + 1;
  std::ostringstream b;
  b << "set title " << gnuplot_quote("Clean vs " + label + " accuracy") << "\n"
    << "set xlabel 'clean accuracy (%)'\nset ylabel " << gnuplot_quote(label + " accuracy (%)") << "\n"
    << "set xrange [" << lo << ":" << hi << "]\nset yrange [" << lo << ":" << hi << "]\n"
    << "set size ratio -1\nset grid lc rgb '#dddddd'\nset key below left Left reverse\n"
    << plot.str() << "\n";
  f.body = b.str();
  f.width = 560;
  f.height = 520 + 20 * static_cast<int>(block);
  return f;
}

// --- cell figures --------------------------------------------------------------------------------

GnuplotFigure confusion_figure(const ReportData& d, const ReportCell& cell, const std::string& holdout,
                               bool normalised) {
  const json& m = cell.eval(holdout)->at("confusion");
  const size_t k = m.size();
  GnuplotFigure f;
  f.stem = "confusion_" + holdout_file_name(holdout) + (normalised ? "_norm" : "_counts");
  f.title = std::string("Confusion matrix") + (normalised ? ", row-normalised," : " (counts)") + " of " +
            cell.title() + " on " + holdout + ": rows true class, columns predicted";
  std::ostringstream data;
  data << "# " << k << " x " << k << " matrix: row = true class, column = predicted class"
       << (normalised ? " (fraction of the row)" : " (images)") << "\n";
  double top = 0;
  for (const auto& row : m) {
    double sum = 0;
    for (const auto& v : row) sum += v.get<double>();
    for (size_t j = 0; j < row.size(); ++j) {
      const double v = normalised ? (sum > 0 ? row[j].get<double>() / sum : 0.0) : row[j].get<double>();
      top = std::max(top, v);
      data << (j ? " " : "") << num(v);
    }
    data << "\n";
  }
  f.data = data.str();
  std::vector<std::string> names;
  for (size_t i = 0; i < k; ++i) names.push_back(d.class_name(i));
  const double cb = normalised ? 1.0 : std::max(1.0, top);
  const char* label_fmt = normalised ? "%.2f" : "%.0f";
  const int font = k <= 10 ? 9 : k <= 16 ? 7 : 6;
  std::ostringstream b;
  b << "set title " << gnuplot_quote(holdout + (normalised ? ", row-normalised: " : ", counts: ") + cell.title())
    << "\n"
    << "set xlabel 'predicted class'\nset ylabel 'true class'\n"
    << "set xrange [-0.5:" << k - 0.5 << "]\nset yrange [" << k - 0.5 << ":-0.5]\n"
    << "set xtics " << tics(names) << " rotate by 40 right\n"
    << "set ytics " << tics(names) << "\n"
    << "set tics scale 0\nset size ratio -1\nunset key\n"
    << "set palette defined (0 '#FFFFFF', 0.5 '#56B4E9', 1 '#0072B2')\n"
    << "set cbrange [0:" << num(cb) << "]\n"
    << "set cblabel " << (normalised ? "'fraction of the true class'" : "'images'") << "\n";
  b << "plot data matrix with image pixels";
  if (k <= 30) {
    // Values on the cells: white on dark, black on light; zeros left blank.
    b << ", \\\n     data matrix using 1:2:($3 > " << cb * 0.55 << " ? sprintf('" << label_fmt
      << "', $3) : '') with labels font ',"
      << font << "' tc rgb '#FFFFFF', \\\n     data matrix using 1:2:($3 > 0 && $3 <= " << cb * 0.55
      << " ? sprintf('" << label_fmt << "', $3) : '') with labels font '," << font << "' tc rgb '#000000'";
  }
  b << "\n";
  f.body = b.str();
  // Room for the matrix plus its tic labels (about 7 px per character at this font).
  size_t longest = 0;
  for (const auto& n : names) longest = std::max(longest, std::min(n.size(), kMaxTicChars + 1));
  const int side = std::max(300, static_cast<int>(k) * 46) + 80 + static_cast<int>(longest) * 7;
  f.width = side + 80;
  f.height = side;
  return f;
}

GnuplotFigure learning_figure(const ReportCell& cell) {
  const json& h = cell.result.at("history");
  GnuplotFigure f;
  f.stem = "learning_curves";
  f.title = "Learning curves of " + cell.title() + ": loss, accuracy and learning rate per epoch";
  std::ostringstream data;
  data << "# epoch phase train_loss val_loss train_acc(%) val_acc(%) lr ema_val_acc(%)\n";
  bool ema = false;
  double lr_min = std::numeric_limits<double>::infinity(), lr_max = 0;
  std::vector<std::pair<int64_t, int64_t>> phase_starts;  // (epoch, phase)
  int64_t last_phase = -1;
  for (const auto& e : h) {
    auto v = [&](const char* k) { return e.value(k, json()).is_number() ? e.at(k).get<double>() : kNaN; };
    const int64_t epoch = e.value("epoch", int64_t{0});
    const int64_t phase = e.value("phase", json()).is_number_integer() ? e.at("phase").get<int64_t>() : 1;
    if (phase != last_phase && last_phase >= 0) phase_starts.push_back({epoch, phase});
    last_phase = phase;
    const double lr = v("lr");
    if (std::isfinite(lr) && lr > 0) {
      lr_min = std::min(lr_min, lr);
      lr_max = std::max(lr_max, lr);
    }
    ema = ema || std::isfinite(v("ema_val_accuracy"));
    data << epoch << " " << phase << " " << num(v("train_loss")) << " " << num(v("val_loss")) << " "
         << num(v("train_accuracy") * 100) << " " << num(v("val_accuracy") * 100) << " " << num(lr) << " "
         << num(v("ema_val_accuracy") * 100) << "\n";
  }
  f.data = data.str();
  std::ostringstream b;
  b << "set datafile missing '?'\nset grid lc rgb '#dddddd'\nset xlabel 'epoch'\n"
    << "set key top right\n" << (h.size() <= 12 ? "set xtics 1\n" : "");
  for (const auto& [epoch, phase] : phase_starts) {
    b << "set arrow from " << epoch - 0.5 << ", graph 0 to " << epoch - 0.5
      << ", graph 1 nohead dt 2 lc rgb '#777777'\n"
      << "set label 'phase " << phase << "' at " << epoch - 0.4 << ", graph 0.95 left font ',8' tc rgb '#555555'\n";
  }
  b << "set multiplot layout 1,3 title " << gnuplot_quote(cell.title()) << "\n"
    << "set title 'loss'\nset ylabel 'loss'\n"
    << "plot data using 1:3 with linespoints " << group_style(0) << " title 'train', \\\n"
    << "     data using 1:4 with linespoints " << group_style(1) << " title 'val'\n"
    << "set title 'accuracy'\nset ylabel 'accuracy (%)'\n"
    << "plot data using 1:5 with linespoints " << group_style(0) << " title 'train', \\\n"
    << "     data using 1:6 with linespoints " << group_style(1) << " title 'val'";
  if (ema) b << ", \\\n     data using 1:8 with linespoints " << group_style(2) << " title 'val (EMA)'";
  b << "\nset title 'learning rate'\nset ylabel 'lr'\nunset key\n";
  if (lr_max > 0 && lr_max / lr_min > 20) b << "set logscale y\n";
  b << "plot data using 1:7 with linespoints " << group_style(3) << "\n"
    << "unset multiplot\n";
  f.body = b.str();
  f.width = 1140;
  f.height = 380;
  return f;
}

GnuplotFigure f1_figure(const ReportData& d, const ReportCell& cell, const std::vector<std::string>& holdouts) {
  GnuplotFigure f;
  f.stem = "per_class_f1";
  f.title = "Per-class F1 of " + cell.title() + " on clean and shifted hold-outs (bars coloured by class)";
  const size_t k = d.classes.empty() ? cell.eval("clean")->at("per_class").size() : d.classes.size();
  const double width = 0.8 / static_cast<double>(holdouts.size());
  std::ostringstream data, plot;
  data << "# one block (index i) per hold-out in the order of the plot command: x f1(%) colour(0xRRGGBB)\n";
  plot << "plot ";
  for (size_t h = 0; h < holdouts.size(); ++h) {
    const json& pcs = cell.eval(holdouts[h])->at("per_class");
    for (const auto& pc : pcs) {
      const size_t c = pc.value("class", size_t{0});
      const double x = static_cast<double>(c) + (static_cast<double>(h) - (holdouts.size() - 1) / 2.0) * width;
      data << num(x) << " " << num(pc.value("f1", kNaN) * 100) << " "
           << std::stoul(palette_colour(c).substr(1), nullptr, 16) << "\n";
    }
    data << "\n\n";
    // Clean solid, shifted hold-outs hatched (gnuplot's patterns, skipping 3, which is solid); the
    // key shows the fill in grey.
    static const int kPatterns[] = {4, 5, 1, 6, 7, 2};
    const std::string fill = h == 0 ? "fs solid 0.9 border lc rgb '#333333'"
                                    : "fs pattern " + std::to_string(kPatterns[(h - 1) % 6]) + " border lc rgb '#333333'";
    plot << (h ? ", \\\n     " : "") << "data index " << h << " using 1:2:3 with boxes lc rgb variable " << fill
         << " notitle, \\\n     NaN with boxes lc rgb '#888888' " << fill << " title " << gnuplot_quote(holdouts[h]);
  }
  f.data = data.str();
  std::vector<std::string> names;
  for (size_t i = 0; i < k; ++i) names.push_back(d.class_name(i));
  std::ostringstream b;
  b << "set title " << gnuplot_quote("Per-class F1: " + cell.title()) << "\n"
    << "set ylabel 'F1 (%)'\nset yrange [0:105]\nset xrange [-0.6:" << k - 0.4 << "]\n"
    << "set xtics " << tics(names) << " rotate by 40 right\nset tics scale 0\n"
    << "set boxwidth " << num(width * 0.95) << " absolute\n"
    << "set grid ytics lc rgb '#dddddd'\nset key below horizontal\n"
    << plot.str() << "\n";
  f.body = b.str();
  f.width = std::max(640, static_cast<int>(k * holdouts.size()) * 22 + 160);
  f.height = 460;
  return f;
}


// The 2-D PCA of backbone features that evaluation stored in <cell>/explain/pca.csv
// (harness/explain.hpp), one colour per class. A malformed file throws std::invalid_argument, which
// draw() turns into a warning.
GnuplotFigure pca_figure(const ReportData& d, const ReportCell& cell) {
  std::ifstream in(std::filesystem::path(cell.dir) / "explain" / "pca.csv");
  std::string line;
  std::getline(in, line);
  if (line != "index,label,pc1,pc2") throw std::invalid_argument("explain/pca.csv: unexpected header");
  std::map<int64_t, std::vector<std::pair<double, double>>> by_class;
  while (std::getline(in, line)) {
    long long index = 0, label = 0;
    double x = 0, y = 0;
    if (std::sscanf(line.c_str(), "%lld,%lld,%lf,%lf", &index, &label, &x, &y) != 4 || label < 0 || label > 100000) {
      throw std::invalid_argument("explain/pca.csv: malformed line \"" + line.substr(0, 40) + "\"");
    }
    by_class[label].emplace_back(x, y);
  }
  GnuplotFigure f;
  f.stem = "feature_pca";
  f.title = "2-D PCA of backbone features of " + cell.title() + ", coloured by true class";
  std::ostringstream data, plot;
  data << "# one block (index i) per class present: pc1 pc2\n";
  plot << "plot ";
  size_t block = 0;
  for (const auto& [c, points] : by_class) {
    for (const auto& [x, y] : points) data << num(x) << " " << num(y) << "\n";
    data << "\n\n";
    std::string name = short_label(d.class_name(static_cast<size_t>(c)));
    plot << (block ? ", \\\n     " : "") << "data index " << block << " using 1:2 with points pt 7 ps 0.6 lc rgb '"
         << palette_colour(static_cast<size_t>(c)) << "' title " << gnuplot_quote(name);
    ++block;
  }
  if (block == 0) throw std::invalid_argument("explain/pca.csv: no points");
  const json& pca = cell.result.at("explain").at("pca");
  const json& ratio = pca.at("explained_variance_ratio");
  f.data = data.str();
  std::ostringstream b;
  b << "set title " << gnuplot_quote("Feature PCA: " + cell.title()) << "\n"
    << "set xlabel " << gnuplot_quote("PC1 (" + num(ratio.at(0).get<double>() * 100) + "% of variance)") << "\n"
    << "set ylabel " << gnuplot_quote("PC2 (" + num(ratio.at(1).get<double>() * 100) + "% of variance)") << "\n"
    << "set grid lc rgb '#dddddd'\nset key outside right\n" << plot.str() << "\n";
  f.body = b.str();
  f.width = 720;
  f.height = 520;
  return f;
}
}  // namespace

std::vector<FigureRef> suite_figures(const ReportData& d, const std::string& dir, const FigureWriter& w,
                                     std::vector<std::string>& warnings) {
  std::vector<FigureRef> out;
  if (d.shifted_holdouts.empty()) {
    if (!d.corruptions.empty()) {
      draw(w, dir, [&] { return scatter_figure(d, "", "mean corruption"); },
           "Clean accuracy vs mean corruption accuracy, one point per combination (mean over seeds).", out, warnings);
    }
  }
  for (const auto& h : d.shifted_holdouts) {
    draw(w, dir, [&] { return scatter_figure(d, h, h); },
         "Clean accuracy vs " + h + " accuracy, one point per combination (mean over seeds): points below the "
         "diagonal lose accuracy under the shift.",
         out, warnings);
  }
  for (const auto& c : d.corruptions) {
    draw(w, dir, [&] { return severity_figure(d, c); },
         "Accuracy vs severity of " + c.name + ", one line per combination (error bars: sd over seeds).", out,
         warnings);
  }
  return out;
}

std::vector<FigureRef> cell_figures(const ReportData& d, const ReportCell& cell, const std::string& dir,
                                    const FigureWriter& w, std::vector<std::string>& warnings) {
  std::vector<FigureRef> out;
  if (!cell.ok) return out;
  if (cell.result.contains("history") && cell.result.at("history").is_array() &&
      !cell.result.at("history").empty()) {
    draw(w, dir, [&] { return learning_figure(cell); },
         "Loss, accuracy and learning rate per epoch (dashed lines: a new training phase).", out, warnings);
  }
  std::vector<std::string> holdouts{"clean"};
  for (const auto& h : d.shifted_holdouts) {
    if (cell.eval(h) != nullptr) holdouts.push_back(h);
  }
  std::vector<std::string> with_classes;
  for (const auto& h : holdouts) {
    const json* e = cell.eval(h);
    if (e != nullptr && e->contains("per_class") && e->at("per_class").is_array()) with_classes.push_back(h);
  }
  if (!with_classes.empty() && with_classes.front() == "clean") {
    draw(w, dir, [&] { return f1_figure(d, cell, with_classes); },
         "Per-class F1 on clean (solid) and shifted hold-outs (hatched); bar colours are class colours.", out,
         warnings);
  }
  for (const auto& h : holdouts) {
    const json* e = cell.eval(h);
    if (e == nullptr || !e->contains("confusion") || !e->at("confusion").is_array() || e->at("confusion").empty()) {
      continue;
    }
    for (bool norm : {false, true}) {
      draw(w, dir, [&] { return confusion_figure(d, cell, h, norm); },
           "Confusion matrix on " + h + (norm ? ", each row divided by its true-class count." : ", in images."),
           out, warnings);
    }
  }
  const json* pca = cell.result.contains("explain") && cell.result.at("explain").is_object()
                        ? &cell.result.at("explain") : nullptr;
  if (pca != nullptr && pca->contains("pca") && pca->at("pca").is_object()) {
    draw(w, dir, [&] { return pca_figure(d, cell); },
         "2-D PCA of the backbone's pooled features of test images (computed at evaluation), coloured by true class.",
         out, warnings);
  }
  return out;
}

}  // namespace gauntlet
