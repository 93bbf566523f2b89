#!/usr/bin/env bash
# Disk full: an output written onto a full filesystem (a 256 KiB tmpfs) fails with exit 2 (perturb
# --out: the path is the user's, harness/command_io.hpp; other writes exit 1, OutputError) and one
# message naming the file and saying why, and leaves the previous file byte-identical, with no
# temporary file beside it. Needs root to mount the tmpfs: skipped (77) where that is refused.
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
mnt=$t/mnt
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=256k tmpfs "$mnt" 2>/dev/null; then
  echo "skipped: cannot mount a tmpfs here (needs root)"; rm -rf "$t"; exit 77
fi
trap 'umount "$mnt"; rm -rf "$t"' EXIT
/usr/bin/python3 -c '
import sys, numpy as np
np.savez(sys.argv[1], images=(np.arange(40 * 16 * 16) % 251).astype(np.uint8).reshape(40, 16, 16),
         labels=np.array([0, 1] * 20))' "$t/data.npz"
perturb() { "$bin" perturb "$t/data.npz" --corruption contrast --severity "$1" --out "$mnt/p.npz"; }
expect "the first write fits" 0 "" -- perturb 1
before=$(sha256sum "$mnt/p.npz")
# Fill the filesystem, leaving less than the next file needs.
dd if=/dev/zero of="$mnt/filler" bs=1k count=1000 2>/dev/null
expect "writing onto a full disk fails with a message naming the file" 2 \
  "gauntlet: error: --out: $mnt/p.npz: cannot write" -- perturb 5
check "the message is the only line on stderr" -- test "$(perturb 5 2>&1 >/dev/null | grep -c .)" -eq 1
check "the message says why" -- grep -q "No space left on device" <<< "$last_out"
check "the previous file is unchanged" -- test "$(sha256sum "$mnt/p.npz")" == "$before"
check "no temporary file is left" -- test -z "$(find "$mnt" -name '*.tmp-*')"
rm -f "$mnt/filler"
expect "with space again, the write succeeds" 0 "" -- perturb 5
check "and replaces the file" -- test "$(sha256sum "$mnt/p.npz")" != "$before"
finish
