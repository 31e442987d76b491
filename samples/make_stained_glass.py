#!/usr/bin/env python3
"""Generates samples/style/stained_glass.png: a flat, saturated "painting" for measuring
default weights (issue 10): Voronoi cells of six pure colours (R, G, B and their
complements, every channel exactly 0 or 255) separated by black 'lead' lines 5 px wide.

Standard library only (zlib + struct), deterministic (fixed seed), 512×512, 8-bit RGB:

    python3 samples/make_stained_glass.py
"""
import os
import random
import struct
import zlib

W = H = 512
CELLS = 40
LEAD = 2.5  # half the width of the black lines, px
COLOURS = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (255, 0, 255), (0, 255, 255)]

rng = random.Random(10)
seeds = [(rng.uniform(0, W), rng.uniform(0, H), COLOURS[i % len(COLOURS)]) for i in range(CELLS)]
rows = []
for y in range(H):
    row = bytearray([0])  # PNG filter type 0
    for x in range(W):
        best = second = 1e18
        colour = None
        bx = by = 0.0
        for sx, sy, c in seeds:
            d = (sx - x) ** 2 + (sy - y) ** 2
            if d < best:
                second, best, colour = best, d, c
            elif d < second:
                second = d
        # Distance to the bisector between the nearest two seeds ≈ (d2 − d1) / (2·|s2 − s1|);
        # (√d2 − √d1) is a close, cheaper stand-in that is exact on the line between them.
        edge = (second ** 0.5 - best ** 0.5) / 2
        row += bytes((0, 0, 0) if edge < LEAD else colour)
    rows.append(bytes(row))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "style", "stained_glass.png")
with open(path, "wb") as f:
    f.write(png)
print(path, len(png), "bytes")
