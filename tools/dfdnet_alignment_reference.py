#!/usr/bin/python3
"""Reference numbers for tests/face/test_alignment.cpp from the official DFDNet folder: the FFHQ
template its test_FaceDict.py aligns to (packages/FFHQ_template.npy, halved as the official code
halves it for 512 x 512 faces), and scikit-image's SimilarityTransform (what the official code
estimates with) from fixed five points onto that template.

Usage: /usr/bin/python3 tools/dfdnet_alignment_reference.py DFDNET_DIR
(needs python3-numpy and python3-skimage; DFDNET_DIR is a checkout of csxmli2016/DFDNet)
"""
import os
import sys

import numpy as np
from skimage import transform as trans

# Five points (outer and inner corner of the eye on the image's right, of the other, nose bottom) of
# astronaut.png as dlib's 68-point model places them (landmarks 45, 42, 36, 39, 33).
SOURCE = np.array([[255.0, 104.0], [238.0, 105.0], [195.0, 101.0], [212.0, 104.0], [224.0, 134.0]])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    template = np.load(os.path.join(sys.argv[1], "packages", "FFHQ_template.npy")) / 2
    print("template (512 x 512):")
    for x, y in template:
        print(f"  {{{x:.8f}, {y:.8f}}}")
    tform = trans.SimilarityTransform()
    tform.estimate(SOURCE, template)
    print("similarity, image -> face (2 x 3):")
    for row in tform.params[:2]:
        print("  " + ", ".join(f"{v:.12f}" for v in row))


if __name__ == "__main__":
    main()
