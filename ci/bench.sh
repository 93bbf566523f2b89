#!/usr/bin/env bash
# Runs the side-by-side performance comparisons of BENCHMARKS.md on this machine, one after the
# other (run it on a quiet machine: anything else running skews the ratios). Not part of CI's test
# run. Takes about 25-30 minutes on 2 cores.
# Usage: ci/bench.sh [BUILD_DIR=build-bench] [OUT_DIR=bench-out]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
out=${2:-bench-out}
ci/setup.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target gauntlet bench_models bench_loader bench_chain
mkdir -p "$out"
threads=$(nproc)
# The families the seeds used, at 96 px batch 64 (every registered model takes far longer).
models=simple_cnn,resnet18,resnet50,vgg11_bn,mobilenet_v3_large,efficientnet_b0,efficientnet_v2_s,convnext_tiny
echo "== 1. augmentation chain, one thread each (tests/bench/compare/augment_chain.py)"
/usr/bin/python3 tests/bench/compare/augment_chain.py drive "$build/tests/bench/bench_chain" | tee "$out/augment_chain.txt"
echo "== 2. training epoch with and without augmentation, and the compute bound (train_epoch.py)"
/usr/bin/python3 tests/bench/compare/train_epoch.py "$build" --threads "$threads" --json "$out/train_epoch.json" | tee "$out/train_epoch.txt"
echo "== 3. model compute and the machine's matmul rate (bench_models)"
GAUNTLET_BENCH_MODELS=${GAUNTLET_BENCH_MODELS:-$models} GAUNTLET_BENCH_THREADS=$threads \
  "$build/tests/bench/bench_models" --benchmark_min_time=2 \
  --benchmark_out="$out/bench_models.json" --benchmark_out_format=json | tee "$out/bench_models.txt"
echo "== 4. loader alone (bench_loader)"
"$build/tests/bench/bench_loader" --benchmark_min_time=2 | tee "$out/bench_loader.txt"
echo "== 5. evaluation on every ImageNet-C hold-out vs inference alone (holdout_overhead.sh)"
tests/bench/holdout_overhead.sh "$build/gauntlet" 500 "$threads" | tee "$out/holdout_overhead.txt"
echo "ci/bench.sh: figures in $out/"
