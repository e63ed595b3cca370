#!/usr/bin/python3
"""Reference numbers for acne's DFDNet, produced by running the official network.

Usage: /usr/bin/python3 tools/dfdnet_reference.py DFDNET_DIR OUT.json [--commit SHA] [--threads N]

DFDNET_DIR is a checkout of csxmli2016/DFDNet. Its models/networks.py is loaded as it is (with stub
modules standing in for the absent `util` and `sync_batchnorm` imports, which the network does not
use) and `UNetDictFace(64, dictionary_path=...)` is built, filled with deterministic weights, and run
once on the CPU under torch.no_grad() in eval mode. Nothing of the official forward is changed: the
numbers are observed through forward hooks and through a thin wrapper around the module's global `F`
(torch.nn.functional) that records the calls and passes them on unchanged.
Needs Debian's python3-torch and python3-torchvision (written against torch 1.13, torchvision 0.14)
and python3-numpy. Takes about 20 seconds on one CPU thread.

Hashed fill (the contract with the C++ tests; they implement the same formula and must agree bit
for bit)
--------------------------------------------------------------------------------------------------
Every tensor gets its values from its name. All integer arithmetic is on unsigned 64-bit words,
i.e. modulo 2^64:
  * h = FNV-1a 64 of the UTF-8 bytes of the name: start from 0xcbf29ce484222325; per byte, xor the
    byte in, then multiply by 0x100000001b3.
  * for element number i (0-based, row-major over the tensor's PyTorch shape):
        z = h + (i + 1) * 0x9E3779B97F4A7C15
        z = (z xor (z >> 30)) * 0xBF58476D1CE4E5B9
        z = (z xor (z >> 27)) * 0x94D049BB133111EB
        z = z xor (z >> 31)
        u = (z >> 11) * 2^-53                              a double in [0, 1)
        value = float32(scale * (2 * u - 1))               formed in double, rounded once to float32
  * The scale depends on the official state_dict name:
      - a convolution weight [O, I, kh, kw], plain ("...weight") or under spectral norm
        ("...weight_orig"): sqrt(6 / (I * kh * kw));
      - any "...bias": 0.05;
      - "VggExtract.RGB_mean" and "VggExtract.RGB_std" are not hashed: they hold the ImageNet
        constants [0.485, 0.456, 0.406] and [0.229, 0.224, 0.225], shape [1, 3, 1, 1];
      - spectral norm's vectors of a convolution whose filled weight_orig W (float32) is viewed as a
        matrix [O, I*kh*kw]: "<prefix>.weight_u" is the fill of that name with scale 1, divided by its
        Euclidean norm (computed in double from the float32 fill) and rounded to float32;
        "<prefix>.weight_v" is t / |t| with t = W^T u (in double, from the float32 W and u), rounded
        to float32. In eval mode torch then divides W by sigma = u . (W v) = |W^T u| (no power
        iteration, u and v are used as stored);
      - the dictionaries: "dictionary.<part>.<size>" (part: left_eye, right_eye, nose, mouth; size:
        256, 128, 64, 32), scale 1, over the shape [K, C, s, s] with K = 4 atoms, C = 128, 256, 512,
        512 for the sizes 256, 128, 64, 32 and s = [80, 80, 50, 110][part] // (512 / size) (floor):
        40 40 25 55 | 20 20 12 27 | 10 10 6 13 | 5 5 3 6. They are written as the official
        DictionaryCenter512/<part>_<size>_center.npy files, float32 of shape [K, C*s*s];
      - the input face [1, 3, 512, 512] (RGB in [-1, 1]): name "input", scale 0.8.
    The two buffers of each Blur ("upN.conv1.0.weight" and "upN.conv1.0.weight_flip") keep the
    values the constructor gives them (the normalised [1 2 1] x [1 2 1] kernel). The linear layers of
    "VggExtract.model.classifier" are zero (the forward never reaches them). "VggExtract.features.i.j.*"
    are the very modules of "VggExtract.model.features.j.*" and take the fill of the latter name.
    The unused "to_rgb0..3" are filled like everything else.
  * Sample positions: a stream of u values (the formula above, element i = 0, 1, 2, ...) under the
    name "samples.<what>", where <what> is given with each summary below as "samples_from". Sample n
    uses u[3n], u[3n+1], u[3n+2] and sits at channel floor(u[3n] * C), row floor(u[3n+1] * H),
    column floor(u[3n+2] * W) of the [1, C, H, W] tensor (products in double).

Landmarks and part boxes
------------------------
The 68 landmarks (0-based dlib / iBUG order) are a generic mean 68-point face shape in a unit frame
(MEAN_SHAPE below) mapped to the 512 x 512 aligned face by x = 256 + 360 (mx - 0.525),
y = 130 + 315 my and rounded to multiples of 1/8 pixel (so the values are exact in binary and are
what the official landmark files, written with '%.3f', could hold). The four part boxes are computed
by reimplementing the arithmetic of the official `get_part_location` (test_FaceDict.py) here rather
than calling it (that module needs dlib, cv2, face_alignment and numpy < 1.24's np.float): for the
landmark groups left eye = 17..21 and 36..41, right eye = 22..26 and 42..47, nose = 29..35,
mouth = 48..67, with m the mean point of the group and
L = max(max(max over the group - min over the group) / 2, 16) (one half-side for both axes), the box
is int([m_x - L + 1, m_y - L + 1, m_x + L, m_y + L]) (truncation; all positive here), in float64.
They are passed to the network as test_FaceDict passes them: a tuple of four int64 tensors of shape
[1, 4], (x0, y0, x1, y1).

What OUT.json holds
-------------------
float32 quantities are written as the shortest decimal that reads back to the same float32; float64
sums are written exactly. Every "summary" is {"shape", "sum", "abs_sum", "samples_from", "samples"}:
the sums in float64 over the float32 tensor and "samples" a list of [c, y, x, value].
  atoms, input_scale, landmarks, part_locations (pixels at 512)
  scores            {part: [[K raw scores] per size 256, 128, 64, 32]}: F.conv2d(feature_resize,
                    dict_norm) before the softmax
  chosen_atoms      {part: [atom per size]} (the atom the official code swaps in, checked to be the
                    argmax of the raw scores)
  scores_float64    the same dot products in float64 from the float32 operands the official conv2d got
  score_rounding    {part: [max over atoms of |scores - scores_float64| per size]}: torch's own
                    float32 rounding of the scores
  score_margin      the smallest (best - second best) raw score over the 16 matchings
  score_margin_relative  the smallest such gap divided by |best|
  score_margin_over_rounding  the smallest ratio, per matching, of the float64 gap to that matching's
                    score_rounding; the script refuses to write a file where it is below 10 or where
                    the float64 scores pick another atom.
                    A gap of 1e-3 relative to the best score is out of reach for this network: the
                    atoms are first renormalised (adaptive instance norm) to the per-channel mean and
                    standard deviation of the features they are matched against, so every raw score
                    carries the same large term s*s * sum over channels of mean^2, and only a small
                    remainder depends on the atom. With these weights and this input the relative gaps
                    run from 7e-6 to 1e-3 (median near 9e-5); eight other input streams gave smaller
                    smallest gaps (one an exact float32 tie), and landmark shifts of a few pixels
                    changed it by less than a factor of two (the size-32 crops hardly move).
                    What makes ties safe is the gap against the rounding of the scores: a C++ check
                    should accumulate each score in double (or pairwise); a plain sequential float32
                    sum over the up to 387200 products errs by up to about 38 here, more than the
                    smallest gaps (1.1 to 13).
  vgg_features      4 summaries of VggExtract's outputs as the official forward uses them
                    (samples_from "vgg_features.<i>"); see the notes below on in-place ReLUs
  update_features   4 summaries of UpdateVggFeatures[i], i = 0..3 for the sizes 256, 128, 64, 32
                    (samples_from "update_features.<i>"; up0 takes [3], up1 [2], up2 [1], up3 [0])
  ms_dilate         summary of MSDilate(VggFeatures[3]) ("ms_dilate")
  up                4 summaries of the outputs of up0..up3 ("up.<i>")
  output            summary of the network's output [1, 3, 512, 512] with 4096 samples ("output")
  parameter_counts  counts derived from the official module
  fill_check        the first three fill values of two tensors
  interpolate_calls the modes of the F.interpolate calls the official forward made, in order of first
                    use, with their counts
  torch_version, official_commit

Notes on the official forward (torch 1.13), for whoever reimplements it
-------------------------------------------------------------------------
  * VGGFeat: x -> ((x + 1) / 2 - RGB_mean) / RGB_std; it resizes only inputs narrower than 224, so a
    512 x 512 face goes in unresized. Its four blocks are torchvision vgg19.features[0:8], [8:17],
    [17:26], [26:35]: they end on the convolutions conv2_2, conv3_4, conv4_4, conv5_4 (no ReLU), but
    blocks 2..4 open with torchvision's ReLU(inplace=True), which rectifies the previous block's
    output in place. So the first three VggFeatures the dictionary part and up-blocks see are
    relu2_2, relu3_4 and relu4_4, while the fourth (conv5_4, used by MSDilate and up0) is not
    rectified. vgg_features records them as they are after the whole VGG pass.
  * Part boxes at feature size f: (box // (512 / f)).int(), i.e. the int64 pixel box is floor-divided
    by the float 2, 4, 8, 16 (exact, non-negative), so floor(box / 2^k); rows y0:y1, columns x0:x1.
  * The crop is resized to the atom size s x s with F.interpolate(mode='bilinear',
    align_corners=False); the chosen normalised atom is resized back to the crop's size with
    F.interpolate's default mode, 'nearest' (source index min(floor(i * float(in / out)), in - 1),
    scale in float32; identity when the sizes agree, i >> 1 when out = 2 in).
  * Adaptive instance norm of the atoms takes the unbiased variance (n - 1) + 1e-5 per channel, of the
    atom and of the resized crop. The softmax before the argmax does not change the choice.
  * The four parts are pasted in the order left eye, right eye, nose, mouth into a clone of the
    features, each computed from the unmodified features; where boxes overlap (here nose and mouth)
    the later part wins.
  * Spectral norm in eval mode divides weight_orig by u . (W v) with u, v as stored (the script checks
    that they are unchanged after the forward). The dictionaries' max_* norms are computed but unused.
"""
import argparse
import importlib.util
import json
import math
import os
import sys
import tempfile
import time
import types

import numpy as np
import torch

K = 4
INPUT_SCALE = 0.8
PARTS = ("left_eye", "right_eye", "nose", "mouth")
PART_PREFIX = ("le", "re", "no", "mo")
PART_SIZES = (80, 80, 50, 110)
FEATURE_SIZES = (256, 128, 64, 32)
CHANNELS = (128, 256, 512, 512)
SAMPLES = 64
OUTPUT_SAMPLES = 4096

_MASK = (1 << 64) - 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def fnv1a64(name):
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & _MASK
    return h


def hashed_uniform(name, count):
    """u values in [0, 1) (float64) for elements 0 .. count-1 of the stream `name`."""
    h = np.uint64(fnv1a64(name))
    i1 = np.arange(1, count + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = h + i1 * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)


def _hashed_uniform_scalar(name, i):
    """The same formula on Python integers, one element; used to check the vectorised form."""
    z = (fnv1a64(name) + (i + 1) * 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    z ^= z >> 31
    return (z >> 11) * (2.0 ** -53)


def hashed_fill(name, shape, scale):
    count = int(np.prod(shape, dtype=np.int64))
    u = hashed_uniform(name, count)
    return (scale * (2.0 * u - 1.0)).astype(np.float32).reshape(shape)


def conv_scale(shape):
    if len(shape) != 4:
        raise ValueError(f"expected a convolution weight, got shape {tuple(shape)}")
    return math.sqrt(6.0 / (shape[1] * shape[2] * shape[3]))


def spectral_vectors(prefix, weight):
    """weight_u and weight_v of a spectral-normed convolution whose weight_orig is `weight`."""
    w = weight.reshape(weight.shape[0], -1).astype(np.float64)
    u32 = hashed_fill(prefix + ".weight_u", (weight.shape[0],), 1.0)
    u64 = u32.astype(np.float64)
    u = (u64 / np.sqrt(np.dot(u64, u64))).astype(np.float32)
    t = w.T @ u.astype(np.float64)
    v = (t / np.sqrt(np.dot(t, t))).astype(np.float32)
    return u, v


def dictionary_side(part_index, size):
    return PART_SIZES[part_index] // (512 // size)


# A generic mean 68-point face shape (dlib / iBUG order) in a unit frame.
MEAN_SHAPE = (
    (0.079, 0.339), (0.083, 0.457), (0.097, 0.576), (0.122, 0.692), (0.169, 0.800), (0.240, 0.896),
    (0.326, 0.977), (0.422, 1.043), (0.532, 1.061), (0.641, 1.040), (0.738, 0.972), (0.824, 0.890),
    (0.895, 0.792), (0.939, 0.682), (0.961, 0.562), (0.971, 0.442), (0.971, 0.322),
    (0.164, 0.249), (0.218, 0.204), (0.291, 0.192), (0.367, 0.204), (0.439, 0.233),
    (0.586, 0.228), (0.660, 0.196), (0.737, 0.182), (0.813, 0.193), (0.871, 0.235),
    (0.515, 0.319), (0.516, 0.396), (0.517, 0.474), (0.518, 0.553),
    (0.434, 0.604), (0.476, 0.621), (0.521, 0.634), (0.566, 0.619), (0.607, 0.602),
    (0.252, 0.331), (0.299, 0.303), (0.356, 0.303), (0.404, 0.339), (0.353, 0.350), (0.297, 0.350),
    (0.631, 0.334), (0.679, 0.296), (0.736, 0.295), (0.783, 0.321), (0.740, 0.342), (0.685, 0.344),
    (0.353, 0.746), (0.415, 0.719), (0.478, 0.707), (0.523, 0.717), (0.570, 0.705), (0.635, 0.716),
    (0.700, 0.739), (0.639, 0.805), (0.576, 0.835), (0.525, 0.842), (0.476, 0.838), (0.414, 0.810),
    (0.380, 0.750), (0.478, 0.745), (0.523, 0.749), (0.571, 0.743), (0.672, 0.744), (0.573, 0.777),
    (0.524, 0.783), (0.478, 0.778),
)


def face_landmarks():
    m = np.array(MEAN_SHAPE, dtype=np.float64)
    pts = np.stack([256.0 + 360.0 * (m[:, 0] - 0.525), 130.0 + 315.0 * m[:, 1]], axis=1)
    return np.round(pts * 8.0) / 8.0


PART_GROUPS = (
    list(range(17, 22)) + list(range(36, 42)),
    list(range(22, 27)) + list(range(42, 48)),
    list(range(29, 36)),
    list(range(48, 68)),
)


def part_boxes(landmarks):
    """The part boxes of the official get_part_location, reimplemented: int64 [x0, y0, x1, y1]."""
    boxes = []
    for group in PART_GROUPS:
        pts = landmarks[group]
        mean = np.mean(pts, 0)
        half = np.max((np.max(np.max(pts, 0) - np.min(pts, 0)) / 2, 16))
        raw = np.hstack((mean - half + 1, mean + half))
        frac = np.abs(raw - np.round(raw))
        if np.min(frac) < 1e-6:
            raise SystemExit(f"part box {raw} lies on an integer boundary; change the landmarks")
        boxes.append(raw.astype(int))
    return boxes


def load_networks(dfdnet_dir):
    util_pkg = types.ModuleType("util")
    util_pkg.__path__ = []
    util_mod = types.ModuleType("util.util")
    util_pkg.util = util_mod
    sync_bn = types.ModuleType("sync_batchnorm")
    sync_bn.convert_model = lambda model: model
    sys.modules.setdefault("util", util_pkg)
    sys.modules.setdefault("util.util", util_mod)
    sys.modules.setdefault("sync_batchnorm", sync_bn)
    path = os.path.join(dfdnet_dir, "models", "networks.py")
    spec = importlib.util.spec_from_file_location("dfdnet_official_networks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_vgg19_weights(path):
    import torchvision
    state = torchvision.models.vgg19().state_dict()
    out = {}
    for name, t in state.items():
        if name.startswith("features."):
            full = "VggExtract.model." + name
            if name.endswith("weight"):
                out[name] = torch.from_numpy(hashed_fill(full, tuple(t.shape), conv_scale(t.shape)))
            else:
                out[name] = torch.from_numpy(hashed_fill(full, tuple(t.shape), 0.05))
        else:
            # zeros through a broadcast view: the file stores one element per tensor
            out[name] = torch.zeros(1, dtype=t.dtype).expand(t.shape)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(out, path)


def write_dictionaries(folder):
    os.makedirs(folder, exist_ok=True)
    for j, part in enumerate(PARTS):
        for size, channels in zip(FEATURE_SIZES, CHANNELS):
            s = dictionary_side(j, size)
            atoms = hashed_fill(f"dictionary.{part}.{size}", (K, channels, s, s), 1.0)
            np.save(os.path.join(folder, f"{part}_{size}_center.npy"), atoms.reshape(K, -1))


def fill_state(net, networks):
    blur_buffers = set()
    for mname, module in net.named_modules():
        if isinstance(module, networks.Blur):
            blur_buffers.update(f"{mname}.{b}" for b, _ in module.named_buffers())
    state = net.state_dict()
    filled = {}

    def source_name(name):
        parts = name.split(".")
        if name.startswith("VggExtract.features."):
            # VggExtract.features.<i>.<j>.<p> is VggExtract.model.features.<j>.<p>
            return "VggExtract.model.features." + ".".join(parts[3:])
        return name

    for name, t in state.items():
        shape = tuple(t.shape)
        if name in blur_buffers or name.startswith("VggExtract.model.classifier."):
            continue
        src = source_name(name)
        if src == "VggExtract.RGB_mean":
            value = np.array([0.485, 0.456, 0.406], np.float32).reshape(1, 3, 1, 1)
        elif src == "VggExtract.RGB_std":
            value = np.array([0.229, 0.224, 0.225], np.float32).reshape(1, 3, 1, 1)
        elif src.endswith(".weight_orig") or src.endswith(".weight"):
            value = hashed_fill(src, shape, conv_scale(shape))
        elif src.endswith(".bias"):
            value = hashed_fill(src, shape, 0.05)
        elif src.endswith(".weight_u") or src.endswith(".weight_v"):
            prefix = src.rsplit(".", 1)[0]
            w_name = prefix + ".weight_orig"
            w = hashed_fill(w_name, tuple(state[w_name].shape), conv_scale(state[w_name].shape))
            u, v = spectral_vectors(prefix, w)
            value = u if src.endswith(".weight_u") else v
        else:
            raise SystemExit(f"no fill rule for {name}")
        if value.shape != shape:
            raise SystemExit(f"{name}: fill shape {value.shape} != {shape}")
        filled[name] = value
    for name, value in filled.items():
        state[name] = torch.from_numpy(value)
    net.load_state_dict(state, strict=True)
    return len(filled), sorted(blur_buffers)


def f32(v):
    """The shortest decimal that reads back to the same float32, as a Python float."""
    return float(repr(np.float32(v)).replace("np.float32(", "").rstrip(")"))


def summary(t, what, count):
    a = t.detach().cpu().numpy()
    if a.ndim != 4 or a.shape[0] != 1:
        raise SystemExit(f"{what}: unexpected shape {a.shape}")
    _, c, h, w = a.shape
    u = hashed_uniform("samples." + what, 3 * count).reshape(count, 3)
    cs = np.floor(u[:, 0] * c).astype(np.int64)
    ys = np.floor(u[:, 1] * h).astype(np.int64)
    xs = np.floor(u[:, 2] * w).astype(np.int64)
    a64 = a.astype(np.float64)
    return {
        "shape": list(a.shape),
        "sum": float(np.sum(a64)),
        "abs_sum": float(np.sum(np.abs(a64))),
        "samples_from": "samples." + what,
        "samples": [[int(ci), int(yi), int(xi), f32(a[0, ci, yi, xi])] for ci, yi, xi in zip(cs, ys, xs)],
    }


class ObservedFunctional:
    """Stands in for torch.nn.functional inside the official module: passes every call on unchanged
    and records the dictionary matchings, softmaxes and interpolations."""

    def __init__(self, real):
        self._real = real
        self.matchings = []      # (features, atoms, scores)
        self.swaps = []          # input tensors of the nearest-neighbour swaps
        self.softmaxes = []
        self.interpolate_modes = []

    def __getattr__(self, name):
        return getattr(self._real, name)

    def conv2d(self, input, weight, *args, **kwargs):
        out = self._real.conv2d(input, weight, *args, **kwargs)
        # the matchings are the only plain two-argument calls with a batch of K atoms as filters
        if not args and not kwargs and weight.dim() == 4 and weight.shape[0] == K \
                and weight.shape[1:] == input.shape[1:]:
            self.matchings.append((input.clone(), weight.clone(), out.clone()))
        return out

    def softmax(self, *args, **kwargs):
        out = self._real.softmax(*args, **kwargs)
        self.softmaxes.append(out.clone())
        return out

    def interpolate(self, input, *args, **kwargs):
        mode = kwargs.get("mode", "nearest (default)")
        self.interpolate_modes.append(mode)
        if "mode" not in kwargs:
            self.swaps.append(input.clone())
        return self._real.interpolate(input, *args, **kwargs)


def count(params):
    return int(sum(p.numel() for p in params))


def parameter_counts(net, blur_buffers):
    total = count(net.parameters())
    by_child = {}
    vgg = net.VggExtract
    by_child["VggExtract.model.features"] = count(vgg.model.features.parameters())
    by_child["VggExtract.model.classifier"] = count(vgg.model.classifier.parameters())
    by_child["VggExtract.RGB_mean_std"] = vgg.RGB_mean.numel() + vgg.RGB_std.numel()
    for name, child in net.named_children():
        if name != "VggExtract":
            by_child[name] = count(child.parameters())
    attention = {p: sum(by_child[f"{p}_{s}"] for s in FEATURE_SIZES) for p in PART_PREFIX}
    unused = sum(by_child[f"to_rgb{i}"] for i in range(4)) + by_child["VggExtract.model.classifier"]
    if sum(by_child.values()) != total:
        raise SystemExit("per-child parameter counts do not add up to the total")
    state = net.state_dict()
    kinds = {}
    sn_elements = 0
    for name, t in state.items():
        if name in blur_buffers:
            kind = "blur_" + name.rsplit(".", 1)[1]
        elif name.startswith("VggExtract.features."):
            kind = "vgg_alias_" + name.rsplit(".", 1)[1]
        elif name.startswith("VggExtract.model.classifier."):
            kind = "classifier_" + name.rsplit(".", 1)[1]
        elif name in ("VggExtract.RGB_mean", "VggExtract.RGB_std"):
            kind = "rgb_stats"
        else:
            kind = name.rsplit(".", 1)[1]
        kinds[kind] = kinds.get(kind, 0) + 1
        if name.endswith(".weight_u") or name.endswith(".weight_v"):
            sn_elements += t.numel()
    spectral_layers = kinds.get("weight_orig", 0)
    return {
        "total": total,
        "forward_used": total - unused,
        "unused": {"to_rgb0..3": unused - by_child["VggExtract.model.classifier"],
                   "VggExtract.model.classifier": by_child["VggExtract.model.classifier"]},
        "per_child": by_child,
        "attention_per_part": attention,
        "attention_total": sum(attention.values()),
        "spectral_norm_layers": spectral_layers,
        "spectral_norm_buffer_elements": int(sn_elements),
        "state_dict_keys": len(state),
        "state_dict_keys_by_kind": dict(sorted(kinds.items())),
        "note": "VggExtract.features.* are the modules of VggExtract.model.features.* under a second "
                "name: their parameters are counted once (as parameters() does), their state_dict keys "
                "twice (kind vgg_alias_*)",
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dfdnet_dir")
    ap.add_argument("out")
    ap.add_argument("--commit", default="unknown")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    started = time.perf_counter()
    torch.set_num_threads(args.threads)
    dfdnet_dir = os.path.abspath(args.dfdnet_dir)
    out_path = os.path.abspath(args.out)

    for name, i in (("input", 0), ("input", 12345), ("dictionary.mouth.32", 7)):
        if hashed_uniform(name, i + 1)[i] != _hashed_uniform_scalar(name, i):
            raise SystemExit("vectorised fill disagrees with the scalar formula")

    networks = load_networks(dfdnet_dir)
    landmarks = face_landmarks()
    boxes = part_boxes(landmarks)
    observed = ObservedFunctional(networks.F)

    with tempfile.TemporaryDirectory() as tmp:
        old_cwd = os.getcwd()
        os.chdir(tmp)
        try:
            write_vgg19_weights(os.path.join(tmp, "weights", "vgg19.pth"))
            write_dictionaries(os.path.join(tmp, "DictionaryCenter512"))
            net = networks.UNetDictFace(64, dictionary_path=os.path.join(tmp, "DictionaryCenter512"))
        finally:
            os.chdir(old_cwd)
    n_filled, blur_buffers = fill_state(net, networks)
    net.eval()

    captured = {"vgg": None, "update": [None] * 4, "up": [None] * 4, "ms": None}

    def on_vgg(_m, _inp, out):
        captured["vgg"] = [t.clone() for t in out]

    def on_ms(_m, _inp, out):
        captured["ms"] = out.clone()

    def style_hook(k):
        def hook(_m, inputs):
            captured["update"][3 - k] = inputs[1].clone()
        return hook

    def up_hook(k):
        def hook(_m, _inp, out):
            captured["up"][k] = out.clone()
        return hook

    net.VggExtract.register_forward_hook(on_vgg)
    net.MSDilate.register_forward_hook(on_ms)
    for k in range(4):
        up = getattr(net, f"up{k}")
        up.register_forward_pre_hook(style_hook(k))
        up.register_forward_hook(up_hook(k))

    before = {n: t.clone() for n, t in net.state_dict().items() if n.endswith((".weight_u", ".weight_v"))}
    x = torch.from_numpy(hashed_fill("input", (1, 3, 512, 512), INPUT_SCALE))
    part_locations = tuple(torch.from_numpy(b).unsqueeze(0) for b in boxes)
    networks.F = observed
    t0 = time.perf_counter()
    try:
        with torch.no_grad():
            output = net(x, part_locations)
    finally:
        networks.F = observed._real
    forward_s = time.perf_counter() - t0
    after = net.state_dict()
    if any(not torch.equal(t, after[n]) for n, t in before.items()):
        raise SystemExit("spectral norm changed its stored u, v during the forward")

    if len(observed.matchings) != 16 or len(observed.swaps) != 16 or len(observed.softmaxes) != 16:
        raise SystemExit(f"expected 16 matchings, saw {len(observed.matchings)} / {len(observed.swaps)}")
    scores = {p: [] for p in PARTS}
    scores64 = {p: [] for p in PARTS}
    rounding = {p: [] for p in PARTS}
    chosen = {p: [] for p in PARTS}
    margin = margin_rel = margin_over_rounding = math.inf
    for n, ((feature, weight, raw), swap, soft) in enumerate(
            zip(observed.matchings, observed.swaps, observed.softmaxes)):
        part = PARTS[n % 4]
        raw32 = raw.reshape(-1).numpy()
        exact = (feature.double() * weight.double()).sum(dim=(1, 2, 3)).numpy()
        hits = [k for k in range(K) if torch.equal(swap[0], weight[k])]
        if len(hits) != 1:
            raise SystemExit(f"matching {n}: the swapped atom is not one dictionary row ({hits})")
        best = int(np.argmax(raw32))
        if hits[0] != best or int(torch.argmax(soft)) != best or int(np.argmax(exact)) != best:
            raise SystemExit(f"matching {n}: official choice {hits[0]}, raw argmax {best}, "
                             f"float64 argmax {int(np.argmax(exact))}")
        ordered = np.sort(raw32.astype(np.float64))
        gap = ordered[-1] - ordered[-2]
        ordered64 = np.sort(exact)
        err = float(np.max(np.abs(raw32 - exact)))
        margin = min(margin, gap)
        margin_rel = min(margin_rel, gap / abs(ordered[-1]))
        margin_over_rounding = min(margin_over_rounding, (ordered64[-1] - ordered64[-2]) / max(err, 1e-30))
        scores[part].append([f32(v) for v in raw32])
        scores64[part].append([float(v) for v in exact])
        rounding[part].append(err)
        chosen[part].append(best)
    if margin_over_rounding < 10:
        raise SystemExit(f"score margin {margin} is only {margin_over_rounding:.3g} times torch's own "
                         "rounding of the scores; change the input or the landmarks")

    modes = {}
    for m in observed.interpolate_modes:
        modes[m] = modes.get(m, 0) + 1

    fill_names = ("VggExtract.model.features.0.weight", "le_256.0.weight_orig")
    state = net.state_dict()
    fill_check = {n: [f32(v) for v in state[n].reshape(-1)[:3].numpy()] for n in fill_names}
    for n in fill_names:
        direct = hashed_fill(n, tuple(state[n].shape), conv_scale(state[n].shape)).reshape(-1)[:3]
        if not np.array_equal(direct, state[n].reshape(-1)[:3].numpy()):
            raise SystemExit(f"{n}: loaded values differ from the fill")
        print(n, [repr(float(v)) for v in direct])

    result = {
        "atoms": K,
        "input_scale": INPUT_SCALE,
        "landmarks": [[float(px), float(py)] for px, py in landmarks],
        "part_locations": {p: [int(v) for v in b] for p, b in zip(PARTS, boxes)},
        "scores": scores,
        "chosen_atoms": chosen,
        "score_margin": float(margin),
        "score_margin_relative": float(margin_rel),
        "score_margin_over_rounding": float(margin_over_rounding),
        "scores_float64": scores64,
        "score_rounding": rounding,
        "vgg_features": [summary(t, f"vgg_features.{i}", SAMPLES) for i, t in enumerate(captured["vgg"])],
        "update_features": [summary(t, f"update_features.{i}", SAMPLES)
                            for i, t in enumerate(captured["update"])],
        "ms_dilate": summary(captured["ms"], "ms_dilate", SAMPLES),
        "up": [summary(t, f"up.{i}", SAMPLES) for i, t in enumerate(captured["up"])],
        "output": summary(output, "output", OUTPUT_SAMPLES),
        "parameter_counts": parameter_counts(net, blur_buffers),
        "fill_check": fill_check,
        "interpolate_calls": modes,
        "torch_version": torch.__version__,
        "official_commit": args.commit,
    }
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as f:
        f.write("{\n")
        f.write(",\n".join(f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in result.items()))
        f.write("\n}\n")
    print(f"filled {n_filled} state_dict tensors; chosen atoms {chosen}")
    print(f"score margin {margin:.6g} (relative {margin_rel:.3g}, {margin_over_rounding:.3g} times the "
          "float32 rounding of the scores)")
    print(f"forward {forward_s:.1f} s, total {time.perf_counter() - started:.1f} s; "
          f"wrote {out_path} ({os.path.getsize(out_path)} bytes)")


if __name__ == "__main__":
    main()
