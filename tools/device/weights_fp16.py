#!/usr/bin/env python3
"""Halve the weights file for the trip to the GPU machine, and restore it there.

  weights_fp16.py pack   weights/vgg16.safetensors .device/vgg16.f16.safetensors [conv5_1]
  weights_fp16.py unpack .device/vgg16.f16.safetensors weights/vgg16.safetensors

With a last layer (pack only), the layers after it are left out: the default objective reads
nothing past relu5_1, and conv1_1 … conv5_1 in fp16 are 20 MB instead of 29 (the GPU tests'
trip, whose test binary is larger).

The device tool carries at most 64 MiB, and the float32 file is 59 MB. fp16 keeps 11 bits of
each weight (relative error at most 2^-11, about 5e-4): fine for timing, and the unpacked file
keeps the original header (names, shapes, metadata), so stylize loads it strictly as usual.
Needs numpy (present beside PyTorch on the GPU machine).
"""
import json
import struct
import sys

import numpy as np


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    return header, blob[8 + n:]


def write(path, header, tensors):
    body, offset, entries = [], 0, {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        data = tensors[name].tobytes()
        entries[name] = dict(info, data_offsets=[offset, offset + len(data)])
        body.append(data)
        offset += len(data)
    if "__metadata__" in header:
        entries = {"__metadata__": header["__metadata__"], **entries}
    text = json.dumps(entries, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(body))


def layer(name):
    """conv5_1.weight -> (5, 1)"""
    return tuple(int(v) for v in name.split(".")[0][4:].split("_"))


def convert(src, dst, to_dtype, code, through=None):
    header, data = read(src)
    tensors, out_header = {}, {}
    for name, info in header.items():
        if name == "__metadata__":
            out_header[name] = info
            continue
        if through and layer(name) > layer(through):
            continue
        a, b = info["data_offsets"]
        source = np.float32 if info["dtype"] == "F32" else np.float16
        tensors[name] = np.frombuffer(data[a:b], dtype=source).astype(to_dtype)
        out_header[name] = dict(info, dtype=code)
    write(dst, out_header, tensors)


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in ("pack", "unpack") or (len(sys.argv) == 5 and sys.argv[1] != "pack"):
        sys.exit("usage: weights_fp16.py pack SOURCE DESTINATION [LAST_LAYER] | unpack SOURCE DESTINATION")
    mode, src, dst = sys.argv[1:4]
    convert(src, dst, np.float16 if mode == "pack" else np.float32, "F16" if mode == "pack" else "F32",
            sys.argv[4] if len(sys.argv) == 5 else None)
