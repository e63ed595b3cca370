#!/usr/bin/env python3
"""Test helper: turns acne StyleGAN2 safetensors files (our names, 4-d shapes) into the two input
forms tools/convert_stylegan2.py reads, written independently of the converter:
  ada.npz  stylegan2-ada-pytorch state_dict keys and shapes, prefixed G_ema. / D., plus the constant
           resample_filter buffers the converter must drop;
  tf.npz   the official TensorFlow variable names and layouts, prefixed Gs/ and D/.
usage: make_stylegan2_state_dicts.py G.safetensors D.safetensors OUTDIR"""
import json
import os
import re
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    types = {"F32": "<f4", "F64": "<f8"}
    return {name: np.frombuffer(data[e["data_offsets"][0]:e["data_offsets"][1]], dtype=types[e["dtype"]])
            .reshape(e["shape"]).astype(np.float32) for name, e in header.items()}


def reference_shape(name, value):
    """The PyTorch shape of one of our 4-d tensors."""
    s = value.shape
    if name.endswith("noise_strength"):
        return ()
    if name.endswith(".bias") or name.endswith("w_avg"):
        return (s[0],)
    if name.endswith(".const"):
        return s[:3]
    if name.endswith("noise_const"):
        return s[:2]
    if re.search(r"(affine|fc\d*|out)\.weight$", name):
        return s[:2]
    return s


def to_tf_conv(w, flip=False):
    t = w.transpose(2, 3, 1, 0)
    return t[::-1, ::-1].copy() if flip else t


def tf_generator(g):
    out = {}
    for name, v in g.items():
        if name == "mapping.w_avg":
            out["dlatent_avg"] = v
            continue
        m = re.fullmatch(r"mapping\.fc(\d+)\.(weight|bias)", name)
        if m:
            out[f"G_mapping/Dense{m[1]}/{m[2]}"] = v.T if m[2] == "weight" else v
            continue
        if name == "synthesis.b4.const":
            out["G_synthesis/4x4/Const/const"] = v[None]
            continue
        m = re.fullmatch(r"synthesis\.b(\d+)\.(conv0|conv1|torgb)\.(.+)", name)
        r, layer, field = int(m[1]), m[2], m[3]
        if field == "noise_const":
            i = 0 if r == 4 else int(np.log2(r)) * 2 - (5 if layer == "conv0" else 4)
            out[f"G_synthesis/noise{i}"] = v[None, None]
            continue
        tf_layer = "Conv" if r == 4 and layer == "conv1" else {"conv0": "Conv0_up", "conv1": "Conv1", "torgb": "ToRGB"}[layer]
        key = f"G_synthesis/{r}x{r}/{tf_layer}/"
        if field == "weight":
            out[key + "weight"] = to_tf_conv(v, flip=layer == "conv0")
        elif field == "affine.weight":
            out[key + "mod_weight"] = v.T
        elif field == "affine.bias":
            out[key + "mod_bias"] = v - 1
        else:
            out[key + field] = v
    return out


def tf_discriminator(d):
    out = {}
    for name, v in d.items():
        m = re.fullmatch(r"b(\d+)\.(fromrgb|conv0|conv1|skip)\.(weight|bias)", name)
        if m:
            layer = {"fromrgb": "FromRGB", "conv0": "Conv0", "conv1": "Conv1_down", "skip": "Skip"}[m[2]]
            out[f"{m[1]}x{m[1]}/{layer}/{m[3]}"] = to_tf_conv(v) if m[3] == "weight" else v
            continue
        m = re.fullmatch(r"b4\.(conv|fc|out)\.(weight|bias)", name)
        key = {"conv": "4x4/Conv", "fc": "4x4/Dense0", "out": "Output"}[m[1]] + "/" + m[2]
        out[key] = v if m[2] == "bias" else (to_tf_conv(v) if m[1] == "conv" else v.T)
    return out


def main():
    g_path, d_path, outdir = sys.argv[1:4]
    g = {k: v.reshape(reference_shape(k, v)) for k, v in read_safetensors(g_path).items()}
    d = {k: v.reshape(reference_shape(k, v)) for k, v in read_safetensors(d_path).items()}
    fir = np.outer([1, 3, 3, 1], [1, 3, 3, 1]).astype(np.float32) / 64
    ada = {f"G_ema.{k}": v for k, v in g.items()}
    ada.update({f"D.{k}": v for k, v in d.items()})
    ada["G_ema.synthesis.b8.resample_filter"] = fir
    ada["D.b8.conv1.resample_filter"] = fir
    np.savez(os.path.join(outdir, "ada.npz"), **ada)
    tf = {f"Gs/{k}": v for k, v in tf_generator(g).items()}
    tf.update({f"D/{k}": v for k, v in tf_discriminator(d).items()})
    np.savez(os.path.join(outdir, "tf.npz"), **tf)


if __name__ == "__main__":
    main()
