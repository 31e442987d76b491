#!/usr/bin/env python3
"""Expected pixels for PngSuiteTests, made once with an independent decoder.

Decoder: pypng 0.20220715.0 (pure Python, PyPI `pypng`), which ignores gAMA/cHRM/sRGB/iCCP
just as stylize does. Each valid file (name not starting with 'x') is decoded with
`png.Reader(...).asDirect()` (palette and tRNS expanded), each sample scaled to 8 bits by
rounding v*255/(2**bitdepth - 1), grey copied to R, G and B, then composited over white in the stored values:
    out = round((c*a + 255*(255 - a)) / 255)
and written as 8-bit RGB, row-major, into expected.bin; expected.json maps each file
name to its width, height, bit depth and byte offset in expected.bin.

Usage (from this folder): python3 -m venv /tmp/pypng && /tmp/pypng/bin/pip install pypng==0.20220715.0
                          /tmp/pypng/bin/python make_expected.py
"""
import glob
import json
import os

import png

index, blob = {}, bytearray()
for path in sorted(glob.glob("*.png")):
    name = os.path.basename(path)
    if name.startswith("x"):
        continue
    w, h, rows, info = png.Reader(filename=path).asDirect()
    planes, maxval = info["planes"], 2 ** info["bitdepth"] - 1
    out = bytearray()
    for row in rows:
        row = [round(v * 255 / maxval) for v in row]
        for i in range(0, len(row), planes):
            px = row[i:i + planes]
            rgb = px[:3] if planes >= 3 else px[:1] * 3
            a = px[-1] if planes in (2, 4) else 255
            for c in rgb:
                out.append(round((c * a + 255 * (255 - a)) / 255))
    assert len(out) == w * h * 3
    index[name] = {"width": w, "height": h, "bitdepth": info["bitdepth"], "offset": len(blob)}
    blob += out
with open("expected.bin", "wb") as f:
    f.write(blob)
with open("expected.json", "w") as f:
    json.dump(index, f, indent=0, sort_keys=True)
print(f"{len(index)} files, {len(blob)} bytes")
