#!/bin/sh
# On the GPU machine (x86-64, no Swift), from the repository root, with .device/ carried
# (tools/device/pack.sh): issue 18's CPU figures in one call, written to $OUT/cpu_bench.txt.
#   - the machine, and `stylize --version` (BLAS, its kernels, the GEMM kernels' choice);
#   - make bench-scaling's table, stylize and PyTorch side by side at 1, 2, 4 … up to the
#     cores, then stylize with the matrix products pinned to OpenBLAS, AVX2 and AVX-512
#     (GEMMS), and with OPENBLAS_CORETYPE unset if the host sets it;
#   - `stylize-bench vectors 512`: L-BFGS's own passes per iteration at the same thread counts;
#   - `stylize-bench threads 512`: the thread model of all the cores beside the real ones, which
#     checks the model the 2-core hosts were tuned with (make bench-model), and the cuts it led to
#     against the loops before them (STYLIZE_SPLIT=whole) at every core, in turns.
# About 8 minutes on the 16-core Xeon; give it timeout_s 540.
set -eu
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp}/cpu_bench.txt
# The weights go beside the binaries, found by both stylize-bench and tools/bench_torch.py
# through STYLIZE_WEIGHTS.
weights=.device/vgg16.f16.safetensors
. tools/device/unpack.sh
cores=$(nproc)
counts=1; t=2; while [ "$t" -lt "$cores" ]; do counts="$counts $t"; t=$((t * 2)); done; counts="$counts $cores"
{
    echo "== $(date -u) $(uname -n), $cores logical CPUs"
    grep -m1 'model name' /proc/cpuinfo || true
    echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
    "$w/stylize" --version
    python3 -c 'import torch; print("PyTorch", torch.__version__)' || true
    GEMMS="blas avx2 avx512" STYLIZE_BENCH="$w/stylize-bench" sh tools/bench_scaling.sh 512 "$counts" "$(command -v python3)"
    # The optimizer's own vector work per L-BFGS iteration (no network), by thread count.
    "$w/stylize-bench" vectors 512 --threads-list "$(echo $counts | tr ' ' ',')" --model "$cores"
    # The thread model at every core against the cores themselves.
    "$w/stylize-bench" threads 512 --model "$cores" --measure "1,$cores" --runs 3
    # The cuts the model led to (the default) against the loops as before (STYLIZE_SPLIT=whole),
    # every core, in turns: the same bits, so only the time differs.
    for round in 1 2 3; do
        for split in fine whole; do
            printf '%s, round %s: ' "$split" "$round"
            STYLIZE_SPLIT=$split "$w/stylize-bench" 512 --threads "$cores" --runs 5 | grep -o 'median [0-9.]* s/evaluation'
        done
    done
} 2>&1 | tee "$out"
