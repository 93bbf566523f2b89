// Renderers of a `gauntlet compare` document ("schema": "gauntlet.compare/1", built by
// harness/compare): a Markdown summary fit for a pull-request comment and a gnuplot figure of the
// accuracy deltas per hold-out with their bootstrap CIs. Both read the JSON document alone, so they
// can be redrawn from a saved --json file on any machine.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace gauntlet {

/// Verdict line first ("**Regression**: 1 of 7 hold-outs of 1 cell pair"), then one table row per
/// (cell pair or seed group, hold-out), then the class pairs whose confusion grew most on each
/// regressed hold-out, then unmatched cells, one-sided hold-outs and failed cells.
std::string compare_markdown(const nlohmann::json& doc);

/// The first line of compare_markdown, without Markdown emphasis, for a terminal.
std::string compare_verdict_line(const nlohmann::json& doc);

/// Writes <png minus .png>.dat and .gp beside `png_path`, then runs gnuplot (pngcairo) to draw the
/// PNG. Returns "" when the figure was drawn, else why not (gnuplot missing or failing); the .dat
/// and .gp are written in either case. Throws std::runtime_error when a file cannot be written.
std::string write_compare_figure(const nlohmann::json& doc, const std::string& png_path);

}  // namespace gauntlet
