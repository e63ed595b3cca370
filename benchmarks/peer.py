#!/usr/bin/env python3
"""acne against PyTorch on the same workloads, interleaved, in one run.

Each round runs every workload once in acne (its benchmark program, in a child process with
OMP_NUM_THREADS set) and once in PyTorch (in this process, torch.set_num_threads), in turn, so
both see the same machine load; the ratio printed is acne time / PyTorch time, median over the
rounds. Without Debian's python3-torch the PyTorch side is skipped and said to be.

  benchmarks/peer.py [--build build] [--rounds 3] [--threads 1,2] [--only TEXT] [--json FILE]
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
    import torch.nn.functional as F
except ImportError:  # the peer is optional
    torch = None


def best_time(fn, reps):
    fn()  # warm-up: allocation, kernel selection
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


class conv_workload:
    """One convolution shape: forward, and forward + both backward passes (input and weights)."""

    def __init__(self, label, cin, cout, size, k, batch=16):
        self.label, self.cin, self.cout, self.size, self.k, self.batch = label, cin, cout, size, k, batch
        self.names = [f"conv {label}, forward", f"conv {label}, fwd+bwd"]

    def acne(self, build, threads, reps):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            env = dict(os.environ, OMP_NUM_THREADS=str(threads))
            subprocess.run([os.path.join(build, "benchmarks", "bench_conv"), "--batch", str(self.batch), "--reps",
                            str(reps), "--no-naive", "--only", self.label, "--json", out.name],
                           env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            rows = json.load(open(out.name))["results"]
        key = "onednn" if "onednn" in rows[0] else "im2col"
        passes = {r["pass"]: r[key]["seconds"] for r in rows}
        if len(passes) != 3:
            raise RuntimeError(f"bench_conv ran {len(rows)} passes for '{self.label}'")
        return [passes["forward"], sum(passes.values())], key

    def torch(self, reps):
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

        return [forward, best_time(step, reps)]


# The label is bench_conv's, matched by --only.
WORKLOADS = [
    conv_workload("resnet50v2 3x3 64->64 @56", 64, 64, 56, 3),
    conv_workload("resnet50v2 3x3 512->512 @7", 512, 512, 7, 3),
    conv_workload("stylegan2 3x3 512->512 @16", 512, 512, 16, 3),
    conv_workload("stylegan2 3x3 256->256 @64", 256, 256, 64, 3),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--only", default="")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    peer = "PyTorch " + torch.__version__ if torch else "skipped: python3-torch is not installed"
    print(f"peer benchmark: acne ({a.build}) against {peer}; {a.rounds} interleaved rounds, best of {a.reps} "
          f"calls each; ratio = acne time / PyTorch time, median over rounds")
    results = []
    for threads in [int(t) for t in a.threads.split(",")]:
        if torch:
            torch.set_num_threads(threads)
        for w in [w for w in WORKLOADS if a.only in w.label]:
            acne_t, torch_t, path = [[] for _ in w.names], [[] for _ in w.names], ""
            for _ in range(a.rounds):
                times, path = w.acne(a.build, threads, a.reps)
                for i, t in enumerate(times):
                    acne_t[i].append(t)
                if torch:
                    for i, t in enumerate(w.torch(a.reps)):
                        torch_t[i].append(t)
            for i, name in enumerate(w.names):
                acne_ms = statistics.median(acne_t[i]) * 1e3
                row = {"workload": name, "threads": threads, "acne_path": path, "acne_ms": acne_ms}
                if torch:
                    row["torch_ms"] = statistics.median(torch_t[i]) * 1e3
                    row["ratios"] = [x / y for x, y in zip(acne_t[i], torch_t[i])]
                    row["ratio"] = statistics.median(row["ratios"])
                results.append(row)
                ratio = f"{row['ratio']:6.2f}" if torch else "skipped"
                torch_ms = f"{row['torch_ms']:9.1f}" if torch else "        -"
                print(f"{name:45s} threads {threads}  acne ({path}) {acne_ms:9.1f} ms  PyTorch {torch_ms} ms  "
                      f"ratio {ratio}", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"peer": peer, "rounds": a.rounds, "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
