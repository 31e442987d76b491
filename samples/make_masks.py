#!/usr/bin/env python3
"""Generates the example masks for --style-masks in samples/masks/: left.png (white on the
left half, black on the right) and right.png (its complement), 8-bit greyscale, 512×341,
the shape of content/chelsea.png and content/coffee.png. The edge is a hard step; stylize
resizes masks to every scale and layer, which softens it (see StyleMasks, MaskedStyleTerm).

Standard library only (png_file.py), deterministic:

    python3 samples/make_masks.py
"""
import os

from png_file import write_png

W, H = 512, 341


def write_grey_png(path, rows):
    write_png(path, W, H, rows, rgb=False)


here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "masks")
os.makedirs(here, exist_ok=True)
left = [[255 if x < W // 2 else 0 for x in range(W)] for _ in range(H)]
write_grey_png(os.path.join(here, "left.png"), left)
write_grey_png(os.path.join(here, "right.png"), [[255 - v for v in row] for row in left])
