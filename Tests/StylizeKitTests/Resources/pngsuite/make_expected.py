#!/usr/bin/env python3
"""Expected pixels for PngSuiteTests, made once with an independent decoder and by hand.

Decoder: pypng 0.20220715.0 (pure Python, PyPI `pypng`), which ignores gAMA/cHRM/sRGB/iCCP.
Colour management is then applied here by hand, in float64, as the PNG specification
defines it (stylize does it with LittleCMS; this is the independent check):
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

import png


def chunks(path):
    data, offset, found = open(path, "rb").read(), 8, {}
    while offset + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[offset:offset + 8])
        found.setdefault(kind.decode("latin-1"), data[offset + 8:offset + 8 + n])
        offset += 12 + n
    return found


def xyz_matrix(white, red, green, blue):
    """RGB -> XYZ for primaries and white given as (x, y)."""
    cols = [[x / y, 1.0, (1 - x - y) / y] for x, y in (red, green, blue)]
    w = [white[0] / white[1], 1.0, (1 - white[0] - white[1]) / white[1]]
    m = [[cols[j][i] for j in range(3)] for i in range(3)]
    s = solve(m, w)
    return [[m[i][j] * s[j] for j in range(3)] for i in range(3)]


def solve(m, v):
    inv = invert(m)
    return [sum(inv[i][k] * v[k] for k in range(3)) for i in range(3)]


def invert(m):
    a, b, c = m[0]; d, e, f = m[1]; g, h, i = m[2]
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return [[(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
            [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
            [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det]]


def mul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]


BRADFORD = [[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]]
D65 = (0.3127, 0.3290)
SRGB = xyz_matrix(D65, (0.64, 0.33), (0.30, 0.60), (0.15, 0.06))


def adaptation(src, dst):
    to_xyz = lambda w: [w[0] / w[1], 1.0, (1 - w[0] - w[1]) / w[1]]
    s = [sum(BRADFORD[i][k] * to_xyz(src)[k] for k in range(3)) for i in range(3)]
    d = [sum(BRADFORD[i][k] * to_xyz(dst)[k] for k in range(3)) for i in range(3)]
    scale = [[d[i] / s[i] if i == j else 0 for j in range(3)] for i in range(3)]
    return mul(invert(BRADFORD), mul(scale, BRADFORD))


def srgb_decode(s):
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def srgb_encode(l):
    l = min(max(l, 0.0), 1.0)
    return 12.92 * l if l <= 0.0031308 else 1.055 * l ** (1 / 2.4) - 0.055


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
        src = xyz_matrix(white, *prim)
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
