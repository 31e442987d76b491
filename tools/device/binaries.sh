# Sourced by gpu_bench.sh and gpu_sweep.sh (POSIX sh, from the repository root): the binaries
# they time, as $stylize and $bench, a scratch folder $w, and $python, the Python with PyTorch.
# - With STYLIZE set (`make bench` on a machine with Swift, through tools/bench_gpu.sh): that
#   binary and the stylize-bench beside it, the weights STYLIZE_WEIGHTS names (default the
#   checkout's), TORCH_PYTHON (default python3), and a temporary scratch folder.
# - Otherwise (the GPU machine, no Swift): the carried binaries and weights, unpacked by
#   unpack.sh into $w, and the machine's python3.
if [ -n "${STYLIZE:-}" ]; then
    stylize=$STYLIZE
    bench=${STYLIZE_BENCH:-$(dirname "$STYLIZE")/stylize-bench}
    w=$(mktemp -d)
    trap 'rm -rf "$w"' EXIT
    export STYLIZE_WEIGHTS="${STYLIZE_WEIGHTS:-weights/vgg16.safetensors}"
else
    . tools/device/unpack.sh
    stylize=$w/stylize
    bench=$w/stylize-bench
fi
python=${TORCH_PYTHON:-python3}
