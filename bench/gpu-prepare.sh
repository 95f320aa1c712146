#!/usr/bin/env bash
# Packs, on this machine, what bench/gpu-device.sh needs on a lent GPU machine, which has no
# Node and reaches no package registry (see the device tool's README): the benchmark bundled
# into one file (bench/gpu.vite.config.mjs), Dawn's native module beside it, this machine's
# Node binary (the official build links only libc and libstdc++), compressed, and Debian's
# Vulkan loader and GL libraries (.gl/), all git-ignored. dist/src travels too: the wasm
# threads' workers run it.
# Then, with the device tool (one call, a few minutes of the session's device time):
#   run  command: bash bench/gpu-device.sh
#        carry:   [".gpu-bench", ".gl", "dist/src", "kernels/wasm/build"]
#        timeout_s: 480
# and copy the JSON it returns into bench/results/ (gpu-<device>.json).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build:kernels >/dev/null
npm run build:lib >/dev/null
rm -rf .gpu-bench && mkdir -p .gpu-bench/node_modules/webgpu/dist/linux-x64
npx vite build --config bench/gpu.vite.config.mjs
cp node_modules/webgpu/index.js node_modules/webgpu/package.json .gpu-bench/node_modules/webgpu/
xz -T0 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node >.gpu-bench/dawn.node.xz
xz -T0 -6 -c "$(command -v node)" >.gpu-bench/node.xz
# the loaders the device's NVIDIA driver needs (its own files are mounted at /usr/local/nvidia)
mkdir -p .gl /tmp/amd64/partial
o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
apt-get "${o[@]}" update -q
(cd .gl && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
du -sh .gpu-bench .gl dist/src kernels/wasm/build
