#!/usr/bin/env bash
# Trains the phantom-face StyleGAN2 that the pipeline's cpu preset transfers from, as the paper's
# models transfer from FFHQ's: phantom faces of all four classes, of a seed no pipeline run draws
# (the pipeline's faces are seeds 1000 and 1001 by default), at the cpu preset's network size.
# The newest snapshot becomes models/phantom-stylegan2-RES.safetensors (G, G_ema and D).
#
#   tools/pretrain_phantom_gan.sh [KIMG] [RUN_DIR] [RES] [BASE] [START]
#       (defaults: 240, out/phantom-gan, 128, 1024, none)
#
# The feature maps are min(BASE / r, 64) at every resolution r. With BASE 1024 a 128 px network costs
# little more per image than a 64 px one (its two extra layers have 8 feature maps); BASE 2048 doubles
# the maps at 32, 64 and 128 px for about twice the time per kimg. START, a snapshot of a narrower
# run of the same resolution, gives the wider network its mapping network and the layers both share
# (tools/widen_stylegan2.py); the others start from their random initialisation. A START of the
# same BASE gives every tensor: the run continues training that network (with new optimiser
# state), e.g. models/phantom-stylegan2-128.safetensors itself.
#
# A killed run continues where it stopped when started again with the same arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
kimg=${1:-240}
run=${2:-out/phantom-gan}
res=${3:-128}
base=${4:-1024}
start=${5:-}
tools/build.sh acne-phantom acne-stylegan2
if [[ ! -f "$run/faces/labels.csv" ]]; then
  build/apps/acne-phantom --out "$run/faces" --per-class 1500 --size 256 --seed 77
fi
network=(--resolution "$res" --channel-max 64 --channel-base "$base" --mapping-layers 2 --z-dim 64 --w-dim 64)
if compgen -G "$run/gan/network-snapshot-*.safetensors" >/dev/null; then
  build/apps/acne-stylegan2 train --out "$run/gan" --resume latest --kimg "$kimg"
else
  pretrained=()
  if [[ -n "$start" ]]; then
    # The wider network's random initialisation, then the shared tensors from START.
    build/apps/acne-stylegan2 train --data "$run/faces" "${network[@]}" --kimg 0.008 --snap 1 --seed 77 \
      --out "$run/init"
    /usr/bin/env python3 tools/widen_stylegan2.py "$start" "$run/init/network-snapshot-000000.safetensors" \
      "$run/widened.safetensors"
    pretrained=(--pretrained "$run/widened.safetensors")
  fi
  build/apps/acne-stylegan2 train --data "$run/faces" "${network[@]}" "${pretrained[@]}" --batch 8 --batch-gpu 8 \
    --gamma 1 --ema-kimg 1 --kimg "$kimg" --kimg-per-tick 4 --snap 2 --fid 256 --grid 8x4 --seed 77 --out "$run/gan"
fi
latest=$(ls "$run"/gan/network-snapshot-*.safetensors | sort | tail -1)
mkdir -p models
cp "$latest" models/phantom-stylegan2-$res.safetensors
echo "models/phantom-stylegan2-$res.safetensors <- $latest"
