#!/usr/bin/env bash
# Installs the Debian packages acne builds against, skipping the ones already present.
set -euo pipefail
# libdlib-data: the 68-point face landmark model; python3-imageio: astronaut.png, the photograph of a
# real face that the face tests use.
packages=(cmake g++ make ccache xtensor-dev libxtensor-blas-dev xtl-dev libxsimd-dev libopenblas-dev liblapack-dev
          liblapacke-dev libdnnl-dev libopencv-dev libdlib-dev libdlib-data libboost-test-dev nlohmann-json3-dev
          python3 python3-numpy python3-h5py python3-imageio)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "tools/deps.sh: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
