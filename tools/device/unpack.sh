# Sourced by cpu_bench.sh and gpu_test.sh (POSIX sh, from the repository root): unpacks
# .device/pack.tar.xz and the archives listed in $archives (a sourced file gets no arguments
# in POSIX sh) into $w = /tmp/stylize-device and
# writes $w/stylize and $w/stylize-bench, wrappers that run the carried binaries with the
# carried loader and libraries.
w=/tmp/stylize-device
rm -rf "$w" && mkdir -p "$w"
for archive in .device/pack.tar.xz ${archives:-}; do tar -C "$w" -xJf "$archive"; done
for b in stylize stylize-bench stylizePackageTests.xctest; do
    [ -e "$w/bin/$b" ] || continue
    printf '#!/bin/sh\nexec %s/lib/ld-linux-x86-64.so.2 --library-path %s/lib %s/bin/%s "$@"\n' "$w" "$w" "$w" "$b" >"$w/$b"
    chmod +x "$w/$b"
done
