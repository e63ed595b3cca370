#!/usr/bin/env python3
"""Starts a wider StyleGAN2 from a narrower one of the same resolution and latent sizes.

    tools/widen_stylegan2.py NARROW.safetensors WIDE_INIT.safetensors OUT.safetensors

NARROW and WIDE_INIT are training snapshots of acne-stylegan2 (WIDE_INIT: the tick-0 snapshot of a
run with the wider network, one minibatch from its random initialisation). OUT is a snapshot-format file of
WIDE_INIT's network for `acne-stylegan2 train --pretrained OUT`: every tensor of G, G_ema and D whose
name and shape NARROW shares comes from NARROW (the mapping network and the low-resolution layers,
where both networks have channel_max feature maps), every other one from WIDE_INIT. The optimiser
states are left out. Prints what it took from where.

Standard library only: safetensors is a JSON header and raw bytes.
"""
import json
import struct
import sys


def read(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        tensors[name] = (t["dtype"], t["shape"], data[begin:end])
    return meta, tensors


def write(path, meta, tensors):
    header, blobs, offset = {"__metadata__": meta}, [], 0
    for name in sorted(tensors):
        dtype, shape, blob = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    narrow_meta, narrow = read(argv[1])
    wide_meta, wide = read(argv[2])
    for meta, path in ((narrow_meta, argv[1]), (wide_meta, argv[2])):
        if meta.get("format") != "acne.stylegan2.snapshot":
            sys.exit(f"{path}: not an acne-stylegan2 training snapshot (metadata 'format')")
    a, b = json.loads(narrow_meta["config"]), json.loads(wide_meta["config"])
    for key in ("resolution", "z_dim", "w_dim", "mapping_layers", "img_channels", "architecture"):
        if a.get(key) != b.get(key):
            sys.exit(f"the networks differ in {key}: {a.get(key)} and {b.get(key)}; only the widths may differ")
    out, taken, kept = {}, [], []
    for name, (dtype, shape, blob) in wide.items():
        if name.split(".", 1)[0] not in ("G", "G_ema", "D"):
            continue
        source = narrow.get(name)
        if source is not None and source[0] == dtype and source[1] == shape:
            out[name] = source
            taken.append(name)
        else:
            out[name] = (dtype, shape, blob)
            kept.append(name)
    write(argv[3], {"format": wide_meta["format"], "config": wide_meta["config"]}, out)
    print(f"{len(taken)} tensors from {argv[1]}, {len(kept)} from {argv[2]} -> {argv[3]}")
    for name in kept:
        print("  new:", name)


if __name__ == "__main__":
    main(sys.argv)
