#!/usr/bin/env python3
"""Parity fixtures for StyleGAN2, made by the official stylegan2-ada-pytorch code on the CPU with
seeded random weights at small configurations, saved as safetensors files that the tests compare
acne against:
  official_32, official_64   one training step of each phase (Gmain, Greg, Dmain, Dreg);
  snapshot_auto, snapshot_paper256, snapshot_stylegan2
                             network pickles shaped as train.py's --cfg auto / paper256 / stylegan2
                             build them (mapping layers, minibatch-stddev group, conv_clamp 256,
                             channel_base relative to channel_max), at 32 px with few channels,
                             converted by tools/convert_stylegan2.py, and G_ema's images of seeds
                             0 and 1 as generate.py draws them.

usage: stylegan2_official_fixtures.py OFFICIAL_DIR [OUT_DIR]
  OFFICIAL_DIR  a checkout of NVlabs/stylegan2-ada-pytorch (its training/ and torch_utils/ are
                imported from there, nothing is copied)
  OUT_DIR       default: tests/fixtures/stylegan2 beside this script's repository

For each training configuration NAME it writes OUT_DIR/NAME/{G,D,steps}.safetensors:
  G, D   the networks' state dicts (official names and shapes, the constant resample_filter
         buffers left out), metadata "config" in acne's keys;
  steps  the inputs (z [N, z_dim], real [N, C, R, R], pl_noise [N/2, C, R, R]) and, per phase,
         the gradient of every trainable parameter of the network that phase trains, named
         "<phase>/<parameter>", and the scalars (losses, penalties, gains) in the metadata.
The official loss class (training/loss.py's StyleGAN2Loss) runs each phase, with style mixing off
and the synthesis network's noise_mode 'const' so that both sides see the same noise; pl_noise is
recorded as the loss draws it (randn / sqrt(H W)).
For each snapshot NAME: OUT_DIR/NAME/snapshot.{G,D,G_ema}.safetensors (the converter's output for
the pickle train.py's training loop would write) and images.safetensors (z [2, z_dim] of seeds 0
and 1, images [2, 3, R, R] of G_ema with noise_mode 'const', truncation 1).
Needs PyTorch (Debian: python3-torch) and numpy.
"""
import json
import os
import sys

import numpy as np
from safetensors_file import write_safetensors

CONFIGS = {
    # 32 px, 2 mapping layers (the 'auto' cfg's count), no clamping, groups of 4.
    "official_32": dict(resolution=32, z_dim=16, w_dim=16, mapping_layers=2, channel_base=128, channel_max=16,
                        conv_clamp=None, mbstd_group=4, batch=4, seed=1, r1_gamma=10.0),
    # 64 px, 8 mapping layers (config F's), a clamp low enough to be reached, groups of 2.
    "official_64": dict(resolution=64, z_dim=16, w_dim=16, mapping_layers=8, channel_base=256, channel_max=16,
                        conv_clamp=1.0, mbstd_group=2, batch=4, seed=2, r1_gamma=1.0),
}
# train.py's cfg_specs, scaled down: 'auto' (2 mapping layers, mbstd = min(batch, 4)), 'paper256'
# (8 layers, mbstd 8, half the feature maps), 'stylegan2' (8 layers, mbstd 4); all conv_clamp 256.
SNAPSHOTS = {
    "snapshot_auto": dict(resolution=32, z_dim=16, w_dim=16, mapping_layers=2, channel_base=128, channel_max=16,
                          mbstd_group=4, seed=3),
    "snapshot_paper256": dict(resolution=32, z_dim=16, w_dim=16, mapping_layers=8, channel_base=64, channel_max=16,
                              mbstd_group=8, seed=4),
    "snapshot_stylegan2": dict(resolution=32, z_dim=16, w_dim=16, mapping_layers=8, channel_base=256,
                               channel_max=16, mbstd_group=4, seed=5),
}
GAINS = {"Gmain": 1.0, "Greg": 4.0, "Dmain": 1.0, "Dreg": 16.0}  # the lazy intervals of the official loop


def state(module):
    return {k: v.detach().numpy() for k, v in module.state_dict().items() if not k.endswith("resample_filter")}


def randomize(torch, module, gen):
    """Biases, noise strengths and affine biases away from their initial 0 / 1, so every term is exercised."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("bias") or name.endswith("noise_strength"):
                p.add_(torch.randn(p.shape, generator=gen) * 0.2)


def build_networks(official, c, conv_clamp):
    """The official G and D of configuration c, seeded, with randomized biases; and the generator of
    further random draws."""
    sys.path.insert(0, official)
    import torch
    from training.networks import Generator, Discriminator

    torch.manual_seed(c["seed"])
    gen = torch.Generator().manual_seed(c["seed"] + 100)
    res = c["resolution"]
    G = Generator(z_dim=c["z_dim"], c_dim=0, w_dim=c["w_dim"], img_resolution=res, img_channels=3,
                  mapping_kwargs=dict(num_layers=c["mapping_layers"]),
                  synthesis_kwargs=dict(channel_base=c["channel_base"], channel_max=c["channel_max"],
                                        num_fp16_res=0, conv_clamp=conv_clamp))
    D = Discriminator(c_dim=0, img_resolution=res, img_channels=3, channel_base=c["channel_base"],
                      channel_max=c["channel_max"], num_fp16_res=0, conv_clamp=conv_clamp,
                      epilogue_kwargs=dict(mbstd_group_size=c["mbstd_group"]))
    randomize(torch, G, gen)
    randomize(torch, D, gen)
    return G, D, gen


def run(official, out_dir, name, c):
    import torch

    G, D, gen = build_networks(official, c, c["conv_clamp"])
    from training.loss import StyleGAN2Loss  # importable once build_networks has put `official` on the path
    res = c["resolution"]
    G.train(), D.train()

    class ConstNoiseSynthesis(torch.nn.Module):
        def __init__(self, synthesis):
            super().__init__()
            self.synthesis = synthesis

        def forward(self, ws):
            return self.synthesis(ws, noise_mode="const")

    loss = StyleGAN2Loss(device=torch.device("cpu"), G_mapping=G.mapping, G_synthesis=ConstNoiseSynthesis(G.synthesis),
                         D=D, style_mixing_prob=0, r1_gamma=c["r1_gamma"], pl_batch_shrink=2, pl_decay=0.01, pl_weight=2)
    n = c["batch"]
    z = torch.randn([n, c["z_dim"]], generator=gen)
    real = torch.rand([n, 3, res, res], generator=gen) * 2 - 1
    empty_c = torch.zeros([n, 0])

    recorded = []
    randn_like = torch.randn_like

    def recording_randn_like(x, *args, **kwargs):
        r = randn_like(x, *args, **kwargs)
        recorded.append(r.detach().clone())
        return r

    tensors = {"z": z.numpy(), "real": real.numpy()}
    meta = {}
    for phase, gain in GAINS.items():
        module = G if phase.startswith("G") else D
        for m in (G, D):
            m.requires_grad_(False)
            for p in m.parameters():
                p.grad = None
        module.requires_grad_(True)
        if phase == "Greg":
            torch.randn_like = recording_randn_like
        try:
            loss.accumulate_gradients(phase=phase, real_img=real, real_c=empty_c, gen_z=z, gen_c=empty_c,
                                      sync=True, gain=gain)
        finally:
            torch.randn_like = randn_like
        module.requires_grad_(False)
        for pname, p in module.named_parameters():
            tensors[f"{phase}/{pname}"] = (p.grad if p.grad is not None else torch.zeros_like(p)).numpy()
        meta[f"gain.{phase}"] = gain
    assert len(recorded) == 1, f"expected one pl_noise draw, saw {len(recorded)}"
    tensors["pl_noise"] = (recorded[0] / np.sqrt(res * res)).numpy()  # as the loss scales its draw
    meta["pl_mean_after"] = float(loss.pl_mean)

    config = {"resolution": res, "img_channels": 3, "z_dim": c["z_dim"], "w_dim": c["w_dim"],
              "mapping_layers": c["mapping_layers"], "channel_base": c["channel_base"],
              "channel_max": c["channel_max"], "conv_clamp": c["conv_clamp"] or 0.0, "mbstd_group": c["mbstd_group"],
              "mbstd_channels": 1, "architecture": "skip/resnet"}
    meta.update({"r1_gamma": c["r1_gamma"], "pl_weight": 2, "pl_decay": 0.01, "pl_batch_shrink": 2,
                 "noise_mode": "const", "style_mixing_prob": 0})
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    common = {"format": "acne.stylegan2", "config": json.dumps(config), "source": "stylegan2-ada-pytorch"}
    write_safetensors(os.path.join(folder, "G.safetensors"), state(G), dict(common, network="G"))
    write_safetensors(os.path.join(folder, "D.safetensors"), state(D), dict(common, network="D"))
    write_safetensors(os.path.join(folder, "steps.safetensors"), tensors,
                      dict(meta, config=json.dumps(config), format="acne.stylegan2.steps"))
    print(f"{name}: G {sum(p.numel() for p in G.parameters())} and D {sum(p.numel() for p in D.parameters())} "
          f"parameters -> {folder}")


def snapshot(official, out_dir, name, c):
    import copy
    import pickle
    import subprocess
    import torch

    G, D, gen = build_networks(official, c, 256)
    res = c["resolution"]
    G_ema = copy.deepcopy(G)
    randomize(torch, G_ema, gen)  # a moving average differs from G
    with torch.no_grad():
        G_ema.mapping.w_avg.copy_(torch.randn(G_ema.mapping.w_avg.shape, generator=gen))
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    pkl = os.path.join(folder, "network-snapshot.pkl")
    # As training_loop.py writes a snapshot: eval-mode copies without gradients.
    data = dict(training_set_kwargs={}, augment_pipe=None)
    for key, module in (("G", G), ("D", D), ("G_ema", G_ema)):
        data[key] = copy.deepcopy(module).eval().requires_grad_(False)
    with open(pkl, "wb") as f:
        pickle.dump(data, f)
    converter = os.path.join(os.path.dirname(os.path.abspath(__file__)), "convert_stylegan2.py")
    subprocess.run([sys.executable, converter, pkl, os.path.join(folder, "snapshot.safetensors")], check=True)
    os.remove(pkl)
    zs = np.stack([np.random.RandomState(seed).randn(c["z_dim"]) for seed in (0, 1)])  # generate.py's latents
    with torch.no_grad():
        img = G_ema.eval()(torch.from_numpy(zs), torch.zeros([2, 0]), truncation_psi=1, noise_mode="const")
    write_safetensors(os.path.join(folder, "images.safetensors"), {"z": zs, "images": img.numpy()},
                      {"format": "acne.stylegan2.images", "seeds": "0,1", "noise_mode": "const",
                       "truncation_psi": 1, "source": "stylegan2-ada-pytorch"})
    print(f"{name}: {folder}")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    official = os.path.abspath(sys.argv[1])
    if not os.path.isfile(os.path.join(official, "training", "loss.py")):
        sys.exit(f"{official}: not a stylegan2-ada-pytorch checkout (no training/loss.py)")
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[2] if len(sys.argv) == 3 else os.path.join(here, "..", "tests", "fixtures", "stylegan2")
    for name, c in CONFIGS.items():
        run(official, out_dir, name, c)
    for name, c in SNAPSHOTS.items():
        snapshot(official, out_dir, name, c)


if __name__ == "__main__":
    main()
