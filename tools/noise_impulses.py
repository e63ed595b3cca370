#!/usr/bin/env python3
"""Replaces a StyleGAN2 snapshot's constant noise by a few impulses, to see how it draws one lesion.

    tools/noise_impulses.py SNAPSHOT.safetensors OUT.safetensors [--layer NAME] [--count N]
                            [--amplitude A] [--seed S]

Every G_ema noise_const buffer of SNAPSHOT (an acne-stylegan2 training snapshot) is set to zero, but
that of --layer (default synthesis.b32.conv0, the layer whose noise the phantom-face GANs place
their lesions with) gets --count values of --amplitude (default 15 of -4) at seeded positions within
the middle 40 % of the map (where the face is; positions may repeat). `acne-stylegan2 generate
--network OUT --noise const` (the default) then draws every face with those noise maps: whatever
the network makes of a single impulse is what it draws for one lesion.

Standard library only, as tools/widen_stylegan2.py, whose reader and writer it uses.
"""
import argparse
import random
import struct

from widen_stylegan2 import read, write


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("snapshot")
    parser.add_argument("out")
    parser.add_argument("--layer", default="synthesis.b32.conv0")
    parser.add_argument("--count", type=int, default=15)
    parser.add_argument("--amplitude", type=float, default=-4.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    meta, tensors = read(args.snapshot)
    if meta.get("format") != "acne.stylegan2.snapshot":
        parser.error(f"{args.snapshot}: not an acne-stylegan2 training snapshot (metadata 'format')")
    target = f"G_ema.{args.layer}.noise_const"
    if target not in tensors:
        parser.error(f"{args.snapshot} has no {target}")
    rng = random.Random(args.seed)
    for name, (dtype, shape, blob) in tensors.items():
        if not (name.startswith("G_ema.") and name.endswith(".noise_const")):
            continue
        if dtype != "F32":
            parser.error(f"{name}: {dtype}, expected F32")
        values = [0.0] * (len(blob) // 4)
        if name == target:
            side = shape[0]  # stored [resolution, resolution, 1, 1]
            lo, hi = round(side * 0.3), round(side * 0.7)
            for _ in range(args.count):
                values[rng.randrange(lo, hi) * side + rng.randrange(lo, hi)] = args.amplitude
        tensors[name] = (dtype, shape, struct.pack(f"<{len(values)}f", *values))
    write(args.out, meta, tensors)
    print(f"{args.out}: {args.count} impulses of {args.amplitude} in {target}; every other noise buffer zero")


if __name__ == "__main__":
    main()
