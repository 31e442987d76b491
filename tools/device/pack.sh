#!/bin/sh
# Prepare .device/ (ignored by git) for the GPU machine, which has no Swift:
#   pack.tar.xz   the release binaries with every shared library they load (the loader and
#                 glibc included, so the host's versions do not matter), stripped: ~24 MB
#   tests.tar.xz  the test binary (XCTest), for the GPU tests, with the libraries it adds
#   vgg16.f16.safetensors  the weights halved to fp16 (29 MB), for the CPU figures
# The device tool carries at most 64 MiB with the tree, so carry what the script needs:
#   cpu_bench.sh: carry [".device/pack.tar.xz", ".device/vgg16.f16.safetensors"]
#   gpu_test.sh:  carry [".device/pack.tar.xz", ".device/tests.tar.xz"]
set -eu
cd "$(dirname "$0")/../.."
b=.build/release
[ -x $b/stylize-bench ] && [ -x $b/stylizePackageTests.xctest ] || {
    echo "build first: swift build -c release -Xswiftc -enable-testing --build-tests" >&2; exit 1; }
rm -rf .device && mkdir -p .device
libs() { for f in "$@"; do ldd "$f" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'; done | sort -u; }
stage() {  # stage DIR FILES…: the files in DIR/bin and their libraries (not already in pack) in DIR/lib
    d=$1; shift; mkdir -p "$d/bin" "$d/lib"; cp "$@" "$d/bin/"
    libs "$@" | while read -r lib; do
        n=$(basename "$lib")
        [ -e .device/stage/lib/"$n" ] && [ "$d" != .device/stage ] || cp -L "$lib" "$d/lib/"
    done
    strip --strip-unneeded "$d"/bin/* "$d"/lib/* 2>/dev/null || true
}
stage .device/stage $b/stylize $b/stylize-bench
stage .device/tests $b/stylizePackageTests.xctest
tar -C .device/stage -cf - bin lib | xz -9 -T2 >.device/pack.tar.xz
tar -C .device/tests -cf - bin lib | xz -9 -T2 >.device/tests.tar.xz
rm -rf .device/stage .device/tests
python3 tools/device/weights_fp16.py pack weights/vgg16.safetensors .device/vgg16.f16.safetensors
du -sh .device/*
