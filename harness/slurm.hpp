// `gauntlet slurm SUITE`: runs a suite on a Slurm cluster as a job array, one `gauntlet run --shard
// I/N` per task, all writing to one --out on a shared filesystem, then a report job that draws the
// table once every task has ended. Re-running failed or timed-out tasks is the same command again:
// finished cells are skipped, an unfinished one resumes from its last epoch.
#pragma once

#include <string>
#include <vector>

namespace gauntlet {

struct SlurmOptions {
  std::string suite;              ///< suite file as given
  std::vector<std::string> sets;  ///< --set PATH=VALUE overrides, passed on to every task
  std::string out = "gauntlet-out";
  std::string partition;          ///< "": the cluster's default
  int gpus_per_task = 0;          ///< 0: no #SBATCH --gpus-per-task line (and runs on the CPU)
  int cpus_per_task = 1;          ///< also the tasks' --threads
  std::string time;               ///< "": the partition's default limit
  int max_parallel = 0;           ///< 0: no limit on tasks running at once
  int shards = 0;                 ///< 0: one per cell, at most kMaxDefaultShards
  bool dry_run = false;
};

constexpr int kMaxDefaultShards = 64;

/// What the scripts need, resolved: absolute paths, the shard count.
struct SlurmPlan {
  std::string suite_name;
  std::string gauntlet;  ///< absolute path of the gauntlet binary the tasks run
  std::string suite;     ///< absolute suite path
  std::string out;       ///< absolute --out
  std::string workdir;   ///< the tasks' working directory (relative data paths resolve from it)
  int cells = 0, shards = 0;
  std::string array_script, report_script;  ///< <out>/slurm/<suite>.sbatch, <out>/slurm/<suite>-report.sbatch
  std::string logs;                         ///< <out>/slurm/logs
};

/// `s` quoted for a POSIX shell: unchanged when only safe characters, else in single quotes.
std::string shell_quote(const std::string& s);

/// The job-array script and the report-job script (pure: no file system).
std::string array_script_text(const SlurmPlan& plan, const SlurmOptions& o);
std::string report_script_text(const SlurmPlan& plan, const SlurmOptions& o);

/// Validates the options and the suite (InputError), resolves paths and the shard count.
/// `gauntlet` is the path of the running binary.
SlurmPlan plan_slurm(const SlurmOptions& o, const std::string& gauntlet);

struct SlurmSubmission {
  SlurmPlan plan;
  std::string array_job, report_job;  ///< job ids; empty for a dry run
};

/// Writes both scripts (atomically, creating <out>/slurm/logs), then unless o.dry_run submits the
/// array with `sbatch --parsable` and the report job after it (--dependency=afterany). Throws
/// InputError when sbatch is not on PATH or fails, with its message.
SlurmSubmission slurm_submit(const SlurmOptions& o, const std::string& gauntlet);

/// The first executable file `name` in a folder of $PATH, or "".
std::string find_on_path(const std::string& name);

/// Absolute path of the running binary (/proc/self/exe, else from argv[0]).
std::string self_executable(const std::string& argv0);

}  // namespace gauntlet
