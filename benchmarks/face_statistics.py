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
                 channels): how much fine detail, lesions and artefacts included, a face has;
  spots, streaks the lesion pixels' 8-connected spots of at least 4 pixels: how many a face has,
                 and the share of the lesion pixels that lie in elongated ones (the square root of
                 the ratio of the principal second moments, each plus a pixel's own 1/12, above 2:
                 a round papule is about 1, a stroke of length L and width 1 about L);
  position lift  how much more often a pixel is a lesion pixel in one face given that it is one in
                 another face of the folder than on average: about 1 to 2 where every face places its
                 lesions anew, far above where the faces share their lesions' places (the mean over
                 ordered pairs of faces i != j of |L_i & L_j| / |L_i|, over the share of lesion pixels).
Written to tell synthetic faces from real ones by what a classifier could pick up; the phantom
faces' lesions are red, so the red-minus-green contrast finds them on every skin tone.
"""
import argparse
import pathlib

import numpy as np
from PIL import Image, ImageFilter

SIDE, CROP, MEDIAN, THRESHOLD = 128, (24, 104), 11, 35
MIN_SPOT, ELONGATED = 4, 2.0


def spot_components(mask):
    """The 8-connected components of a boolean mask, as arrays of (row, column)."""
    seen = np.zeros_like(mask)
    components = []
    for start in zip(*np.nonzero(mask)):
        if seen[start]:
            continue
        seen[start] = True
        stack, pixels = [start], []
        while stack:
            r, c = stack.pop()
            pixels.append((r, c))
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    q = (r + dr, c + dc)
                    if 0 <= q[0] < mask.shape[0] and 0 <= q[1] < mask.shape[1] and mask[q] and not seen[q]:
                        seen[q] = True
                        stack.append(q)
        components.append(np.array(pixels, dtype=np.float64))
    return components


def elongation(pixels):
    # A pixel is a unit square: its own second moment 1/12 keeps a one-pixel-wide stroke finite.
    eigen = np.linalg.eigvalsh(np.cov(pixels.T, bias=True)) + 1.0 / 12.0
    return float(np.sqrt(eigen[1] / eigen[0]))


def face_numbers(path):
    image = Image.open(path).convert("RGB").resize((SIDE, SIDE), Image.BICUBIC)
    a = np.asarray(image).astype(np.float64)
    red = np.clip(a[..., 0] - a[..., 1], 0, 255)
    local = np.asarray(Image.fromarray(red.astype(np.uint8)).filter(ImageFilter.MedianFilter(MEDIAN)))
    lo, hi = CROP
    spots = (red - local)[lo:hi, lo:hi] > THRESHOLD
    blobs = [p for p in spot_components(spots) if len(p) >= MIN_SPOT]
    streak_pixels = sum(len(p) for p in blobs if elongation(p) > ELONGATED)
    blob_pixels = sum(len(p) for p in blobs)
    numbers = (int(spots.sum()), float(np.abs(np.diff(a, axis=1)).mean()), len(blobs), streak_pixels, blob_pixels)
    return numbers, spots.ravel()


def position_lift(masks):
    """Mean over ordered pairs i != j (faces i with lesions) of |L_i & L_j| / |L_i|, over the share of lesion pixels."""
    m = masks.astype(np.float64)
    sizes, overlap = m.sum(axis=1), m @ m.T
    with_lesions = np.nonzero(sizes)[0]
    share = m.mean()
    if len(with_lesions) == 0 or len(m) < 2 or share == 0:
        return None
    ratios = [(overlap[i].sum() - overlap[i, i]) / sizes[i] / (len(m) - 1) for i in with_lesions]
    return float(np.mean(ratios)) / share


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", nargs="+", type=pathlib.Path)
    parser.add_argument("--limit", type=int, default=200, help="faces per folder (default 200)")
    args = parser.parse_args()
    print("folder\tfaces\tlesion pixels: mean, median, p25, p75\ttexture\tspots per face\tstreak share\tposition lift")
    for d in args.dirs:
        if not d.is_dir():
            parser.error(f"{d}: not a folder")
        files = sorted(p for p in d.rglob("*") if p.suffix.lower() in (".png", ".jpg", ".jpeg"))[: args.limit]
        if not files:
            parser.error(f"{d}: no images")
        per_face = [face_numbers(p) for p in files]
        numbers = np.array([n for n, _ in per_face])
        lift = position_lift(np.array([m for _, m in per_face]))
        spots, texture, blobs = numbers[:, 0], numbers[:, 1], numbers[:, 2]
        in_blobs = numbers[:, 4].sum()
        streaks = f"{numbers[:, 3].sum() / in_blobs:.2f}" if in_blobs else "-"
        print(f"{d}\t{len(files)}\t{spots.mean():.0f}, {np.median(spots):.0f}, {np.percentile(spots, 25):.0f}, "
              f"{np.percentile(spots, 75):.0f}\t{texture.mean():.2f}\t{blobs.mean():.1f}\t{streaks}\t"
              + (f"{lift:.1f}" if lift is not None else "-"))


if __name__ == "__main__":
    main()
