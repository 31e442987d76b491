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

LEVELS = [0, 10, 40, 90, 128, 180, 230, 255]


def colour(x, y, c):  # as make_profile_pngs.c
    k = (c + y) % 3
    return LEVELS[x] if k == 0 else (LEVELS[(x + y) % 8] if k == 1 else LEVELS[(7 * y + 3) % 8])


def invert(m):
    a, b, c = m[0]; d, e, f = m[1]; g, h, i = m[2]
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return [[(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
            [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
            [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det]]


def apply(m, v):
    return [sum(m[i][k] * v[k] for k in range(3)) for i in range(3)]


def rgb_to_xyz(white, primaries):
    m = [[p[0] / p[1] for p in primaries], [1.0] * 3, [(1 - p[0] - p[1]) / p[1] for p in primaries]]
    w = [white[0] / white[1], 1.0, (1 - white[0] - white[1]) / white[1]]
    s = apply(invert(m), w)
    return [[m[i][j] * s[j] for j in range(3)] for i in range(3)]


def decode(s):
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def encode(l):
    l = min(max(l, 0.0), 1.0)
    return 12.92 * l if l <= 0.0031308 else 1.055 * l ** (1 / 2.4) - 0.055


D65 = (0.3127, 0.3290)
P3 = rgb_to_xyz(D65, [(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)])
SRGB_INV = invert(rgb_to_xyz(D65, [(0.64, 0.33), (0.30, 0.60), (0.15, 0.06)]))

p3 = []
for y in range(8):
    for x in range(8):
        linear = [decode(colour(x, y, c) / 255) for c in range(3)]
        p3 += [255 * encode(v) for v in apply(SRGB_INV, apply(P3, linear))]
print("stored P3 =", [colour(x, y, c) for y in range(8) for x in range(8) for c in range(3)])
print("p3 =", "[" + ", ".join(f"{v:.3f}" for v in p3) + "]")
print("grey =", "[" + ", ".join(f"{255 * encode(17 * x / 255):.3f}" for x in range(16)) + "]")
