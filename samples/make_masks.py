#!/usr/bin/env python3
"""Generates the example masks for --style-masks in samples/masks/: left.png (white on the
left half, black on the right) and right.png (its complement), 8-bit greyscale, 512×341,
the shape of content/chelsea.png and content/coffee.png. The edge is a hard step; stylize
resizes masks to every scale and layer, which softens it (see StyleMasks, MaskedStyleTerm).

Standard library only (zlib + struct), deterministic:

    python3 samples/make_masks.py
"""
import os
import struct
import zlib

W, H = 512, 341


def write_grey_png(path, rows):
    raw = b"".join(b"\x00" + bytes(r) for r in rows)  # filter type 0 on every row

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "masks")
os.makedirs(here, exist_ok=True)
left = [[255 if x < W // 2 else 0 for x in range(W)] for _ in range(H)]
write_grey_png(os.path.join(here, "left.png"), left)
write_grey_png(os.path.join(here, "right.png"), [[255 - v for v in row] for row in left])
