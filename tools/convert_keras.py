#!/usr/bin/env python3
"""Convert Keras weights (HDF5, the legacy format keras.applications ships and loads) of ResNet50V2,
ResNet152V2 or InceptionResNetV2 to a safetensors checkpoint that acne loads by name.

    python3 tools/convert_keras.py resnet50v2_weights_tf_dim_ordering_tf_kernels.h5 resnet50v2.safetensors

Layouts: convolution kernels [kh, kw, in, out] become [out, in, kh, kw], dense kernels [in, out]
become [out, in] (trailing unit dimensions dropped, as acne saves them); batch-norm gamma / beta /
moving_mean / moving_variance keep their names. Architecture, depth, width and classes are read
from the file (--model only asserts the architecture). Needs numpy and h5py (Debian: python3-h5py).
See docs/keras_weights.md.
"""
import argparse
import json
import re
import sys
from safetensors_file import write_safetensors

RESNET_DEPTHS = {(3, 4, 6, 3): "resnet50v2", (3, 8, 36, 3): "resnet152v2"}
IRV2_DEPTH = (10, 20, 10)
PARAM_NAMES = {"kernel": "weight", "bias": "bias", "gamma": "gamma", "beta": "beta",
               "moving_mean": "moving_mean", "moving_variance": "moving_variance"}


class ConversionError(Exception):
    pass


def read_keras_h5(path):
    """{layer name: {parameter: numpy array}} in the file's layer order."""
    import h5py
    layers = {}
    with h5py.File(path, "r") as f:
        root = f["model_weights"] if "model_weights" in f else f
        if "layer_names" not in root.attrs:
            raise ConversionError(f"{path}: no 'layer_names' attribute; not a Keras HDF5 weights file "
                                  "(Keras 3 '.weights.h5' files: see docs/keras_weights.md)")
        for raw in root.attrs["layer_names"]:
            name = raw.decode() if isinstance(raw, bytes) else str(raw)
            group = root[name]
            params = {}
            for raw_weight in group.attrs.get("weight_names", []):
                weight = raw_weight.decode() if isinstance(raw_weight, bytes) else str(raw_weight)
                param = weight.split("/")[-1].split(":")[0]
                if param not in PARAM_NAMES:
                    raise ConversionError(f"layer '{name}': unexpected weight '{weight}'")
                params[param] = group[weight][()]
            if params:
                layers[name] = params
    return layers


def auto_index(name, base):
    """Keras' automatic layer names: base (0), base_1, base_2, ...; None for other names."""
    m = re.fullmatch(base + r"(?:_(\d+))?", name)
    return None if m is None else int(m.group(1) or 0)


def irv2_units(repeats):
    """acne's names of InceptionResNetV2's unnamed conv2d_bn units, in Keras' creation order."""
    units = [f"stem.{n}" for n in ("conv_1a", "conv_2a", "conv_2b", "conv_3b", "conv_4a")]
    units += ["mixed_5b.branch_0", "mixed_5b.branch_1.0", "mixed_5b.branch_1.1", "mixed_5b.branch_2.0",
              "mixed_5b.branch_2.1", "mixed_5b.branch_2.2", "mixed_5b.branch_pool.1"]
    for i in range(1, repeats[0] + 1):
        units += [f"block35.{i}.{b}" for b in ("branch_0", "branch_1.0", "branch_1.1", "branch_2.0", "branch_2.1",
                                               "branch_2.2")]
    units += ["mixed_6a.branch_0", "mixed_6a.branch_1.0", "mixed_6a.branch_1.1", "mixed_6a.branch_1.2"]
    for i in range(1, repeats[1] + 1):
        units += [f"block17.{i}.{b}" for b in ("branch_0", "branch_1.0", "branch_1.1", "branch_1.2")]
    units += ["mixed_7a.branch_0.0", "mixed_7a.branch_0.1", "mixed_7a.branch_1.0", "mixed_7a.branch_1.1",
              "mixed_7a.branch_2.0", "mixed_7a.branch_2.1", "mixed_7a.branch_2.2"]
    for i in range(1, repeats[2] + 1):
        units += [f"block8.{i}.{b}" for b in ("branch_0", "branch_1.0", "branch_1.1", "branch_1.2")]
    return units


def map_resnet(layers):
    """Keras layer -> acne layer path, and the blocks per stage."""
    mapping, blocks = {}, {s: 0 for s in range(2, 6)}
    for name in layers:
        m = re.fullmatch(r"conv(\d)_block(\d+)_(.+)", name)
        if m:
            mapping[name] = f"conv{m.group(1)}.block{m.group(2)}.{m.group(3)}"
            stage = int(m.group(1))
            blocks[stage] = max(blocks.get(stage, 0), int(m.group(2)))
        elif name in ("conv1_conv", "post_bn", "predictions"):
            mapping[name] = name
        else:
            raise ConversionError(f"layer '{name}' is not part of a ResNetV2")
    return mapping, tuple(blocks[s] for s in range(2, 6))


def map_irv2(layers):
    mapping, repeats = {}, [0, 0, 0]
    convs, norms = [], []
    for name in layers:
        m = re.fullmatch(r"(block35|block17|block8)_(\d+)_conv", name)
        if m:
            mapping[name] = f"{m.group(1)}.{m.group(2)}.conv"
            group = ("block35", "block17", "block8").index(m.group(1))
            repeats[group] = max(repeats[group], int(m.group(2)))
        elif name in ("conv_7b", "conv_7b_bn"):
            mapping[name] = "conv_7b.conv" if name == "conv_7b" else "conv_7b.bn"
        elif name == "predictions":
            mapping[name] = name
        elif auto_index(name, "conv2d") is not None:
            convs.append(name)
        elif auto_index(name, "batch_normalization") is not None:
            norms.append(name)
        else:
            raise ConversionError(f"layer '{name}' is not part of an InceptionResNetV2")
    units = irv2_units(repeats)
    convs.sort(key=lambda n: auto_index(n, "conv2d"))
    norms.sort(key=lambda n: auto_index(n, "batch_normalization"))
    if len(convs) != len(units) or len(norms) != len(units):
        raise ConversionError(f"expected {len(units)} unnamed conv2d / batch_normalization layers for block counts "
                              f"{repeats}, found {len(convs)} / {len(norms)}")
    for unit, conv, norm in zip(units, convs, norms):
        mapping[conv] = unit + ".conv"
        mapping[norm] = unit + ".bn"
    return mapping, tuple(repeats)


def to_acne(param, array):
    import numpy as np
    a = np.asarray(array, dtype=np.float32)
    if param == "kernel":
        a = a.transpose(3, 2, 0, 1) if a.ndim == 4 else a.T
    shape = list(a.shape)
    while len(shape) > 1 and shape[-1] == 1:
        shape.pop()
    return np.ascontiguousarray(a).reshape(shape)


def convert(source, target, model=None, size=None, class_names=None):
    layers = read_keras_h5(source)
    if not layers:
        raise ConversionError(f"{source}: no weights found")
    is_irv2 = any(re.fullmatch(r"block35_\d+_conv", n) for n in layers)
    if is_irv2:
        mapping, depth = map_irv2(layers)
        architecture, blocks, width = "inception_resnet_v2", list(depth), None
        first = layers["conv2d" if "conv2d" in layers else min(
            (n for n in layers if auto_index(n, "conv2d") is not None), key=lambda n: auto_index(n, "conv2d"))]
        width = first["kernel"].shape[-1] / 32
        default_size = 299
        if depth == IRV2_DEPTH:
            blocks = []
    else:
        mapping, depth = map_resnet(layers)
        if "conv1_conv" not in layers:
            raise ConversionError(f"{source}: neither a ResNetV2 (no conv1_conv) nor an InceptionResNetV2")
        architecture = RESNET_DEPTHS.get(depth, model if model in ("resnet50v2", "resnet152v2") else "resnet50v2")
        blocks = [] if depth in RESNET_DEPTHS else list(depth)
        width = layers["conv1_conv"]["kernel"].shape[-1] / 64
        default_size = 224
    if model and model != architecture:
        raise ConversionError(f"{source} holds a {architecture} (blocks {list(depth)}), not {model}")

    tensors = []
    for layer, params in layers.items():
        for param, array in params.items():
            tensors.append((f"{mapping[layer]}.{PARAM_NAMES[param]}", to_acne(param, array)))
    include_top = "predictions" in layers
    classes = layers["predictions"]["kernel"].shape[-1] if include_top else 0
    if class_names is None:
        class_names = [str(i) for i in range(classes)]
    elif len(class_names) != classes:
        raise ConversionError(f"{len(class_names)} class names for {classes} outputs")
    config = {"architecture": architecture, "width": width, "blocks": blocks, "image_size": size or default_size,
              "class_names": class_names, "include_top": include_top}
    metadata = {"format": "acne.checkpoint", "architecture": architecture, "config": json.dumps(config),
                "epoch": "0", "step": "0", "state": json.dumps({"source": str(source)})}
    write_safetensors(target, tensors, metadata)
    return architecture, len(tensors), config


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("source", help="Keras HDF5 weights (.h5)")
    p.add_argument("target", help="safetensors file to write")
    p.add_argument("--model", choices=["resnet50v2", "resnet152v2", "inception_resnet_v2"],
                   help="fail unless the file holds this architecture")
    p.add_argument("--size", type=int, help="input size recorded in the config (default 224, IRv2 299)")
    p.add_argument("--class-names", help="comma-separated names of the top's outputs")
    args = p.parse_args(argv)
    try:
        import h5py  # noqa: F401
        import numpy  # noqa: F401
    except ImportError as e:
        print(f"convert_keras: {e}; install numpy and h5py (Debian: apt-get install python3-h5py)", file=sys.stderr)
        return 3
    try:
        names = args.class_names.split(",") if args.class_names else None
        architecture, count, config = convert(args.source, args.target, args.model, args.size, names)
    except (ConversionError, OSError, KeyError) as e:
        print(f"convert_keras: {e}", file=sys.stderr)
        return 1
    print(f"{args.target}: {architecture} (width {config['width']}, blocks {config['blocks'] or 'published'}, "
          f"{'top with %d classes' % len(config['class_names']) if config['include_top'] else 'no top'}), "
          f"{count} tensors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
