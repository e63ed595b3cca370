#!/usr/bin/env python3
"""How much lesion and how much fine texture do the faces of a folder show?

Usage
  benchmarks/face_statistics.py DIR [DIR ...]

For every PNG or JPEG under each DIR (searched recursively; at most --limit per DIR, sorted by path),
resized to 128 x 128 (bicubic):
  lesion pixels  pixels of the central 80 x 80 whose red-minus-green value exceeds its own 11 x 11
                 median by more than 35: small red spots on skin, not red skin (mean, median,
                 quartiles over the faces);
  texture        the mean absolute difference between horizontally neighbouring values (all
                 channels): how much fine detail, lesions and artefacts included, a face has.
Written to tell synthetic faces from real ones by what a classifier could pick up; the phantom
faces' lesions are red, so the red-minus-green contrast finds them on every skin tone.
"""
import argparse
import pathlib

import numpy as np
from PIL import Image, ImageFilter

SIDE, CROP, MEDIAN, THRESHOLD = 128, (24, 104), 11, 35


def face_numbers(path):
    image = Image.open(path).convert("RGB").resize((SIDE, SIDE), Image.BICUBIC)
    a = np.asarray(image).astype(np.float64)
    red = np.clip(a[..., 0] - a[..., 1], 0, 255)
    local = np.asarray(Image.fromarray(red.astype(np.uint8)).filter(ImageFilter.MedianFilter(MEDIAN)))
    lo, hi = CROP
    spots = (red - local)[lo:hi, lo:hi] > THRESHOLD
    return int(spots.sum()), float(np.abs(np.diff(a, axis=1)).mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", nargs="+", type=pathlib.Path)
    parser.add_argument("--limit", type=int, default=200, help="faces per folder (default 200)")
    args = parser.parse_args()
    print("folder\tfaces\tlesion pixels: mean, median, p25, p75\ttexture")
    for d in args.dirs:
        if not d.is_dir():
            parser.error(f"{d}: not a folder")
        files = sorted(p for p in d.rglob("*") if p.suffix.lower() in (".png", ".jpg", ".jpeg"))[: args.limit]
        if not files:
            parser.error(f"{d}: no images")
        numbers = np.array([face_numbers(p) for p in files])
        spots, texture = numbers[:, 0], numbers[:, 1]
        print(f"{d}\t{len(files)}\t{spots.mean():.0f}, {np.median(spots):.0f}, {np.percentile(spots, 25):.0f}, "
              f"{np.percentile(spots, 75):.0f}\t{texture.mean():.2f}")


if __name__ == "__main__":
    main()
