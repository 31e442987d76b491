#!/usr/bin/env python3
"""Crafted hostile JPEG and WebP files for HostileInputTests and PhotoHostileTests, derived
byte by byte from the valid test files that tools/make_photo_fixtures.sh makes (run by it).

Usage: python3 tools/make_hostile_photos.py Tests/StylizeKitTests/Resources/photos

Writes into FOLDER/hostile/ (each file's making is also described in FOLDER/SOURCES.md):

  jpeg-65000x65000.jpg       baseline.jpg with its SOF0 size set to 65000×65000 (4,225 MP)
  jpeg-7000x7000.jpg         orientation-1.jpg (1 KB of data for 32×16) claiming 7000×7000
                             (49 MP, within the 50 MP limit): the data runs out at once
  jpeg-7000x7000-progressive.jpg  progressive.jpg claiming 7000×7000 (SOF2)
  jpeg-truncated.jpg         baseline.jpg cut after 60 % of its bytes
  exif-ifd-offset-outside.jpg  orientation-6.jpg with IFD0's offset set to 0xFFFFFFF0
  exif-entry-count-huge.jpg  orientation-6.jpg with IFD0's entry count set to 65535 (one
                             entry is there)
  exif-ifd-loop.jpg          orientation-3.jpg whose IFD0 links to itself as the next IFD
  exif-orientation-9.jpg     orientation-6.jpg with the value set to 9 (not 1…8)
  exif-orientation-ascii.jpg orientation-6.jpg with the tag's type set to ASCII (2)
  exif-cut-short.jpg         orientation-6.jpg with its APP1 holding only "Exif\\0\\0MM\\0*"
  webp-riff-size-huge.webp   lossy.webp with the RIFF size set to 0x7FFFFFF0
  webp-chunk-size-huge.webp  lossy.webp with the VP8 chunk's size set to 0xFFFFFFF0
  webp-iccp-size-huge.webp   p3.webp with the ICCP chunk's size set to 0x7FFFFFF0
  webp-truncated.webp        lossy.webp cut after half its bytes
  webp-lossless-16383x3000.webp  lossless.webp (48×32) whose VP8L header claims 16383×3000
                             (49 MP, within the limit): the data runs out
  webp-16383x16383.webp      lossy.webp whose VP8 frame header claims 16383×16383 (268 MP)
"""
import os
import struct
import sys


def read(folder, name):
    with open(os.path.join(folder, name), 'rb') as f:
        return bytearray(f.read())


def write(folder, name, data):
    with open(os.path.join(folder, 'hostile', name), 'wb') as f:
        f.write(bytes(data))


def jpeg_segments(data):
    """(marker, offset of the marker, length field) of every segment before the first SOS."""
    out, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        length = struct.unpack('>H', data[i + 2:i + 4])[0]
        out.append((marker, i, length))
        if marker == 0xDA:
            break
        i += 2 + length
    return out


def set_sof_size(data, width, height):
    for marker, at, _ in jpeg_segments(data):
        if marker in (0xC0, 0xC1, 0xC2):
            data[at + 5:at + 9] = struct.pack('>HH', height, width)
            return data
    raise SystemExit('no SOF marker')


def exif_tiff(data):
    """Offset of the TIFF header inside the first APP1 Exif marker."""
    for marker, at, _ in jpeg_segments(data):
        if marker == 0xE1 and data[at + 4:at + 10] == b'Exif\0\0':
            return at + 10
    raise SystemExit('no EXIF')


def orientation_entry(data, tiff):
    big = data[tiff:tiff + 2] == b'MM'
    fmt = '>' if big else '<'
    ifd = tiff + struct.unpack(fmt + 'I', data[tiff + 4:tiff + 8])[0]
    count = struct.unpack(fmt + 'H', data[ifd:ifd + 2])[0]
    for i in range(count):
        entry = ifd + 2 + 12 * i
        if struct.unpack(fmt + 'H', data[entry:entry + 2])[0] == 0x0112:
            return fmt, ifd, count, entry
    raise SystemExit('no orientation tag')


def main(folder):
    os.makedirs(os.path.join(folder, 'hostile'), exist_ok=True)
    write(folder, 'jpeg-65000x65000.jpg', set_sof_size(read(folder, 'baseline.jpg'), 65000, 65000))
    write(folder, 'jpeg-7000x7000.jpg', set_sof_size(read(folder, 'orientation-1.jpg'), 7000, 7000))
    write(folder, 'jpeg-7000x7000-progressive.jpg', set_sof_size(read(folder, 'progressive.jpg'), 7000, 7000))
    baseline = read(folder, 'baseline.jpg')
    write(folder, 'jpeg-truncated.jpg', baseline[:len(baseline) * 6 // 10])

    six = read(folder, 'orientation-6.jpg')
    tiff = exif_tiff(six)
    fmt, ifd, count, entry = orientation_entry(six, tiff)
    d = bytearray(six); d[tiff + 4:tiff + 8] = struct.pack(fmt + 'I', 0xFFFFFFF0)
    write(folder, 'exif-ifd-offset-outside.jpg', d)
    d = bytearray(six); d[ifd:ifd + 2] = struct.pack(fmt + 'H', 65535)
    write(folder, 'exif-entry-count-huge.jpg', d)
    d = bytearray(six); d[entry + 8:entry + 10] = struct.pack(fmt + 'H', 9)
    write(folder, 'exif-orientation-9.jpg', d)
    d = bytearray(six); d[entry + 2:entry + 4] = struct.pack(fmt + 'H', 2)
    write(folder, 'exif-orientation-ascii.jpg', d)
    # APP1 with only "Exif\0\0MM\0*": length field 2 + 10, the rest of the marker dropped.
    for marker, at, length in jpeg_segments(six):
        if marker == 0xE1:
            d = six[:at] + b'\xff\xe1' + struct.pack('>H', 12) + b'Exif\0\0MM\0*' + six[at + 2 + length:]
            write(folder, 'exif-cut-short.jpg', d)
    three = read(folder, 'orientation-3.jpg')
    tiff = exif_tiff(three)
    fmt, ifd, count, entry = orientation_entry(three, tiff)
    next_link = ifd + 2 + 12 * count
    three[next_link:next_link + 4] = struct.pack(fmt + 'I', ifd - tiff)
    write(folder, 'exif-ifd-loop.jpg', three)

    lossy = read(folder, 'lossy.webp')
    d = bytearray(lossy); d[4:8] = struct.pack('<I', 0x7FFFFFF0)
    write(folder, 'webp-riff-size-huge.webp', d)
    assert lossy[12:16] == b'VP8 '
    d = bytearray(lossy); d[16:20] = struct.pack('<I', 0xFFFFFFF0)
    write(folder, 'webp-chunk-size-huge.webp', d)
    write(folder, 'webp-truncated.webp', lossy[:len(lossy) // 2])
    # VP8 frame header: 3-byte frame tag, 9d 01 2a, 14-bit width and height (+2 scale bits).
    assert lossy[23:26] == b'\x9d\x01\x2a'
    d = bytearray(lossy); d[26:30] = struct.pack('<HH', 16383, 16383)
    write(folder, 'webp-16383x16383.webp', d)
    lossless = read(folder, 'lossless.webp')
    assert lossless[12:16] == b'VP8L' and lossless[20] == 0x2F
    bits = struct.unpack('<I', lossless[21:25])[0]
    bits = (bits & ~0xFFFFFFF) | (16383 - 1) | ((3000 - 1) << 14)
    lossless[21:25] = struct.pack('<I', bits)
    write(folder, 'webp-lossless-16383x3000.webp', lossless)
    p3 = read(folder, 'p3.webp')
    at = 12
    while at + 8 <= len(p3):
        fourcc, size = bytes(p3[at:at + 4]), struct.unpack('<I', p3[at + 4:at + 8])[0]
        if fourcc == b'ICCP':
            p3[at + 4:at + 8] = struct.pack('<I', 0x7FFFFFF0)
            write(folder, 'webp-iccp-size-huge.webp', p3)
            break
        at += 8 + size + (size & 1)
    else:
        raise SystemExit('no ICCP chunk')


if __name__ == '__main__':
    main(sys.argv[1])
