#!/bin/bash
# How faithful is one class's GAN, tick by tick? Transfers a GAN for CLASS from a finished pipeline
# run's all-severity GAN, on that run's prepared real faces and with its GAN settings, then draws 200
# faces from every snapshot (psi 0.9, each with its own noise, as the pipeline draws them) and has the run's real-trained classifier
# label them: one confusion-matrix row per tick (healthy, mild, moderate, severe), the class fidelity
# of the per-class GAN as it trains. Flags after RUN_DIR CLASS OUT go to `acne-stylegan2 train`
# (e.g. --negative-class healthy --negative-weight 2; --pretrained FILE starts it from another network
# than the all-severity GAN). A finished OUT is only scored again.
#
#   benchmarks/class_gan_fidelity.sh RUN_DIR CLASS OUT [acne-stylegan2 train flags]
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
run=$1 cls=$2 out=$3
shift 3
apps=${BUILD:-build}/apps
classifier=$run/classifier/real/best.safetensors
all=$(ls "$run"/gan/all/network-snapshot-*.safetensors | tail -1)
for f in "$classifier" "$all" "$run/prepared/$cls"; do [ -e "$f" ] || { echo "$f: missing (a finished pipeline run?)" >&2; exit 2; }; done

if [ ! -f "$out/done" ]; then
  mkdir -p "$out"
  # The pipeline's cpu-preset GAN settings; the network is the all-severity GAN's.
  "$apps/acne-stylegan2" train --data "$run/prepared" --class "$cls" --pretrained "$all" --kimg 4 --batch 8 --batch-gpu 8 \
    --gamma 1 --ema-kimg 1 --kimg-per-tick 0.8 --snap 1 --grid 6x2 --out "$out/gan" --device cpu "$@" > "$out/train.log"
  touch "$out/done"
fi
echo "class $cls, flags: $*"
echo "tick: healthy mild moderate severe (of 200 drawn)"
for snap in "$out"/gan/network-snapshot-*.safetensors; do
  tick=$(basename "$snap" .safetensors)
  rm -rf "$out/drawn"
  "$apps/acne-stylegan2" generate --network "$snap" --seeds 0-199 --trunc 0.9 --noise random --out "$out/drawn" --class "$cls" --device cpu > /dev/null
  "$apps/acne-classify" evaluate --checkpoint "$classifier" --data "$out/drawn" --out "$out/eval-$tick" --device cpu > /dev/null
  /usr/bin/python3 -c '
import json, sys
e = json.load(open(sys.argv[1])); row = e["confusion_matrix"][e["class_names"].index(sys.argv[2])]
print(sys.argv[3], *row, " fidelity %.3f" % (row[e["class_names"].index(sys.argv[2])] / sum(row)))' \
    "$out/eval-$tick/evaluation.json" "$cls" "${tick#network-snapshot-}"
done
