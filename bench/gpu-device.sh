#!/usr/bin/env bash
# Runs on a lent GPU machine (the device tool's `run`, from the repository root, with what
# bench/gpu-prepare.sh packed carried along): unpacks Node, Dawn and the Vulkan loader, points
# them at the NVIDIA driver, records the GPU's name, and runs the witness benchmark
# (bench/gpu.ts), every webgpu witness checked byte for byte against js. Results in $OUT.
set -euo pipefail
OUT="${OUT:-/tmp/gpu-bench-out}"
mkdir -p "$OUT"
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
mkdir -p /tmp/zkinfer-node
xz -dc .gpu-bench/node.xz >/tmp/zkinfer-node/node
chmod +x /tmp/zkinfer-node/node
xz -dc .gpu-bench/dawn.node.xz >.gpu-bench/node_modules/webgpu/dist/linux-x64/dawn.node
(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true) | tee "$OUT/nvidia-smi.csv"
/tmp/zkinfer-node/node --version
/tmp/zkinfer-node/node .gpu-bench/gpu.mjs --out "$OUT/gpu-bench.json" --min-seconds 1 2>&1 | tee "$OUT/gpu-bench.log"
