#!/usr/bin/python3
"""Builds the seven "real architecture" test models, trains each briefly on a small dataset,
exports it to ONNX with PyTorch and writes test/fixtures/real/<name>/ (model.onnx,
calibration.json, samples.json, info.json).

Run from the repository root with Debian's PyTorch (not a pyenv python):
    /usr/bin/python3 test/models/real/generate.py [name ...]

Deterministic: every model has its own seed, torch runs single-threaded, and the data are
synthetic (or scikit-learn's bundled digits), so no download is involved. The nets are narrow
(width multipliers, half-width Fire modules, a 256-channel ShuffleNet head) so each ONNX file
stays under 1 MB while keeping the architecture's ops.
"""
import json
import math
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from onnx import shape_inference

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402  (the synthetic datasets, beside this file)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(ROOT, "test", "fixtures", "real")
N_CALIBRATION = 32
N_CALIBRATION_IMAGES = 16  # 3072 values each: fewer keep the JSON files small
N_SAMPLES = 20

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


# ---- the architectures -------------------------------------------------------------------

class CifarBlock(nn.Module):
    """He et al.'s CIFAR basic block with the parameter-free "option A" shortcut: a strided
    subsample and zero channels appended (exports as Slice + Pad), as in the paper."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.stride, self.extra = stride, cout - cin

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x
        if self.stride != 1 or self.extra:
            s = x[:, :, ::self.stride, ::self.stride]
            s = F.pad(s, (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
        return F.relu(y + s)


class ResNet8(nn.Module):
    """CIFAR ResNet-8 (6n+2 with n=1): 3 stages of one basic block, 16/32/64 channels."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.stages = nn.Sequential(CifarBlock(16, 16, 1), CifarBlock(16, 32, 2), CifarBlock(32, 64, 2))
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.stages(F.relu(self.bn(self.conv(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def squeezenet_half(num_classes=10):
    """torchvision's SqueezeNet 1.1 with every Fire module at half width (same ops and layout)."""
    from torchvision.models.squeezenet import Fire
    m = torchvision.models.squeezenet1_1(num_classes=num_classes)
    m.features = nn.Sequential(
        nn.Conv2d(3, 32, 3, stride=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, ceil_mode=True),
        Fire(32, 8, 32, 32), Fire(64, 8, 32, 32), nn.MaxPool2d(3, 2, ceil_mode=True),
        Fire(64, 16, 64, 64), Fire(128, 16, 64, 64), nn.MaxPool2d(3, 2, ceil_mode=True),
        Fire(128, 24, 96, 96), Fire(192, 24, 96, 96), Fire(192, 32, 128, 128), Fire(256, 32, 128, 128),
    )
    final = nn.Conv2d(256, num_classes, 1)
    m.classifier[1] = final
    # torchvision's own initialisation of SqueezeNet, except the classifier's bias: at 32×32
    # the final ReLU sees one pixel per class, and with a zero bias training kills every logit
    for mod in m.modules():
        if isinstance(mod, nn.Conv2d):
            if mod is final:
                nn.init.normal_(mod.weight, 0.0, 0.01)
            else:
                nn.init.kaiming_uniform_(mod.weight)
            nn.init.constant_(mod.bias, 1.0 if mod is final else 0.0)
    return m


class Encoder(nn.Module):
    """One pre-norm nn.TransformerEncoderLayer (GELU) over 8 tokens, mean-pooled, linear head."""

    def __init__(self, d_model=32, num_classes=10):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(d_model, nhead=4, dim_feedforward=64, dropout=0.0, activation="gelu",
                                                batch_first=True, norm_first=True)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, x):
        return self.head(self.layer(x).mean(dim=1))


class Cnn1d(nn.Module):
    """Conv1d/BatchNorm1d/ReLU/MaxPool1d twice, a third Conv1d, AvgPool1d, linear head."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(1, 8, 5, padding=2), nn.BatchNorm1d(8), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(8, 16, 5, padding=2), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 16, 3, padding=1), nn.ReLU(), nn.AvgPool1d(4),
        )
        self.head = nn.Linear(16 * 8, num_classes)

    def forward(self, x):
        return self.head(torch.flatten(self.body(x), 1))


def tabular_mlp(features=64, num_classes=10):
    return nn.Sequential(
        nn.Linear(features, 64), nn.LayerNorm(64), nn.SiLU(),
        nn.Linear(64, 32), nn.LayerNorm(32), nn.SiLU(),
        nn.Linear(32, num_classes),
    )


# name → (builder, dataset, input shape without batch, opset, training steps, learning rate, note)
MODELS = {
    "mobilenet_v3_small": (lambda: torchvision.models.mobilenet_v3_small(num_classes=10, width_mult=0.5, reduced_tail=True),
                           "gratings", [3, 32, 32], 13, 300, 3e-3,
                           "torchvision mobilenet_v3_small(num_classes=10, width_mult=0.5, reduced_tail=True)"),
    "squeezenet1_1": (squeezenet_half, "gratings", [3, 32, 32], 13, 800, 1e-3,
                      "torchvision squeezenet1_1(num_classes=10) with every Fire module at half width"),
    "shufflenet_v2": (lambda: torchvision.models.ShuffleNetV2([4, 8, 4], [24, 48, 96, 192, 256], num_classes=10),
                      "gratings", [3, 32, 32], 13, 300, 3e-3,
                      "torchvision ShuffleNetV2 x0.5 stages (24/48/96/192) with a 256-channel conv5 (x0.5 has 1024)"),
    "resnet8": (ResNet8, "gratings", [3, 32, 32], 13, 300, 3e-3,
                "CIFAR ResNet-8 (He et al. 2016, option-A shortcuts), 16/32/64 channels"),
    "transformer": (Encoder, "tokens", [8, 32], 17, 400, 3e-3,
                    "nn.TransformerEncoderLayer(32, nhead=4, dim_feedforward=64, activation='gelu', batch_first=True, "
                    "norm_first=True), token mean, Linear(32, 10)"),
    "cnn1d": (Cnn1d, "signals", [1, 128], 13, 1000, 1e-2, "Conv1d/BatchNorm1d/ReLU/MaxPool1d ×2, Conv1d, AvgPool1d(4), Linear"),
    "tabular_mlp": (tabular_mlp, "digits", [64], 13, 600, 3e-3, "Linear/LayerNorm/SiLU ×2, Linear (64 → 64 → 32 → 10)"),
}
SEEDS = {name: 7100 + i for i, name in enumerate(MODELS)}


# ---- training, export, fixtures ------------------------------------------------------------

def train(model, x, y, steps, seed, lr, batch=32):
    """A short Adam run. It also leaves BatchNorm's running statistics at realistic values."""
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)
    model.train()
    for _ in range(steps):
        idx = torch.randint(0, x.shape[0], (batch,), generator=g)
        opt.zero_grad()
        F.cross_entropy(model(x[idx]), y[idx]).backward()
        opt.step()
    recalibrate_batchnorm(model, x)
    model.eval()


def recalibrate_batchnorm(model, x):
    """Sets every BatchNorm's running statistics to the training data's own (a cumulative
    average over train-mode forward passes): torchvision's MobileNetV3 uses momentum 0.01,
    so a short run would otherwise leave them near their initial 0 and 1."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None
    model.train()
    with torch.no_grad():
        for i in range(0, x.shape[0], 100):
            model(x[i:i + 100])


def macs(path):
    """Multiply-accumulates of Conv, Gemm and MatMul nodes, from ONNX's inferred shapes."""
    m = shape_inference.infer_shapes(onnx.load(path))
    shapes = {}
    for v in list(m.graph.value_info) + list(m.graph.input) + list(m.graph.output):
        shapes[v.name] = [d.dim_value for d in v.type.tensor_type.shape.dim]
    for t in m.graph.initializer:
        shapes[t.name] = list(t.dims)
    total = 0
    for n in m.graph.node:
        out = shapes.get(n.output[0])
        if n.op_type == "Conv" and out:
            w = shapes[n.input[1]]
            total += int(np.prod(out)) * int(np.prod(w[1:]))
        elif n.op_type in ("Gemm", "MatMul") and out:
            a = shapes[n.input[0]]
            transA = any(at.name == "transA" and at.i for at in n.attribute)
            total += int(np.prod(out)) * (a[-2] if transA else a[-1])
    return total


def export(model, shape, opset, path):
    example = torch.zeros([1, *shape])
    torch.onnx.export(model, example, path, opset_version=opset, input_names=["input"], output_names=["output"],
                      do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))


def rows(t, decimals=None):
    """Flat lists; inputs written with the decimals they were rounded to (the shortest text for
    the same float32), outputs as float32 values."""
    if decimals is None:
        return [[float(v) for v in r.reshape(-1)] for r in t]
    return [[round(float(v), decimals) for v in r.reshape(-1)] for r in t]


def build(name):
    builder, dataset, shape, opset, steps, lr, arch = MODELS[name]
    seed = SEEDS[name]
    torch.manual_seed(seed)
    (xtr, ytr), (xte, yte) = data.load(dataset, shape, seed)
    model = builder()
    train(model, xtr, ytr, steps, seed, lr=lr)
    with torch.no_grad():
        acc = float((model(xte).argmax(1) == yte).float().mean())
        out = model(xte[:N_SAMPLES])
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.onnx")
    export(model, shape, opset, path)
    in_shape, out_shape = [1, *shape], [1, out.shape[1]]
    with open(os.path.join(d, "calibration.json"), "w") as f:
        n_cal = N_CALIBRATION_IMAGES if dataset == "gratings" else N_CALIBRATION
        json.dump({"input_shape": in_shape, "inputs": rows(xtr[:n_cal], data.DECIMALS[dataset])}, f)
    with open(os.path.join(d, "samples.json"), "w") as f:
        json.dump({"input_shape": in_shape, "output_shape": out_shape, "inputs": rows(xte[:N_SAMPLES], data.DECIMALS[dataset]),
                   "outputs": rows(out), "labels": [int(v) for v in yte[:N_SAMPLES]]}, f)
    info = {
        "name": name, "architecture": arch, "dataset": data.DESCRIPTIONS[dataset], "seed": seed,
        "training": f"Adam lr {lr:g}, weight decay 1e-4, batch 32, {steps} steps, CPU, torch {torch.__version__}",
        "float_test_accuracy": round(acc, 4), "test_samples": int(xte.shape[0]),
        "params": sum(p.numel() for p in model.parameters()), "onnx_bytes": os.path.getsize(path),
        "opset": opset, "input_shape": in_shape, "output_shape": out_shape, "macs": macs(path),
        "onnx_ops": sorted({n.op_type for n in onnx.load(path).graph.node}),
    }
    with open(os.path.join(d, "info.json"), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
    print(f"{name}: {info['params']} params, {info['onnx_bytes']} bytes, {info['macs']} MACs, "
          f"float accuracy {acc:.3f}, ops {' '.join(info['onnx_ops'])}")


if __name__ == "__main__":
    for n in sys.argv[1:] or list(MODELS):
        build(n)
