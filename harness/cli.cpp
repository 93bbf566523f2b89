#include "harness/cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "augmentations/corruption.hpp"
#include "augmentations/transform_options.hpp"
#include "harness/build_info.hpp"
#include "harness/compare.hpp"
#include "harness/config.hpp"
#include "harness/core/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "harness/result_store.hpp"
#include "harness/runner.hpp"
#include "harness/suite.hpp"
#include "models/backbone_options.hpp"
#include "reports/compare_report.hpp"
#include "reports/summary.hpp"

namespace gauntlet {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;

int cmd_validate(const std::string& path, const std::vector<std::string>& sets) {
  const Suite s = load_suite(path, sets);
  fmt::print("{}: ok, suite \"{}\" expands to {} cell(s):\n", path, s.name, s.cells.size());
  for (const auto& c : s.cells) fmt::print("  {}\n", cell_title(c));
  return kExitOk;
}

int cmd_run(const std::string& path, const std::vector<std::string>& sets, const RunOptions& o) {
  const Suite s = load_suite(path, sets);
  const RunSummary r = run_suite(s, o);
  fmt::print("gauntlet: {} cell(s): {} ran, {} skipped (result exists), {} failed\n", r.cells, r.ran,
             r.skipped, r.failed);
  fmt::print("results: {}\nsummary: {}\n", runs_dir(o.out, s.name), r.summary_path);
  if (r.failed > 0) {
    fmt::print(stderr, "gauntlet: {} cell(s) failed:\n", r.failed);
    for (const auto& f : r.failed_cells) fmt::print(stderr, "  {}\n", f);
    return kExitFailed;
  }
  return kExitOk;
}

int cmd_report(const std::string& runs, const std::string& out) {
  const auto results = read_results(runs);
  const std::string suite = results.front().at("config").at("suite").get<std::string>();
  std::string md;
  const std::string path = write_summary(out, suite, results, &md);
  fmt::print("{}\nsummary: {}\n", md, path);
  return kExitOk;
}

struct CompareFlags {
  std::string base, candidate, suite, match, json, markdown, figure;
};

int cmd_compare(const CompareFlags& f, CompareOptions o, const CLI::App& sub) {
  // The suite's compare section first, then every flag given on the command line over it.
  if (!f.suite.empty()) {
    const Suite s = load_suite(f.suite);
    CompareOptions from_suite;
    apply_suite_compare_section(s.json, from_suite);
    if (sub.count("--tolerance") == 0) o.tolerance = from_suite.tolerance;
    if (sub.count("--alpha") == 0) o.alpha = from_suite.alpha;
    if (sub.count("--resamples") == 0) o.resamples = from_suite.resamples;
    if (sub.count("--match") == 0) o.match = from_suite.match;
  }
  if (sub.count("--match") > 0) o.match = parse_match_fields(f.match);
  const nlohmann::json doc = compare_runs(f.base, f.candidate, o);
  const std::string md = compare_markdown(doc);
  fmt::print("{}", md);
  std::fflush(stdout);
  if (!f.markdown.empty()) {
    write_file_atomic(f.markdown, md);
    fmt::print(stderr, "markdown: {}\n", f.markdown);
  }
  if (!f.json.empty()) {
    write_file_atomic(f.json, doc.dump(2) + "\n");
    fmt::print(stderr, "json: {}\n", f.json);
  }
  if (!f.figure.empty()) {
    const std::string why_not = write_compare_figure(doc, f.figure);
    if (why_not.empty()) fmt::print(stderr, "figure: {}\n", f.figure);
    else fmt::print(stderr, "gauntlet: figure skipped: {}\n", why_not);
  }
  fmt::print(stderr, "gauntlet: {}\n", compare_verdict_line(doc));
  return doc.at("summary").at("verdict") == "regression" ? kExitFailed : kExitOk;
}

int cmd_list(const std::string& what) {
  const bool all = what.empty();
  if (all || what == "backbones") {
    fmt::print("backbones:\n");
    for (const auto& b : backbone_infos()) {
      fmt::print("  {:<16} {} (default input {}px, {} channels)\n", b.name, b.summary,
                 b.defaults.input_size, b.defaults.in_channels);
    }
  }
  if (all || what == "transforms") {
    fmt::print("transforms:\n");
    for (const auto& t : transform_infos()) {
      fmt::print("  {:<16} {}\n  {:<16} defaults: {}\n", t.name, t.summary, "",
                 pipeline_to_json({t.defaults})[0].dump());
    }
  }
  if (all || what == "corruptions") {
    fmt::print("corruptions (hold-out ids c.<id>.<severity 1..5>; * = not in the family's mCE):\n");
    std::string family;
    for (const auto& c : corruption_infos()) {
      if (c.family != family) fmt::print("  [{}]\n", family = c.family);
      fmt::print("  {:<30} {}{}\n", c.id + (c.in_mce ? "" : " *"), c.summary,
                 c.deterministic ? "" : " (random, seeded)");
      for (SizeTable t : {SizeTable::kSmall, SizeTable::kMedium, SizeTable::kLarge}) {
        std::string params;
        for (int sev = 1; sev <= 5; ++sev) {
          const auto p = corruption_parameters(c.id, sev, t);
          params += p.size() == 1 ? fmt::format(" {:g}", p[0]) : fmt::format(" ({:g})", fmt::join(p, ","));
        }
        fmt::print("  {:<30}   {:<6}{}\n", "", size_table_name(t), params);
      }
    }
  }
  if (all || what == "losses") fmt::print("losses:\n  cross_entropy    label_smoothing (default 0)\n");
  if (all || what == "optimizers") {
    fmt::print("optimizers:\n  sgd              lr 0.01, momentum 0.9, nesterov false, weight_decay 0\n"
               "  adam             lr 0.001, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0\n");
  }
  return kExitOk;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{
      "gauntlet: train image classifiers from a JSON suite, evaluate them on clean and perturbed\n"
      "hold-outs, and write accuracy / precision / recall / F1 tables.\n\n"
      "Start with:  gauntlet validate suites/quickstart.json\n"
      "             gauntlet run suites/quickstart.json\n\n"
      "Exit codes: 0 ok, 1 a cell failed (or, for compare, a regression), 2 bad input or usage."};
  app.set_version_flag("--version", fmt::format("gauntlet {} ({}), libtorch {}", gauntlet_version(),
                                                gauntlet_git_sha(), TORCH_VERSION));
  app.require_subcommand(1);

  std::string suite_path, runs_path, list_what;
  std::vector<std::string> sets;
  RunOptions ro;
  std::string report_out = "gauntlet-out";

  auto* run = app.add_subcommand("run", "Train and evaluate every cell of a suite (skips cells whose result exists).");
  run->add_option("SUITE", suite_path, "Suite file (JSON, see suites/schema/suite.schema.json)")
      ->required()->check(CLI::ExistingFile);
  run->add_option("--out", ro.out, "Output folder: runs/<suite>/<cell-id>/, reports/<suite>/")
      ->capture_default_str();
  run->add_option("--threads", ro.threads, "LibTorch compute threads (0: all cores). Results depend on it; it is recorded")
      ->check(CLI::Range(0, 1024))->capture_default_str();
  run->add_option("--loader-threads", ro.loader_threads, "Data-pipeline threads (results do not depend on it)")
      ->check(CLI::Range(1, 256))->capture_default_str();
  run->add_flag("--rerun", ro.rerun, "Run cells even when their result exists");
  run->add_option("--set", sets, "Override a suite value: PATH=VALUE, e.g. --set train.epochs=2 or "
                                 "--set /axes/seeds=[0,1] (VALUE is JSON, or a bare string)");

  auto* validate = app.add_subcommand("validate", "Check a suite against the schema and list its cells.");
  validate->add_option("SUITE", suite_path, "Suite file")->required()->check(CLI::ExistingFile);
  validate->add_option("--set", sets, "Override a suite value: PATH=VALUE (as for run)");

  auto* report = app.add_subcommand("report", "Rewrite the summary table from the result files of a suite.");
  report->add_option("RUNS", runs_path, "A suite's runs folder, e.g. gauntlet-out/runs/quickstart")
      ->required()->check(CLI::ExistingDirectory);
  report->add_option("--out", report_out, "Output folder (the table goes to <out>/reports/<suite>/)")
      ->capture_default_str();

  CompareFlags cf;
  CompareOptions co;
  auto* compare = app.add_subcommand(
      "compare", "Compare a candidate's results with a base's, sample by sample; exit 1 on a regression.");
  compare->footer(
      "Cells pair when their resolved configs are equal: the values of backbone, augmentation, loss,\n"
      "optimizer, seed, train and data (by content), whatever their labels. Leave out of --match what\n"
      "the candidate is allowed to change (--match augmentation,loss,optimizer,seed,train,data pairs a\n"
      "new backbone with the old), or pair by labels with --map. Each pair's config, data and code\n"
      "differences are listed; unmatched cells are listed with the closest cell and what differs.\n"
      "On every hold-out both cells were evaluated on, the accuracy delta (candidate - base) gets a paired bootstrap 95% CI\n"
      "and an exact McNemar test, Holm-corrected over the hold-outs of the cell pair. Verdicts:\n"
      "  regression   delta < -tolerance, Holm p < alpha and the whole CI below 0\n"
      "  improvement  delta > tolerance, Holm p < alpha and the whole CI above 0\n"
      "  no evidence  otherwise: the data do not show a change (which is not proof that there is none)\n"
      "Several seeds of one cell are judged together (mean delta, a bootstrap over seeds and samples, McNemar\n"
      "counts summed). Prints Markdown for a pull-request comment.\n"
      "Exit codes: 0 no regression, 1 a regression, 2 bad input. Definitions: docs/compare.md.\n\n"
      "Example: gauntlet compare main-out/runs/quickstart gauntlet-out/runs/quickstart \\\n"
      "           --suite suites/quickstart.json --tolerance 0.01 --json compare.json");
  compare->add_option("BASE", cf.base, "Base results: a runs folder (runs/<suite>) or one result.json")->required();
  compare->add_option("CANDIDATE", cf.candidate, "Candidate results, the same way")->required();
  compare->add_option("--tolerance", co.tolerance, "Smallest accuracy drop (0..1) that counts, e.g. 0.01 for 1 point")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  compare->add_option("--alpha", co.alpha, "Family-wise error rate of the McNemar tests of one cell pair")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  compare->add_option("--resamples", co.resamples, "Bootstrap resamples for the 95% CI")
      ->check(CLI::Range(int64_t{100}, int64_t{1000000}))->capture_default_str();
  compare->add_option("--seed", co.seed, "Seed of the bootstrap draws")->capture_default_str();
  compare->add_option("--match", cf.match,
                      "Fields that must be equal for cells to pair, comma-separated subset of "
                      "backbone,augmentation,loss,optimizer,seed,train,data (default: all)");
  compare->add_option("--map", co.map_path,
                      "JSON list of {\"base\": {labels}, \"candidate\": {labels}} pairing cells whose labels differ")
      ->check(CLI::ExistingFile);
  compare->add_option("--suite", cf.suite, "Read tolerance, alpha, resamples and match from this suite's "
                                           "\"compare\" object (flags win)")
      ->check(CLI::ExistingFile);
  compare->add_option("--json", cf.json, "Also write every number as JSON (gauntlet.compare/1) to this file");
  compare->add_option("--markdown", cf.markdown, "Also write the Markdown summary to this file");
  compare->add_option("--figure", cf.figure,
                      "Draw deltas with CIs per hold-out to this PNG with gnuplot (.dat and .gp kept beside it)");

  auto* list = app.add_subcommand("list", "List what a suite can name: backbones, transforms, corruptions, losses, optimizers.");
  list->add_option("WHAT", list_what, "One of them (default: all)")
      ->check(CLI::IsMember({"backbones", "transforms", "corruptions", "losses", "optimizers"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }

  try {
    if (*run) return cmd_run(suite_path, sets, ro);
    if (*validate) return cmd_validate(suite_path, sets);
    if (*report) return cmd_report(runs_path, report_out);
    if (*list) return cmd_list(list_what);
    if (*compare) return cmd_compare(cf, co, *compare);
  } catch (const InputError& e) {
    fmt::print(stderr, "gauntlet: error: {}\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "gauntlet: internal error: {}\n", e.what());
    return kExitFailed;
  }
  return kExitBadInput;
}

}  // namespace gauntlet
