#!/usr/bin/env python3
"""Writes a small .npz state dict for the converter test, with the standard library only.

usage: make_state_dict.py SPEC.json OUT.npz
SPEC: [{"name": str, "shape": [int], "dtype": "<f4" | "<f8" | "<i8", "base": float}, ...];
element j of a tensor holds base + 0.5 * j (integers: j), so the test can check every value.
"""
import json
import struct
import sys
import zipfile

CODES = {"<f4": "f", "<f8": "d", "<i8": "q"}


def npy(shape, dtype, values):
    shape_text = "(" + "".join(f"{d}," for d in shape) + ")"
    header = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape_text}, }}"
    header += " " * (-(len(header) + 11) % 64) + "\n"  # magic + version + length + header: 64-byte multiple
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") +
            struct.pack(f"<{len(values)}{CODES[dtype]}", *values))


def main():
    spec_path, out_path = sys.argv[1:3]
    with open(spec_path) as f:
        spec = json.load(f)
    with zipfile.ZipFile(out_path, "w", zipfile.ZIP_STORED) as z:
        for t in spec:
            count = 1
            for d in t["shape"]:
                count *= d
            if t["dtype"] == "<i8":
                values = list(range(count))
            else:
                values = [t["base"] + 0.5 * j for j in range(count)]
            z.writestr(t["name"] + ".npy", npy(t["shape"], t["dtype"], values))


if __name__ == "__main__":
    main()
