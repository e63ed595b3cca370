#!/usr/bin/env python3
"""Convert StyleGAN2 weights to safetensors files that acne loads by name.

Inputs
  *.npz         a dict of numpy arrays, named either as stylegan2-ada-pytorch state_dict keys
                ("synthesis.b64.conv0.affine.weight") or as the official TensorFlow variables
                ("G_synthesis/64x64/Conv0_up/mod_weight"); plain Python + numpy suffice.
  *.pkl         a stylegan2-ada-pytorch network pickle ({G, D, G_ema, ...}); needs torch, but not
                the repository's dnnlib/torch_utils (the persistent classes are read as plain state).
  *.pt, *.pth   a state_dict, or a dict of state_dicts keyed G / D / G_ema; needs torch.
Keys may carry a network prefix: "G.", "D.", "G_ema." (PyTorch) or "G/", "D/", "Gs/" (TF; Gs is the
moving average, written as G_ema). Without one, the network is recognised from its names.

Output: one safetensors file per network, with PyTorch names and shapes, float32, and metadata
{format, network, config, source}. The config holds every field acne's loader needs (resolution,
img_channels, z_dim, w_dim, mapping_layers, channel_base, channel_max, conv_clamp, mbstd_group,
mbstd_channels, architecture "skip/resnet": a pickle of another architecture is refused): sizes from the tensor shapes, conv_clamp and the minibatch-stddev group from a
pickle's constructor arguments; without them (a state dict, TF variables) conv_clamp is 256 for
PyTorch sources (stylegan2-ada-pytorch's train.py trains every cfg with it) and none for TF ones,
the group 4; each such default is printed as a note. With one network (or --net), OUTPUT is the file; with several,
OUTPUT's stem is suffixed: out.safetensors -> out.G.safetensors, out.D.safetensors, ...
Constant buffers (resample_filter) are dropped; w_avg and noise_const are kept.

TF -> PyTorch rules (as stylegan2-ada-pytorch's legacy.py): conv [kh,kw,in,out] -> transpose(3,2,0,1);
dense [in,out] -> transpose; mod_bias + 1; Conv0_up (and a generator's Skip) flipped spatially first;
Const [1,C,4,4] -> [C,4,4]; noise{i} [1,1,r,r] -> [r,r] of b4.conv1 (i = 0), b{r}.conv0
(i = 2 log2 r - 5) or b{r}.conv1 (i = 2 log2 r - 4); dlatent_avg -> mapping.w_avg.
"""
import argparse
import json
import os
import pickle
import re
import sys

import numpy as np
from safetensors_file import write_safetensors

NETWORK_PREFIXES = [("G_ema.", "G_ema"), ("G.", "G"), ("D.", "D"), ("Gs/", "G_ema"), ("G/", "G"), ("D/", "D")]


# ---------------------------------------------------------------- reading inputs

def _torch():
    try:
        import torch  # noqa: F401
        return torch
    except ImportError:
        sys.exit("convert_stylegan2: reading .pkl/.pt needs PyTorch; save the state dict as .npz instead")


def _to_numpy(value):
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach"):
        return value.detach().cpu().float().numpy()
    return np.asarray(value)


class _PersistentState(dict):
    """Stands in for a torch_utils.persistence object: keeps its pickled __dict__."""


def _reconstruct_persistent_obj(meta):
    obj = _PersistentState()
    obj.update(meta.get("state", {}))
    return obj


class _Stub(dict):
    def __init__(self, *args, **kwargs):
        super().__init__()

    def __setstate__(self, state):
        if isinstance(state, dict):
            self.update(state)


def _module_state_dict(module, prefix=""):
    """state_dict of an nn.Module or of a persistent object read as its __dict__."""
    if hasattr(module, "state_dict") and not isinstance(module, dict):
        return {prefix + k: _to_numpy(v) for k, v in module.state_dict().items()}
    out = {}
    for key in ("_parameters", "_buffers"):
        for name, value in (module.get(key) or {}).items():
            if value is not None:
                out[prefix + name] = _to_numpy(value)
    for name, child in (module.get("_modules") or {}).items():
        if child is not None:
            out.update(_module_state_dict(child, prefix + name + "."))
    return out


def _init_kwargs(obj):
    """The constructor arguments a persistent network pickles alongside its state (_init_kwargs)."""
    kwargs = obj.get("_init_kwargs") if isinstance(obj, dict) else getattr(obj, "init_kwargs", None)
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in dict(kwargs or {}).items()}


def read_pickle(path):
    """(state tensors keyed "<net>.<name>", {net: constructor kwargs})."""
    torch = _torch()

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if module == "torch_utils.persistence" and name == "_reconstruct_persistent_obj":
                return _reconstruct_persistent_obj
            if module.startswith("dnnlib") or module.startswith("torch_utils") or module.startswith("training"):
                return _Stub
            return super().find_class(module, name)

    with open(path, "rb") as f:
        data = Unpickler(f).load()
    del torch
    out, kwargs = {}, {}
    for net in ("G", "D", "G_ema"):
        if isinstance(data, dict) and data.get(net) is not None:
            out.update(_module_state_dict(data[net], net + "."))
            kwargs[net] = _init_kwargs(data[net])
    if not out:
        sys.exit(f"convert_stylegan2: {path} holds none of G, D, G_ema")
    return out, kwargs


def read_torch(path):
    torch = _torch()
    data = torch.load(path, map_location="cpu")
    out = {}
    if isinstance(data, dict) and any(k in data for k in ("G", "D", "G_ema")):
        for net in ("G", "D", "G_ema"):
            if net in data:
                sd = data[net] if isinstance(data[net], dict) else data[net].state_dict()
                out.update({f"{net}.{k}": _to_numpy(v) for k, v in sd.items()})
    else:
        out = {k: _to_numpy(v) for k, v in data.items()}
    return out


def read_input(path):
    """(tensors, {net: constructor kwargs}); only pickles record the kwargs."""
    ext = os.path.splitext(path)[1].lower()
    if ext == ".npz":
        with np.load(path, allow_pickle=False) as f:
            return {k: f[k] for k in f.files}, {}
    if ext == ".pkl":
        return read_pickle(path)
    if ext in (".pt", ".pth"):
        return read_torch(path), {}
    sys.exit(f"convert_stylegan2: unknown input type '{ext}' (expected .npz, .pkl, .pt or .pth)")


# ---------------------------------------------------------------- names

def split_networks(tensors):
    groups = {}
    for key, value in tensors.items():
        for prefix, net in NETWORK_PREFIXES:
            if key.startswith(prefix):
                groups.setdefault(net, {})[key[len(prefix):]] = value
                break
        else:
            groups.setdefault(None, {})[key] = value
    if None in groups:
        loose = groups.pop(None)
        generator = any(k.split("/")[0].split(".")[0] in ("mapping", "synthesis", "G_mapping", "G_synthesis",
                                                          "dlatent_avg") for k in loose)
        net = "G" if generator else "D"
        if net in groups:
            sys.exit(f"convert_stylegan2: names both with and without the '{net}' prefix")
        groups[net] = loose
    return groups


def _conv(w, flip=False):
    w = np.asarray(w)
    if flip:
        w = w[::-1, ::-1]
    return np.ascontiguousarray(w.transpose(3, 2, 0, 1))


def _dense(w):
    return np.ascontiguousarray(np.asarray(w).T)


_G_LAYER = {"Conv": "conv1", "Conv0_up": "conv0", "Conv1": "conv1", "ToRGB": "torgb", "Skip": "skip"}


def tf_generator(tf):
    out = {}
    for name, value in tf.items():
        name = re.sub(r"^G_(mapping|synthesis)/", r"\1/", name)
        value = np.asarray(value)
        if name == "dlatent_avg":
            out["mapping.w_avg"] = value
            continue
        m = re.fullmatch(r"mapping/Dense(\d+)/(weight|bias)", name)
        if m:
            out[f"mapping.fc{m[1]}.{m[2]}"] = _dense(value) if m[2] == "weight" else value
            continue
        if name == "synthesis/4x4/Const/const":
            out["synthesis.b4.const"] = value[0]
            continue
        m = re.fullmatch(r"synthesis/noise(\d+)", name)
        if m:
            i = int(m[1])
            target = "b4.conv1" if i == 0 else (f"b{2 ** ((i + 5) // 2)}.conv0" if i % 2 else f"b{2 ** ((i + 4) // 2)}.conv1")
            out[f"synthesis.{target}.noise_const"] = value[0, 0]
            continue
        m = re.fullmatch(r"synthesis/(\d+)x\1/(Conv|Conv0_up|Conv1|ToRGB|Skip)/(weight|bias|noise_strength|mod_weight|mod_bias)", name)
        if not m:
            raise ValueError(f"unsupported TensorFlow generator variable '{name}'")
        layer, field = f"synthesis.b{m[1]}.{_G_LAYER[m[2]]}", m[3]
        if field == "weight":
            out[f"{layer}.weight"] = _conv(value, flip=m[2] in ("Conv0_up", "Skip"))
        elif field == "mod_weight":
            out[f"{layer}.affine.weight"] = _dense(value)
        elif field == "mod_bias":
            out[f"{layer}.affine.bias"] = value + 1
        else:
            out[f"{layer}.{field}"] = value
    return out


_D_LAYER = {"FromRGB": "fromrgb", "Conv0": "conv0", "Conv1_down": "conv1", "Skip": "skip"}


def tf_discriminator(tf):
    out = {}
    for name, value in tf.items():
        value = np.asarray(value)
        m = re.fullmatch(r"(\d+)x\1/(FromRGB|Conv0|Conv1_down|Skip)/(weight|bias)", name)
        if m and m[1] != "4":
            out[f"b{m[1]}.{_D_LAYER[m[2]]}.{m[3]}"] = _conv(value) if m[3] == "weight" else value
            continue
        m = re.fullmatch(r"(?:4x4/(Conv|Dense0)|(Output))/(weight|bias)", name)
        if not m:
            raise ValueError(f"unsupported TensorFlow discriminator variable '{name}'")
        layer = {"Conv": "conv", "Dense0": "fc"}.get(m[1], "out")
        if m[3] == "bias":
            out[f"b4.{layer}.bias"] = value
        else:
            out[f"b4.{layer}.weight"] = _conv(value) if layer == "conv" else _dense(value)
    return out


def to_reference_names(net, tensors):
    if any("/" in k for k in tensors) or "dlatent_avg" in tensors:
        return tf_generator(tensors) if net.startswith("G") else tf_discriminator(tensors)
    return {k: np.asarray(v) for k, v in tensors.items() if not k.endswith("resample_filter")}


def solve_channels(channels):
    """channel_base, channel_max with min(base // res, max) == channels[res] for every block."""
    top = max(channels.values())
    bases = [top * max(channels)] + [c * r for r, c in channels.items() if c < top]
    for base in bases:
        if all(min(base // r, top) == c for r, c in channels.items()):
            return base, top
    raise ValueError(f"the blocks' channel counts {sorted(channels.items())} fit no channel_base/channel_max rule")


def infer_config(net, tensors, kwargs, tf_source):
    """Every field acne's loader needs: from the tensor shapes, then the pickled constructor kwargs
    (which decide), then documented defaults for what neither holds (each listed in the notes)."""
    notes = []
    gen = net.startswith("G")
    pattern = r"synthesis\.b(\d+)\.conv1\.weight" if gen else r"b(\d+)\.conv0\.weight"
    channels = {int(m[1]): int(np.shape(v)[0]) for k, v in tensors.items() for m in [re.fullmatch(pattern, k)] if m}
    if not gen and "b4.conv.weight" in tensors:
        channels[4] = int(np.shape(tensors["b4.conv.weight"])[0])
    if not channels:
        raise ValueError("no StyleGAN2 blocks found")
    res = max(channels)
    base, top = solve_channels(channels)
    config = {"resolution": res, "channel_base": base, "channel_max": top, "architecture": "skip/resnet"}
    if gen:
        fcs = sorted(int(m[1]) for k in tensors for m in [re.fullmatch(r"mapping\.fc(\d+)\.weight", k)] if m)
        config.update(mapping_layers=len(fcs), z_dim=int(np.shape(tensors["mapping.fc0.weight"])[1]),
                      w_dim=int(np.shape(tensors[f"mapping.fc{fcs[-1]}.weight"])[0]),
                      img_channels=int(np.shape(tensors[f"synthesis.b{res}.torgb.weight"])[0]))
    else:
        config["img_channels"] = int(np.shape(tensors[f"b{res}.fromrgb.weight"])[1])
        config["mbstd_channels"] = int(np.shape(tensors["b4.conv.weight"])[1]) - channels[4]
    if kwargs:
        if kwargs.get("c_dim", 0):
            raise ValueError(f"a conditional network (c_dim {kwargs['c_dim']}); acne's StyleGAN2 is unconditional")
        arch = (kwargs.get("synthesis_kwargs", {}) if gen else kwargs).get("architecture", "skip" if gen else "resnet")
        if arch != ("skip" if gen else "resnet"):
            raise ValueError(f"architecture '{arch}'; acne builds the {'skip generator' if gen else 'resnet discriminator'}")
        layer_kwargs = kwargs.get("synthesis_kwargs", {}) if gen else kwargs
        for key in ("channel_base", "channel_max"):
            if key in layer_kwargs and layer_kwargs[key] != config[key]:
                # Both describe the same channels when the smaller blocks never reach the limits.
                notes.append(f"{key} {layer_kwargs[key]} in the pickle, {config[key]} from the shapes (same channels)")
        config["conv_clamp"] = float(layer_kwargs.get("conv_clamp") or 0.0)
        if not gen:
            epilogue = kwargs.get("epilogue_kwargs", {})
            config["mbstd_group"] = int(epilogue.get("mbstd_group_size", 4))
        if layer_kwargs.get("num_fp16_res", 0):
            notes.append(f"trained with float16 on its top {layer_kwargs['num_fp16_res']} resolutions; acne computes in float32")
    else:
        config["conv_clamp"] = 0.0 if tf_source else 256.0
        notes.append("conv_clamp not recorded: " + ("none (the TensorFlow original's)" if tf_source else
                                                    "256, as stylegan2-ada-pytorch's train.py trains every cfg"))
        if not gen:
            config["mbstd_group"] = 4
            notes.append("minibatch-stddev group not recorded: 4")
    return config, notes


# ---------------------------------------------------------------- output files

def output_path(output, net, several):
    if not several:
        return output
    stem, ext = os.path.splitext(output)
    return f"{stem}.{net}{ext or '.safetensors'}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--net", choices=["G", "D", "G_ema"], help="convert only this network")
    args = parser.parse_args(argv)

    tensors, kwargs = read_input(args.input)
    groups = split_networks(tensors)
    if args.net:
        if args.net not in groups:
            sys.exit(f"convert_stylegan2: {args.input} has no network '{args.net}' (found {sorted(groups)})")
        groups = {args.net: groups[args.net]}
    for net, tensors in sorted(groups.items()):
        tf_source = any("/" in k for k in tensors) or "dlatent_avg" in tensors
        try:
            converted = to_reference_names(net, tensors)
            config, notes = infer_config(net, converted, kwargs.get(net), tf_source)
        except ValueError as e:
            sys.exit(f"convert_stylegan2: {net}: {e}")
        metadata = {"format": "acne.stylegan2", "network": net, "source": os.path.basename(args.input),
                    "config": json.dumps(config, sort_keys=True)}
        path = output_path(args.output, net, len(groups) > 1)
        write_safetensors(path, converted, metadata)
        print(f"{net}: {len(converted)} tensors, {sum(v.size for v in converted.values())} values -> {path}")
        for note in notes:
            print(f"  note: {note}")


if __name__ == "__main__":
    main()
