#!/usr/bin/python3
"""acne against PyTorch on the same workloads, interleaved, in one run.

Each round runs every workload once in acne (its benchmark program) and once in PyTorch, each side
in a child process of its own with the round's thread count (OMP_NUM_THREADS for acne,
torch.set_num_threads for PyTorch), in turn, so both see the same machine load; the ratio printed
is acne time / PyTorch time, median over the rounds. Both sides time a workload's calls back to back
(a convolution's too: bench_conv --back-to-back, without its SGEMM between calls). The children's peak resident memory is read
as the kernel reports it (wait4), and the ResNet50V2 workload prints it as a row of its own.
Without Debian's python3-torch (it lives with /usr/bin/python3) the PyTorch side is skipped and said
to be. The StyleGAN2 workloads run the official stylegan2-ada-pytorch networks and loss, imported
from the checkout named by --stylegan2-ada (they are skipped without it).

  benchmarks/peer.py [--build build] [--rounds 3] [--reps 3] [--threads 1,2] [--only TEXT]
                     [--stylegan2-ada DIR] [--json FILE]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:  # the peer is optional
    torch = None


def timed_calls(fn, reps):
    """One warm-up call (allocation, kernel selection), then `reps` timed calls: (best, median)."""
    fn()
    times = []
    for _ in range(max(reps, 1)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def best_time(fn, reps):
    return timed_calls(fn, reps)[0]


def parameter_count(*modules):
    """Trainable parameters and batch-norm statistics, as acne and Keras count them."""
    return sum(t.numel() for m in modules for name, t in list(m.named_parameters()) + list(m.named_buffers())
               if not name.endswith("num_batches_tracked"))


def run_child(cmd, env=None):
    """Runs cmd to completion; its stdout, and its peak resident memory in MiB."""
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=err)
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{err.read().decode()[-2000:]}")
    return out.decode(), usage.ru_maxrss / 1024


def acne_json(build, program, flags, threads):
    """Runs an acne benchmark program with --json; its report and its peak MiB."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        _, peak = run_child([os.path.join(build, "benchmarks", program)] + flags + ["--json", out.name], env)
        return json.load(open(out.name)), peak


class conv_workload:
    """One convolution shape: forward, and forward + both backward passes (input and weights)."""

    def __init__(self, label, cin, cout, size, k, batch=16):
        self.label, self.cin, self.cout, self.size, self.k, self.batch = label, cin, cout, size, k, batch
        self.names = [f"conv {label}, forward", f"conv {label}, fwd+bwd"]

    def acne(self, build, threads, reps):
        report, peak = acne_json(build, "bench_conv", ["--batch", str(self.batch), "--reps", str(reps), "--no-naive",
                                                        "--back-to-back", "--only", self.label], threads)
        rows = report["results"]
        key = "onednn" if "onednn" in rows[0] else "im2col"
        passes = {r["pass"]: r[key]["seconds"] for r in rows}
        if len(passes) != 3:
            raise RuntimeError(f"bench_conv ran {len(rows)} passes for '{self.label}'")
        return [passes["forward"], sum(passes.values())], key, peak

    def torch(self, reps, official):
        g = torch.Generator().manual_seed(7)
        x = torch.rand(self.batch, self.cin, self.size, self.size, generator=g) * 2 - 1
        w = torch.rand(self.cout, self.cin, self.k, self.k, generator=g) * 2 - 1
        pad = self.k // 2
        with torch.no_grad():
            forward = best_time(lambda: F.conv2d(x, w, padding=pad), reps)
        xg, wg = x.clone().requires_grad_(), w.clone().requires_grad_()
        dy = torch.rand(self.batch, self.cout, self.size, self.size, generator=g)

        def step():
            xg.grad = wg.grad = None
            F.conv2d(xg, wg, padding=pad).backward(dy)

        return [forward, best_time(step, reps)], None


def bn_relu(channels, eps):
    return [nn.BatchNorm2d(channels, eps=eps), nn.ReLU(inplace=True)]


class resnet_v2_block(nn.Module if torch else object):
    """keras.applications.resnet_v2's block2, as acne's resnet_v2.hpp builds it."""

    def __init__(self, cin, filters, stride, conv_shortcut):
        super().__init__()
        eps = 1.001e-5
        self.preact = nn.Sequential(*bn_relu(cin, eps))
        self.project = conv_shortcut
        self.shortcut = (nn.Conv2d(cin, 4 * filters, 1, stride) if conv_shortcut else
                         nn.MaxPool2d(1, stride) if stride > 1 else nn.Identity())
        self.body = nn.Sequential(nn.Conv2d(cin, filters, 1, bias=False), *bn_relu(filters, eps), nn.ZeroPad2d(1),
                                  nn.Conv2d(filters, filters, 3, stride, bias=False), *bn_relu(filters, eps),
                                  nn.Conv2d(filters, 4 * filters, 1))

    def forward(self, x):
        p = self.preact(x)
        return self.shortcut(p if self.project else x) + self.body(p)


def resnet50v2(classes):
    layers, cin = [nn.ZeroPad2d(3), nn.Conv2d(3, 64, 7, 2), nn.ZeroPad2d(1), nn.MaxPool2d(3, 2)], 64
    for filters, blocks, stride in [(64, 3, 2), (128, 4, 2), (256, 6, 2), (512, 3, 1)]:
        for i in range(1, blocks + 1):
            layers.append(resnet_v2_block(cin, filters, stride if i == blocks else 1, i == 1))
            cin = 4 * filters
    layers += bn_relu(cin, 1.001e-5) + [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)


class resnet50v2_workload:
    """bench_classifier's ResNet50V2 at 224 px: a training step (forward, softmax cross-entropy,
    backward, Adam) and inference, medians after one warm-up; and the peak memory of the process."""

    label = "resnet50v2 224"
    memory_name = "ResNet50V2 train + infer, peak RSS MiB"

    def __init__(self, batch=16, classes=4):
        self.batch, self.classes = batch, classes
        self.names = [f"ResNet50V2 batch {batch} @224, train step", f"ResNet50V2 batch {batch} @224, inference"]

    def acne(self, build, threads, reps):
        report, peak = acne_json(build, "bench_classifier", ["--model", "resnet50v2", "--batch", str(self.batch),
                                                              "--reps", str(reps), "--device", "cpu"], threads)
        r = report["results"][0]
        self.acne_parameters = r["parameters"]
        return [r["train_seconds"]["median"], r["infer_seconds"]["median"]], "cpu", peak

    def torch(self, reps, official):
        torch.manual_seed(1)
        net = resnet50v2(self.classes)
        x = torch.rand(self.batch, 3, 224, 224) * 2 - 1
        labels = torch.arange(self.batch) % self.classes
        opt = torch.optim.Adam(net.parameters(), lr=1e-4)

        def step():
            opt.zero_grad()
            F.cross_entropy(net(x), labels).backward()
            opt.step()

        net.train()
        train = timed_calls(step, reps)[1]
        net.eval()
        with torch.no_grad():
            infer = timed_calls(lambda: net(x), reps)[1]
        return [train, infer], parameter_count(net)


def unit(cin, cout, kernel, stride=1, padding=0):
    """InceptionV3's conv (no bias) + batch norm (eps 1e-3) + relu."""
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, padding, bias=False), *bn_relu(cout, 1e-3))


class branches(nn.Module if torch else object):
    """Runs each branch on the input and concatenates their channels."""

    def __init__(self, *parts):
        super().__init__()
        self.parts = nn.ModuleList(parts)

    def forward(self, x):
        return torch.cat([p(x) for p in self.parts], 1)


class split_1x3_3x1(nn.Module if torch else object):
    def __init__(self, cin, cout):
        super().__init__()
        self.a, self.b = unit(cin, cout, (1, 3), padding=(0, 1)), unit(cin, cout, (3, 1), padding=(1, 0))

    def forward(self, x):
        return torch.cat([self.a(x), self.b(x)], 1)


def fid_inception_v3():
    """pytorch-fid's InceptionV3 (TF's graph) to the 2048-d pool, as acne's inception_v3.hpp builds it:
    average pools that count in-bounds taps only, a max pool in Mixed_7c's pool branch."""
    avg = lambda: nn.AvgPool2d(3, 1, 1, count_include_pad=False)
    a = lambda cin, pf: branches(unit(cin, 64, 1), nn.Sequential(unit(cin, 48, 1), unit(48, 64, 5, padding=2)),
                                 nn.Sequential(unit(cin, 64, 1), unit(64, 96, 3, padding=1), unit(96, 96, 3, padding=1)),
                                 nn.Sequential(avg(), unit(cin, pf, 1)))
    c = lambda c7: branches(unit(768, 192, 1),
                            nn.Sequential(unit(768, c7, 1), unit(c7, c7, (1, 7), padding=(0, 3)),
                                          unit(c7, 192, (7, 1), padding=(3, 0))),
                            nn.Sequential(unit(768, c7, 1), unit(c7, c7, (7, 1), padding=(3, 0)),
                                          unit(c7, c7, (1, 7), padding=(0, 3)), unit(c7, c7, (7, 1), padding=(3, 0)),
                                          unit(c7, 192, (1, 7), padding=(0, 3))),
                            nn.Sequential(avg(), unit(768, 192, 1)))
    e = lambda cin, pool: branches(unit(cin, 320, 1), nn.Sequential(unit(cin, 384, 1), split_1x3_3x1(384, 384)),
                                   nn.Sequential(unit(cin, 448, 1), unit(448, 384, 3, padding=1),
                                                 split_1x3_3x1(384, 384)),
                                   nn.Sequential(pool, unit(cin, 192, 1)))
    return nn.Sequential(
        unit(3, 32, 3, 2), unit(32, 32, 3), unit(32, 64, 3, padding=1), nn.MaxPool2d(3, 2),
        unit(64, 80, 1), unit(80, 192, 3), nn.MaxPool2d(3, 2),
        a(192, 32), a(256, 64), a(288, 64),
        branches(unit(288, 384, 3, 2), nn.Sequential(unit(288, 64, 1), unit(64, 96, 3, padding=1), unit(96, 96, 3, 2)),
                 nn.MaxPool2d(3, 2)),
        c(128), c(160), c(160), c(192),
        branches(nn.Sequential(unit(768, 192, 1), unit(192, 320, 3, 2)),
                 nn.Sequential(unit(768, 192, 1), unit(192, 192, (1, 7), padding=(0, 3)),
                               unit(192, 192, (7, 1), padding=(3, 0)), unit(192, 192, 3, 2)),
                 nn.MaxPool2d(3, 2)),
        e(1280, avg()), e(2048, nn.MaxPool2d(3, 1, 1)),
        nn.AdaptiveAvgPool2d(1), nn.Flatten())


class inception_workload:
    """bench_fid's InceptionV3 FID features (2048-d) at 299 px: inference, best after one warm-up."""

    label = "inceptionv3 fid 299"

    def __init__(self, batch=32):
        self.batch = batch
        self.names = [f"InceptionV3 FID features, batch {batch} @299"]

    def acne(self, build, threads, reps):
        report, peak = acne_json(build, "bench_fid", ["--batch", str(self.batch), "--reps", str(reps)], threads)
        rate = next(r for r in report["extractors"] if r["extractor"].startswith("inception"))["cpu_images_per_s"]
        return [self.batch / rate], "cpu", peak

    def torch(self, reps, official):
        torch.manual_seed(1)
        net = fid_inception_v3().eval()
        x = torch.rand(self.batch, 3, 299, 299) * 2 - 1
        with torch.no_grad():
            return [best_time(lambda: net(x), reps)], parameter_count(net)


def official_networks(official, res, channel_base, channel_max, mapping_layers):
    """The official G and D at config F's shape (no mixed precision, no clamping)."""
    sys.path.insert(0, official)
    from training.networks import Discriminator, Generator

    torch.manual_seed(1)
    G = Generator(z_dim=512, c_dim=0, w_dim=512, img_resolution=res, img_channels=3,
                  mapping_kwargs=dict(num_layers=mapping_layers),
                  synthesis_kwargs=dict(channel_base=channel_base, channel_max=channel_max, num_fp16_res=0,
                                        conv_clamp=None))
    D = Discriminator(c_dim=0, img_resolution=res, img_channels=3, channel_base=channel_base,
                      channel_max=channel_max, num_fp16_res=0, conv_clamp=None,
                      epilogue_kwargs=dict(mbstd_group_size=4))
    return G, D


class generator_workload:
    """bench_stylegan2's generator forward (mapping + synthesis, random noise) of config F: best after
    one warm-up."""

    needs_official = True

    def __init__(self, res, batch):
        self.res, self.batch = res, batch
        self.label = f"stylegan2 G {res}"
        self.names = [f"StyleGAN2 G config F, batch {batch} @{res}"]

    def acne(self, build, threads, reps):
        report, peak = acne_json(build, "bench_stylegan2", ["--res", str(self.res), "--batch", str(self.batch),
                                                             "--reps", str(reps), "--cpu-train-res", ""], threads)
        return [self.batch / report["results"][0]["cpu_g_images_per_s"]], "cpu", peak

    def torch(self, reps, official):
        G, _ = official_networks(official, self.res, 32768, 512, 8)
        G.eval()
        z, c = torch.randn(self.batch, 512), torch.zeros(self.batch, 0)
        with torch.no_grad():
            return [best_time(lambda: G(z, c, noise_mode="random"), reps)], sum(p.numel() for p in G.parameters())


class training_workload:
    """One StyleGAN2 training minibatch at a reduced 64 px configuration (channel base 4096, max 128,
    2 mapping layers): each phase (zero grads, the loss's accumulate, Adam step) timed on its own,
    mean over `reps` after one warm-up minibatch, amortised as the lazy schedule runs them:
    Gmain + Dmain + Greg / 4 + Dreg / 16. PyTorch runs the official StyleGAN2Loss (style mixing 0.9,
    r1_gamma 10, pl_weight 2)."""

    needs_official = True
    shape = dict(channel_base=4096, channel_max=128, mapping_layers=2)

    def __init__(self, res=64, batch=8):
        self.res, self.batch = res, batch
        self.label = f"stylegan2 training {res}"
        self.names = [f"StyleGAN2 training minibatch {batch} @{res} (reduced)"]

    @staticmethod
    def amortised(phases):
        return phases["Gmain"] + phases["Dmain"] + phases["Greg"] / 4 + phases["Dreg"] / 16

    def acne(self, build, threads, reps):
        s = self.shape
        report, peak = acne_json(build, "bench_stylegan2", [
            "--res", str(self.res), "--batch", str(self.batch), "--reps", str(reps), "--cpu-train-res", str(self.res),
            "--warmup", "--channel-base", str(s["channel_base"]), "--channel-max", str(s["channel_max"]),
            "--mapping-layers", str(s["mapping_layers"])], threads)
        return [self.amortised(report["results"][0]["cpu_phase_seconds"])], "cpu", peak

    def torch(self, reps, official):
        G, D = official_networks(official, self.res, **self.shape)
        from training.loss import StyleGAN2Loss

        loss = StyleGAN2Loss(device=torch.device("cpu"), G_mapping=G.mapping, G_synthesis=G.synthesis, D=D,
                             style_mixing_prob=0.9, r1_gamma=10, pl_batch_shrink=2, pl_decay=0.01, pl_weight=2)
        opts = {m: torch.optim.Adam(m.parameters(), lr=0.0025, betas=(0, 0.99), eps=1e-8) for m in (G, D)}
        real = torch.rand(self.batch, 3, self.res, self.res) * 2 - 1
        c = torch.zeros(self.batch, 0)
        gains = {"Gmain": 1, "Greg": 4, "Dmain": 1, "Dreg": 16}
        seconds = dict.fromkeys(gains, 0.0)
        G.train(), D.train()
        for rep in range(reps + 1):  # the first minibatch warms up
            for phase, gain in gains.items():
                start = time.perf_counter()
                module = G if phase[0] == "G" else D
                opts[module].zero_grad(set_to_none=True)
                module.requires_grad_(True)
                loss.accumulate_gradients(phase=phase, real_img=real, real_c=c, gen_z=torch.randn(self.batch, 512),
                                          gen_c=c, sync=True, gain=gain)
                module.requires_grad_(False)
                opts[module].step()
                if rep:
                    seconds[phase] += (time.perf_counter() - start) / reps
        return [self.amortised(seconds)], sum(p.numel() for m in (G, D) for p in m.parameters())


# The conv labels are bench_conv's, matched by its --only.
class op_workload:
    """One of the backend's own kernels (bench_ops): forward, and forward + backward through autograd.
    torch_op(official) builds the PyTorch side: its inputs, and the function of them that is the op."""

    def __init__(self, label, torch_op, needs_official=False):
        self.label, self.torch_op, self.needs_official = label, torch_op, needs_official
        self.names = [f"op {label}, forward", f"op {label}, fwd+bwd"]

    def acne(self, build, threads, reps):
        report, peak = acne_json(build, "bench_ops", ["--reps", str(reps), "--only", self.label], threads)
        row = next(r for r in report["results"] if r["op"] == self.label)
        return [row["forward_seconds"], row["forward_backward_seconds"]], "own", peak

    def torch(self, reps, official):
        inputs, fn = self.torch_op(official)
        with torch.no_grad():
            forward = best_time(lambda: fn(*inputs), reps)
        leaves = [t.clone().requires_grad_() if t.is_floating_point() else t for t in inputs]
        dy = torch.randn_like(fn(*inputs))

        def step():
            for t in leaves:
                t.grad = None
            fn(*leaves).backward(dy)

        return [forward, best_time(step, reps)], None


def official_op(official, module):
    sys.path.insert(0, official)
    import importlib
    return importlib.import_module(f"torch_utils.ops.{module}")


def blur_op(shape, down, pad, gain):
    def build(official):
        upfirdn2d = official_op(official, "upfirdn2d")
        f = upfirdn2d.setup_filter([1, 3, 3, 1])
        return [torch.randn(*shape)], lambda x: upfirdn2d.upfirdn2d(x, f, down=down, padding=pad, gain=gain)
    return build


def bias_lrelu_op(official):
    bias_act = official_op(official, "bias_act")
    return [torch.randn(8, 128, 64, 64), torch.randn(128) * 1e-4], lambda x, b: bias_act.bias_act(x, b, act="lrelu")


def batch_norm_op(_):
    x, g, b = torch.randn(16, 256, 56, 56), torch.randn(256), torch.randn(256)
    rm, rv = torch.zeros(256), torch.ones(256)
    return [x, g, b], lambda x, g, b: F.batch_norm(x, rm, rv, g, b, training=True, momentum=0.01, eps=1e-3)


def demodulation_op(_):
    w, s = torch.randn(512, 512, 3, 3) * 0.05, torch.randn(8, 512)
    return [w, s], lambda w, s: (w[None] * s[:, None, :, None, None]).square().sum(dim=[2, 3, 4]).add(1e-8).rsqrt()


OPS = [
    op_workload("upfirdn2d up-block blur [8,128,65,65]", blur_op((8, 128, 65, 65), 1, 1, 4), needs_official=True),
    op_workload("upfirdn2d downsample [8,128,64,64]", blur_op((8, 128, 64, 64), 2, 1, 1), needs_official=True),
    op_workload("bias + lrelu [8,128,64,64]", bias_lrelu_op, needs_official=True),
    op_workload("relu [16,256,56,56]", lambda _: ([torch.randn(16, 256, 56, 56)], F.relu)),
    op_workload("batch norm, training [16,256,56,56]", batch_norm_op),
    op_workload("zero pad 1 [16,64,112,112]", lambda _: ([torch.randn(16, 64, 112, 112)], lambda x: F.pad(x, (1,) * 4))),
    op_workload("max pool 3x3/2 [16,64,114,114]",
                lambda _: ([torch.randn(16, 64, 114, 114)], lambda x: F.max_pool2d(x, 3, 2))),
    op_workload("style scaling [8,256,64,64]",
                lambda _: ([torch.randn(8, 256, 64, 64), torch.randn(8, 256)], lambda x, s: x * s[:, :, None, None])),
    op_workload("demodulation 512x512x3x3, batch 8", demodulation_op),
]


WORKLOADS = [
    conv_workload("resnet50v2 3x3 64->64 @56", 64, 64, 56, 3),
    conv_workload("resnet50v2 3x3 512->512 @7", 512, 512, 7, 3),
    conv_workload("stylegan2 3x3 512->512 @16", 512, 512, 16, 3),
    conv_workload("stylegan2 3x3 256->256 @64", 256, 256, 64, 3),
    resnet50v2_workload(),
    inception_workload(),
    generator_workload(64, 8),
    generator_workload(256, 4),
    training_workload(),
] + OPS


def torch_side(w, threads, reps, official):
    """The PyTorch side of a workload in a child process: its times, parameter count and peak MiB."""
    cmd = [sys.executable, os.path.abspath(__file__), "--torch-child", w.label, "--threads", str(threads),
           "--reps", str(reps)] + (["--stylegan2-ada", official] if official else [])
    out, peak = run_child(cmd)
    child = json.loads(out.strip().splitlines()[-1])
    return child["times"], child["parameters"], peak


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--only", default="", help="run the workloads whose label contains this text")
    ap.add_argument("--stylegan2-ada", default="", help="a checkout of NVlabs/stylegan2-ada-pytorch")
    ap.add_argument("--json", default="")
    ap.add_argument("--torch-child", default="", help=argparse.SUPPRESS)
    a = ap.parse_args()
    official = os.path.abspath(a.stylegan2_ada) if a.stylegan2_ada else ""
    if a.torch_child:
        torch.set_num_threads(int(a.threads))
        w = next(w for w in WORKLOADS if w.label == a.torch_child)
        times, parameters = w.torch(a.reps, official)
        print(json.dumps({"times": times, "parameters": parameters}))
        return 0

    peer = "PyTorch " + torch.__version__ if torch else "skipped: python3-torch is not installed"
    print(f"peer benchmark: acne ({a.build}) against {peer}; {a.rounds} interleaved rounds, {a.reps} timed calls "
          f"each after a warm-up; ratio = acne time / PyTorch time, median over rounds")
    results = []
    for threads in [int(t) for t in a.threads.split(",")]:
        for w in [w for w in WORKLOADS if a.only in w.label]:
            if getattr(w, "needs_official", False) and not official:
                print(f"{w.names[0]:52s} skipped: needs --stylegan2-ada DIR (the official code)", flush=True)
                continue
            acne_t, torch_t = [[] for _ in w.names], [[] for _ in w.names]
            acne_peak, torch_peak, path, params = [], [], "", None
            for _ in range(a.rounds):
                times, path, peak = w.acne(a.build, threads, a.reps)
                acne_peak.append(peak)
                for i, t in enumerate(times):
                    acne_t[i].append(t)
                if torch:
                    times, params, peak = torch_side(w, threads, a.reps, official)
                    torch_peak.append(peak)
                    for i, t in enumerate(times):
                        torch_t[i].append(t)
            ours = getattr(w, "acne_parameters", None)
            if torch and ours is not None and params is not None and ours != params:
                print(f"  warning: {w.label}: acne has {ours} parameters, the PyTorch definition {params}")
            rows = [(name, [t * 1e3 for t in acne_t[i]], [t * 1e3 for t in torch_t[i]], "ms")
                    for i, name in enumerate(w.names)]
            if getattr(w, "memory_name", None):
                rows.append((w.memory_name, acne_peak, torch_peak, "MiB"))
            for name, ours_v, peer_v, unit_name in rows:
                row = {"workload": name, "threads": threads, "acne_path": path, "unit": unit_name,
                       "acne": statistics.median(ours_v)}
                if torch:
                    row["torch"] = statistics.median(peer_v)
                    row["ratios"] = [x / y for x, y in zip(ours_v, peer_v)]
                    row["ratio"] = statistics.median(row["ratios"])
                results.append(row)
                ratio = f"{row['ratio']:6.2f}" if torch else "skipped"
                theirs = f"{row['torch']:9.1f}" if torch else "        -"
                print(f"{name:52s} threads {threads}  acne ({path}) {row['acne']:9.1f} {unit_name}  PyTorch {theirs} "
                      f"{unit_name}  ratio {ratio}", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"peer": peer, "rounds": a.rounds, "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
