#!/bin/sh
# On the GPU machine (no Swift), from the repository root, with .device/pack.tar.xz and
# .device/tests.tar.xz carried (tools/device/pack.sh): the GPU tests (issue 17), every CUDA
# kernel against its CPU counterpart, from the carried test binary. Output in $OUT/gpu_test.txt.
# Under a minute once the machine is up.
set -eu
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp}/gpu_test.txt
archives=.device/tests.tar.xz
. tools/device/unpack.sh
# NVRTC and cuBLAS from the Python environment that has PyTorch, if any
nv=$(python3 -c 'import glob, site, sys
dirs = site.getsitepackages() + [site.getusersitepackages()] + sys.path
print(":".join(sorted({d for p in dirs for d in glob.glob(p + "/nvidia/*/lib")})))' 2>/dev/null || true)
export STYLIZE_CUDA_PATH="${STYLIZE_CUDA_PATH:-}${STYLIZE_CUDA_PATH:+:}$nv"
{
    echo "== $(date -u) $(uname -n)"
    nvidia-smi -L || true
    echo "STYLIZE_CUDA_PATH=$STYLIZE_CUDA_PATH"
    "$w/stylize" --version
    "$w/stylizePackageTests.xctest" StylizeKitTests.CUDATests
    "$w/stylizePackageTests.xctest" StylizeKitTests.CUDAKernelGPUTests
} 2>&1 | tee "$out"
