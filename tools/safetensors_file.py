"""Writing safetensors files from Python with numpy alone (the tools' converters and fixture scripts).

The format: an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets},
"__metadata__": {str: str}} padded with spaces to a multiple of 8 bytes, then the raw little-endian data.
"""
import json
import os

import numpy as np


def write_safetensors(path, tensors, metadata):
    """Writes float32 tensors: `tensors` is a dict {name: array} (written sorted by name) or a list of
    (name, array) pairs (written in their order); metadata values are written as strings. The file is
    written beside its place and renamed into it, so a failed write leaves no half file."""
    items = sorted(tensors.items()) if isinstance(tensors, dict) else list(tensors)
    header = {"__metadata__": {str(k): str(v) for k, v in metadata.items()}}
    offset, blobs = 0, []
    for name, value in items:
        data = np.asarray(value, dtype="<f4")  # keeps a scalar's shape [] (ascontiguousarray would make it [1])
        header[name] = {"dtype": "F32", "shape": list(data.shape), "data_offsets": [offset, offset + data.nbytes]}
        blobs.append(data.tobytes())
        offset += data.nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    tmp = str(path) + ".tmp"
    with open(tmp, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)
