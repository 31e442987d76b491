#!/bin/sh
# On the GPU machine (no Swift), from the repository root, with .device/pack.tar.xz and
# .device/vgg16.f16.safetensors carried (tools/device/pack.sh), after gpu_test.sh: issue 17's
# sweep and size criteria, written to $OUT/gpu_sweep.txt.
#   - 16 jobs (4 photos x 4 paintings) at 512 px on the GPU, side by side at the default
#     --jobs (sized by the GPU's free memory) and one at a time (--jobs 1), against 16 times
#     PyTorch's 300-iteration run on the same GPU (one run timed here);
#   - a default 4096 px run: does it fit, and finish.
# About 5 minutes once the machine is up; every step has its own time limit. `make bench` runs
# it too (tools/bench_gpu.sh: the built binaries, STYLIZE set; binaries.sh).
set -eu
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp}/gpu_sweep.txt
weights=.device/vgg16.f16.safetensors
. tools/device/binaries.sh
sweep() {  # sweep NAME [--jobs N]
    name=$1; shift
    rm -rf "$w/sweep-$name"
    /usr/bin/time -f "sweep $name: wall %e s, max RSS %M kB" timeout 150 "$stylize" batch \
        --content samples/content/astronaut.png --content samples/content/chelsea.png \
        --content samples/content/china.png --content samples/content/coffee.png \
        --style samples/style/bedroom.png --style samples/style/sunflowers.png \
        --style samples/style/tiger.png --style samples/style/pastel.png \
        --out "$w/sweep-$name" --size 512 --device cuda "$@" 2>&1 | grep -E '^(batch|sweep|stylize)' || echo "sweep $name failed"
}
{
    echo "== $(date -u) $(uname -n)"
    nvidia-smi -L || true
    echo "-- PyTorch's 300 iterations at 512 px on the GPU (one of the 16 sequential runs)"
    timeout 120 "$python" tools/bench_torch.py run samples/content/chelsea.png samples/style/bedroom.png --size 512 \
        --device cuda -o "$w/torch_512.png" --weights "$STYLIZE_WEIGHTS" | grep '^torch' || echo "the PyTorch run failed"
    echo "-- 16 jobs at 512 px on the GPU, the default --jobs"
    sweep default
    nvidia-smi --query-gpu=memory.used,memory.total --format=csv || true
    echo "-- the same, one at a time"
    sweep one-at-a-time --jobs 1
    cp "$w/sweep-default/contact-sheet.png" "${OUT:-/tmp}/sweep_contact_sheet.png" 2>/dev/null || true
    echo "-- a default 4096 px run (astronaut x great wave is not in the samples: astronaut x tiger)"
    /usr/bin/time -f "wall %e s, max RSS %M kB" timeout 240 "$stylize" samples/content/astronaut.png samples/style/tiger.png \
        -o "$w/astronaut_4096.png" --size 4096 --device cuda --quiet --log "$w/astronaut_4096.jsonl" || echo "the 4096 px run failed"
    tail -1 "$w/astronaut_4096.jsonl" 2>/dev/null || true
} 2>&1 | tee "$out"
