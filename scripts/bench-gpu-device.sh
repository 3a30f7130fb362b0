#!/bin/sh
# The GPU bench in one run on a machine with a real GPU and no build tools: the core natively on
# wgpu (Vulkan), each convolution path (the core's products and burn's direct kernels) against
# PyTorch eager, at batch 64 and 256 (scripts/bench_gpu.py), with the machine described first.
#
#   sh scripts/bench-gpu-device.sh <gan binary> <output folder>
#
# Needs www/data/mnist.bin (`npm run build:data`), PyTorch with CUDA, and a Vulkan loader; where
# the machine has none, the loader's Debian packages are unpacked from .gl/ (a folder of .deb
# files, e.g. libvulkan1, carried along), and NVIDIA's driver is named to it.
set -eu
gan=$1
out=$2
mkdir -p "$out"
if ! ldconfig -p | grep -q libvulkan; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES="$icd"
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  python3 -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda)'
  lscpu | grep 'Model name' || true
} | tee "$out/machine.txt"
python3 scripts/bench_gpu.py --gan "$gan" --batches 64,256 --variants ns-gan,lsgan,wgan-gp \
  --steps 10 --warmup 3 --gpu-convolutions products,burn | tee "$out/bench-gpu.txt"
