#!/usr/bin/python3
"""Runs every case of cases.tsv against the real gauntlet binary, like a hostile user would.

Usage: run_cases.py GAUNTLET CORPUS_DIR CASES_TSV [NAME_SUBSTRING]

Each case must: exit with code 2 exactly (not a signal, no core dump), print exactly one line on
stderr that starts with "gauntlet: error: " and contains the expected substring (which names the
file and the problem), and leave the output folder as it was (same files, same bytes). The output
folder holds a previous result before every case, so "changed" is tested as well as "written".
"""
import concurrent.futures
import hashlib
import os
import resource
import shlex
import subprocess
import sys
import tempfile


def snapshot(folder):
    """{relative path: sha256} of every file under folder (links and folders included by name)."""
    state = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, folder)
            if os.path.islink(full):
                state[rel] = "link:" + os.readlink(full)
            elif os.path.isdir(full):
                state[rel] = "dir"
            else:
                with open(full, "rb") as f:
                    state[rel] = hashlib.sha256(f.read()).hexdigest()
    return state


def read_cases(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or not all(p.strip() for p in parts):
                sys.exit("%s:%d: expected 3 tab-separated fields (case, command, expected), got %r"
                         % (path, lineno, line))
            cases.append(tuple(p.strip() for p in parts))
    names = [c[0] for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        sys.exit("%s: duplicate case names: %s" % (path, ", ".join(sorted(dup))))
    return cases


def run_case(gauntlet, corpus, work, name, template, want):
    """Runs one case in its own folder; returns (name, "" or what went wrong)."""
    # An output folder holding a previous result and a previous output file: a case must
    # neither write nor change anything there.
    out = os.path.join(work, "out")
    os.makedirs(os.path.join(out, "runs", "old"))
    with open(os.path.join(out, "runs", "old", "result.json"), "w") as f:
        f.write('{"previous": "result"}\n')
    with open(os.path.join(out, "p.npz"), "wb") as f:
        f.write(b"previous output\n")
    before = snapshot(out)
    cmd = shlex.split(template.format(gauntlet=gauntlet, bad=corpus, out=out))
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", cwd=work, timeout=120)
    err_lines = [l for l in proc.stderr.splitlines() if l.strip()]
    problems = []
    if proc.returncode < 0:
        problems.append("killed by signal %d" % -proc.returncode)
    elif proc.returncode != 2:
        problems.append("exit %d, expected 2" % proc.returncode)
    if len(err_lines) != 1:
        problems.append("%d lines on stderr, expected 1" % len(err_lines))
    if not any(l.startswith("gauntlet: error: ") for l in err_lines):
        problems.append("no 'gauntlet: error: ' message")
    if want not in proc.stderr:
        problems.append("stderr lacks %r" % want)
    after = snapshot(out)
    if after != before:
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        problems.append("--out changed: %s" % ", ".join(changed))
    if os.path.exists(os.path.join(work, "core")):
        problems.append("core dump written")
    if not problems:
        return name, ""
    return name, "%s\n  command: %s\n  stderr: %s\n  stdout: %s" % (
        "; ".join(problems), " ".join(cmd), proc.stderr.strip()[:800], proc.stdout.strip()[:300])


def main():
    gauntlet, corpus, table = sys.argv[1:4]
    only = sys.argv[4] if len(sys.argv) > 4 else ""
    cases = [c for c in read_cases(table) if only in c[0]]
    if not cases:
        sys.exit("no cases selected")
    # No core files (the children inherit the limit): a crash shows up as a signal instead.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with tempfile.TemporaryDirectory() as work:
        # Cases are independent (each has its own output folder): run them side by side.
        jobs = max(2, os.cpu_count() or 2)
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            reports = list(pool.map(lambda ic: run_case(gauntlet, corpus, os.path.join(work, str(ic[0])), *ic[1]),
                                    enumerate(cases)))
    fails = 0
    for name, problems in reports:
        if problems:
            fails += 1
            print("FAIL %s: %s" % (name, problems))
        else:
            print("ok   %s" % name)
    print("%d passed, %d failed" % (len(cases) - fails, fails))
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
