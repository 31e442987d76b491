"""The PNG writer of the sample generators (make_masks.py, make_generated_paintings.py):
8-bit greyscale or RGB, no filtering, zlib level 9. Standard library only."""
import struct
import zlib


def write_png(path, width, height, rows, rgb):
    """rows: `height` sequences of `width` values 0...255 (greyscale), or of `width` (r, g, b)
    tuples (`rgb`)."""
    raw = b"".join(b"\x00" + (bytes(v for p in r for v in p) if rgb else bytes(r)) for r in rows)  # filter type 0

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2 if rgb else 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)
