#!/bin/sh
# `make bench-scaling`: seconds per 512 px evaluation at 1, 2, 4 … threads up to the core
# count, stylize and PyTorch side by side at each count (PyTorch when its venv exists:
# `make bench-torch` makes it), with OPENBLAS_CORETYPE as the host sets it and, when it is
# set, unset as well (issue 18). Speedup and efficiency are against 1 thread. With
# GEMMS="blas avx2 avx512", the stylize column is repeated with STYLIZE_GEMM pinned to each
# (the matrix products' kernel; the default row lets stylize measure and choose).
#   sh tools/bench_scaling.sh SIZE "THREAD COUNTS" [TORCH_PYTHON]
# At each count the two tools run ROUNDS times (default 2) alternately, stylize PyTorch
# stylize PyTorch …, and each column is the median of the rounds' medians: a host whose speed
# drifts by 25 % within minutes (the 2-core development host does) then slows both alike, and
# the ratio column (stylize / PyTorch) is what to compare between hosts.
set -eu
size=$1; counts=$2; torch=${3:-}
rounds=${ROUNDS:-2}
bench=${STYLIZE_BENCH:-.build/release/stylize-bench}
median() { sed -n 's/.* median \([0-9.]*\) s\/evaluation.*/\1/p' | tail -1; }
middle() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
row() {  # $1: label; runs each count and prints the table
    echo "$1 ($(uname -n), $(nproc) cores), $size px, seconds per evaluation, median of $rounds alternating rounds:"
    printf '  %7s %10s %8s %10s %10s %8s\n' threads stylize speedup efficiency pytorch ratio
    one=""
    for t in $counts; do
        ss=""; ps=""
        r=0
        while [ "$r" -lt "$rounds" ]; do
            ss="$ss $("$bench" "$size" --threads "$t" | median)"
            if [ -n "$torch" ] && [ -x "$torch" ]; then
                ps="$ps $("$torch" tools/bench_torch.py time --size "$size" --threads "$t" 2>/dev/null | median || true)"
            fi
            r=$((r + 1))
        done
        s=$(echo "$ss" | middle); p=$(echo "$ps" | middle)
        [ -n "$one" ] || one=$s
        echo "$t $s $one $p" | awk '{ ratio = $4 == "-" ? "-" : sprintf("%.2f", $2 / $4)
            printf "  %7d %10.3f %7.2fx %9.0f%% %10s %8s\n", $1, $2, $3 / $2, 100 * $3 / $2 / $1, $4, ratio }'
    done
}
"$bench" 32 --threads 1 --runs 1 | sed -n 's/^gemm: //p'
row "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
for g in ${GEMMS:-}; do  # stylize alone: PyTorch's column is the same as in the first table
    (export STYLIZE_GEMM=$g; torch=""; row "STYLIZE_GEMM=$g, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}")
done
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
    (unset OPENBLAS_CORETYPE; row "OPENBLAS_CORETYPE unset")
fi
