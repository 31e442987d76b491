#!/bin/sh
# Makes every JPEG and WebP test file in Tests/StylizeKitTests/Resources/photos/ (see the
# SOURCES.md there) from images this repository generates: nothing is downloaded.
#
#   sudo apt-get install -y libjpeg62-turbo-dev libwebp-dev liblcms2-dev libpng-dev \
#       libjpeg-turbo-progs webp libimage-exiftool-perl
#   sh tools/make_photo_fixtures.sh
#
# Tools (Debian 12): cjpeg/djpeg/jpegtran from libjpeg-turbo-progs 2.1.5, cwebp/dwebp/
# webpmux/img2webp from webp 1.2.4, exiftool 12.57. Outputs are deterministic for those
# versions. tools/make_hostile_photos.py then derives the crafted hostile files.
set -eu
cd "$(dirname "$0")/.."
out=Tests/StylizeKitTests/Resources/photos
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
# Everything but SOURCES.md is remade (exiftool will not overwrite a file).
rm -rf "$out/hostile"
find "$out" -maxdepth 1 -type f ! -name SOURCES.md -delete

cc -O2 tools/make_photo_fixtures.c -ljpeg -llcms2 -lpng16 -lm -o "$tmp/make_photo_fixtures"
"$tmp/make_photo_fixtures" "$tmp" >/dev/null
cp "$tmp"/cmyk-adobe.jpg "$tmp"/ycck-adobe.jpg "$tmp"/cmyk-no-profile.jpg "$tmp"/p3-split-icc.jpg "$out/"
cp "$tmp"/rgb.png "$tmp"/alpha.png "$out/"

# JPEG: baseline 4:2:0, progressive, arithmetic-coded, greyscale; djpeg's decodes beside them.
cjpeg -quality 90 -sample 2x2 -optimize "$tmp/rgb.ppm" > "$out/baseline.jpg"
cjpeg -quality 90 -progressive "$tmp/rgb.ppm" > "$out/progressive.jpg"
cjpeg -quality 90 -arithmetic "$tmp/rgb.ppm" > "$out/arithmetic.jpg"
cjpeg -quality 90 "$tmp/grey.pgm" > "$out/grey.jpg"
for name in baseline progressive arithmetic; do djpeg -pnm "$out/$name.jpg" > "$out/$name.djpeg.ppm"; done
djpeg -pnm "$out/grey.jpg" > "$out/grey.djpeg.pgm"

# Display P3: the profile attached by jpegtran (coefficients untouched), and djpeg's
# decode of the stored values (djpeg ignores the profile).
cjpeg -quality 100 -sample 1x1 "$tmp/p3.ppm" > "$tmp/p3-untagged.jpg"
jpegtran -copy none -icc "$tmp/display-p3.icc" "$tmp/p3-untagged.jpg" > "$out/p3.jpg"
djpeg -pnm "$out/p3.jpg" > "$out/p3.djpeg.ppm"
djpeg -pnm "$out/p3-split-icc.jpg" > "$out/p3-split-icc.djpeg.ppm"

# EXIF orientation 1…8 on the same pixels (the quadrants), written by exiftool.
cjpeg -quality 95 -sample 1x1 "$tmp/marked.ppm" > "$tmp/marked.jpg"
for n in 1 2 3 4 5 6 7 8; do
    exiftool -q -n -Orientation=$n -o "$out/orientation-$n.jpg" "$tmp/marked.jpg"
done

# scans-190.jpg and scans-568.jpg (made by the C program: cjpeg and jpegtran read at most
# 100 scans from a script): djpeg's decode of the first, which is under the scan limit.
cp "$tmp"/scans-190.jpg "$tmp"/scans-568.jpg "$out/"
djpeg -pnm "$out/scans-190.jpg" > "$out/scans-190.djpeg.ppm"

# WebP: lossy (dwebp's decode beside it), lossless, lossless and lossy with alpha, a
# Display P3 profile (ICCP chunk, webpmux), an EXIF orientation (orientation-6.jpg's EXIF
# block, extracted by exiftool, which cannot write WebP, and set by webpmux), animated.
cwebp -quiet -q 90 "$tmp/rgb.png" -o "$out/lossy.webp"
dwebp -quiet "$out/lossy.webp" -ppm -o "$out/lossy.dwebp.ppm"
cwebp -quiet -lossless "$tmp/rgb.png" -o "$out/lossless.webp"
cwebp -quiet -lossless -exact "$tmp/alpha.png" -o "$out/alpha-lossless.webp"
cwebp -quiet -q 90 "$tmp/alpha.png" -o "$out/alpha-lossy.webp"
dwebp -quiet "$out/alpha-lossy.webp" -pam -o "$out/alpha-lossy.dwebp.pam"
cwebp -quiet -lossless "$tmp/p3.png" -o "$tmp/p3-untagged.webp"
webpmux -set icc "$tmp/display-p3.icc" "$tmp/p3-untagged.webp" -o "$out/p3.webp" >/dev/null 2>&1
cwebp -quiet -lossless "$tmp/marked.png" -o "$tmp/marked.webp"
exiftool -b -EXIF "$out/orientation-6.jpg" > "$tmp/exif-6.bin"  # the TIFF structure exiftool wrote
webpmux -set exif "$tmp/exif-6.bin" "$tmp/marked.webp" -o "$out/orientation-6.webp" >/dev/null 2>&1
img2webp -lossless "$tmp/marked.png" -d 100 "$tmp/marked-inverse.png" -d 100 -o "$out/animated.webp" >/dev/null 2>&1

python3 tools/make_hostile_photos.py "$out"
echo "wrote $(ls "$out" | wc -l) files into $out"
