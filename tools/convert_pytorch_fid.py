#!/usr/bin/env python3
"""Convert pytorch-fid's Inception weights to the safetensors file acne's inception-v3-fid loads.

Input: pytorch-fid's state dict pt_inception-2015-12-05-6726825d.pth (the TF inception-2015-12-05
weights ported to torchvision's Inception3 layout; needs torch to read), or a .npz holding the same
keys (written with numpy.savez from that state dict on any machine that has torch).
Output: float32 safetensors with acne's names (models/inception_v3.hpp):

  Conv2d_1a_3x3.conv.weight          -> Conv2d_1a_3x3.conv.weight        (layout unchanged: [out, in, kh, kw])
  Mixed_5b.branch5x5_2.bn.weight     -> Mixed_5b.branch5x5.2.bn.gamma
  Mixed_7b.branch3x3dbl_3a.bn.bias   -> Mixed_7b.branch3x3dbl.3.a.bn.beta
  *.bn.running_mean / running_var    -> *.bn.moving_mean / moving_variance
  *.num_batches_tracked              -> dropped (training state)
  fc.weight, fc.bias (1008 classes)  -> kept as they are; the FID features do not use them

Only the standard library is needed for .npz input.

  python3 tools/convert_pytorch_fid.py pt_inception-2015-12-05-6726825d.pth inception-v3-fid.safetensors
"""
import argparse
import ast
import json
import re
import struct
import sys
import zipfile

BRANCH = re.compile(r"^(branch[0-9a-z]+)_([0-9])([ab]?)$")
BATCH_NORM = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_variance"}
NPY_TYPES = {"<f4": ("f", 4), "<f8": ("d", 8), "<f2": ("e", 2), "<i8": ("q", 8), "<i4": ("i", 4),
             "|u1": ("B", 1), "|i1": ("b", 1)}


def acne_name(torch_name):
    """acne's name for a state-dict key, or None for a key that carries no weight."""
    parts = torch_name.split(".")
    if parts[0] == "module":  # saved from nn.DataParallel
        parts = parts[1:]
    if parts[-1] == "num_batches_tracked":
        return None
    out = []
    for part in parts:
        m = BRANCH.match(part)
        if m:
            out += [m.group(1), m.group(2)] + ([m.group(3)] if m.group(3) else [])
        else:
            out.append(part)
    if len(out) >= 2 and out[-2] == "bn" and out[-1] in BATCH_NORM:
        out[-1] = BATCH_NORM[out[-1]]
    return ".".join(out)


class Array:
    """A tensor as a shape and its values as little-endian float32 bytes."""

    def __init__(self, shape, data):
        self.shape = [int(d) for d in shape]
        self.data = data


def read_npy(data, name):
    if data[:6] != b"\x93NUMPY":
        raise ValueError(f"{name}: not an .npy array")
    major = data[6]
    header_len_size = 2 if major == 1 else 4
    header_len = int.from_bytes(data[8:8 + header_len_size], "little")
    start = 8 + header_len_size
    header = ast.literal_eval(data[start:start + header_len].decode("latin1"))
    if header["fortran_order"]:
        raise ValueError(f"{name}: Fortran-ordered arrays are not supported")
    descr = header["descr"]
    if descr not in NPY_TYPES:
        raise ValueError(f"{name}: unsupported dtype {descr}")
    code, size = NPY_TYPES[descr]
    shape = list(header["shape"])
    count = 1
    for d in shape:
        count *= d
    body = data[start + header_len:start + header_len + count * size]
    if len(body) != count * size:
        raise ValueError(f"{name}: truncated data")
    if descr != "<f4":
        body = struct.pack(f"<{count}f", *struct.unpack(f"<{count}{code}", body))
    return Array(shape, body)


def load_npz(path):
    tensors = {}
    with zipfile.ZipFile(path) as z:
        for entry in z.namelist():
            if not entry.endswith(".npy"):
                continue
            key = entry[:-4]
            tensors[key] = read_npy(z.read(entry), key)
    return tensors


def load_pth(path):
    try:
        import torch
    except ImportError:
        sys.exit("reading a .pth file needs torch; on a machine with torch, save the state dict as .npz:\n"
                 "  numpy.savez('weights.npz', **{k: v.numpy() for k, v in torch.load(PTH).items()})")
    state = torch.load(path, map_location="cpu")
    if "state_dict" in state:
        state = state["state_dict"]
    return {k: Array(list(v.shape), v.detach().to(torch.float32).contiguous().cpu().numpy().tobytes())
            for k, v in state.items()}


def save_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name, array in tensors:
        header[name] = {"dtype": "F32", "shape": array.shape, "data_offsets": [offset, offset + len(array.data)]}
        offset += len(array.data)
        blobs.append(array.data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data area starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def convert(source, target):
    tensors = load_npz(source) if source.endswith(".npz") else load_pth(source)
    converted, seen = [], {}
    for key in sorted(tensors):
        name = acne_name(key)
        if name is None:
            continue
        if name in seen:
            raise ValueError(f"'{key}' and '{seen[name]}' both map to '{name}'")
        seen[name] = key
        converted.append((name, tensors[key]))
    save_safetensors(target, converted, {"format": "acne.pretrained", "source": "pytorch-fid inception-2015-12-05",
                                         "converted_from": source.rsplit("/", 1)[-1]})
    return len(converted), len(tensors) - len(converted)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="pt_inception-2015-12-05-*.pth, or a .npz of the same keys")
    parser.add_argument("target", help="output .safetensors")
    args = parser.parse_args()
    written, dropped = convert(args.source, args.target)
    print(f"{args.target}: {written} tensors written, {dropped} dropped (num_batches_tracked)")


if __name__ == "__main__":
    main()
