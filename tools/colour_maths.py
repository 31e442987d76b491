"""Colour maths by hand, in float64, for the test references (no LittleCMS): RGB -> XYZ
matrices from xy chromaticities, 3×3 inverse and products, Bradford adaptation, and the
sRGB curve (IEC 61966-2-1). Used by tools/profile_reference.py and
Tests/StylizeKitTests/Resources/pngsuite/make_expected.py."""


def invert(m):
    a, b, c = m[0]; d, e, f = m[1]; g, h, i = m[2]
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return [[(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
            [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
            [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det]]


def apply(m, v):
    return [sum(m[i][k] * v[k] for k in range(3)) for i in range(3)]


def mul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]


def xyz(xy):
    return [xy[0] / xy[1], 1.0, (1 - xy[0] - xy[1]) / xy[1]]


def rgb_to_xyz(white, primaries):
    """Columns: each primary's XYZ, scaled so that RGB = (1, 1, 1) gives the white point."""
    m = [[xyz(p)[i] for p in primaries] for i in range(3)]
    s = apply(invert(m), xyz(white))
    return [[m[i][j] * s[j] for j in range(3)] for i in range(3)]


BRADFORD = [[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]]


def adaptation(src, dst):
    """Bradford chromatic adaptation from white point src to dst (xy)."""
    s, d = apply(BRADFORD, xyz(src)), apply(BRADFORD, xyz(dst))
    scale = [[d[i] / s[i] if i == j else 0 for j in range(3)] for i in range(3)]
    return mul(invert(BRADFORD), mul(scale, BRADFORD))


D65 = (0.3127, 0.3290)
SRGB_PRIMARIES = [(0.64, 0.33), (0.30, 0.60), (0.15, 0.06)]


def srgb_decode(s):
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def srgb_encode(l):
    l = min(max(l, 0.0), 1.0)
    return 12.92 * l if l <= 0.0031308 else 1.055 * l ** (1 / 2.4) - 0.055
