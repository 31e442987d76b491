#!/bin/sh
# Prepare .device/ (ignored by git) for the GPU machine, which has no Swift: the release
# binaries with every shared library they load (the loader and glibc included, so the host's
# versions do not matter) and the weights halved to fp16. Then, in a session lent a machine:
#   device run  carry=[".device"]  command="sh tools/device/cpu_bench.sh"
# About 25 MB of binaries and libraries (stripped, xz) and 29 MB of weights: under the tool's
# 64 MiB with the tree.
set -eu
cd "$(dirname "$0")/../.."
[ -x .build/release/stylize-bench ] || { echo "build first: swift build -c release" >&2; exit 1; }
rm -rf .device && mkdir -p .device/stage/bin .device/stage/lib
cp .build/release/stylize .build/release/stylize-bench .device/stage/bin/
for b in .device/stage/bin/*; do
    ldd "$b" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'
done | sort -u | while read -r lib; do cp -L "$lib" .device/stage/lib/; done
strip --strip-unneeded .device/stage/bin/* .device/stage/lib/* 2>/dev/null || true
tar -C .device/stage -cf - bin lib | xz -9 -T2 >.device/pack.tar.xz
rm -rf .device/stage
python3 tools/device/weights_fp16.py pack weights/vgg16.safetensors .device/vgg16.f16.safetensors
du -sh .device/*
