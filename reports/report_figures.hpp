// The report's figures, drawn with gnuplot (reports/gnuplot.hpp) from ReportData: for the suite,
// accuracy vs severity per corruption (one line per combination of axes) and clean vs shifted
// hold-out accuracy (one point per combination); per cell, learning curves, confusion matrices
// (counts and row-normalised) on clean and every shifted hold-out, per-class F1 bars, and the 2-D
// feature PCA that evaluation stored in explain/pca.csv.
// Combination k and class k have palette colour k in every figure.
#pragma once

#include <string>
#include <vector>

#include "reports/gnuplot.hpp"
#include "reports/report_data.hpp"

namespace gauntlet {

struct FigureRef {
  std::string stem;     ///< <stem>.png / .svg / .pdf / .gp / .dat in its folder
  std::string caption;  ///< plain text
  bool drawn = false;   ///< false when gnuplot is missing or failed (the .gp and .dat exist)
};

/// Writes the suite's figures into `dir`; problems go to `warnings`.
std::vector<FigureRef> suite_figures(const ReportData& d, const std::string& dir, const FigureWriter& w,
                                     std::vector<std::string>& warnings);

/// Writes one cell's figures into `dir`; problems go to `warnings`.
std::vector<FigureRef> cell_figures(const ReportData& d, const ReportCell& cell, const std::string& dir,
                                    const FigureWriter& w, std::vector<std::string>& warnings);

}  // namespace gauntlet
