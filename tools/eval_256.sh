#!/bin/sh
# The 256 px half of `make eval` and `make eval-heldout`: every photo of PHOTOS with every
# painting of the PAINTINGS folders (those that exist) at 256 px and the defaults, as one batch
# in OUT (run with --resume, so a rerun only adds what is missing), scored by
# `stylize-bench eval` (style ratio L_s(out) / L_s(photo), at most 0.10; content ratio
# L_c(out) / L_c(painting), at most 0.5; β and time) into OUT.md, with the batch's contact sheet.
#
#   sh tools/eval_256.sh PHOTOS OUT THREADS PAINTINGS...
set -eu
photos=$1; out=$2; threads=$3; shift 3
bin=${STYLIZE:-.build/release/stylize}
bench=${STYLIZE_BENCH:-.build/release/stylize-bench}
styles=""
for folder in "$@"; do [ -d "$folder" ] && styles="$styles --style $folder"; done
"$bin" batch --content "$photos" $styles --size 256 --threads "$threads" --out "$out" --resume --quiet
"$bench" eval "$out" --threads "$threads" | tee "$out.md"
echo "contact sheet: $out/contact-sheet.png   report: $out/index.html"
