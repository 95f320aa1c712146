#!/usr/bin/env python3
"""A larger calibration set for the calibrate benchmark (bench/calibrate.ts): the first 256
training digits of cnn_digits28's split (scikit-learn's load_digits, stratified split
random_state=0), as their 8x8 integer pixels (0-16). The benchmark divides by 16 and upsamples
them bilinearly (align_corners False) to 28x28 as make_field_models.py did, which `upsample`
below reproduces (to float32 rounding) and checks against the committed calibration.json.
99 % agreement needs more than that file's 32 inputs: one of them has its top two float
logits 0.009 apart, which any quantization may swap.

Needs only numpy and scikit-learn (Debian's python3-sklearn):
    /usr/bin/python3 bench/models/make_calibrate_set.py
"""
import json
import os

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))


def upsample(img, side):
    """torch.nn.functional.interpolate(mode="bilinear", align_corners=False) of one 2-D image."""
    h, w = img.shape

    def axis(n_in, n_out):
        src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
        src = np.clip(src, 0, None)
        i0 = np.minimum(np.floor(src).astype(int), n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return i0, i1, src - i0

    r0, r1, rt = axis(h, side)
    c0, c1, ct = axis(w, side)
    top = img[r0][:, c0] * (1 - ct) + img[r0][:, c1] * ct
    bot = img[r1][:, c0] * (1 - ct) + img[r1][:, c1] * ct
    return top * (1 - rt)[:, None] + bot * rt[:, None]


def main():
    d = load_digits()
    idx = np.arange(len(d.target))
    tr, _ = train_test_split(idx, test_size=450, stratify=d.target, random_state=0)
    first = [upsample(d.images[i] / 16.0, 28).reshape(-1) for i in tr[:32]]
    with open(os.path.join(HERE, "cnn_digits28", "calibration.json")) as f:
        committed = np.array(json.load(f)["inputs"])
    assert np.abs(np.array(first) - committed).max() < 1e-6, "upsampling differs from the committed inputs"
    out = os.path.join(HERE, "cnn_digits28", "digits-256.json")
    with open(out, "w") as f:
        json.dump({"side": 8, "scale": 16, "images": [[int(v) for v in d.images[i].reshape(-1)] for i in tr[:256]],
                   "labels": [int(d.target[i]) for i in tr[:256]]}, f, separators=(",", ":"))
    print(f"{out}: 256 images")


if __name__ == "__main__":
    main()
