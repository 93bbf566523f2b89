#include "harness/cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>

#include "augmentations/corruption.hpp"
#include "augmentations/transform_options.hpp"
#include "harness/build_info.hpp"
#include "harness/config.hpp"
#include "harness/core/error.hpp"
#include "harness/result_store.hpp"
#include "harness/runner.hpp"
#include "harness/suite.hpp"
#include "models/backbone_options.hpp"
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
    fmt::print("corruptions (hold-out ids c.<name>.<severity 1..5>):\n");
    for (const auto& c : corruption_infos()) {
      std::string params;
      for (SizeTable t : {SizeTable::kSmall, SizeTable::kMedium, SizeTable::kLarge}) {
        params += fmt::format(" {}:", size_table_name(t));
        for (int sev = 1; sev <= 5; ++sev) params += fmt::format(" {:g}", corruption_parameter(c.name, sev, t));
      }
      fmt::print("  {:<16} [{}] {};{}\n", c.name, c.family, c.summary, params);
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
      "Exit codes: 0 ok, 1 a cell failed, 2 bad input or usage."};
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
