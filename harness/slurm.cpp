#include "harness/slurm.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <regex>

#include "harness/build_info.hpp"
#include "harness/core/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "harness/result_store.hpp"
#include "harness/suite.hpp"

extern char** environ;

namespace gauntlet {
namespace fs = std::filesystem;

std::string shell_quote(const std::string& s) {
  const bool safe = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_./:=,+@%^-", c) != nullptr;
  });
  if (safe) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

namespace {

std::string sbatch_header(const std::string& what) {
  return fmt::format("#!/bin/bash\n# Written by `gauntlet slurm` (gauntlet {}): {}.\n", gauntlet_version(), what);
}

std::string common_lines(const SlurmOptions& o) {
  std::string s;
  if (!o.partition.empty()) s += fmt::format("#SBATCH --partition={}\n", o.partition);
  if (!o.time.empty()) s += fmt::format("#SBATCH --time={}\n", o.time);
  return s;
}

}  // namespace

std::string array_script_text(const SlurmPlan& p, const SlurmOptions& o) {
  std::string s = sbatch_header(
      fmt::format("suite {}, {} cell(s) in {} shard(s), one per array task", p.suite_name, p.cells, p.shards));
  s += fmt::format(
      "# All tasks write to one --out (a shared filesystem); a lock per cell keeps two off one cell.\n"
      "# Failed or timed-out tasks: run the same `gauntlet slurm` command again (or sbatch this file):\n"
      "# finished cells are skipped, an unfinished one resumes from its last finished epoch.\n"
      "#SBATCH --job-name=gauntlet-{}\n"
      "#SBATCH --array=0-{}{}\n",
      p.suite_name, p.shards - 1, o.max_parallel > 0 ? fmt::format("%{}", o.max_parallel) : "");
  s += common_lines(o);
  s += fmt::format("#SBATCH --ntasks=1\n#SBATCH --cpus-per-task={}\n", o.cpus_per_task);
  if (o.gpus_per_task > 0) s += fmt::format("#SBATCH --gpus-per-task={}\n", o.gpus_per_task);
  s += fmt::format("#SBATCH --output={}/%A_%a.out\n#SBATCH --error={}/%A_%a.err\n", p.logs, p.logs);
  s += fmt::format("set -eu\ncd {}\n", shell_quote(p.workdir));
  std::string cmd = fmt::format("exec {} run {} --out {} --shard $((SLURM_ARRAY_TASK_ID + 1))/{} --threads {}",
                                shell_quote(p.gauntlet), shell_quote(p.suite), shell_quote(p.out), p.shards,
                                o.cpus_per_task);
  if (o.gpus_per_task > 0) cmd += " --device cuda";
  for (const auto& set : o.sets) cmd += " --set " + shell_quote(set);
  return s + cmd + "\n";
}

std::string report_script_text(const SlurmPlan& p, const SlurmOptions& o) {
  std::string s = sbatch_header(fmt::format("the summary table of suite {} once its array job has ended",
                                                  p.suite_name));
  s += fmt::format("#SBATCH --job-name=gauntlet-{}-report\n", p.suite_name);
  s += common_lines(o);
  s += fmt::format("#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n#SBATCH --output={}/%j-report.out\n", p.logs);
  s += fmt::format("set -eu\ncd {}\n", shell_quote(p.workdir));
  s += fmt::format("exec {} report {} --out {}\n", shell_quote(p.gauntlet), shell_quote(runs_dir(p.out, p.suite_name)),
                   shell_quote(p.out));
  return s;
}

SlurmPlan plan_slurm(const SlurmOptions& o, const std::string& gauntlet) {
  // Values that end up on #SBATCH lines must not break them.
  const std::regex partition_re("[A-Za-z0-9_.,-]+"), time_re("([0-9]+-)?[0-9]+(:[0-9]+){0,2}|UNLIMITED|INFINITE");
  if (!o.partition.empty() && !std::regex_match(o.partition, partition_re)) {
    throw InputError("--partition " + o.partition, "expected a partition name (letters, digits, _ . - ,)");
  }
  if (!o.time.empty() && !std::regex_match(o.time, time_re)) {
    throw InputError("--time " + o.time, "expected a Slurm time: MINUTES, HH:MM:SS, D-HH:MM:SS or UNLIMITED");
  }
  const Suite suite = load_suite(o.suite, o.sets);
  SlurmPlan p;
  p.suite_name = suite.name;
  p.cells = static_cast<int>(suite.cells.size());
  if (p.cells == 0) throw InputError(o.suite, "the suite has no cells");
  p.shards = o.shards > 0 ? std::min(o.shards, p.cells) : std::min(p.cells, kMaxDefaultShards);
  p.gauntlet = fs::absolute(gauntlet).lexically_normal().string();
  p.suite = fs::absolute(o.suite).lexically_normal().string();
  p.out = fs::absolute(o.out).lexically_normal().string();
  while (p.out.size() > 1 && p.out.back() == '/') p.out.pop_back();
  p.workdir = fs::current_path().string();
  // The log paths go on #SBATCH lines as they are, where Slurm reads % as a pattern.
  if (p.out.find_first_of(" \t\n\"'\\%") != std::string::npos) {
    throw InputError("--out " + o.out, "the output folder's absolute path " + p.out +
                                           " has a space, quote, backslash or %, which #SBATCH lines cannot hold");
  }
  const std::string dir = p.out + "/slurm";
  p.array_script = dir + "/" + suite.name + ".sbatch";
  p.report_script = dir + "/" + suite.name + "-report.sbatch";
  p.logs = dir + "/logs";
  return p;
}

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string rest = path ? path : "";
  size_t start = 0;
  while (start <= rest.size()) {
    const size_t end = std::min(rest.find(':', start), rest.size());
    const std::string dir = rest.substr(start, end - start);
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
    start = end + 1;
  }
  return "";
}

namespace {

struct Captured {
  int status = -1;  ///< exit code, or 128 + signal
  std::string out, err;
};

/// Runs argv (argv[0] found on PATH) with stdout and stderr captured through temporary files.
Captured run_captured(const std::vector<std::string>& argv) {
  const fs::path tmp = fs::temp_directory_path();
  std::string out_name = (tmp / "gauntlet-sbatch-out-XXXXXX").string(), err_name = (tmp / "gauntlet-sbatch-err-XXXXXX").string();
  const int out_fd = ::mkstemp(out_name.data());
  const int err_fd = out_fd < 0 ? -1 : ::mkstemp(err_name.data());
  if (out_fd < 0 || err_fd < 0) {
    if (out_fd >= 0) {
      ::close(out_fd);
      ::unlink(out_name.c_str());
    }
    throw InputError(argv[0], std::string("cannot make a temporary file in ") + tmp.string() + ": " + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_fd);
  ::close(err_fd);
  Captured c;
  if (rc == 0) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    c.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  try {
    c.out = read_file(out_name);
    c.err = read_file(err_name);
  } catch (...) {
  }
  ::unlink(out_name.c_str());
  ::unlink(err_name.c_str());
  if (rc != 0) throw InputError(argv[0], std::string("cannot start it: ") + std::strerror(rc));
  return c;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

/// `sbatch --parsable ARGS... SCRIPT`: the job id ("12345", or "12345;cluster" -> "12345").
std::string sbatch(const std::string& sbatch_path, std::vector<std::string> args, const std::string& already) {
  std::vector<std::string> argv{sbatch_path, "--parsable"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string shown = "sbatch --parsable";
  for (const auto& a : args) shown += " " + shell_quote(a);
  const Captured c = run_captured(argv);
  const std::string out = trim(c.out), err = trim(c.err);
  std::string id = out.substr(0, out.find_first_of(";\n"));
  if (c.status != 0 || id.empty() || !std::all_of(id.begin(), id.end(), ::isdigit)) {
    throw InputError(shown, fmt::format("failed (exit {}){}{}{}", c.status, err.empty() ? "" : ": " + err,
                                        out.empty() || c.status != 0 ? "" : "; it printed \"" + out + "\", not a job id",
                                        already));
  }
  return id;
}

}  // namespace

SlurmSubmission slurm_submit(const SlurmOptions& o, const std::string& gauntlet) {
  SlurmSubmission r;
  r.plan = plan_slurm(o, gauntlet);
  const SlurmPlan& p = r.plan;
  std::string sbatch_path;
  if (!o.dry_run) {
    sbatch_path = find_on_path("sbatch");
    if (sbatch_path.empty()) {
      throw InputError("sbatch", "not found on PATH: gauntlet slurm submits with Slurm's sbatch (run it on a "
                                 "login node of the cluster), or use --dry-run to only write the scripts");
    }
  }
  std::error_code ec;
  fs::create_directories(p.logs, ec);  // Slurm does not make the log folder; without it tasks fail silently
  if (ec) throw InputError(p.logs, "cannot create the log folder: " + ec.message());
  write_file_atomic(p.array_script, array_script_text(p, o));
  write_file_atomic(p.report_script, report_script_text(p, o));
  if (o.dry_run) return r;
  r.array_job = sbatch(sbatch_path, {p.array_script}, "");
  r.report_job = sbatch(sbatch_path, {"--dependency=afterany:" + r.array_job, p.report_script},
                        fmt::format(" (the array job {} was submitted; when it ends, draw the table with: {} report {} "
                                    "--out {})",
                                    r.array_job, p.gauntlet, runs_dir(p.out, p.suite_name), p.out));
  return r;
}

std::string self_executable(const std::string& argv0) {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && !exe.empty()) return exe.string();
  if (argv0.find('/') != std::string::npos) return fs::absolute(argv0).lexically_normal().string();
  const std::string found = find_on_path(argv0);
  return found.empty() ? argv0 : fs::absolute(found).lexically_normal().string();
}

}  // namespace gauntlet
