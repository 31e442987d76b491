#!/usr/bin/env python3
"""Regenerates samples/style/*.png from Debian's openclipart-png package.

    apt-get install openclipart-png        # 1:0.18+dfsg-19 (Debian 12), public domain
    python3 -m venv /tmp/pv && /tmp/pv/bin/pip install pillow==11.0.0
    /tmp/pv/bin/python samples/make_samples.py

Each source PNG is composited over white (it has an alpha channel), cropped to its busy,
painted part (box = left, top, right, bottom in source pixels), resized with Lanczos so the
longest side is 512 px, and saved as an 8-bit RGB PNG without ancillary chunks.
The content photos in samples/content/ are copied as they are (see SOURCES.md).
"""
import os

from PIL import Image

SOURCE = "/usr/share/openclipart/png/"
STYLES = {
    "bedroom.png": ("people/van_gogh_s_room_enrique__01.png", (40, 130, 700, 760)),
    "sunflowers.png": ("unsorted/van_gogh_s_sun_flower_en_01.png", (190, 172, 462, 564)),
    "jupiter.png": ("science/astronomy/jupiter_dan_gerhards_01.png", (300, 330, 840, 700)),
    "tiger.png": ("animals/mammals/big_cats/tiger_graig_ryan_smith_-_01.png", (330, 300, 1100, 900)),
}

out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "style")
for name, (path, box) in STYLES.items():
    image = Image.open(SOURCE + path).convert("RGBA")
    white = Image.new("RGBA", image.size, "white")
    white.alpha_composite(image)
    image = white.convert("RGB").crop(box)
    scale = 512 / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    image = image.resize(size, Image.LANCZOS)
    image.save(os.path.join(out_dir, name), optimize=True)
    print(name, image.size)
