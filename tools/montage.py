#!/usr/bin/env python3
"""Puts PNGs side by side at one height (area-averaged), 4 px white gaps; standard library only.
Used for the README's gallery pictures in docs/:

    python3 tools/montage.py OUT.png HEIGHT IN1.png IN2.png ...

Reads 8-bit RGB/RGBA non-interlaced PNGs (what stylize and the samples are); alpha is dropped.
"""
import struct, zlib, sys
def read(path):
    d = open(path,'rb').read(); pos = 8; idat = b''
    while pos < len(d):
        n, = struct.unpack('>I', d[pos:pos+4]); kind = d[pos+4:pos+8]; body = d[pos+8:pos+8+n]; pos += 12 + n
        if kind == b'IHDR': w, h, depth, ct = struct.unpack('>IIBB', body[:10]); assert depth == 8 and ct in (2, 6), (path, depth, ct)
        elif kind == b'IDAT': idat += body
    bpp = 3 if ct == 2 else 4; raw = zlib.decompress(idat); stride = w * bpp; rows = []; prev = bytearray(stride); i = 0
    for y in range(h):
        f = raw[i]; line = bytearray(raw[i+1:i+1+stride]); i += 1 + stride
        for x in range(stride):
            a = line[x-bpp] if x >= bpp else 0; b = prev[x]; c = prev[x-bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line if bpp == 3 else b''.join(line[k:k+3] for k in range(0, stride, 4)))); prev = line
    return w, h, rows
def scale(img, H):  # area average to height H
    w, h, rows = img; W = round(w * H / h)
    if (W, H) == (w, h): return img
    out = []
    for y in range(H):
        y0, y1 = y * h // H, max(y * h // H + 1, (y + 1) * h // H); line = bytearray()
        for x in range(W):
            x0, x1 = x * w // W, max(x * w // W + 1, (x + 1) * w // W); n = (y1 - y0) * (x1 - x0)
            for c in range(3):
                line.append(round(sum(rows[yy][3 * xx + c] for yy in range(y0, y1) for xx in range(x0, x1)) / n))
        out.append(bytes(line))
    return W, H, out
def write(path, imgs, H, gap=4):
    imgs = [scale(i, H) for i in imgs]; W = sum(i[0] for i in imgs) + gap * (len(imgs) - 1)
    raw = b''
    for y in range(H):
        line = (b'\xff\xff\xff' * gap).join(i[2][y] for i in imgs)
        raw += b'\1' + bytes((line[k] - (line[k - 3] if k >= 3 else 0)) & 255 for k in range(len(line)))
    def chunk(k, b): return struct.pack('>I', len(b)) + k + b + struct.pack('>I', zlib.crc32(k + b) & 0xffffffff)
    open(path, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', W, H, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))
H = int(sys.argv[2]); write(sys.argv[1], [read(p) for p in sys.argv[3:]], H)
