#!/bin/sh
# `make eval`: the defaults on many photos and paintings (issue 20).
#
#   sh tools/eval.sh OUT THREADS PAINTINGS...
#
# 1. Every photo of samples/content with every painting of the PAINTINGS folders at 256 px,
#    at the defaults (one batch, jobs side by side): OUT/256/, its report and contact sheet.
#    Scored with `stylize-bench eval`: the style ratio L_s(out) / L_s(photo) (criterion: at
#    most 0.10) and the content ratio L_c(out) / L_c(painting) (at most 0.5) of each saved
#    image, its β and time.
# 2. Each pair of tools/eval_pairs_512.txt at 512 px, the default schedule with the fixed
#    weights α, β, γ = 5, 1e-3, 1 (one batch per pair, THREADS threads), scored with that
#    objective next to PyTorch's saved 300-iteration PNG (tools/eval_torch_512.jsonl, made
#    once by the command in its first line; rescored here when the PNG is still on disk).
#
# With TORCH_PYTHON (a Python with tools/requirements-torch.txt, e.g. .venv-torch/bin/python)
# each 512 px pair is also run for 10 iterations in PyTorch right after stylize's run, on the
# same threads: 300 times its seconds per evaluation is PyTorch's time for its 300 iterations,
# and the table gives stylize's run time as a fraction of it.
#
# Tables go to OUT/256.md and OUT/512.md and are printed. Batches run with --resume, so a
# rerun scores what is there and runs only what is missing (delete OUT to start over).
set -eu
out=$1; threads=$2; shift 2
bin=${STYLIZE:-.build/release/stylize}
bench=${STYLIZE_BENCH:-.build/release/stylize-bench}
mkdir -p "$out/512"

echo "== 256 px: every photo x every painting, defaults ($out/256)"
sh tools/eval_256.sh samples/content "$out/256" "$threads" "$@"

echo "== 512 px: default schedule, alpha beta gamma = 5 1e-3 1, against PyTorch ($out/512)"
grep -v '^#' tools/eval_pairs_512.txt | while read -r photo painting; do
    [ -n "$photo" ] || continue
    style=""
    for folder in "$@"; do [ -f "$folder/$painting" ] && { style="$folder/$painting"; break; }; done
    [ -n "$style" ] || { echo "skipped $photo x $painting: $painting is in none of: $*" >&2; continue; }
    pair="$out/512/${photo%.*}__${painting%.*}"
    "$bin" batch --content "samples/content/$photo" --style "$style" --size 512 --style-weight 1e-3 \
        --threads "$threads" --out "$pair" --resume --quiet
    if [ -x "${TORCH_PYTHON:-}" ] && [ ! -s "$pair/torch-10.json" ]; then
        "$TORCH_PYTHON" tools/bench_torch.py run "samples/content/$photo" "$style" -o "$pair/torch-10.png" \
            --size 512 --iterations 10 --threads "$threads" | grep '^{' > "$pair/torch-10.json.tmp"
        mv "$pair/torch-10.json.tmp" "$pair/torch-10.json"
    fi
done
timing=""
if ls "$out"/512/*/torch-10.json > /dev/null 2>&1; then
    cat "$out"/512/*/torch-10.json > "$out/512/torch-10.jsonl"
    timing="--torch-time $out/512/torch-10.jsonl"
fi
scores=""
[ -f tools/eval_torch_512.jsonl ] && scores="--torch tools/eval_torch_512.jsonl"
"$bench" eval "$out"/512/*/ $scores $timing --threads "$threads" | tee "$out/512.md"
