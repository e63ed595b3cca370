#!/usr/bin/env python3
"""Convert the DFDNet release (csxmli2016/DFDNet) to one safetensors file that acne loads by name.

Usage
  convert_dfdnet.py --generator checkpoints/facefh_dictionary/latest_net_G.pth \\
                    --dictionaries DictionaryCenter512 [--vgg weights/vgg19.pth] OUT.safetensors
  convert_dfdnet.py --vgg weights/vgg19.pth OUT.safetensors       (VGG19 alone, for building dictionaries)

Inputs
  latest_net_G.pth     the state dict of the official UNetDictFace (a bare state dict, or one kept under
                       "state_dict" or "model"; a "module." prefix from DataParallel is stripped, with a note).
  DictionaryCenter512  the folder with the 16 component dictionaries {left_eye,right_eye,nose,mouth}_{256,128,
                       64,32}_center.npy, each [K, C*s*s] (any shape with K first and C*s*s values per atom is
                       taken); C = 128, 256, 512, 512 and s = [80, 80, 50, 110][part] // (512 // size), i.e.
                       256: 40 40 25 55, 128: 20 20 12 27, 64: 10 10 6 13, 32: 5 5 3 6. K may differ between files.
  vgg19.pth            torchvision's VGG19 state dict (features.N.weight/bias, classifier.*). Used when the
                       generator holds no VGG; when both hold one and they differ, the generator's is written
                       (the official code loads vgg19.pth first and the checkpoint over it), with a note.
.pth files are read with PyTorch when it can be imported, otherwise (or with --pth-reader builtin) by this
script itself: the zip format of torch >= 1.6 and the legacy format before it; float32, float16 and float64
tensors (written as float32), views with strides and storage offsets. No code from the files is run; any
object other than tensors, storages and ordered dicts is refused.

Output: float32 tensors under the official names and PyTorch shapes, for everything the forward uses:
  {le,re,no,mo}_{256,128,64,32}.{0,2}.{bias,weight_orig,weight_u,weight_v}   attention blocks (spectral norm)
  VggExtract.RGB_mean, VggExtract.RGB_std [1,3,1,1]
  VggExtract.model.features.{0,2,...,34}.{weight,bias}                        VGG19 up to conv5_4
  MSDilate.conv{1,2,3,4}.{0,2}.*, MSDilate.convi.*                            (spectral norm)
  up{0,1,2,3}.{conv1.1,convup.1,ScaleModel1.0,ScaleModel1.2,ShiftModel1.0,ShiftModel1.2}.*   (spectral norm)
  up4.0.* (spectral norm), up4.{2,3}.Model.{0,2}.{weight,bias}, up4.4.{weight,bias}
  dictionary.<part>.<size>   [K, C, s, s]
A spectral-norm conv is written as PyTorch keeps it: bias, weight_orig [O,I,3,3], weight_u [O], weight_v
[I*9]; the weight the forward uses is weight_orig / (weight_u . W weight_v), W = weight_orig as [O, I*9].
A checkpoint of torch < 1.0 holds the normalised weight instead of weight_v; weight_v is then rebuilt as
PyTorch's own load hook does (v = pinv(W) u, scaled so that u . W v = mean(weight_orig / weight)).
Metadata: format "acne-dfdnet-v1", source (a JSON list of the input names), contents
("generator+dictionaries" or "vgg"), atoms (a JSON object {"left_eye.256": K, ...}), and reduced (below).

Dropped, each with a note:
  VggExtract.features.*      the same modules as VggExtract.model.features.*, saved twice: checked equal.
  up{0..3}.conv1.0.weight, .weight_flip   the constant blur ([1,2,1] x [1,2,1] / 16 per channel): checked.
  VggExtract.model.classifier.*, to_rgb{0..3}.*   not used by the forward (classifier shapes are not
                             checked; to_rgb shapes are). These four groups may also be absent.

Errors (exit status 1, naming the file and the key): a missing input file, a missing key, a shape that is
not the official one, an unexpected key (--allow-extra lists and drops them), a tensor that is not float, a
spectral-norm conv without weight_v and without the normalised weight to rebuild it from, a dictionary whose
size does not fit. Usage errors exit with status 2.

Testing: --reduced D divides every channel count by D (VGG 64..512, the decoder's 64, the attention and
dictionary channels; not the 3 image channels, kernel sizes or spatial sizes), so that small fake files
(tests/models/make_dfdnet_files.py) go through the same names and checks; the metadata then says reduced D.
"""
import argparse
import collections
import json
import os
import pickle
import struct
import sys
import zipfile

import numpy as np
from safetensors_file import write_safetensors

FORMAT = "acne-dfdnet-v1"
PARTS = ("left_eye", "right_eye", "nose", "mouth")
PART_PREFIX = {"left_eye": "le", "right_eye": "re", "nose": "no", "mouth": "mo"}
PART_SIZES = {"left_eye": 80, "right_eye": 80, "nose": 50, "mouth": 110}   # at 512 x 512
FEATURE_SIZES = (256, 128, 64, 32)
FEATURE_CHANNELS = {256: 128, 128: 256, 64: 512, 32: 512}
VGG19_CFG = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M")
VGG_SPLITS = (0, 8, 17, 26, 35)      # VGGFeat's four slices of vgg19.features: [0, 8), [8, 17), ...
NGF = 64
BLUR = np.outer([1, 2, 1], [1, 2, 1]).astype(np.float32) / 16


class ConvertError(Exception):
    pass


def note(text):
    print(f"  note: {text}")


def _shape_text(shape):
    return "[" + ", ".join(str(int(d)) for d in shape) + "]"


# ---------------------------------------------------------------- the official names

def vgg_convs(div=1):
    """[(index in vgg19.features, out channels, in channels)] for torchvision's VGG19."""
    convs, index, cin = [], 0, 3
    for c in VGG19_CFG:
        if c == "M":
            index += 1
            continue
        convs.append((index, c // div, cin))
        cin = c // div
        index += 2
    return convs


def _sn(prefix, cout, cin, k=3):
    """A spectral-norm conv as its state dict holds it."""
    return [(prefix + ".bias", (cout,)), (prefix + ".weight_orig", (cout, cin, k, k)),
            (prefix + ".weight_u", (cout,)), (prefix + ".weight_v", (cin * k * k,))]


def _conv(prefix, cout, cin, k=3):
    return [(prefix + ".weight", (cout, cin, k, k)), (prefix + ".bias", (cout,))]


def generator_layout(div=1):
    """OrderedDict name -> (shape or None when unchecked, role) for UNetDictFace(64).state_dict(), in its
    order. role: "keep" (written), "vgg" (written, may come from vgg19.pth), "alias" (VggExtract.features.*,
    checked against the VGG), "blur" (checked constant), "unused" (dropped, shape checked), "classifier"
    (dropped, shape not checked)."""
    out = collections.OrderedDict()

    def add(entries, role):
        for name, shape in entries:
            out[name] = (shape, role)

    for part in PARTS:
        for size in FEATURE_SIZES:
            c = FEATURE_CHANNELS[size] // div
            for j in (0, 2):
                add(_sn(f"{PART_PREFIX[part]}_{size}.{j}", c, c), "keep")
    add([("VggExtract.RGB_mean", (1, 3, 1, 1)), ("VggExtract.RGB_std", (1, 3, 1, 1))], "keep")
    convs = vgg_convs(div)
    for index, cout, cin in convs:
        add(_conv(f"VggExtract.model.features.{index}", cout, cin), "vgg")
    for index in (0, 3, 6):
        add([(f"VggExtract.model.classifier.{index}.weight", None),
             (f"VggExtract.model.classifier.{index}.bias", None)], "classifier")
    for g in range(len(VGG_SPLITS) - 1):
        for index, cout, cin in convs:
            if VGG_SPLITS[g] <= index < VGG_SPLITS[g + 1]:
                add(_conv(f"VggExtract.features.{g}.{index}", cout, cin), "alias")
    c8 = NGF * 8 // div
    for k in range(1, 5):
        for j in (0, 2):
            add(_sn(f"MSDilate.conv{k}.{j}", c8, c8), "keep")
    add(_sn("MSDilate.convi", c8, 4 * c8), "keep")
    for k, (cin, cout) in enumerate(((8, 8), (8, 4), (4, 2), (2, 1))):
        cin, cout = NGF * cin // div, NGF * cout // div
        add([(f"up{k}.conv1.0.weight", (cin, 1, 3, 3)), (f"up{k}.conv1.0.weight_flip", (cin, 1, 3, 3))], "blur")
        add(_sn(f"up{k}.conv1.1", cout, cin), "keep")
        add(_sn(f"up{k}.convup.1", cout, cout), "keep")
        for branch in ("ScaleModel1", "ShiftModel1"):
            add(_sn(f"up{k}.{branch}.0", cout, cin), "keep")
            add(_sn(f"up{k}.{branch}.2", cout, cout), "keep")
    c = NGF // div
    add(_sn("up4.0", c, c), "keep")
    for block in (2, 3):
        for j in (0, 2):
            add(_conv(f"up4.{block}.Model.{j}", c, c), "keep")
    add(_conv("up4.4", 3, c), "keep")
    for k, mult in enumerate((8, 4, 2, 1)):
        ch = NGF * mult // div
        add(_sn(f"to_rgb{k}.0", ch, ch), "unused")
        add(_sn(f"to_rgb{k}.2", 3, ch), "unused")
    return out


def vgg_file_layout(div=1):
    """torchvision VGG19 state dict: features.N.* (checked) and classifier.* (not checked)."""
    out = collections.OrderedDict()
    for index, cout, cin in vgg_convs(div):
        for name, shape in _conv(f"features.{index}", cout, cin):
            out[name] = (shape, "vgg")
    for index in (0, 3, 6):
        out[f"classifier.{index}.weight"] = (None, "classifier")
        out[f"classifier.{index}.bias"] = (None, "classifier")
    return out


def dictionary_shape(part, size, div=1):
    """(C, s) of dictionary.<part>.<size>."""
    return FEATURE_CHANNELS[size] // div, PART_SIZES[part] // (512 // size)


# ---------------------------------------------------------------- reading .pth without PyTorch

_FLOAT_STORAGES = {"FloatStorage": "f4", "HalfStorage": "f2", "DoubleStorage": "f8"}
_OTHER_STORAGES = {"BFloat16Storage": ("bfloat16", 2), "LongStorage": ("int64", 8), "IntStorage": ("int32", 4),
                   "ShortStorage": ("int16", 2), "CharStorage": ("int8", 1), "ByteStorage": ("uint8", 1),
                   "BoolStorage": ("bool", 1), "ComplexFloatStorage": ("complex64", 8),
                   "ComplexDoubleStorage": ("complex128", 16), "QInt8Storage": ("qint8", 1),
                   "QUInt8Storage": ("quint8", 1), "QInt32Storage": ("qint32", 4), "QUInt4x2Storage": ("quint4x2", 1),
                   "QUInt2x4Storage": ("quint2x4", 1), "UntypedStorage": ("untyped bytes", 1)}
_LEGACY_MAGIC = 0x1950a86a20f9469cfc6c
_LEGACY_PROTOCOL = 1001


class _StorageType:
    """A torch.<X>Storage class named in the pickle (never imported)."""

    def __init__(self, name):
        self.name = name
        if name in _FLOAT_STORAGES:
            self.code = _FLOAT_STORAGES[name]
            self.dtype = {"f4": "float32", "f2": "float16", "f8": "float64"}[self.code]
            self.itemsize = int(self.code[1])
        elif name in _OTHER_STORAGES:
            self.code = None
            self.dtype, self.itemsize = _OTHER_STORAGES[name]
        else:
            raise pickle.UnpicklingError(f"unknown storage type torch.{name}")


class _Storage:
    """numel elements of one type; read() gives their raw bytes, on first use."""

    def __init__(self, stype, numel, read, order="<"):
        self.stype, self.numel, self._read, self._order, self._array = stype, numel, read, order, None

    def array(self):
        if self._array is None:
            data = self._read()
            if len(data) != self.numel * self.stype.itemsize:
                raise ValueError(f"a storage holds {len(data)} bytes, its record says "
                                 f"{self.numel} x {self.stype.itemsize}")
            self._array = np.frombuffer(data, dtype=self._order + self.stype.code)
        return self._array


class _StorageView:
    """A storage view of the legacy format (torch < 0.4): numel elements of root from offset."""

    def __init__(self, root, offset, numel):
        self.stype, self.root, self.offset, self.numel = root.stype, root, offset, numel

    def array(self):
        return self.root.array()[self.offset:self.offset + self.numel]


class Tensor:
    """A tensor of a state dict: shape, dtype name, and array() -> float32 numpy (read on demand)."""

    def __init__(self, shape, dtype, read):
        self.shape, self.dtype, self._read = tuple(int(d) for d in shape), dtype, read

    @property
    def is_float(self):
        return self.dtype in ("float32", "float16", "float64")

    def array(self):
        return self._read()


def _rebuild_tensor(storage, offset, size, stride, *unused):
    if not isinstance(storage, (_Storage, _StorageView)):
        raise pickle.UnpicklingError("a tensor without a storage")
    size, stride, offset = tuple(int(d) for d in size), tuple(int(d) for d in stride), int(offset)
    stype = storage.stype

    def read():
        if stype.code is None:
            raise ValueError(f"a {stype.dtype} tensor is not float")
        flat = storage.array()
        if any(d == 0 for d in size):
            return np.zeros(size, np.float32)
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        if len(stride) != len(size) or offset < 0 or min(stride, default=0) < 0 or last >= len(flat):
            raise ValueError(f"a view (offset {offset}, size {list(size)}, stride {list(stride)}) "
                             f"outside its storage of {len(flat)} elements")
        view = np.lib.stride_tricks.as_strided(flat[offset:], shape=size,
                                               strides=[s * flat.itemsize for s in stride], writeable=False)
        return np.array(view, dtype=np.float32)

    return Tensor(size, stype.dtype, read)


def _rebuild_parameter(data, *unused):
    return data


def _rebuild_from_type(func, new_type, args, state):
    return func(*args)


class _TypeMarker:
    def __init__(self, name):
        self.name = name


class _Unpickler(pickle.Unpickler):
    """Knows the few globals a state dict names; imports nothing."""

    def __init__(self, f, persistent_load):
        super().__init__(f)
        self._persistent_load = persistent_load

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_tensor"):
            return _rebuild_tensor
        if module == "torch._utils" and name in ("_rebuild_parameter", "_rebuild_parameter_with_state"):
            return _rebuild_parameter
        if (module, name) == ("torch._tensor", "_rebuild_from_type_v2"):
            return _rebuild_from_type
        if (module, name) in (("torch", "Tensor"), ("torch.nn.parameter", "Parameter")):
            return _TypeMarker(name)
        if (module, name) == ("torch", "Size"):
            return tuple
        if module == "torch" and name.endswith("Storage"):
            return _StorageType(name)
        raise pickle.UnpicklingError(f"holds a {module}.{name}, which is not part of a state dict")

    def persistent_load(self, pid):
        return self._persistent_load(pid)


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"unexpected {module}.{name} in the file's header")


def _ascii(x):
    return x.decode("ascii") if isinstance(x, bytes) else x


def _read_zip(path):
    with zipfile.ZipFile(path) as z:
        pkls = [n for n in z.namelist() if n.endswith("data.pkl") and n.count("/") == 1]
        if len(pkls) != 1:
            raise ValueError("a zip file without a single <archive>/data.pkl (not a torch.save file)")
        prefix = pkls[0][:-len("data.pkl")]
        order = "<"
        if prefix + "byteorder" in z.namelist():
            order = {"little": "<", "big": ">"}[z.read(prefix + "byteorder").decode().strip()]
        storages = {}

        def persistent_load(pid):
            if _ascii(pid[0]) != "storage":
                raise pickle.UnpicklingError(f"a persistent id of type '{_ascii(pid[0])}'")
            stype, key, _location, numel = pid[1:5]
            key = _ascii(key)
            if key not in storages:
                name = f"{prefix}data/{key}"
                storages[key] = _Storage(stype, int(numel), lambda: _zip_record(path, name), order)
            return storages[key]

        with z.open(pkls[0]) as f:
            return _Unpickler(f, persistent_load).load()


def _zip_record(path, name):
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def _read_legacy(path):
    with open(path, "rb") as f:
        try:
            magic = _PlainUnpickler(f).load()
        except Exception:
            magic = None
        if magic != _LEGACY_MAGIC:
            raise ValueError("neither a zip (torch >= 1.6) nor a legacy (torch < 1.6) torch.save file")
        version = _PlainUnpickler(f).load()
        if version != _LEGACY_PROTOCOL:
            raise ValueError(f"legacy protocol version {version}, expected {_LEGACY_PROTOCOL}")
        _PlainUnpickler(f).load()                                      # sys_info
        roots, views = {}, {}

        def persistent_load(pid):
            kind = _ascii(pid[0])
            if kind != "storage":
                raise pickle.UnpicklingError(f"a persistent id of type '{kind}' (a pickled module?)")
            stype, key, _location, numel, view = pid[1:6]
            key = _ascii(key)
            if key not in roots:
                roots[key] = _Storage(stype, int(numel), None)
            if view is None:
                return roots[key]
            view_key, offset, size = view
            view_key = _ascii(view_key)
            if view_key not in views:
                views[view_key] = _StorageView(roots[key], int(offset), int(size))
            return views[view_key]

        result = _Unpickler(f, persistent_load).load()
        keys = _PlainUnpickler(f).load()
        for key in keys:
            key = _ascii(key)
            if key not in roots:
                raise ValueError(f"storage '{key}' listed but never used")
            storage = roots[key]
            head = f.read(8)
            if len(head) != 8:
                raise ValueError("the file ends before its storages")
            (numel,) = struct.unpack("<q", head)
            if numel != storage.numel:
                raise ValueError(f"storage '{key}' holds {numel} elements, the pickle says {storage.numel}")
            start = f.tell()
            nbytes = numel * storage.stype.itemsize
            f.seek(nbytes, os.SEEK_CUR)
            storage._read = (lambda start=start, nbytes=nbytes: _file_range(path, start, nbytes))
        if f.tell() > os.path.getsize(path):
            raise ValueError("the file ends before its storages")
        return result


def _file_range(path, start, nbytes):
    with open(path, "rb") as f:
        f.seek(start)
        return f.read(nbytes)


def read_pth_builtin(path):
    with open(path, "rb") as f:
        zipped = f.read(4) == b"PK\x03\x04"                  # as torch.load tells the formats apart
    if zipped:
        return _read_zip(path)
    return _read_legacy(path)


def read_pth_torch(path, torch):
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:                                   # torch < 1.13 has no weights_only
        data = torch.load(path, map_location="cpu")

    def wrap(value):
        if isinstance(value, torch.Tensor):
            t = value.detach()
            dtype = str(t.dtype).replace("torch.", "")
            return Tensor(t.shape, dtype, lambda: t.to(torch.float32).contiguous().numpy().copy())
        if isinstance(value, dict):
            out = collections.OrderedDict((k, wrap(v)) for k, v in value.items())
            return out
        return value

    return wrap(data)


def read_pth(path, reader):
    if not os.path.isfile(path):
        raise ConvertError(f"{path}: no such file")
    torch = None
    if reader in ("auto", "torch"):
        try:
            import torch
        except ImportError:
            if reader == "torch":
                raise ConvertError(f"{path}: --pth-reader torch, but PyTorch cannot be imported")
    try:
        return read_pth_torch(path, torch) if torch is not None else read_pth_builtin(path)
    except ConvertError:
        raise
    except Exception as e:
        raise ConvertError(f"{path}: cannot be read: {e}")


def state_dict(data, path):
    """The tensors of a read .pth: a state dict, or one under "state_dict" or "model"; "module." stripped."""
    def is_state(d):
        return isinstance(d, dict) and d and all(isinstance(v, Tensor) for v in d.values())

    if not is_state(data) and isinstance(data, dict):
        for wrapper in ("state_dict", "model"):
            if wrapper in data and isinstance(data[wrapper], dict):
                data = data[wrapper]
                note(f"{os.path.basename(path)}: the state dict is under '{wrapper}'")
                break
    if not isinstance(data, dict) or not data:
        raise ConvertError(f"{path}: holds no state dict (a {type(data).__name__})")
    for key, value in data.items():
        if not isinstance(value, Tensor):
            raise ConvertError(f"{path}: '{key}' is not a tensor (a {type(value).__name__})")
    out = collections.OrderedDict()
    stripped = 0
    for key, value in data.items():
        key = _ascii(key)
        if key.startswith("module."):
            key, stripped = key[len("module."):], stripped + 1
        if key in out:
            raise ConvertError(f"{path}: '{key}' occurs both with and without the 'module.' prefix")
        out[key] = value
    if stripped:
        note(f"{os.path.basename(path)}: stripped the DataParallel prefix 'module.' from {stripped} keys")
    return out


# ---------------------------------------------------------------- converting

def _float(path, key, tensor):
    if not tensor.is_float:
        raise ConvertError(f"{path}: '{key}' holds {tensor.dtype}; only float32, float16 and float64 tensors are read")
    try:
        return tensor.array()
    except Exception as e:
        raise ConvertError(f"{path}: '{key}' cannot be read: {e}")


def _check_shape(path, key, tensor, shape):
    if shape is not None and tuple(tensor.shape) != tuple(shape):
        raise ConvertError(f"{path}: '{key}' has shape {_shape_text(tensor.shape)}, expected {_shape_text(shape)}")


def _rebuild_weight_v(path, prefix, state):
    """weight_v of a spectral-norm conv saved by torch < 1.0 (weight_orig, weight_u and the normalised
    weight), as torch.nn.utils.spectral_norm's load hook rebuilds it: sigma = mean(weight_orig / weight),
    v with u = normalize(W v), scaled so that u . W v = sigma. The forward then divides by sigma exactly."""
    w_orig = _float(path, prefix + ".weight_orig", state[prefix + ".weight_orig"]).astype(np.float64)
    w = _float(path, prefix + ".weight", state[prefix + ".weight"]).astype(np.float64)
    u = _float(path, prefix + ".weight_u", state[prefix + ".weight_u"]).astype(np.float64)
    nonzero = w != 0
    sigma = np.mean(w_orig[nonzero] / w[nonzero]) if nonzero.any() else np.nan
    mat = w_orig.reshape(w_orig.shape[0], -1)
    # PyTorch computes pinv(W^T W) W^T u, which is pinv(W) u, the least-squares solution of W v = u; solved
    # here from W itself (W^T W of a wide W is singular, so its pinv is ill-conditioned and, for MSDilate.convi,
    # 18432 x 18432).
    v = np.linalg.lstsq(mat, u, rcond=None)[0]
    v *= sigma / np.dot(u, mat @ v)
    if not np.all(np.isfinite(v)):
        raise ConvertError(f"{path}: '{prefix}.weight_v' missing, and rebuilding it from '{prefix}.weight' "
                           "gives non-finite values")
    return v.astype(np.float32)


def convert_generator(path, state, div, allow_extra):
    """({name: array} of the used tensors except the VGG convs, {name: array} of the generator's VGG convs
    (empty when it holds none), {name: Tensor} of VggExtract.features.* to check against the written VGG)."""
    layout = generator_layout(div)
    sn_prefixes = {k[:-len(".weight_v")] for k in layout if k.endswith(".weight_v")}
    old_sn = {p for p in sn_prefixes if p + ".weight_v" not in state and p + ".weight" in state}
    rebuilt = []
    extra = [k for k in state if k not in layout and not (k.endswith(".weight") and k[:-len(".weight")] in old_sn)]
    if extra:
        if not allow_extra:
            shown = ", ".join(f"'{k}'" for k in extra[:8]) + (f" and {len(extra) - 8} more" if len(extra) > 8 else "")
            raise ConvertError(f"{path}: unexpected key{'s' if len(extra) > 1 else ''} {shown} "
                               "(not in the official UNetDictFace; --allow-extra drops them)")
        note(f"{os.path.basename(path)}: dropped {len(extra)} unexpected keys (--allow-extra): " + ", ".join(extra))

    out, vgg, aliases, absent = collections.OrderedDict(), collections.OrderedDict(), {}, collections.Counter()
    blur_seen = 0
    for key, (shape, role) in layout.items():
        if key not in state:
            if role == "keep" and key.endswith(".weight_v") and key[:-len(".weight_v")] in old_sn:
                prefix = key[:-len(".weight_v")]
                for suffix, s in ((".weight_orig", layout[prefix + ".weight_orig"][0]),
                                  (".weight", layout[prefix + ".weight_orig"][0]),
                                  (".weight_u", layout[prefix + ".weight_u"][0])):
                    if prefix + suffix not in state:
                        raise ConvertError(f"{path}: missing key '{prefix}{suffix}' (needed to rebuild "
                                           f"'{key}', which is missing too)")
                    _check_shape(path, prefix + suffix, state[prefix + suffix], s)
                out[key] = _rebuild_weight_v(path, prefix, state)
                rebuilt.append(prefix)
                continue
            if role == "unused" and key.endswith(".weight_v") and key[:-len(".weight_v")] in old_sn:
                continue                                   # an unused conv of torch < 1.0: nothing to rebuild
            if role == "keep":
                hint = ""
                if key.endswith(".weight_v"):
                    hint = (f"; nor is there '{key[:-2]}' (the normalised weight of a torch < 1.0 checkpoint) "
                            "to rebuild it from")
                raise ConvertError(f"{path}: missing key '{key}' (expected shape {_shape_text(shape)}){hint}")
            absent[role] += 1
            continue
        tensor = state[key]
        _check_shape(path, key, tensor, shape)
        if role == "keep":
            out[key] = _float(path, key, tensor)
        elif role == "vgg":
            vgg[key] = _float(path, key, tensor)
        elif role == "alias":
            aliases[key] = tensor
        elif role == "blur":
            value = _float(path, key, tensor)
            expected = np.broadcast_to(BLUR, value.shape)
            diff = float(np.max(np.abs(value - expected))) if value.size else 0.0
            if diff > 1e-6:
                raise ConvertError(f"{path}: '{key}' is not the blur filter [1,2,1] x [1,2,1] / 16 repeated per "
                                   f"channel (differs by up to {diff:g})")
            blur_seen += 1
        # "unused" and "classifier": dropped; unused ones had their shapes checked above.

    vgg_keys = [k for k, (_, role) in layout.items() if role == "vgg"]
    if vgg and len(vgg) != len(vgg_keys):
        first = next(k for k in vgg_keys if k not in vgg)
        raise ConvertError(f"{path}: missing key '{first}' (expected shape {_shape_text(layout[first][0])}); "
                           f"the generator holds {len(vgg)} of the {len(vgg_keys)} VGG tensors")
    name = os.path.basename(path)
    n_blur = sum(1 for _, role in layout.values() if role == "blur")
    if blur_seen:
        note(f"{name}: dropped the {blur_seen} blur buffers up*.conv1.0.weight/weight_flip "
             "(checked: the constant filter)")
    if absent["blur"]:
        note(f"{name}: {absent['blur']} of the {n_blur} blur buffers absent (constants, not needed)")
    if rebuilt:
        note(f"{name}: {len(rebuilt)} spectral-norm convs saved without weight_v (torch < 1.0): weight_v rebuilt "
             f"from the normalised weight ({', '.join(rebuilt[:3])}{', ...' if len(rebuilt) > 3 else ''})")
    for role, what in (("classifier", "VggExtract.model.classifier.* (VGG19's classifier; shapes not checked)"),
                       ("unused", "to_rgb0..3.* (not used by the forward)")):
        n = sum(1 for _, r in layout.values() if r == role)
        if n - absent[role]:
            note(f"{name}: dropped {n - absent[role]} tensors of {what}")
        if absent[role]:
            note(f"{name}: {absent[role]} of the {n} tensors of {what} absent")
    return out, vgg, aliases


def read_vgg_file(path, state, div, allow_extra):
    """{VggExtract.model.features.N.*: array} from torchvision's VGG19 state dict."""
    layout = vgg_file_layout(div)
    extra = [k for k in state if k not in layout]
    if extra and not allow_extra:
        shown = ", ".join(f"'{k}'" for k in extra[:8]) + (f" and {len(extra) - 8} more" if len(extra) > 8 else "")
        raise ConvertError(f"{path}: unexpected key{'s' if len(extra) > 1 else ''} {shown} "
                           "(not in torchvision's VGG19; --allow-extra drops them)")
    if extra:
        note(f"{os.path.basename(path)}: dropped {len(extra)} unexpected keys (--allow-extra): " + ", ".join(extra))
    out, classifier = collections.OrderedDict(), 0
    for key, (shape, role) in layout.items():
        if key not in state:
            if role == "vgg":
                raise ConvertError(f"{path}: missing key '{key}' (expected shape {_shape_text(shape)})")
            continue
        if role == "vgg":
            _check_shape(path, key, state[key], shape)
            out["VggExtract.model." + key] = _float(path, key, state[key])
        else:
            classifier += 1
    if classifier:
        note(f"{os.path.basename(path)}: dropped {classifier} tensors of classifier.* (not used; shapes not checked)")
    return out


def read_dictionaries(folder, div):
    if not os.path.isdir(folder):
        raise ConvertError(f"{folder}: no such folder (the dictionaries, DictionaryCenter512)")
    out, atoms = collections.OrderedDict(), collections.OrderedDict()
    for part in PARTS:
        for size in FEATURE_SIZES:
            path = os.path.join(folder, f"{part}_{size}_center.npy")
            if not os.path.isfile(path):
                raise ConvertError(f"{path}: no such file (dictionary {part} at {size})")
            try:
                value = np.load(path, allow_pickle=False)
            except Exception as e:
                raise ConvertError(f"{path}: cannot be read as a numeric .npy: {e}")
            c, s = dictionary_shape(part, size, div)
            per_atom = c * s * s
            if value.dtype.kind != "f" or value.dtype.itemsize not in (2, 4, 8):
                raise ConvertError(f"{path}: holds {value.dtype}, not float")
            if value.ndim < 2 or value.shape[0] == 0 or int(np.prod(value.shape[1:])) != per_atom:
                raise ConvertError(f"{path}: shape {_shape_text(value.shape)} does not hold K > 0 atoms of "
                                   f"C*s*s = {c}*{s}*{s} = {per_atom} values (expected [K, {per_atom}])")
            k = int(value.shape[0])
            out[f"dictionary.{part}.{size}"] = np.ascontiguousarray(value, dtype=np.float32).reshape(k, c, s, s)
            atoms[f"{part}.{size}"] = k
    return out, atoms


# ---------------------------------------------------------------- writing safetensors

def _count(tensors):
    return len(tensors), sum(int(np.size(v)) for v in tensors.values())


def _summary(label, tensors, extra=""):
    n, p = _count(tensors)
    print(f"{label}: {n} tensors, {p:,} parameters{extra}")


def convert(args):
    div = args.reduced
    if not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
        raise ConvertError(f"{args.output}: its folder does not exist")
    out, sources = collections.OrderedDict(), []
    vgg_from_file, atoms = None, collections.OrderedDict()
    if args.vgg:
        vgg_state = state_dict(read_pth(args.vgg, args.pth_reader), args.vgg)
        vgg_from_file = read_vgg_file(args.vgg, vgg_state, div, args.allow_extra)
        del vgg_state
    if args.generator:
        sources += [os.path.basename(args.generator), os.path.basename(os.path.normpath(args.dictionaries))]
        state = state_dict(read_pth(args.generator, args.pth_reader), args.generator)
        kept, vgg, aliases = convert_generator(args.generator, state, div, args.allow_extra)
        dictionaries, atoms = read_dictionaries(args.dictionaries, div)
        gname = os.path.basename(args.generator)
        if vgg:
            vgg_source = gname
            if vgg_from_file is not None:
                differ = [k for k in vgg if not np.array_equal(vgg[k], vgg_from_file[k])]
                if differ:
                    note(f"the VGG of {gname} differs from {os.path.basename(args.vgg)} in {len(differ)} of "
                         f"{len(vgg)} tensors (first: {differ[0]}); {gname}'s is written, as the official code "
                         "ends up with it (it loads the checkpoint after vgg19.pth)")
                else:
                    note(f"the VGG of {gname} equals {os.path.basename(args.vgg)}")
        elif vgg_from_file is not None:
            vgg, vgg_source = vgg_from_file, os.path.basename(args.vgg)
            note(f"{gname} holds no VggExtract.model.features.*: the VGG is taken from {vgg_source}")
        else:
            first = next(iter(vgg_file_layout(div)))
            raise ConvertError(f"{args.generator}: missing key 'VggExtract.model.{first}' (the generator holds no "
                               "VGG19; give it with --vgg vgg19.pth)")
        n_alias = sum(1 for _, role in generator_layout(div).values() if role == "alias")
        for key, tensor in aliases.items():
            target = "VggExtract.model.features." + key.split(".", 3)[3]
            if not np.array_equal(_float(args.generator, key, tensor), vgg[target]):
                raise ConvertError(f"{args.generator}: '{key}' differs from '{target}' (VGGFeat's features are the "
                                   "same modules as model.features, saved twice)")
        if aliases:
            note(f"{gname}: dropped the {len(aliases)} tensors of VggExtract.features.* (checked: equal to "
                 "VggExtract.model.features.*)")
        if len(aliases) < n_alias:
            note(f"{gname}: {n_alias - len(aliases)} of the {n_alias} tensors of VggExtract.features.* absent")
        if args.vgg:
            sources.append(os.path.basename(args.vgg))
        groups = collections.OrderedDict((g, collections.OrderedDict()) for g in
                                         ("attention", "vgg", "msdilate", "decoder"))
        for key, value in list(kept.items()) + list(vgg.items()):
            head = key.split(".")[0]
            group = ("vgg" if head == "VggExtract" else "msdilate" if head == "MSDilate" else
                     "decoder" if head.startswith("up") else "attention")
            groups[group][key] = value
        for group, tensors in groups.items():
            extra = {"vgg": f" (VGG19 conv1_1..conv5_4 from {vgg_source}; RGB_mean/std from {gname})",
                     "decoder": " (up0..up4)", "attention": " (le/re/no/mo at 256, 128, 64, 32)"}.get(group, "")
            _summary(group, tensors, extra)
            out.update(tensors)
        per_part = "; ".join(f"{p} " + "/".join(str(atoms[f"{p}.{s}"]) for s in FEATURE_SIZES) for p in PARTS)
        n, p = _count(dictionaries)
        print(f"dictionaries: {n} tensors, {p:,} values; atoms K at 256/128/64/32: {per_part}")
        out.update(dictionaries)
        contents = "generator+dictionaries"
    else:
        sources.append(os.path.basename(args.vgg))
        vgg = collections.OrderedDict([
            ("VggExtract.RGB_mean", np.array([0.485, 0.456, 0.406], np.float32).reshape(1, 3, 1, 1)),
            ("VggExtract.RGB_std", np.array([0.229, 0.224, 0.225], np.float32).reshape(1, 3, 1, 1))])
        note("VggExtract.RGB_mean/std: ImageNet's, VGGFeat's initial values (vgg19.pth holds none)")
        vgg.update(vgg_from_file)
        _summary("vgg", vgg, f" (VGG19 conv1_1..conv5_4 from {os.path.basename(args.vgg)})")
        out.update(vgg)
        contents = "vgg"
    metadata = {"format": FORMAT, "source": json.dumps(sources), "contents": contents,
                "atoms": json.dumps(atoms)}
    if div != 1:
        metadata["reduced"] = str(div)
    write_safetensors(args.output, out, metadata)
    n, p = _count(out)
    print(f"wrote {args.output}: {n} tensors, {p:,} values, {os.path.getsize(args.output):,} bytes")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="See the top of this file for the inputs, names and checks.")
    parser.add_argument("output", help="the safetensors file to write")
    parser.add_argument("--generator", help="latest_net_G.pth (the official UNetDictFace state dict)")
    parser.add_argument("--dictionaries", help="the folder with the 16 *_center.npy (DictionaryCenter512)")
    parser.add_argument("--vgg", help="vgg19.pth (torchvision's VGG19 state dict)")
    parser.add_argument("--allow-extra", action="store_true", help="drop keys not in the official model, listing them")
    parser.add_argument("--pth-reader", choices=["auto", "torch", "builtin"], default="auto",
                        help="read .pth with PyTorch, or with this script's own reader (auto: PyTorch when importable)")
    parser.add_argument("--reduced", type=int, default=1, metavar="D",
                        help="testing: every channel count divided by D (1, 2, 4, ..., 64)")
    args = parser.parse_args(argv)
    if args.reduced < 1 or 64 % args.reduced:
        parser.error(f"--reduced {args.reduced}: D must divide 64")
    if bool(args.generator) != bool(args.dictionaries):
        parser.error("--generator and --dictionaries go together")
    if not args.generator and not args.vgg:
        parser.error("give --generator and --dictionaries (and optionally --vgg), or --vgg alone")
    try:
        convert(args)
    except ConvertError as e:
        print(f"convert_dfdnet: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
