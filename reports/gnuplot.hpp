// Figures drawn by gnuplot as a subprocess. Each figure is a data file (<stem>.dat: numbers only)
// and a script (<stem>.gp) kept beside the images, so that a user can restyle it and redraw with
// `gnuplot <stem>.gp` (it writes <stem>.png, <stem>.svg and, where gnuplot has pdfcairo,
// <stem>.pdf). Text from result files (class and cell names) reaches the script only through
// gnuplot_quote, as single-quoted strings (no escapes, no backquote substitution, no macros inside),
// and every terminal is `noenhanced`, so no name can run a command or change the markup.
#pragma once

#include <string>
#include <vector>

namespace gauntlet {

/// A single-quoted gnuplot string: ' doubled, line breaks and control characters as spaces.
std::string gnuplot_quote(const std::string& s);

/// Okabe & Ito's colour-blind-safe palette (orange, sky blue, bluish green, yellow, blue,
/// vermillion, reddish purple, black), then Paul Tol's muted colours, cycling: colour i, "#rrggbb".
/// Class k and the k-th cell get colour k in every figure.
std::string palette_colour(size_t i);

/// The colour of line or point series i (cells, curves): the same palette in an order that leaves
/// the yellow, weak on white, to the eighth series.
std::string line_colour(size_t i);

struct GnuplotFigure {
  std::string stem;     ///< file name without extension
  std::string title;    ///< a comment at the top of the script
  std::string data;     ///< <stem>.dat (may be empty: a script with inline values)
  std::string body;     ///< the `set` and `plot` commands, run once per output format
  int width = 640;      ///< pixels (PNG, SVG); the PDF is width/120 inches wide
  int height = 440;
};

class FigureWriter {
 public:
  /// Finds gnuplot on PATH and which of pngcairo / svg / pdfcairo it has.
  FigureWriter();
  /// "" when figures can be drawn, else why not (for a warning).
  const std::string& unavailable() const { return why_not_; }
  /// The formats drawn: png, svg, and pdf where gnuplot has pdfcairo.
  const std::vector<std::string>& formats() const { return formats_; }

  /// Writes <dir>/<stem>.dat and .gp, then, when gnuplot is there, runs the script to draw every
  /// format into <dir>. Returns "" when drawn, else why not (the .dat and .gp are written in either
  /// case, no image is). Plain writes: `dir` is meant to be inside a StagedFolder
  /// (harness/core/atomic_file.hpp) that the caller commits.
  std::string write(const std::string& dir, const GnuplotFigure& figure) const;

 private:
  std::string why_not_;
  std::vector<std::string> formats_;
};

/// Writes `content` to `path` (no temporary file: for staged folders). Throws std::runtime_error.
void write_plain(const std::string& path, const std::string& content);

/// Runs `command` through /bin/sh, returning its exit status and its output (stdout and stderr).
int run_captured(const std::string& command, std::string* output);

/// A single-quoted POSIX shell word.
std::string shell_word(const std::string& s);

/// Whether an executable `program` is on PATH.
bool on_path(const std::string& program);

}  // namespace gauntlet
