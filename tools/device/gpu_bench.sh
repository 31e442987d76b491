#!/bin/sh
# On the GPU machine (no Swift), from the repository root, with .device/pack.tar.xz and
# .device/vgg16.f16.safetensors carried (tools/device/pack.sh): issue 17's figures in one
# call, written to $OUT/gpu_bench.txt, and a default 512 px run's image in $OUT.
#   - seconds per evaluation (forward + image gradient, the fixed objective) at 512 and
#     1024 px: stylize --device cuda and PyTorch on the same GPU, A B A B, PyTorch with its
#     default TF32 convolutions and in strict float32 (stylize's arithmetic);
#   - a default run of Chelsea with the bedroom at 512 px on the GPU, its wall time, and
#     PyTorch's 300-iteration run of the same pair on the same GPU; stylize with --gpu-math tf32 too;
#   - a 16-job sweep at 512 px with the default --jobs and with --jobs 1.
# Run gpu_test.sh first: this only times. A few minutes once the machine is up.
set -eu
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp}/gpu_bench.txt
weights=.device/vgg16.f16.safetensors
. tools/device/unpack.sh
{
    echo "== $(date -u) $(uname -n)"
    nvidia-smi -L || true
    "$w/stylize" --version
    python3 -c 'import torch; print("PyTorch", torch.__version__, "cuDNN", torch.backends.cudnn.version())' || true
    for size in 512 1024; do
        for round in A B; do
            echo "-- $size px, round $round"
            "$w/stylize-bench" "$size" --device cuda --runs 20 | grep -E '^(size|device)' || echo "stylize-bench failed"
            "$w/stylize-bench" "$size" --device cuda --gpu-math tf32 --runs 20 | grep -E '^(size|device)' || echo "stylize-bench tf32 failed"
            python3 tools/bench_torch.py time --size "$size" --device cuda --runs 20 --warmup 3 --weights "$STYLIZE_WEIGHTS" | grep '^torch' || true
            python3 tools/bench_torch.py time --size "$size" --device cuda --no-tf32 --runs 20 --warmup 3 --weights "$STYLIZE_WEIGHTS" | grep '^torch' || true
        done
    done
    echo "-- a default run at 512 px on the GPU"
    /usr/bin/time -f "wall %e s, max RSS %M kB" "$w/stylize" samples/content/chelsea.png samples/style/bedroom.png \
        -o "${OUT:-/tmp}/chelsea_bedroom_gpu.png" --size 512 --device cuda --quiet --log "${OUT:-/tmp}/chelsea_bedroom_gpu.jsonl" \
        || echo "the run failed"
    tail -1 "${OUT:-/tmp}/chelsea_bedroom_gpu.jsonl" 2>/dev/null || true
    echo "-- the same with --gpu-math tf32"
    /usr/bin/time -f "wall %e s, max RSS %M kB" "$w/stylize" samples/content/chelsea.png samples/style/bedroom.png \
        -o "${OUT:-/tmp}/chelsea_bedroom_gpu_tf32.png" --size 512 --device cuda --gpu-math tf32 --quiet \
        --log "${OUT:-/tmp}/chelsea_bedroom_gpu_tf32.jsonl" || echo "the run failed"
    tail -1 "${OUT:-/tmp}/chelsea_bedroom_gpu_tf32.jsonl" 2>/dev/null || true
    echo "-- PyTorch's 300 iterations (neural-style-pt's run) on the same pair and GPU, TF32 and strict"
    timeout 120 python3 tools/bench_torch.py run samples/content/chelsea.png samples/style/bedroom.png --size 512 \
        --device cuda -o "${OUT:-/tmp}/chelsea_bedroom_torch.png" --weights "$STYLIZE_WEIGHTS" | head -2 || true
    timeout 120 python3 tools/bench_torch.py run samples/content/chelsea.png samples/style/bedroom.png --size 512 \
        --device cuda --no-tf32 -o "${OUT:-/tmp}/chelsea_bedroom_torch_fp32.png" --weights "$STYLIZE_WEIGHTS" | head -2 || true
    # Issue 17, item 5: 16 jobs (4 photos x 4 paintings) at 512 px, side by side on the GPU at
    # the default --jobs (sized by its free memory), then one at a time; against 16 times
    # PyTorch's run above.
    sweep() {  # sweep NAME [--jobs N]
        name=$1; shift
        rm -rf "$w/sweep-$name"
        /usr/bin/time -f "sweep $name: wall %e s, max RSS %M kB" timeout 150 "$w/stylize" batch \
            --content samples/content/astronaut.png --content samples/content/chelsea.png \
            --content samples/content/china.png --content samples/content/coffee.png \
            --style samples/style/bedroom.png --style samples/style/sunflowers.png \
            --style samples/style/tiger.png --style samples/style/pastel.png \
            --out "$w/sweep-$name" --size 512 --device cuda "$@" 2>&1 | grep -E '^(batch|sweep|stylize)' || echo "sweep $name failed"
    }
    echo "-- 16 jobs at 512 px on the GPU"
    sweep default
    nvidia-smi --query-gpu=memory.used,memory.total --format=csv || true
    sweep one-at-a-time --jobs 1
} 2>&1 | tee "$out"
