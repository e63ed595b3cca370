#!/usr/bin/env python3
"""Writes a small Keras-layout HDF5 weights file (the legacy format of keras.applications) for
tests of tools/convert_keras.py, following keras.applications' layer creation independently of
acne's names: ResNetV2 layer names conv{s}_block{b}_*, InceptionResNetV2's auto-numbered
conv2d_N / batch_normalization_N (from 1, as in the published file). Every tensor holds
(k % 997) / 1000 at flat index k of its Keras layout, so the converted layout can be checked.

    keras_fixture.py OUT.h5 --model resnet|irv2 --width W --blocks a,b,... [--classes N | --no-top]
"""
import argparse
import sys

import h5py
import numpy as np


def scaled(n, width):
    return max(1, int(n * width + 0.5))  # std::lround for positive values


class Writer:
    def __init__(self):
        self.layers = []  # (name, [(param, shape)])
        self.counters = {}

    def auto(self, base):
        self.counters[base] = self.counters.get(base, 0) + 1
        return f"{base}_{self.counters[base]}"

    def add(self, name, params):
        self.layers.append((name, params))

    def conv(self, name, kh, kw, cin, cout, bias):
        self.add(name, [("kernel", (kh, kw, cin, cout))] + ([("bias", (cout,))] if bias else []))

    def bn(self, name, c, scale=True):
        self.add(name, ([("gamma", (c,))] if scale else []) + [("beta", (c,)), ("moving_mean", (c,)),
                                                                ("moving_variance", (c,))])

    def save(self, path):
        with h5py.File(path, "w") as f:
            f.attrs["layer_names"] = [n.encode() for n, _ in self.layers]
            f.attrs["backend"] = b"tensorflow"
            for name, params in self.layers:
                g = f.create_group(name)
                g.attrs["weight_names"] = [f"{name}/{p}:0".encode() for p, _ in params]
                for p, shape in params:
                    k = np.arange(int(np.prod(shape)))
                    g.create_dataset(f"{name}/{p}:0", data=((k % 997) / 1000.0).astype(np.float32).reshape(shape))


def resnet(w, width, blocks, classes):
    w.add("input_1", [])
    w.add("conv1_pad", [])
    c = scaled(64, width)
    w.conv("conv1_conv", 7, 7, 3, c, True)
    w.add("pool1_pad", [])
    w.add("pool1_pool", [])
    for stage, (filters, count) in enumerate(zip((64, 128, 256, 512), blocks), start=2):
        f = scaled(filters, width)
        for b in range(1, count + 1):
            n = f"conv{stage}_block{b}"
            w.bn(n + "_preact_bn", c)
            w.add(n + "_preact_relu", [])
            if b == 1:
                w.conv(n + "_0_conv", 1, 1, c, 4 * f, True)
            w.conv(n + "_1_conv", 1, 1, c, f, False)
            w.bn(n + "_1_bn", f)
            w.conv(n + "_2_conv", 3, 3, f, f, False)
            w.bn(n + "_2_bn", f)
            w.conv(n + "_3_conv", 1, 1, f, 4 * f, True)
            w.add(n + "_out", [])
            c = 4 * f
    w.bn("post_bn", c)
    w.add("post_relu", [])
    if classes:
        w.add("avg_pool", [])
        w.add("predictions", [("kernel", (c, classes)), ("bias", (classes,))])


def irv2(w, width, repeats, classes):
    def unit(cin, filters, kh, kw):  # conv2d_bn without a name
        cout = scaled(filters, width)
        w.conv(w.auto("conv2d"), kh, kw, cin, cout, False)
        w.bn(w.auto("batch_normalization"), cout, scale=False)
        w.add(w.auto("activation"), [])
        return cout

    def chain(cin, specs):
        for filters, kh, kw in specs:
            cin = unit(cin, filters, kh, kw)
        return cin

    def block(kind, index, c, branches):
        mixed = sum(chain(c, b) for b in branches)
        w.add(f"{kind}_{index}_mixed", [])
        w.conv(f"{kind}_{index}_conv", 1, 1, mixed, c, True)
        w.add(f"{kind}_{index}", [])

    w.add("input_1", [])
    c = chain(3, [(32, 3, 3), (32, 3, 3), (64, 3, 3)])
    w.add("max_pooling2d_1", [])
    c = chain(c, [(80, 1, 1), (192, 3, 3)])
    w.add("max_pooling2d_2", [])
    c = (chain(c, [(96, 1, 1)]) + chain(c, [(48, 1, 1), (64, 5, 5)]) +
         chain(c, [(64, 1, 1), (96, 3, 3), (96, 3, 3)]) + chain(c, [(64, 1, 1)]))
    w.add("mixed_5b", [])
    for i in range(1, repeats[0] + 1):
        block("block35", i, c, [[(32, 1, 1)], [(32, 1, 1), (32, 3, 3)], [(32, 1, 1), (48, 3, 3), (64, 3, 3)]])
    c = chain(c, [(384, 3, 3)]) + chain(c, [(256, 1, 1), (256, 3, 3), (384, 3, 3)]) + c
    w.add("mixed_6a", [])
    for i in range(1, repeats[1] + 1):
        block("block17", i, c, [[(192, 1, 1)], [(128, 1, 1), (160, 1, 7), (192, 7, 1)]])
    c = (chain(c, [(256, 1, 1), (384, 3, 3)]) + chain(c, [(256, 1, 1), (288, 3, 3)]) +
         chain(c, [(256, 1, 1), (288, 3, 3), (320, 3, 3)]) + c)
    w.add("mixed_7a", [])
    for i in range(1, repeats[2] + 1):
        block("block8", i, c, [[(192, 1, 1)], [(192, 1, 1), (224, 1, 3), (256, 3, 1)]])
    cout = scaled(1536, width)
    w.conv("conv_7b", 1, 1, c, cout, False)
    w.bn("conv_7b_bn", cout, scale=False)
    w.add("conv_7b_ac", [])
    if classes:
        w.add("avg_pool", [])
        w.add("predictions", [("kernel", (cout, classes)), ("bias", (classes,))])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--model", choices=["resnet", "irv2"], required=True)
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--blocks", required=True)
    p.add_argument("--classes", type=int, default=1000)
    p.add_argument("--no-top", action="store_true")
    a = p.parse_args()
    blocks = [int(b) for b in a.blocks.split(",")]
    w = Writer()
    (resnet if a.model == "resnet" else irv2)(w, a.width, blocks, 0 if a.no_top else a.classes)
    w.save(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
