#!/bin/sh
# `make bench`'s GPU part (issue 17): on a machine where stylize finds a usable NVIDIA GPU, the
# figures of tools/device/gpu_bench.sh (an evaluation at 512, 1024 and 2048 px, and a default
# run at 512 and 1024 px scored and timed, each beside PyTorch on the same GPU) and of
# tools/device/gpu_sweep.sh (a 16-job sweep at 512 px against PyTorch's run x16, a 4096 px
# run), with the built binaries and this checkout's weights; their text and images go to
# BENCH_GPU_OUT (default out/bench-gpu). Elsewhere one line says why there is no GPU part.
#   sh tools/bench_gpu.sh [TORCH_PYTHON]
set -eu
cd "$(dirname "$0")/.."
# Exported: tools/device/binaries.sh, sourced by the two scripts, times these same binaries.
export STYLIZE="${STYLIZE:-$PWD/.build/release/stylize}"
export STYLIZE_BENCH="${STYLIZE_BENCH:-$(dirname "$STYLIZE")/stylize-bench}"
torch=${1:-}
[ -n "$torch" ] && [ -x "$torch" ] || torch=python3
if ! why=$("$STYLIZE_BENCH" 64 --device cuda --runs 1 2>&1 >/dev/null); then
    echo "GPU: not measured here: ${why#stylize-bench: error: }"
    exit 0
fi
export OUT="${BENCH_GPU_OUT:-$PWD/out/bench-gpu}" TORCH_PYTHON="$torch"
mkdir -p "$OUT"
sh tools/device/gpu_bench.sh
sh tools/device/gpu_sweep.sh
