#!/usr/bin/env python3
"""Test helper: writes small fake versions of the DFDNet release files that tools/convert_dfdnet.py reads,
without PyTorch and independently of the converter (its own module table and its own pickle writer):
  OUTDIR/latest_net_G.pth               every key of the official UNetDictFace state dict, with every channel
                                        count divided by --reduced (16: run the converter with --reduced 16)
  OUTDIR/vgg19.pth                      torchvision's VGG19 keys, reduced alike (the classifier is tiny)
  OUTDIR/DictionaryCenter512/*.npy      the 16 dictionaries, [K, C*s*s] float32
  OUTDIR/fake_values.txt                which pattern index t each tensor holds (below)
The .pth files are torch.save's zip format (torch >= 1.6), or with --legacy its format before 1.6. The
pickles are put together opcode by opcode, naming torch._utils._rebuild_tensor_v2, torch.FloatStorage and
collections.OrderedDict as torch writes them. To exercise a reader's handling of storages, every weight_u
lies in the storage of its conv's bias (after it, at offset O), the attention blocks' weight_orig lie in
their storages as [kh, kw, I, O] (read through strides), and VggExtract.features.* share the storages of
VggExtract.model.features.*, as in a real checkpoint.

Values: element e (flat, row-major in the tensor's own shape) of the tensor with pattern index t is
  float32(((7919 t + 104729 e) mod 1000003) / 1000003 - 0.5);
t counts the tensors in the order written (generator, then vgg19.pth, then the dictionaries in the order
left_eye, right_eye, nose, mouth x 256, 128, 64, 32). fake_values.txt has one line "file key t shape" per
patterned tensor (shape as 8x8x3x3; key "-" for a .npy; keys without "module."); VggExtract.features.*
carry the t of the tensor they repeat, and vgg19.pth differs from the generator's VGG unless --same-vgg.
Not patterned: the blur buffers up{0..3}.conv1.0.weight/weight_flip ([1,2,1] x [1,2,1] / 16 per channel),
and with --old-spectral-norm the normalised weights (weight_orig / 2).

Options
  --reduced D              channel counts divided by D (default 16; D divides 64)
  --atoms K[,K,...]        atoms per dictionary: one K, or 16 in the order above (default 3)
  --legacy                 the legacy (torch < 1.6) format
  --old-spectral-norm      every spectral-norm conv as torch < 1.0 saved it: weight = weight_orig / 2, no weight_v
  --module-prefix          keys prefixed "module." (DataParallel)
  --wrap NAME              the state dict kept under NAME (state_dict, model)
  --generator-without-vgg  no VggExtract.model.* / VggExtract.features.* in the generator
  --same-vgg               vgg19.pth holds the generator's VGG values
  --break WHAT             one defect, for negative tests:
      missing-dictionary   DictionaryCenter512/mouth_64_center.npy not written
      missing-key          up2.convup.1.weight_orig left out
      wrong-shape          MSDilate.convi.weight_orig with half its input channels
      vgg-alias-differs    VggExtract.features.2.21.weight stored apart, element 5 raised by 0.25
      blur-differs         up1.conv1.0.weight_flip element 4 (the centre of channel 0) set to 0.3
      no-weight-v          up3.ScaleModel1.2.weight_v left out (and no normalised weight to rebuild it)
      extra-key            an extra up4.5.weight
      non-float            up4.4.bias as an int64 tensor
      dictionary-size      nose_128_center.npy with one value too few per atom
usage: make_dfdnet_files.py OUTDIR [--reduced D] [--atoms K] [--legacy] [--break WHAT] [...]
"""
import argparse
import os
import pickle
import struct
import zipfile

import numpy as np

BREAKS = ("missing-dictionary", "missing-key", "wrong-shape", "vgg-alias-differs", "blur-differs", "no-weight-v",
          "extra-key", "non-float", "dictionary-size")

# torchvision vgg19.features: (index, in, out) of its sixteen 3x3 convs.
VGG19 = ((0, 3, 64), (2, 64, 64), (5, 64, 128), (7, 128, 128), (10, 128, 256), (12, 256, 256), (14, 256, 256),
         (16, 256, 256), (19, 256, 512), (21, 512, 512), (23, 512, 512), (25, 512, 512), (28, 512, 512),
         (30, 512, 512), (32, 512, 512), (34, 512, 512))
# UNetDictFace's VGGFeat splits vgg19.features into Sequentials [0, 8), [8, 17), [17, 26), [26, 35).
VGG_SLICE = {0: 0, 2: 0, 5: 0, 7: 0, 10: 1, 12: 1, 14: 1, 16: 1, 19: 2, 21: 2, 23: 2, 25: 2, 28: 3, 30: 3, 32: 3, 34: 3}
ATTENTION = (("le", "left_eye"), ("re", "right_eye"), ("no", "nose"), ("mo", "mouth"))
LEVELS = ((256, 128), (128, 256), (64, 512), (32, 512))        # feature size, channels
PART_AT_512 = {"left_eye": 80, "right_eye": 80, "nose": 50, "mouth": 110}


def pattern(t, shape):
    e = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64)
    return (((7919 * t + 104729 * e) % 1000003) / 1000003 - 0.5).astype(np.float32).reshape(shape)


# ---------------------------------------------------------------- the module table

def generator_modules(d):
    """[(kind, name, shape info)] for UNetDictFace(64) with channels divided by d, in state dict order."""
    mods = []
    for short, _ in ATTENTION:
        for size, c in LEVELS:
            mods += [("sn", f"{short}_{size}.0", (c // d, c // d)), ("sn", f"{short}_{size}.2", (c // d, c // d))]
    mods += [("param", "VggExtract.RGB_mean", (1, 3, 1, 1)), ("param", "VggExtract.RGB_std", (1, 3, 1, 1))]
    for index, cin, cout in VGG19:
        mods.append(("vgg", f"VggExtract.model.features.{index}", (cout // d, 3 if cin == 3 else cin // d)))
    mods += [("classifier", f"VggExtract.model.classifier.{i}", (5 + i, 4)) for i in (0, 3, 6)]
    for index, cin, cout in VGG19:
        mods.append(("alias", f"VggExtract.features.{VGG_SLICE[index]}.{index}", f"VggExtract.model.features.{index}"))
    wide = 512 // d
    for k in (1, 2, 3, 4):
        mods += [("sn", f"MSDilate.conv{k}.0", (wide, wide)), ("sn", f"MSDilate.conv{k}.2", (wide, wide))]
    mods.append(("sn", "MSDilate.convi", (wide, 4 * wide)))
    for k, (cin, cout) in enumerate(((512, 512), (512, 256), (256, 128), (128, 64))):
        cin, cout = cin // d, cout // d
        mods.append(("blur", f"up{k}.conv1.0", cin))
        mods += [("sn", f"up{k}.conv1.1", (cout, cin)), ("sn", f"up{k}.convup.1", (cout, cout)),
                 ("sn", f"up{k}.ScaleModel1.0", (cout, cin)), ("sn", f"up{k}.ScaleModel1.2", (cout, cout)),
                 ("sn", f"up{k}.ShiftModel1.0", (cout, cin)), ("sn", f"up{k}.ShiftModel1.2", (cout, cout))]
    c = 64 // d
    mods.append(("sn", "up4.0", (c, c)))
    mods += [("conv", f"up4.{b}.Model.{j}", (c, c)) for b in (2, 3) for j in (0, 2)]
    mods.append(("conv", "up4.4", (3, c)))
    for k, ch in enumerate((512, 256, 128, 64)):
        mods += [("sn", f"to_rgb{k}.0", (ch // d, ch // d)), ("sn", f"to_rgb{k}.2", (3, ch // d))]
    return mods


# ---------------------------------------------------------------- tensors and storages

class Storages:
    def __init__(self):
        self.data = {}                           # key -> (storage class name, flat array)

    def add(self, flat, kind="FloatStorage"):
        key = str(len(self.data))
        self.data[key] = (kind, np.ascontiguousarray(flat).ravel())
        return key


class TensorRef:
    def __init__(self, key, offset, shape, stride):
        self.key, self.offset, self.shape, self.stride = key, offset, tuple(shape), tuple(stride)


def contiguous_strides(shape):
    strides, n = [], 1
    for s in reversed(shape):
        strides.insert(0, n)
        n *= s
    return tuple(strides)


def plain(storages, value, kind="FloatStorage"):
    return TensorRef(storages.add(value, kind), 0, value.shape, contiguous_strides(value.shape))


def build_generator(args, d, counter, manifest):
    """[(key, TensorRef)] and the storages of the fake latest_net_G.pth."""
    st, out, vgg_refs = Storages(), [], {}
    blur = (np.outer([1, 2, 1], [1, 2, 1]) / 16).astype(np.float32)

    def patterned(key, shape):
        t = next(counter)
        manifest.append(("latest_net_G.pth", key, t, shape))
        return pattern(t, shape)

    for kind, name, info in generator_modules(d):
        if kind == "sn":
            cout, cin = info
            bias = patterned(name + ".bias", (cout,))
            w = patterned(name + ".weight_orig", (cout, cin, 3, 3))
            u = patterned(name + ".weight_u", (cout,))
            if name.split("_")[0] in ("le", "re", "no", "mo"):
                w_ref = TensorRef(st.add(w.transpose(2, 3, 1, 0)), 0, w.shape, (1, cout, 3 * cin * cout, cin * cout))
            else:
                w_ref = plain(st, w)
            shared = st.add(np.concatenate([bias, u]))
            out += [(name + ".bias", TensorRef(shared, 0, (cout,), (1,))), (name + ".weight_orig", w_ref),
                    (name + ".weight_u", TensorRef(shared, cout, (cout,), (1,)))]
            if args.old_spectral_norm:
                out.append((name + ".weight", plain(st, w / np.float32(2))))
            elif not (args.break_ == "no-weight-v" and name == "up3.ScaleModel1.2"):
                out.append((name + ".weight_v", plain(st, patterned(name + ".weight_v", (cin * 9,)))))
        elif kind in ("conv", "vgg"):
            cout, cin = info
            if kind == "vgg" and args.generator_without_vgg:
                continue
            w = patterned(name + ".weight", (cout, cin, 3, 3))
            out += [(name + ".weight", plain(st, w))]
            if name == "up4.4" and args.break_ == "non-float":
                out.append((name + ".bias", plain(st, np.arange(cout, dtype=np.int64), "LongStorage")))
            else:
                out.append((name + ".bias", plain(st, patterned(name + ".bias", (cout,)))))
            if kind == "vgg":
                vgg_refs[name + ".weight"], vgg_refs[name + ".bias"] = out[-2][1], out[-1][1]
        elif kind == "param":
            out.append((name, plain(st, patterned(name, info))))
        elif kind == "classifier":
            if not args.generator_without_vgg:
                out += [(name + ".weight", plain(st, patterned(name + ".weight", info))),
                        (name + ".bias", plain(st, patterned(name + ".bias", info[:1])))]
        elif kind == "alias":
            if args.generator_without_vgg:
                continue
            for field in ("weight", "bias"):
                ref = vgg_refs[f"{info}.{field}"]
                t = next(m[2] for m in manifest if m[1] == f"{info}.{field}")
                manifest.append(("latest_net_G.pth", f"{name}.{field}", t, ref.shape))
                if args.break_ == "vgg-alias-differs" and name == "VggExtract.features.2.21" and field == "weight":
                    flat = st.data[ref.key][1].copy()
                    flat[5] += np.float32(0.25)
                    ref = TensorRef(st.add(flat), 0, ref.shape, ref.stride)
                out.append((f"{name}.{field}", ref))
        elif kind == "blur":
            w = np.tile(blur, (info, 1, 1, 1))
            flip = w[:, :, ::-1, ::-1].copy()
            if args.break_ == "blur-differs" and name == "up1.conv1.0":
                flip[0, 0, 1, 1] = 0.3
            out += [(name + ".weight", plain(st, w)), (name + ".weight_flip", plain(st, flip))]
    if args.break_ == "missing-key":
        out = [(k, r) for k, r in out if k != "up2.convup.1.weight_orig"]
    if args.break_ == "wrong-shape":
        for i, (k, r) in enumerate(out):
            if k == "MSDilate.convi.weight_orig":
                shape = (r.shape[0], r.shape[1] // 2) + r.shape[2:]
                out[i] = (k, TensorRef(r.key, 0, shape, contiguous_strides(shape)))
    if args.break_ == "extra-key":
        out.append(("up4.5.weight", plain(st, pattern(next(counter), (3, 64 // d, 3, 3)))))
    return out, st


def build_vgg(args, d, counter, manifest):
    st, out = Storages(), []
    gen_t = {m[1]: m[2] for m in manifest}
    for index, cin, cout in VGG19:
        shape_w = (cout // d, 3 if cin == 3 else cin // d, 3, 3)
        for field, shape in (("weight", shape_w), ("bias", shape_w[:1])):
            key = f"features.{index}.{field}"
            t = gen_t.get(f"VggExtract.model.{key}") if args.same_vgg else None
            t = next(counter) if t is None else t
            manifest.append(("vgg19.pth", key, t, shape))
            out.append((key, plain(st, pattern(t, shape))))
    for i in (0, 3, 6):
        for field, shape in (("weight", (3 + i, 2)), ("bias", (3 + i,))):
            t = next(counter)
            manifest.append(("vgg19.pth", f"classifier.{i}.{field}", t, shape))
            out.append((f"classifier.{i}.{field}", plain(st, pattern(t, shape))))
    return out, st


# ---------------------------------------------------------------- writing torch.save files

class Global:
    def __init__(self, module, name):
        self.module, self.name = module, name


def _emit(obj, out):
    if obj is None:
        out += b"N"
    elif obj is True or obj is False:
        out += b"\x88" if obj else b"\x89"
    elif isinstance(obj, int):
        if 0 <= obj < 256:
            out += b"K" + bytes([obj])
        elif 0 <= obj < 65536:
            out += b"M" + struct.pack("<H", obj)
        elif -2 ** 31 <= obj < 2 ** 31:
            out += b"J" + struct.pack("<i", obj)
        else:
            raw = obj.to_bytes((obj.bit_length() + 8) // 8, "little", signed=True)
            out += b"\x8a" + bytes([len(raw)]) + raw
    elif isinstance(obj, str):
        raw = obj.encode("utf-8")
        out += b"X" + struct.pack("<I", len(raw)) + raw
    elif isinstance(obj, Global):
        out += b"c" + obj.module.encode() + b"\n" + obj.name.encode() + b"\n"
    elif isinstance(obj, tuple):
        if len(obj) == 0:
            out += b")"
        elif len(obj) <= 3:
            for item in obj:
                _emit(item, out)
            out += b"\x85\x86\x87"[len(obj) - 1:len(obj)]
        else:
            out += b"("
            for item in obj:
                _emit(item, out)
            out += b"t"
    elif isinstance(obj, list) and all(isinstance(i, tuple) and len(i) == 2 for i in obj):
        # An OrderedDict given as its items.
        _emit(Global("collections", "OrderedDict"), out)
        out += b")R"
        if obj:
            out += b"("
            for key, value in obj:
                _emit(key, out)
                _emit(value, out)
            out += b"u"
    else:
        raise TypeError(type(obj))


def tensor_stream(items, storages, legacy, wrap):
    """The pickle of an OrderedDict {key: tensor}, persistent ids as torch.save writes them."""
    out = bytearray(b"\x80\x02")

    def emit_tensor(ref):
        kind, flat = storages.data[ref.key]
        _emit(Global("torch._utils", "_rebuild_tensor_v2"), out)
        out.extend(b"(")
        pid = ("storage", Global("torch", kind), ref.key, "cpu", int(flat.size)) + ((None,) if legacy else ())
        _emit(pid, out)
        out.extend(b"Q")
        _emit(ref.offset, out)
        _emit(ref.shape, out)
        _emit(ref.stride, out)
        _emit(False, out)
        _emit([], out)
        out.extend(b"tR")

    def emit_dict(entries):
        _emit(Global("collections", "OrderedDict"), out)
        out.extend(b")R(")
        for key, ref in entries:
            _emit(key, out)
            emit_tensor(ref)
        out.extend(b"u")

    if wrap:
        out.extend(b"}(")                       # {"epoch": 7, wrap: OrderedDict}
        _emit("epoch", out)
        _emit(7, out)
        _emit(wrap, out)
        emit_dict(items)
        out.extend(b"u")
    else:
        emit_dict(items)
    out.extend(b".")
    return bytes(out)


def write_pth(path, items, storages, legacy, wrap=None):
    stream = tensor_stream(items, storages, legacy, wrap)
    keys = sorted({ref.key for _, ref in items})        # the storages the pickle names, as torch.save writes them
    if legacy:
        with open(path, "wb") as f:
            f.write(pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2))
            f.write(pickle.dumps(1001, protocol=2))
            f.write(pickle.dumps({"protocol_version": 1001, "little_endian": True,
                                  "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2))
            f.write(stream)
            f.write(pickle.dumps(keys, protocol=2))
            for key in keys:
                flat = storages.data[key][1]
                f.write(struct.pack("<q", flat.size))
                f.write(flat.astype(flat.dtype.newbyteorder("<")).tobytes())
        return
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", stream)
        for key in keys:
            flat = storages.data[key][1]
            z.writestr(f"archive/data/{key}", flat.astype(flat.dtype.newbyteorder("<")).tobytes())
        z.writestr("archive/version", "3\n")


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir")
    parser.add_argument("--reduced", type=int, default=16, metavar="D")
    parser.add_argument("--atoms", default="3")
    parser.add_argument("--legacy", action="store_true")
    parser.add_argument("--old-spectral-norm", action="store_true")
    parser.add_argument("--module-prefix", action="store_true")
    parser.add_argument("--wrap", choices=["state_dict", "model"])
    parser.add_argument("--generator-without-vgg", action="store_true")
    parser.add_argument("--same-vgg", action="store_true")
    parser.add_argument("--break", dest="break_", choices=BREAKS)
    args = parser.parse_args()
    d = args.reduced
    if d < 1 or 64 % d:
        parser.error("--reduced must divide 64")
    atoms = [int(a) for a in args.atoms.split(",")]
    if len(atoms) not in (1, 16) or min(atoms) < 1:
        parser.error("--atoms takes one K or 16")
    atoms = atoms * 16 if len(atoms) == 1 else atoms

    os.makedirs(os.path.join(args.outdir, "DictionaryCenter512"), exist_ok=True)
    counter = iter(range(10 ** 6))
    manifest = []
    gen, gen_st = build_generator(args, d, counter, manifest)
    if args.module_prefix:
        gen = [("module." + k, r) for k, r in gen]
    write_pth(os.path.join(args.outdir, "latest_net_G.pth"), gen, gen_st, args.legacy, args.wrap)
    vgg, vgg_st = build_vgg(args, d, counter, manifest)
    write_pth(os.path.join(args.outdir, "vgg19.pth"), vgg, vgg_st, args.legacy)

    i = 0
    for _, part in ATTENTION:
        for size, channels in LEVELS:
            s = PART_AT_512[part] // (512 // size)
            shape = (atoms[i], channels // d * s * s)
            i += 1
            name = f"{part}_{size}_center.npy"
            path = os.path.join(args.outdir, "DictionaryCenter512", name)
            if os.path.exists(path):
                os.remove(path)
            t = next(counter)
            if args.break_ == "missing-dictionary" and name == "mouth_64_center.npy":
                continue
            if args.break_ == "dictionary-size" and name == "nose_128_center.npy":
                shape = (shape[0], shape[1] - 1)
            manifest.append((f"DictionaryCenter512/{name}", "-", t, shape))
            np.save(path, pattern(t, shape))
    with open(os.path.join(args.outdir, "fake_values.txt"), "w") as f:
        f.write("# file key t shape: element e of the tensor is "
                "float32(((7919 t + 104729 e) mod 1000003) / 1000003 - 0.5)\n")
        for file, key, t, shape in manifest:
            f.write(f"{file} {key} {t} {'x'.join(str(int(s)) for s in shape)}\n")


if __name__ == "__main__":
    main()
