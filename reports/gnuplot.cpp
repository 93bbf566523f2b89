#include "reports/gnuplot.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sstream>


namespace gauntlet {

namespace fs = std::filesystem;

std::string gnuplot_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += ' ';
    else out += c;
  }
  return out + "'";
}

std::string palette_colour(size_t i) {
  static const char* const kColours[] = {
      // Okabe & Ito (2008), "Color Universal Design"
      "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
      // Paul Tol's muted scheme, for more than eight classes or cells
      "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499"};
  return kColours[i % (sizeof kColours / sizeof kColours[0])];
}

std::string line_colour(size_t i) {
  // Okabe-Ito without its yellow until last: a thin yellow line on white is hard to see.
  static const size_t kOrder[] = {4, 0, 2, 6, 1, 5, 7, 3};
  return i < 8 ? palette_colour(kOrder[i]) : palette_colour(i);
}

std::string shell_word(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    const fs::path p = fs::path(dir) / program;
    if (::access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p)) return true;
  }
  return false;
}

int run_captured(const std::string& command, std::string* output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string bytes;
  char buf[4096];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, pipe)) > 0) bytes.append(buf, got);
  const int status = ::pclose(pipe);
  if (output != nullptr) *output = bytes;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {

// cairo (1.16, Debian 12) stamps PDFs with the time of drawing and ignores SOURCE_DATE_EPOCH; the
// stamp is overwritten with a fixed one of the same length (the byte offsets in the PDF's
// cross-reference table stay right), so that a redrawn report is byte-identical.
void fix_pdf_date(const std::string& path) {
  std::string pdf;
  {
    std::ifstream in(path, std::ios::binary);
    pdf.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string key = "/CreationDate (D:";
  const size_t at = pdf.find(key);
  if (at == std::string::npos || at + key.size() + 14 > pdf.size()) return;
  pdf.replace(at + key.size(), 14, "19700101000000");
  write_plain(path, pdf);
}

}  // namespace

FigureWriter::FigureWriter() {
  if (!on_path("gnuplot")) {
    why_not_ = "gnuplot not found on PATH (Debian: apt-get install gnuplot-nox); tables only";
    return;
  }
  std::string terminals;
  if (run_captured("gnuplot -e 'set terminal' </dev/null", &terminals) != 0) {
    why_not_ = "gnuplot does not run: " + terminals.substr(0, 200);
    return;
  }
  for (const char* t : {"pngcairo", "svg", "pdfcairo"}) {
    const bool has = terminals.find(std::string(" ") + t + " ") != std::string::npos;
    if (!has && std::string(t) != "pdfcairo") {
      why_not_ = std::string("gnuplot lacks the ") + t + " terminal (Debian: gnuplot-nox has it)";
      return;
    }
    if (has) formats_.push_back(std::string(t) == "pngcairo" ? "png" : std::string(t) == "svg" ? "svg" : "pdf");
  }
}

std::string FigureWriter::write(const std::string& dir, const GnuplotFigure& f) const {
  const fs::path folder(dir);
  fs::create_directories(folder);
  const std::string dat = f.stem + ".dat";
  if (!f.data.empty()) write_plain((folder / dat).string(), f.data);
  std::ostringstream gp;
  gp << "# " << f.title << "\n"
     << "# Drawn by `gauntlet report` from result files. Redraw after editing: gnuplot " << f.stem << ".gp\n"
     << "# (writes " << f.stem << ".png, .svg and .pdf here; -e \"formats='png'\" for fewer).\n"
     << "if (!exists('outdir')) outdir = ''\n"
     << "if (!exists('formats')) formats = 'png svg pdf'\n";
  if (!f.data.empty()) gp << "data = '" << dat << "'\n";
  gp << "do for [fmt in formats] {\n"
     << "  reset\n"
     << "  if (fmt eq 'png') { set terminal pngcairo noenhanced size " << f.width << "," << f.height
     << " font 'DejaVu Sans,10' }\n"
     << "  if (fmt eq 'svg') { set terminal svg noenhanced size " << f.width << "," << f.height
     << " font 'DejaVu Sans,11' background '#ffffff' }\n"
     << "  if (fmt eq 'pdf') { set terminal pdfcairo noenhanced size " << f.width / 120.0 << "in,"
     << f.height / 120.0 << "in font 'DejaVu Sans,7' }\n"
     << "  set output outdir.'" << f.stem << ".'.fmt\n";
  std::istringstream body(f.body);
  for (std::string line; std::getline(body, line);) gp << "  " << line << "\n";
  gp << "  unset output\n}\n";
  write_plain((folder / (f.stem + ".gp")).string(), gp.str());
  if (!why_not_.empty()) return why_not_;

  std::string formats;
  for (const auto& x : formats_) formats += (formats.empty() ? "" : " ") + x;
  // A fixed date for PDFs (newer cairo honours it; see fix_pdf_date for older ones).
  const std::string cmd = "cd " + shell_word(folder.string()) + " && SOURCE_DATE_EPOCH=0 gnuplot -e " +
                          shell_word("formats=" + gnuplot_quote(formats)) + " " + shell_word(f.stem + ".gp") +
                          " </dev/null";
  std::string out;
  const int status = run_captured(cmd, &out);
  std::string why;
  if (status != 0) why = "gnuplot failed on " + (folder / (f.stem + ".gp")).string() + ": " + out.substr(0, 400);
  for (const auto& x : formats_) {
    const fs::path img = folder / (f.stem + "." + x);
    std::error_code ec;
    if (why.empty() && (!fs::is_regular_file(img) || fs::file_size(img, ec) == 0)) {
      why = "gnuplot drew no " + img.string() + ": " + out.substr(0, 400);
    }
  }
  if (why.empty() && std::find(formats_.begin(), formats_.end(), "pdf") != formats_.end()) {
    fix_pdf_date((folder / (f.stem + ".pdf")).string());
  }
  // No half-drawn figure: all its images or none.
  if (!why.empty()) {
    for (const auto& x : formats_) fs::remove(folder / (f.stem + "." + x));
  }
  return why;
}

void write_plain(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error(path + ": cannot write");
}

}  // namespace gauntlet
