#!/bin/sh
# On the GPU machine (no Swift), from the repository root, with .device/tests.tar.xz and
# .device/vgg16-conv5_1.f16.safetensors carried (tools/device/pack.sh): the GPU tests (issue 17),
# every CUDA kernel against its CPU counterpart, the GPU engine against the CPU engine on the
# real network (GPUEngineTests), a whole --device gpu run against the CPU's (GPURunTests), two
# jobs at once on the GPU and its memory against the estimate (GPUSideBySideTests),
# from the carried test binary; STYLIZE_REQUIRE_GPU=1 makes a GPU that cannot be used a
# failure rather than a skip. Output in $OUT/gpu_test.txt. About a minute once the machine is up.
set -eu
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp}/gpu_test.txt
# The tests read weights/ and samples/ under STYLIZE_PACKAGE_ROOT: this checkout's samples and
# the fp16 weights restored to float32 beside the binaries (both engines see the same
# weights; a checkout's own weights/ is never written).
archives=.device/tests.tar.xz weights=.device/vgg16-conv5_1.f16.safetensors weights_to=/tmp/stylize-device/root/weights/vgg16.safetensors
. tools/device/unpack.sh
ln -s "$PWD/samples" "$w/root/samples"
export STYLIZE_PACKAGE_ROOT="$w/root" STYLIZE_REQUIRE_GPU=1
{
    echo "== $(date -u) $(uname -n)"
    nvidia-smi -L || true
    echo "STYLIZE_CUDA_PATH=$STYLIZE_CUDA_PATH"
    for suite in CUDATests CUDAKernelGPUTests GPUEngineTests GPURunTests GPUSideBySideTests; do
        "$w/stylizePackageTests.xctest" "StylizeKitTests.$suite" || echo "!! $suite failed"
    done
} 2>&1 | tee "$out"
