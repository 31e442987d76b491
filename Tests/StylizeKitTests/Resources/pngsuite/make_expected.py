#!/usr/bin/env python3
"""Expected pixels for PngSuiteTests, made once with an independent decoder and by hand.

Decoder: pypng 0.20220715.0 (pure Python, PyPI `pypng`), which ignores gAMA/cHRM/sRGB/iCCP.
Colour management is then applied here by hand, in float64, as the PNG specification
defines it (stylize does it with LittleCMS; this is the independent check; the matrix and
curve helpers are in tools/colour_maths.py):
  - sRGB chunk, or no gAMA/cHRM/iCCP: the samples are sRGB, unchanged.
  - gAMA g (file gamma, e.g. 0.45455): linear = s^(1/g), s = sample / (2**bitdepth - 1);
    without gAMA (cHRM only) the sRGB curve.
  - cHRM white point and primaries (sRGB's and D65 without cHRM): RGB -> XYZ with the
    matrix of those primaries, Bradford adaptation from that white to D65 when they
    differ, XYZ -> linear sRGB, clipped to 0...1 (relative colorimetric).
  - sRGB encoding (IEC 61966-2-1): 12.92 L below 0.0031308, else 1.055 L^(1/2.4) - 0.055.
No PngSuite file has an iCCP chunk (PNGColourProfileTests covers those).
Each valid file (name not starting with 'x') is decoded with `png.Reader(...).asDirect()`
(palette and tRNS expanded), colour converted to 0...255 floats (grey: the same on R, G, B),
alpha a = A * 255 / (2**bitdepth - 1), then composited over white in the stored values:
    out = round((c*a + 255*(255 - a)) / 255)
and written as 8-bit RGB, row-major, into expected.bin; expected.json maps each file
name to its width, height, bit depth, byte offset in expected.bin and whether it was
colour converted ("converted").

Usage (from this folder): python3 -m venv /tmp/pypng && /tmp/pypng/bin/pip install pypng==0.20220715.0
                          /tmp/pypng/bin/python make_expected.py
"""
import glob
import json
import os
import struct

import sys

import png

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../tools"))
from colour_maths import D65, SRGB_PRIMARIES, adaptation, invert, mul, rgb_to_xyz, srgb_decode, srgb_encode  # noqa: E402


def chunks(path):
    data, offset, found = open(path, "rb").read(), 8, {}
    while offset + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[offset:offset + 8])
        found.setdefault(kind.decode("latin-1"), data[offset + 8:offset + 8 + n])
        offset += 12 + n
    return found


SRGB = rgb_to_xyz(D65, SRGB_PRIMARIES)


def converter(found):
    """A function from normalized RGB (0...1) to sRGB 0...255 floats, or None."""
    if "sRGB" in found or not ({"gAMA", "cHRM", "iCCP"} & found.keys()):
        return None
    assert "iCCP" not in found
    g = struct.unpack(">I", found["gAMA"])[0] / 100000 if "gAMA" in found else None
    curve = (lambda s: s ** (1 / g)) if g else srgb_decode
    matrix = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    if "cHRM" in found:
        v = [x / 100000 for x in struct.unpack(">8I", found["cHRM"])]
        white, prim = (v[0], v[1]), [(v[2], v[3]), (v[4], v[5]), (v[6], v[7])]
        src = rgb_to_xyz(white, prim)
        matrix = mul(invert(SRGB), mul(adaptation(white, D65), src))
    return lambda rgb: [255 * srgb_encode(sum(matrix[i][k] * curve(rgb[k]) for k in range(3))) for i in range(3)]


index, blob = {}, bytearray()
for path in sorted(glob.glob("*.png")):
    name = os.path.basename(path)
    if name.startswith("x"):
        continue
    convert = converter(chunks(path))
    w, h, rows, info = png.Reader(filename=path).asDirect()
    planes, maxval = info["planes"], 2 ** info["bitdepth"] - 1
    out = bytearray()
    for row in rows:
        for i in range(0, len(row), planes):
            px = row[i:i + planes]
            rgb = px[:3] if planes >= 3 else px[:1] * 3
            a = px[-1] * 255 / maxval if planes in (2, 4) else 255
            colour = convert([v / maxval for v in rgb]) if convert else [v * 255 / maxval for v in rgb]
            for c in colour:
                out.append(round((c * a + 255 * (255 - a)) / 255))
    assert len(out) == w * h * 3
    index[name] = {"width": w, "height": h, "bitdepth": info["bitdepth"], "offset": len(blob),
                   "converted": convert is not None}
    blob += out
with open("expected.bin", "wb") as f:
    f.write(blob)
with open("expected.json", "w") as f:
    json.dump(index, f, indent=0, sort_keys=True)
print(f"{len(index)} files, {len(blob)} bytes, {sum(e['converted'] for e in index.values())} colour converted")
