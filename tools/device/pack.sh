#!/bin/sh
# Prepare .device/ (ignored by git) for the GPU machine, which has no Swift:
#   pack.tar.xz   the release binaries with every shared library they load (the loader and
#                 glibc included, so the host's versions do not matter), stripped: ~24 MB
#   tests.tar.xz  the test binary (XCTest), for the GPU tests, with every library it loads
#                 (on its own: no pack.tar.xz needed)
#   vgg16.f16.safetensors  the weights halved to fp16 (29 MB), for the CPU and GPU figures
#   vgg16-conv5_1.f16.safetensors  the same through conv5_1 only (20 MB), for the GPU tests
# The working tree travels with what is carried, 64 MiB in all (the tree is about 9 MB), so
# carry what the script needs:
#   cpu_bench.sh: carry [".device/pack.tar.xz", ".device/vgg16.f16.safetensors"]
#   gpu_test.sh:  carry [".device/tests.tar.xz", ".device/vgg16-conv5_1.f16.safetensors"]
#   gpu_bench.sh: carry [".device/pack.tar.xz", ".device/vgg16.f16.safetensors"]
#   gpu_sweep.sh: carry [".device/pack.tar.xz", ".device/vgg16.f16.safetensors"]
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
stage .device/tests $b/stylizePackageTests.xctest  # first: every library (none staged yet)
stage .device/stage $b/stylize $b/stylize-bench
tar -C .device/stage -cf - bin lib | xz -9 -T2 >.device/pack.tar.xz
tar -C .device/tests -cf - bin lib | xz -9 -T2 >.device/tests.tar.xz
rm -rf .device/stage .device/tests
python3 tools/device/weights_fp16.py pack weights/vgg16.safetensors .device/vgg16.f16.safetensors
python3 tools/device/weights_fp16.py pack weights/vgg16.safetensors .device/vgg16-conv5_1.f16.safetensors conv5_1
du -sh .device/*
# The working tree (tracked and untracked files git does not ignore) travels with every call,
# within 64 MiB together with what is carried: say how much each call will take, and fail here
# rather than on the device machine, where a refused call still costs its time.
tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
status=0
for call in "gpu_test.sh tests.tar.xz vgg16-conv5_1.f16.safetensors" "gpu_bench.sh pack.tar.xz vgg16.f16.safetensors" \
            "cpu_bench.sh pack.tar.xz vgg16.f16.safetensors"; do
    set -- $call
    total=$((tree + $(stat -c %s .device/"$2") + $(stat -c %s .device/"$3")))
    echo "$1: the tree and .device/$2, .device/$3: $((total / 1048576)).$((total % 1048576 * 10 / 1048576)) MiB of 64"
    [ "$total" -le $((64 * 1048576)) ] || { echo "$1: over the 64 MiB a call may carry" >&2; status=1; }
done
exit $status
