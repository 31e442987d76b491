#!/usr/bin/env python3
"""Reference sRGB values for Tests/StylizeKitTests/Resources/profiles/p3.png and
grey-linear.png (made by tools/make_profile_pngs.c), by hand, without LittleCMS:

  Display P3 -> sRGB: s = stored/255; linear = sRGB-decode(s) (P3 uses the sRGB curve);
  XYZ = M_P3 · linear; linear sRGB = M_sRGB⁻¹ · XYZ (both D65, so no adaptation); clip to
  0...1; sRGB-encode; ×255. M_X is the RGB→XYZ matrix of primaries X and white D65, from
  their xy chromaticities (the usual construction: columns xyz of each primary, scaled so
  that RGB = 1 gives the white point).
  Grey, linear curve: Y = stored/255, sRGB-encode(Y) on R, G and B.

Prints the values (0...255, three decimals) as Swift array literals for PNGColourProfileTests.
Usage: python3 tools/profile_reference.py
"""
from colour_maths import D65, SRGB_PRIMARIES, apply, invert, rgb_to_xyz, srgb_decode, srgb_encode

LEVELS = [0, 10, 40, 90, 128, 180, 230, 255]


def colour(x, y, c):  # as make_profile_pngs.c
    k = (c + y) % 3
    return LEVELS[x] if k == 0 else (LEVELS[(x + y) % 8] if k == 1 else LEVELS[(7 * y + 3) % 8])


P3 = rgb_to_xyz(D65, [(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)])
SRGB_INV = invert(rgb_to_xyz(D65, SRGB_PRIMARIES))

p3 = []
for y in range(8):
    for x in range(8):
        linear = [srgb_decode(colour(x, y, c) / 255) for c in range(3)]
        p3 += [255 * srgb_encode(v) for v in apply(SRGB_INV, apply(P3, linear))]
print("stored P3 =", [colour(x, y, c) for y in range(8) for x in range(8) for c in range(3)])
print("p3 =", "[" + ", ".join(f"{v:.3f}" for v in p3) + "]")
print("grey =", "[" + ", ".join(f"{255 * srgb_encode(17 * x / 255):.3f}" for x in range(16)) + "]")
