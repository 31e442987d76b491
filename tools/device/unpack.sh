# Sourced by cpu_bench.sh, gpu_test.sh and gpu_bench.sh (POSIX sh, from the repository root;
# a sourced file gets no arguments, so it reads variables):
#   archives  archives to unpack besides .device/pack.tar.xz (if present)
#   weights   the fp16 weights carried (.device/…f16.safetensors), restored to float32 at
#             $weights_to (default $w/vgg16.safetensors: beside the binaries, never over a
#             checkout's weights/) and exported as STYLIZE_WEIGHTS
# It unpacks into $w = /tmp/stylize-device, writes $w/stylize, $w/stylize-bench and
# $w/stylizePackageTests.xctest (wrappers that run the carried binaries with the carried
# loader and libraries), and adds the nvidia/*/lib folders of the Python environment that has
# PyTorch (NVRTC, cuBLAS) to STYLIZE_CUDA_PATH.
w=/tmp/stylize-device
rm -rf "$w" && mkdir -p "$w"
for archive in .device/pack.tar.xz ${archives:-}; do [ -f "$archive" ] && tar -C "$w" -xJf "$archive"; done
for b in stylize stylize-bench stylizePackageTests.xctest; do
    [ -e "$w/bin/$b" ] || continue
    printf '#!/bin/sh\nexec %s/lib/ld-linux-x86-64.so.2 --library-path %s/lib %s/bin/%s "$@"\n' "$w" "$w" "$w" "$b" >"$w/$b"
    chmod +x "$w/$b"
done
if [ -n "${weights:-}" ]; then
    weights_to=${weights_to:-$w/vgg16.safetensors}
    mkdir -p "$(dirname "$weights_to")"
    python3 tools/device/weights_fp16.py unpack "$weights" "$weights_to"
    export STYLIZE_WEIGHTS="$weights_to"
fi
nv=$(python3 -c 'import glob, site, sys
dirs = site.getsitepackages() + [site.getusersitepackages()] + sys.path
print(":".join(sorted({d for p in dirs for d in glob.glob(p + "/nvidia/*/lib")})))' 2>/dev/null || true)
export STYLIZE_CUDA_PATH="${STYLIZE_CUDA_PATH:-}${STYLIZE_CUDA_PATH:+:}$nv"
