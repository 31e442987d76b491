#!/usr/bin/env python3
"""Generates three "paintings" of kinds the sample paintings lack, for `make eval` (issue 20):

- style/ink.png: black brush lines on off-white paper (line art, a light palette, almost no
  colour);
- style/pastel.png: soft, pale, low-saturation colour fields with no edges at all (a light
  palette with almost no texture);
- style/nocturne.png: dark blue-grey diagonal strokes (a dark, muted, nearly monochrome
  palette; the formula of DefaultWeightsTests' nocturne, drawn at 512 x 384).

Standard library only (png_file.py), deterministic (fixed seeds), 512 x 384, 8-bit RGB:

    python3 samples/make_generated_paintings.py
"""
import math
import os
import random

from png_file import write_png

W, H = 512, 384
HERE = os.path.dirname(os.path.abspath(__file__))


def clamp(v):
    return max(0, min(255, int(round(v))))


def ink():
    rng = random.Random(7)
    paper = (245, 242, 235)
    dark = [[0.0] * W for _ in range(H)]  # coverage of black ink, 0...1
    for _ in range(70):
        x, y, a = rng.uniform(0, W), rng.uniform(0, H), rng.uniform(0, 2 * math.pi)
        radius = rng.uniform(0.6, 2.6)
        for _ in range(260):  # a random walk, stamped as discs every pixel
            a += rng.gauss(0, 0.06)
            x += math.cos(a)
            y += math.sin(a)
            r = radius * (0.8 + 0.4 * rng.random())
            for yy in range(int(y - r - 1), int(y + r + 2)):
                if not 0 <= yy < H:
                    continue
                for xx in range(int(x - r - 1), int(x + r + 2)):
                    if 0 <= xx < W:
                        d = math.hypot(xx - x, yy - y)
                        dark[yy][xx] = max(dark[yy][xx], min(1.0, max(0.0, r + 0.5 - d)))
    ink_colour = (20, 20, 25)
    return [[tuple(clamp(p + (q - p) * dark[y][x]) for p, q in zip(paper, ink_colour)) for x in range(W)]
            for y in range(H)]


def pastel():
    rng = random.Random(11)
    blobs = [[(rng.uniform(0, W), rng.uniform(0, H), rng.uniform(50, 190), rng.uniform(-1, 1)) for _ in range(6)]
             for _ in range(3)]
    rows = []
    for y in range(H):
        row = []
        for x in range(W):
            row.append(tuple(clamp(215 + 25 * sum(s * math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
                                                  for cx, cy, r, s in blobs[c])) for c in range(3)))
        rows.append(row)
    return rows


def nocturne():
    rows = []
    for y in range(H):
        row = []
        for x in range(W):
            s = 0.5 + 0.5 * math.sin(0.35 * (x + 2 * y) + 2 * math.sin(0.07 * (x - y)))
            row.append((clamp(20 + 25 * s), clamp(30 + 35 * s), clamp(60 + 50 * s)))
        rows.append(row)
    return rows


if __name__ == "__main__":
    for name, draw in (("ink", ink), ("pastel", pastel), ("nocturne", nocturne)):
        path = os.path.join(HERE, "style", name + ".png")
        write_png(path, W, H, draw(), rgb=True)
        print(path)
