#include "harness/cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "augmentations/corruption.hpp"
#include "augmentations/transform_options.hpp"
#include "harness/audit.hpp"
#include "harness/augment.hpp"
#include "harness/build_info.hpp"
#include "harness/compare.hpp"
#include "harness/config.hpp"
#include "harness/core/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "harness/data_source.hpp"
#include "harness/merge.hpp"
#include "harness/perturb.hpp"
#include "harness/predict.hpp"
#include "harness/result_store.hpp"
#include "harness/runner.hpp"
#include "harness/shard.hpp"
#include "harness/slurm.hpp"
#include "harness/suite.hpp"
#include "models/backbone_options.hpp"
#include "models/flops.hpp"
#include "models/registry.hpp"
#include "reports/compare_report.hpp"
#include "reports/report.hpp"
#include "reports/summary.hpp"

namespace gauntlet {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitInterrupted = 130;  // 128 + SIGINT, what shells report for Ctrl-C

int cmd_validate(const std::string& path, const std::vector<std::string>& sets) {
  const Suite s = load_suite(path, sets);
  fmt::print("{}: ok, suite \"{}\" expands to {} cell(s):\n", path, s.name, s.cells.size());
  for (const auto& c : s.cells) fmt::print("  {}\n", cell_title(c));
  return kExitOk;
}

int cmd_audit(const std::string& data, const std::string& out, const std::string& truth, const AuditOptions& o) {
  // The planted dirt first: a --truth that cannot be honoured must fail before anything is written.
  const BloodcellTruth planted = truth.empty() ? BloodcellTruth{} : planted_dirt({data});
  const Dataset d = load_dataset({data});
  const AuditReport r = audit_dataset(d, o);
  write_audit(out, d, r, o);
  int64_t redundant = 0;
  for (const auto& g : r.duplicates) redundant += static_cast<int64_t>(g.size()) - 1;
  fmt::print("gauntlet: audited {} images, {} classes (imbalance ratio {:.2f}): {} exact-duplicate groups ({} redundant "
             "images), {} with conflicting labels, {} near-duplicate pairs, {} outliers\nreport: {}/audit.md\n",
             d.n, d.num_classes(), r.imbalance_ratio, r.duplicates.size(), redundant, r.conflicts.size(),
             r.near_duplicates.size(), r.outliers.size(), out);
  if (!truth.empty()) {
    const AuditScore sc = score_planted(d, r, planted);
    write_file_atomic(truth, sc.truth_json);
    fmt::print("planted dirt: {}/{} duplicate copies found, {}/{} conflict copies found, {}/{} outliers flagged, "
               "{}/{} clean images flagged ({:.2f}%)\ntruth: {}\n",
               sc.duplicates_found, sc.duplicates, sc.conflicts_found, sc.conflicts, sc.outliers_found, sc.outliers,
               sc.clean_flagged, sc.clean, 100.0 * sc.clean_flagged / std::max<int64_t>(1, sc.clean), truth);
  }
  return kExitOk;
}

int cmd_run(const std::string& path, const std::vector<std::string>& sets, const RunOptions& o) {
  const Suite s = load_suite(path, sets);
  const RunSummary r = run_suite(s, o);
  fmt::print("gauntlet: {} cell(s): {} ran, {} skipped (result exists), {} failed{}{}\n", r.cells, r.ran,
             r.skipped, r.failed,
             r.busy > 0 ? fmt::format(", {} left to another gauntlet process running them", r.busy) : "",
             r.other_shards > 0 ? fmt::format(", {} in other shards", r.other_shards) : "");
  fmt::print("results: {}\nsummary: {}\n", runs_dir(o.out, s.name),
             r.summary_path.empty() ? "(none yet)" : r.summary_path);
  if (!r.interrupted.empty()) {
    fmt::print(stderr,
               "gauntlet: interrupted: {}. Finished cells are stored; an unfinished one resumes after its last "
               "finished epoch. Run the same command to go on.\n",
               r.interrupted);
    return kExitInterrupted;
  }
  if (r.failed > 0) {
    fmt::print(stderr, "gauntlet: {} cell(s) failed:\n", r.failed);
    for (const auto& f : r.failed_cells) fmt::print(stderr, "  {}\n", f);
    return kExitFailed;
  }
  return kExitOk;
}

int cmd_report(const std::string& runs, const std::string& out, const ReportOptions& o) {
  const auto results = read_results(runs);
  const std::string suite = results.front().at("config").at("suite").get<std::string>();
  const ReportOutput r = write_report(runs, reports_dir(out, report_folder_name(suite)), o);
  for (const auto& w : r.warnings) fmt::print(stderr, "gauntlet: report: {}\n", w);
  fmt::print("{}\nreport: {} ({} table files, {} figures)\nsummary: {}\n", r.summary_markdown, r.dir, r.tables,
             r.figures, r.summary_path);
  if (!r.index_path.empty()) fmt::print("open: {}\n", r.index_path);
  return kExitOk;
}

int cmd_eval(const std::string& runs, const std::vector<std::string>& specs, const RunOptions& o) {
  std::vector<ExternalHoldout> holdouts;
  for (const auto& spec : specs) {
    const auto eq = spec.find('=');
    const std::string name = spec.substr(0, eq);
    // The same rule as a suite's evaluate.holdouts[].name: ^[a-z0-9][a-z0-9_-]*$, at most 64.
    const bool name_ok = !name.empty() && name.size() <= 64 && name[0] != '_' && name[0] != '-' &&
                         std::all_of(name.begin(), name.end(), [](char ch) {
                           return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
                         });
    if (eq == std::string::npos || eq + 1 == spec.size() || !name_ok) {
      throw InputError("--holdout " + spec, "expected NAME=DATA with NAME of a-z, 0-9, _ and - starting "
                                           "with a letter or digit (the hold-out becomes x.NAME), e.g. "
                                           "--holdout field=field.npz");
    }
    for (const auto& h : holdouts) {
      if (h.name == name) throw InputError("--holdout " + spec, "hold-out \"" + name + "\" given twice");
    }
    holdouts.push_back({name, {spec.substr(eq + 1)}});
  }
  const EvalSummary r = eval_holdouts(runs, holdouts, o);
  for (const auto& n : r.notes) fmt::print(stderr, "gauntlet: skipped {}\n", n);
  fmt::print("gauntlet: {} cell(s): {} evaluated, {} skipped; results updated in {}\n", r.cells, r.evaluated,
             r.skipped, runs);
  return r.evaluated > 0 ? kExitOk : kExitFailed;
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

int cmd_slurm(const SlurmOptions& o, const std::string& argv0) {
  const SlurmSubmission r = slurm_submit(o, self_executable(argv0));
  const SlurmPlan& p = r.plan;
  const std::string report = fmt::format("{} report {} --out {}", shell_quote(p.gauntlet),
                                         shell_quote(runs_dir(p.out, p.suite_name)), shell_quote(p.out));
  fmt::print("gauntlet: suite {}: {} cell(s) in {} shard(s){}\n", p.suite_name, p.cells, p.shards,
             o.shards > p.shards ? fmt::format(" (--shards {} is more than there are cells)", o.shards) : "");
  if (o.dry_run) {
    fmt::print("scripts written, nothing submitted (--dry-run):\n  {}\n  {}\n"
               "submit them with:\n  jid=$(sbatch --parsable {}) && sbatch --dependency=afterany:$jid {}\n",
               p.array_script, p.report_script, shell_quote(p.array_script), shell_quote(p.report_script));
    return kExitOk;
  }
  fmt::print("array job {}: {} task(s){}, script {}\n"
             "report job {}: after the array ends, script {}\n"
             "logs: {}/\nwatch: squeue -j {},{}\nresults: {}\n"
             "Tasks that failed or ran out of time: run this same command again (finished cells are skipped).\n",
             r.array_job, p.shards, o.max_parallel > 0 ? fmt::format(", at most {} at once", o.max_parallel) : "",
             p.array_script, r.report_job, p.report_script, p.logs, r.array_job, r.report_job, report);
  return kExitOk;
}

// Each backbone built with `classes` outputs and run once at `side` px: parameters and FLOPs.
void list_backbones(int64_t side, int64_t classes) {
  fmt::print("backbones (parameters with a {}-class head; FLOPs = 2 x multiply-adds of conv/linear/matmul,\n"
             "one {}x{} image, measured by running a forward; --input-size N to change):\n",
             classes, side, side);
  fmt::print("  {:<16} {:>8} {:>8}  {}\n", "name", "params", "FLOPs", "summary (default input, channels)");
  for (const auto& b : backbone_infos()) {
    torch::nn::AnyModule m = make_backbone(b.name, b.default_options, classes);
    std::string flops;
    try {
      flops = human_count(forward_cost(m, b.defaults.in_channels, side).flops());
    } catch (const c10::Error&) {
      flops = "too small";  // the input shrinks below 1 px inside the network
    }
    fmt::print("  {:<16} {:>8} {:>8}  {} ({}px, {} channels)\n", b.name, human_count(parameter_count(*m.ptr())),
               flops, b.summary, b.defaults.input_size, b.defaults.in_channels);
  }
}

int cmd_list(const std::string& what, int64_t side, int64_t classes) {
  const bool all = what.empty();
  if (all || what == "backbones") list_backbones(side, classes);
  if (all || what == "transforms") {
    fmt::print("transforms:\n");
    for (const auto& t : transform_infos()) {
      fmt::print("  {:<20} {}\n  {:<20} defaults: {}\n", t.name, t.summary, "",
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
  if (all || what == "profiles") {
    fmt::print("profiles (hold-out ids p.<name>; files in profiles/ of the source tree):\n");
    for (const auto& p : builtin_profiles()) {
      fmt::print("  {:<16} {} op(s), {}..{} per image: {}\n", p.name, p.ops.size(), p.k_min, p.k_max,
                 p.description);
    }
  }
  if (all || what == "losses") {
    fmt::print(
        "losses (both take label_smoothing 0, and class_weights: null, \"balanced\" (n / (K count_k) from the\n"
        "training labels) or one weight per class; both take MixUp/CutMix soft targets):\n"
        "  cross_entropy    -sum t log p\n"
        "  focal            -alpha_t (1 - p_t)^gamma log p_t: gamma 2, alpha [] (1 for every class)\n");
  }
  if (all || what == "optimizers") {
    fmt::print("optimizers (all also take schedule, no_decay_norm_bias false, head_lr_scale 1, backbone_lr_scale 1):\n");
    for (const auto& name : optimizer_names()) {
      OptimizerConfig c;
      c.options = default_optimizer_options(name);
      nlohmann::json j = to_json(c);
      for (const char* common : {"name", "schedule", "no_decay_norm_bias", "head_lr_scale", "backbone_lr_scale"}) {
        j.erase(common);
      }
      std::string defaults;
      for (const auto& [key, value] : j.items()) defaults += (defaults.empty() ? "" : ", ") + key + " " + value.dump();
      fmt::print("  {:<16} {}\n", name, defaults);
    }
    fmt::print(
        "schedules (per epoch of a phase):\n"
        "  constant\n"
        "  step             step_size 30, gamma 0.1: lr gamma^floor(e / step_size)\n"
        "  exponential      gamma 0.1, decay_epochs 1, staircase false: lr gamma^(e / decay_epochs)\n"
        "  cosine           warmup_epochs 0, warmup_start_factor 0.1, min_lr 0, total_epochs 0 (the phase's):\n"
        "                   linear warm-up, then cosine annealing to min_lr\n");
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
      "Exit codes: 0 ok, 1 a cell failed (or, for compare, a regression), 2 bad input or usage,\n"
      "130 stopped by Ctrl-C / SIGTERM (run the same command to resume)."};
  app.set_version_flag("--version", fmt::format("gauntlet {} ({}), libtorch {}", gauntlet_version(),
                                                gauntlet_git_sha(), TORCH_VERSION));
  app.require_subcommand(1);

  std::string suite_path, runs_path, list_what;
  std::vector<std::string> sets;
  RunOptions ro;
  std::string report_out = "gauntlet-out";

  auto* run = app.add_subcommand("run", "Train and evaluate every cell of a suite. Skips cells whose result exists, resumes an\n"
      "interrupted cell from its last epoch's checkpoint, leaves cells another run is training to it;\n"
      "Ctrl-C stops at the next batch (run the same command to go on).");
  run->add_option("SUITE", suite_path, "Suite file (JSON, see suites/schema/suite.schema.json)")
      ->required()->check(CLI::ExistingFile);
  run->add_option("--out", ro.out, "Output folder: runs/<suite>/<cell-id>/, reports/<suite>/")
      ->capture_default_str();
  run->add_option("--threads", ro.threads, "LibTorch compute threads (0: all cores). Results depend on it; it is recorded")
      ->check(CLI::Range(0, 1024))->capture_default_str();
  run->add_option("--loader-threads", ro.loader_threads, "Data-pipeline threads (results do not depend on it)")
      ->check(CLI::Range(1, 256))->capture_default_str();
  run->add_flag("--rerun", ro.rerun, "Run cells even when their result exists");
  run->add_option("--device", ro.device, "cpu, cuda, or auto (cuda when LibTorch sees a GPU)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))->capture_default_str();
  run->add_option("--precision", ro.precision,
                  "fp32, or mixed precision by autocast: bf16 (CPU or CUDA), fp16 (CUDA, with dynamic loss scaling)")
      ->check(CLI::IsMember({"fp32", "bf16", "fp16"}))->capture_default_str();
  run->add_flag("--channels-last,!--no-channels-last", ro.channels_last,
                "Channels-last (NHWC) memory format for the model and its batches: the default, faster with\n"
                "oneDNN on the CPU for every backbone measured (BENCHMARKS.md); --no-channels-last: NCHW.\n"
                "Results depend on it (other kernels); it is recorded in result.json's env");
  run->add_flag("--allow-torchscript", ro.allow_torchscript,
                "Allow backbones with a \"torchscript\" file: it is code and runs with your rights (SECURITY.md)");
  run->add_option_function<std::string>(
         "--shard",
         [&ro](const std::string& v) {
           try {
             std::tie(ro.shard, ro.shards) = parse_shard(v);
           } catch (const std::invalid_argument& e) {
             throw CLI::ValidationError("--shard", e.what());
           }
         },
         "I/N: run only shard I of N (cells balanced by estimated cost; the same on every machine). "
         "Shard 1 writes cells.json; draw the table with `gauntlet report` when all are done");
  run->add_option("--set", sets, "Override a suite value: PATH=VALUE, e.g. --set train.epochs=2 or "
                                 "--set /axes/seeds=[0,1] (VALUE is JSON, or a bare string)");

  auto* validate = app.add_subcommand("validate", "Check a suite against the schema and list its cells.");
  validate->add_option("SUITE", suite_path, "Suite file")->required()->check(CLI::ExistingFile);
  validate->add_option("--set", sets, "Override a suite value: PATH=VALUE (as for run)");

  ReportOptions rep;
  auto* report = app.add_subcommand(
      "report",
      "Write a suite's tables, figures and HTML pages from its result files alone (no model, no data):\n"
      "  gauntlet report gauntlet-out/runs/quickstart            -> gauntlet-out/reports/quickstart/\n"
      "  gauntlet report RUNS --format tex,csv --no-figures      (tables for a paper, nothing else)\n"
      "Writes summary.md (one row per cell, what `run` prints), tables/ (leaderboard, ranking: clean vs\n"
      "shifted rank), figures/ (clean vs shifted scatter, accuracy vs severity) and, per cell, per-class\n"
      "and corruption x severity tables, learning curves, confusion matrices and per-class F1 bars; with\n"
      "html, index.html (open it in a browser: offline, sortable leaderboard) and cells/<id>.html.\n"
      "Figures need gnuplot (Debian gnuplot-nox); each keeps its .gp script and .dat data beside its\n"
      "PNG/SVG/PDF, so `gnuplot NAME.gp` redraws it after you restyle it. Without gnuplot the tables are\n"
      "still written (a warning, exit 0). The same results give byte-identical tables and pages.\n"
      "`run` writes the same report at its end. More: docs/reports.md.");
  report->add_option("RUNS", runs_path, "A suite's runs folder, e.g. gauntlet-out/runs/quickstart")
      ->required()->check(CLI::ExistingDirectory);
  report->add_option("--out", report_out, "Output folder: the report goes to <out>/reports/<suite>/")
      ->capture_default_str();
  report->add_option_function<std::string>(
      "--format",
      [&](const std::string& v) {
        try {
          rep.formats = parse_report_formats(v);
        } catch (const std::invalid_argument& e) {
          throw CLI::ValidationError("--format", e.what());
        }
      },
      "Table formats, comma-separated: md (GitHub Markdown), html (also writes index.html and the cell\n"
      "pages), tex (booktabs tabular for \\input), csv (RFC 4180; spreads as their own columns)")
      ->default_str("md,html,tex,csv");
  report->add_flag("--no-figures", [&](int64_t) { rep.figures = false; }, "Skip the gnuplot figures (faster)");

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

  std::vector<std::string> holdout_specs_cli;
  RunOptions eo;
  std::vector<std::string> merge_inputs;
  std::string merge_out = "gauntlet-out";
  auto* merge = app.add_subcommand("merge", "Gather the runs folders of one suite made on several machines into one.");
  merge->footer(
      "Each RUNS is a runs/<suite> folder (of a shard, say). Everything is checked before anything is\n"
      "written: one suite, the same cell list, and a cell found twice must have the same results\n"
      "(else exit 2, naming both). Then the cells are copied to OUT/runs/<suite>/, mCE is recomputed\n"
      "over all of them and the summary table written, as if the suite had run on one machine.\n\n"
      "Example: gauntlet merge shard1/runs/grid shard2/runs/grid --out gauntlet-out");
  merge->add_option("RUNS", merge_inputs, "Runs folders to gather")->required();
  merge->add_option("--out", merge_out, "Output folder: runs/<suite>/, reports/<suite>/")->capture_default_str();

  SlurmOptions so;
  auto* slurm = app.add_subcommand("slurm", "Run a suite on a Slurm cluster: a job array of `run --shard`, then a report job.");
  slurm->footer(
      "Writes OUT/slurm/<suite>.sbatch, a job array of N tasks, task I running\n"
      "  gauntlet run SUITE --out OUT --shard I/N --threads C [--set ...]\n"
      "(absolute paths, this binary: keep it, the suite and OUT on a filesystem every node sees), and\n"
      "OUT/slurm/<suite>-report.sbatch, which runs `gauntlet report OUT/runs/<suite> --out OUT`; submits\n"
      "the array with `sbatch --parsable`, then the report job with --dependency=afterany on it, and\n"
      "prints both job ids. Logs: OUT/slurm/logs/. All tasks write to one OUT, so nothing needs merging;\n"
      "tasks that wrote to node-local folders instead are gathered with `gauntlet merge`.\n"
      "Tasks that failed or ran out of time: run the same command again. Finished cells are skipped and\n"
      "an unfinished one resumes from its last finished epoch, so only the missing work runs. (A task\n"
      "killed without SIGTERM, by a node failure say, leaves <cell>/.lock naming its host: delete it.)\n\n"
      "Example: gauntlet slurm suites/grid.json --partition gpu --gpus-per-task 1 --cpus-per-task 8 \\\n"
      "           --time 04:00:00 --max-parallel 16 --out /shared/gauntlet-out");
  slurm->add_option("SUITE", so.suite, "Suite file")->required()->check(CLI::ExistingFile);
  slurm->add_option("--out", so.out, "Output folder, on a shared filesystem: runs/, reports/, slurm/")
      ->capture_default_str();
  slurm->add_option("--partition", so.partition, "Slurm partition (default: the cluster's default)");
  slurm->add_option("--gpus-per-task", so.gpus_per_task, "GPUs per task (tasks then run with --device cuda)")
      ->check(CLI::Range(1, 64));
  slurm->add_option("--cpus-per-task", so.cpus_per_task, "CPUs per task, also each task's --threads")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  slurm->add_option("--time", so.time, "Time limit per task: MINUTES, HH:MM:SS or D-HH:MM:SS (default: the partition's)");
  slurm->add_option("--max-parallel", so.max_parallel, "At most K tasks running at once (--array=0-(N-1)%K)")
      ->check(CLI::Range(1, 100000));
  slurm->add_option("--shards", so.shards, fmt::format("Number of tasks N (default: one per cell, at most {})",
                                                       kMaxDefaultShards))
      ->check(CLI::Range(1, 100000));
  slurm->add_flag("--dry-run", so.dry_run, "Only write the two scripts and print their paths; submit nothing");
  slurm->add_option("--set", so.sets, "Override a suite value: PATH=VALUE (as for run), passed on to every task");

  auto* eval = app.add_subcommand("eval", "Evaluate finished cells on new hold-outs from their saved weights, without retraining.");
  eval->footer(
      "Each cell of RUNS (a runs/<suite> folder) with status ok and a model.pt is evaluated on every\n"
      "--holdout; the result is added to its result.json (eval[\"x.NAME\"], holdouts) and\n"
      "predictions/x.NAME.csv, so report and compare see it. Classes are matched by name (or, for\n"
      "an .npz without names, by index). Each cell is evaluated as `run` evaluated it: its recorded\n"
      "crop, resize and normalisation (result.json preprocess) and memory layout (env.channels_last).\n"
      "Use it to check a profile against a real shifted set.\n\n"
      "Example: gauntlet eval gauntlet-out/runs/quickstart --holdout field=field.npz");
  eval->add_option("RUNS", runs_path, "Runs folder (gauntlet-out/runs/<suite>)")->required()->check(CLI::ExistingDirectory);
  eval->add_option("--holdout", holdout_specs_cli, "NAME=DATA: a data spec (DESIGN.md) evaluated as hold-out x.NAME")
      ->required();
  eval->add_flag("--allow-torchscript", eo.allow_torchscript, "Allow cells whose backbone is a TorchScript file (code)");
  eval->add_option("--threads", eo.threads, "LibTorch compute threads (0: all cores)")
      ->check(CLI::Range(0, 1024))->capture_default_str();
  eval->add_option("--loader-threads", eo.loader_threads, "Data-pipeline threads")
      ->check(CLI::Range(1, 256))->capture_default_str();

  PerturbOptions po;
  auto* perturb_cmd = app.add_subcommand("perturb", "Write or preview the perturbed hold-outs `run` evaluates on.");
  perturb_cmd->footer(
      "With --seed set to a suite's seed and DATA its test images, the images are exactly those of\n"
      "hold-out c.<corruption>.<severity> (or p.<profile>) in `gauntlet run`.\n\n"
      "Examples:\n"
      "  gauntlet perturb test.npz --corruption gaussian_noise --severity 3 --out noisy.npz\n"
      "  gauntlet perturb fashion-mnist:test --corruption imagenet-c --preview c.png   (rows: corruptions,\n"
      "                                                                        columns: severities)\n"
      "  gauntlet perturb blood.npz --corruption pixelate --family bloodmnist-c --severity 2 --out px.npz\n"
      "  gauntlet perturb test.npz --profile hidden-like --out hidden.npz --preview hidden.png");
  perturb_cmd->add_option("DATA", po.data, "Data spec: an .npz, an IDX file, fashion-mnist:test, ...")->required();
  perturb_cmd->add_option("--corruption", po.corruptions,
                          "Corruption name(s), comma-separated, or imagenet-c (its 15), bloodmnist-c (its 11), all "
                          "(see gauntlet list corruptions)");
  perturb_cmd->add_option("--family", po.family, "imagenet-c or bloodmnist-c, for names in both (default imagenet-c)");
  perturb_cmd->add_option("--severity", po.severity, "1..5 (for a preview, default: all five)")->check(CLI::Range(1, 5));
  perturb_cmd->add_option("--profile", po.profile, "A profile instead: built-in name (gauntlet list profiles) or a .json file");
  perturb_cmd->add_option("--out", po.out, "Write FILE.npz with keys images (uint8 NHWC) and labels");
  perturb_cmd->add_option("--preview", po.preview, "Write a PNG grid: rows = corruptions, columns = clean + severities");
  perturb_cmd->add_option("--index", po.index, "Image shown in the preview (first of 8 for a profile)")->capture_default_str();
  perturb_cmd->add_option("--cell", po.cell_side, "Preview cell size in pixels")->check(CLI::Range(16, 1024))->capture_default_str();
  perturb_cmd->add_option("--seed", po.seed, "Seed of the random draws (a suite's seed reproduces its hold-outs)")
      ->capture_default_str();
  perturb_cmd->add_option("--threads", po.threads, "Threads (the images do not depend on it)")
      ->check(CLI::Range(1, 256))->capture_default_str();

  AugmentOptions ao;
  auto* augment_cmd = app.add_subcommand("augment", "Preview an augmentation pipeline, or write an augmented set.");
  augment_cmd->footer(
      "The pipeline file is a JSON list of ops, exactly what an augmentation axis holds in a suite\n"
      "(gauntlet list transforms). Image i at epoch e draws as in training: Rng{seed, e, i, op}.\n\n"
      "Examples:\n"
      "  echo '[{\"op\": \"hflip\"}, {\"op\": \"rotate\", \"degrees\": 20}]' > flip-rotate.json\n"
      "  gauntlet augment fashion-mnist:test --pipeline flip-rotate.json --preview aug.png\n"
      "  gauntlet augment train.npz --pipeline flip-rotate.json --out train-aug.npz --seed 1");
  augment_cmd->add_option("DATA", ao.data, "Data spec: an .npz, an IDX file, fashion-mnist:test, ...")->required();
  augment_cmd->add_option("--pipeline", ao.pipeline, "JSON file: a list of ops")->required()->check(CLI::ExistingFile);
  augment_cmd->add_option("--out", ao.out, "Write FILE.npz (keys images, uint8 NHWC, and labels): one draw per image, epoch 0");
  augment_cmd->add_option("--preview", ao.preview, "Write a PNG grid: rows = images, columns = the original + draws");
  augment_cmd->add_option("--samples", ao.samples, "Preview rows")->check(CLI::Range(1, 64))->capture_default_str();
  augment_cmd->add_option("--draws", ao.draws, "Preview draws per image (epochs 0..N-1)")->check(CLI::Range(1, 32))->capture_default_str();
  augment_cmd->add_option("--index", ao.index, "First image of the preview")->capture_default_str();
  augment_cmd->add_option("--cell", ao.cell_side, "Preview cell size in pixels")->check(CLI::Range(16, 1024))->capture_default_str();
  augment_cmd->add_option("--seed", ao.seed, "Seed of the draws")->capture_default_str();
  augment_cmd->add_option("--threads", ao.threads, "Threads for --out (the images do not depend on it)")
      ->check(CLI::Range(1, 256))->capture_default_str();

  std::string audit_data, audit_out = "gauntlet-out/audit", audit_truth;
  AuditOptions audo;
  auto* audit_cmd = app.add_subcommand("audit", "Find duplicates, conflicting labels, near duplicates and outliers in a data set.");
  audit_cmd->footer(
      "Writes DIR/audit.json (0-based indices: duplicates, conflicts, near_duplicates [i, j, distance],\n"
      "outliers {index, score, reasons}, class_counts), DIR/audit.md (a summary) and DIR/audit.png (the\n"
      "flagged images). Exact duplicates: same pixels. Near duplicates: OpenCV pHash (64 bits) at most\n"
      "--near-threshold bits apart. Outliers: a colour statistic or the LBP texture histogram distance to\n"
      "the class median more than --colour-z / --texture-z robust z-scores (median/MAD) from the set's.\n\n"
      "Examples:\n"
      "  gauntlet audit train.npz --out audit/\n"
      "  gauntlet audit 'synthetic:bloodcell?n=4000&seed=1&outliers=40&duplicates=60&conflicts=20' --truth truth.json\n"
      "      (--truth: for a synthetic source, write where the dirt was planted and score the audit against it)");
  audit_cmd->add_option("DATA", audit_data, "Data spec: an .npz, a folder, an IDX file, fashion-mnist:train, synthetic:...")
      ->required();
  audit_cmd->add_option("--out", audit_out, "Folder for audit.json, audit.md, audit.png")->capture_default_str();
  audit_cmd->add_option("--near-threshold", audo.near_threshold, "pHash Hamming distance (of 64 bits) of a near duplicate")
      ->check(CLI::Range(0, 32))->capture_default_str();
  audit_cmd->add_option("--colour-z", audo.colour_z, "Robust z of a colour statistic that flags an outlier")
      ->check(CLI::Range(1.0, 1000.0))->capture_default_str();
  audit_cmd->add_option("--texture-z", audo.texture_z, "Robust z of the histogram distance that flags an outlier")
      ->check(CLI::Range(1.0, 1000.0))->capture_default_str();
  audit_cmd->add_option("--truth", audit_truth, "Synthetic sources only: write the planted dirt here and print the audit's score");
  audit_cmd->add_option("--threads", audo.threads, "Threads (0: all cores; the result does not depend on it)")
      ->check(CLI::Range(0, 256))->capture_default_str();

  auto* list = app.add_subcommand("list", "List what a suite can name: backbones, transforms, corruptions, profiles, losses, optimizers.");
  list->add_option("WHAT", list_what, "One of them (default: all)")
      ->check(CLI::IsMember({"backbones", "transforms", "corruptions", "profiles", "losses", "optimizers"}));
  int64_t list_side = 96, list_classes = 10;
  list->add_option("--input-size", list_side, "Backbones: image side the FLOPs are measured at")
      ->check(CLI::Range(int64_t{8}, int64_t{1024}))->capture_default_str();
  list->add_option("--num-classes", list_classes, "Backbones: classes of the head counted in the parameters")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}))->capture_default_str();

  PredictOptions pr;
  auto* predict_cmd = app.add_subcommand("predict", "Write a model's logits on a data set or an array to a .npy file.");
  predict_cmd->footer(
      "The model: a registered backbone (gauntlet list backbones) with weights from a file whose names\n"
      "follow torchvision's state_dict (safetensors, or torch.save(model.state_dict(), path)); or a\n"
      "TorchScript module (torch.jit.save) with --torchscript FILE --allow-torchscript.\n"
      "The input: --data DATA (any data spec: .npz, IDX, image folder, fashion-mnist:test), preprocessed\n"
      "as `run` evaluates: centre-cropped (--center-crop), resized to the backbone's default input\n"
      "size (--input-size, --resize; auto: area when shrinking, bilinear when enlarging, untouched\n"
      "when equal), gray replicated to RGB for a 3-channel backbone, /255, then normalised\n"
      "(--normalize; default: the backbone's mean/std. A cell trained with data.preprocess.normalize\n"
      "\"dataset\" records its mean/std in result.json's preprocess: pass them as --mean/--std).\n"
      "Or --input-npy X.npy, a float32 (N, C, H, W) array fed as it is. Output: float32 (N, K)\n"
      "logits in input order, eval mode; written only when everything succeeded. Bad flags, files\n"
      "or weights: exit 2, nothing written.\n\n"
      "Examples:\n"
      "  gauntlet predict --backbone resnet18 --weights resnet18.safetensors --data test.npz --out logits.npy\n"
      "  gauntlet predict --backbone vgg11_bn --weights vgg.pth --input-npy x.npy --out y.npy\n"
      "  python3 -c 'import numpy as np; y = np.load(\"logits.npy\"); print(y.argmax(1))'");
  predict_cmd->add_option("--backbone", pr.backbone, "Registered backbone name");
  predict_cmd->add_option("--torchscript", pr.torchscript, "Or a TorchScript file (needs --allow-torchscript)")
      ->check(CLI::ExistingFile);
  predict_cmd->add_flag("--allow-torchscript", pr.allow_torchscript,
                        "Allow loading TorchScript: it is code and runs with your rights (SECURITY.md)");
  predict_cmd->add_option("--weights", pr.weights, ".safetensors or torch.save state_dict (.pth); all names must match")
      ->check(CLI::ExistingFile);
  predict_cmd->add_option("--num-classes", pr.num_classes, "Classes K (default: the rows of the weights' classifier)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  predict_cmd->add_option("--data", pr.data, "Data spec, preprocessed with the backbone's defaults");
  predict_cmd->add_option("--input-npy", pr.input_npy, "Or a float32 NCHW .npy, used as it is")->check(CLI::ExistingFile);
  predict_cmd->add_option("--input-size", pr.input_size, "With --data: resize to this side (default: the backbone's)")
      ->check(CLI::Range(int64_t{8}, int64_t{4096}));
  predict_cmd->add_option("--resize", pr.resize, "With --data: auto, area, bilinear, bicubic or nearest")
      ->check(CLI::IsMember({"auto", "area", "bilinear", "bicubic", "nearest"}))->capture_default_str();
  predict_cmd->add_option("--center-crop", pr.center_crop, "With --data: fraction of each side kept (timm's crop_pct)")
      ->check(CLI::Range(1e-6, 1.0))->capture_default_str();
  predict_cmd->add_option("--normalize", pr.normalize, "With --data: backbone, imagenet, minus_one_to_one, zero_to_one")
      ->check(CLI::IsMember({"backbone", "imagenet", "minus_one_to_one", "zero_to_one", "dataset"}))
      ->capture_default_str();
  predict_cmd->add_option("--mean", pr.mean, "With --data: per-channel mean (1 or 3 values, comma-separated), with --std")
      ->delimiter(',')->expected(1, 3);
  predict_cmd->add_option("--std", pr.std, "With --data: per-channel std (1 or 3 values, comma-separated), with --mean")
      ->delimiter(',')->expected(1, 3);
  predict_cmd->add_option("--out", pr.out, "Output .npy: float32 (N, K) logits")->required();
  predict_cmd->add_option("--batch-size", pr.batch_size, "Images per forward")
      ->check(CLI::Range(int64_t{1}, int64_t{65536}))->capture_default_str();
  predict_cmd->add_option("--threads", pr.threads, "LibTorch compute threads (0: its default)")
      ->check(CLI::Range(0, 1024))->capture_default_str();

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
    if (*report) return cmd_report(runs_path, report_out, rep);
    if (*list) return cmd_list(list_what, list_side, list_classes);
    if (*predict_cmd) {
      const PredictSummary r = predict(pr);
      fmt::print("gauntlet: {} x {} logits written to {} ({})\n", r.n, r.num_classes, pr.out, r.notes);
      return kExitOk;
    }
    if (*compare) return cmd_compare(cf, co, *compare);
    if (*eval) return cmd_eval(runs_path, holdout_specs_cli, eo);
    if (*slurm) return cmd_slurm(so, argv[0]);
    if (*merge) {
      const MergeSummary m = merge_runs(merge_inputs, merge_out);
      fmt::print("gauntlet: merged {} cell(s) of suite {} from {} folder(s) ({} found more than once, same results)\n"
                 "results: {}\nsummary: {}\n",
                 m.cells, m.suite, merge_inputs.size(), m.duplicates, m.runs, m.summary_path);
      return kExitOk;
    }
    if (*perturb_cmd) {
      perturb(po);
      return kExitOk;
    }
    if (*audit_cmd) return cmd_audit(audit_data, audit_out, audit_truth, audo);
    if (*augment_cmd) {
      augment(ao);
      return kExitOk;
    }
  } catch (const InputError& e) {
    fmt::print(stderr, "gauntlet: error: {}\n", e.what());
    return kExitBadInput;
  } catch (const OutputError& e) {
    fmt::print(stderr, "gauntlet: error: {}\n", e.what());
    return kExitFailed;
  } catch (const std::exception& e) {
    fmt::print(stderr, "gauntlet: internal error: {}\n", e.what());
    return kExitFailed;
  }
  return kExitBadInput;
}

}  // namespace gauntlet
