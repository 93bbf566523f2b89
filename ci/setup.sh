#!/usr/bin/env bash
# Installs every Debian package gauntlet builds, tests and runs with (see DESIGN.md, Dependencies).
# Idempotent: on a ready machine it checks dpkg's database, prints one line and exits in seconds.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev
  # LibTorch's BLAS (linear layers, matmul): without it Debian falls back to the reference BLAS,
  # 30x slower on matmul and 15x on ConvNeXt (BENCHMARKS.md). Both gauntlet and python3-torch use it.
  libopenblas0-pthread
  libopencv-dev libopencv-contrib-dev
  nlohmann-json3-dev catch2 libbenchmark-dev libcli11-dev libfmt-dev
  libzip-dev libxxhash-dev zlib1g-dev libjpeg-dev
  gnuplot-nox
  chromium  # tests/e2e/report.sh opens the HTML report in headless Chromium
  dataset-fashion-mnist
  python3-torch python3-torchvision python3-sklearn python3-scipy python3-numpy
  python3-skimage python3-opencv python3-pil
  clang-14 libclang-rt-14-dev  # ci/sanitize.sh and ci/fuzz.sh (ASan, UBSan, libFuzzer)
  slurm-wlm munge  # scale-out: ci/slurm/start.sh runs a single-node cluster for tests/e2e/slurm.sh
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "ci/setup.sh: all ${#packages[@]} packages present"
  exit 0
fi

echo "ci/setup.sh: installing ${#missing[@]} packages: ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "ci/setup.sh: done"
