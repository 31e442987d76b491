#!/bin/sh
# On the GPU machine (no Swift), from the repository root, with .device/pack.tar.xz and
# .device/vgg16.f16.safetensors carried (tools/device/pack.sh): issue 17's figures in one
# call, written to $OUT/gpu_bench.txt, and a default 512 px run's image in $OUT.
#   - seconds per evaluation (forward + image gradient, the fixed objective) at 512, 1024 and
#     2048 px: stylize --device cuda (strict float32 and --gpu-math tf32) and PyTorch on the
#     same GPU, A B rounds at 512, PyTorch with its default TF32 convolutions and in strict
#     float32 (stylize's arithmetic);
#   - a default run of Chelsea with the bedroom at 512 and at 1024 px (weights 5, 1e-3, 1),
#     float32 and TF32, scored against PyTorch's 300-iteration run of the same pair on the same
#     GPU, and timed against it (`stylize-bench eval`).
# `make bench` runs it too (tools/bench_gpu.sh: the built binaries, STYLIZE set; binaries.sh).
# Run gpu_test.sh first: this only times; gpu_sweep.sh has the 16-job sweep and the 4096 px
# run. About 5 minutes once the machine is up.
set -eu
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp}/gpu_bench.txt
weights=.device/vgg16.f16.safetensors
. tools/device/binaries.sh
{
    echo "== $(date -u) $(uname -n)"
    nvidia-smi -L || true
    "$stylize" --version
    "$python" -c 'import torch; print("PyTorch", torch.__version__, "cuDNN", torch.backends.cudnn.version())' || true
    for size in 512 1024 2048; do
        rounds="A B"; [ "$size" = 512 ] || rounds=A
        for round in $rounds; do
            echo "-- $size px, round $round"
            "$bench" "$size" --device cuda --runs 10 | grep -E '^(size|device)' || echo "stylize-bench failed"
            "$bench" "$size" --device cuda --gpu-math tf32 --runs 10 | grep -E '^(size|device)' || echo "stylize-bench tf32 failed"
            "$python" tools/bench_torch.py time --size "$size" --device cuda --runs 10 --warmup 3 --weights "$STYLIZE_WEIGHTS" | grep '^torch' || true
            "$python" tools/bench_torch.py time --size "$size" --device cuda --no-tf32 --runs 10 --warmup 3 --weights "$STYLIZE_WEIGHTS" | grep '^torch' || true
        done
    done
    # Issue 17's run criterion: a default run with the weights fixed at 5, 1e-3, 1, scored
    # (its saved PNG, on the CPU) against PyTorch's saved 300-iteration PNG of the same pair
    # on the same GPU (neural-style-pt's run, TF32 convolutions as PyTorch's default), and its
    # wall time against PyTorch's 300 iterations; strict float32 and --gpu-math tf32.
    for size in 512 1024; do
        echo "-- a default run at $size px against PyTorch's 300 iterations"
        timeout 150 "$python" tools/bench_torch.py run samples/content/chelsea.png samples/style/bedroom.png --size "$size" \
            --device cuda -o "${OUT:-/tmp}/torch_$size.png" --weights "$STYLIZE_WEIGHTS" > "$w/torch_$size.txt" || true
        grep '^torch' "$w/torch_$size.txt" || echo "the PyTorch run failed"
        grep '^{' "$w/torch_$size.txt" > "$w/torch_$size.jsonl" || true
        for math in fp32 tf32; do
            timeout 150 "$stylize" batch --content samples/content/chelsea.png --style samples/style/bedroom.png \
                --size "$size" --style-weight 1e-3 --device cuda --gpu-math "$math" --out "$w/run-$size-$math" \
                2>&1 | grep -E '^(batch|stylize)' || echo "the $math run failed"
        done
        "$bench" eval "$w/run-$size-fp32" "$w/run-$size-tf32" --torch "$w/torch_$size.jsonl" \
            --torch-time "$w/torch_$size.jsonl" --threads 16 || echo "scoring failed"
        cp "$w/run-$size-fp32/chelsea__bedroom"*.png "${OUT:-/tmp}/" 2>/dev/null || true
    done
} 2>&1 | tee "$out"
