"""Small deterministic datasets for the real-architecture test models (no downloads):
10-class synthetic images, token sequences and 1-D signals, and scikit-learn's bundled digits."""
import numpy as np
import torch

N_TRAIN, N_TEST = 800, 200

DESCRIPTIONS = {
    "gratings": "synthetic 32×32 RGB sinusoidal gratings, class = orientation (10 angles 18° apart), random "
                "frequency, phase and colour, Gaussian noise σ 0.2, values in about [-1.5, 1.5]",
    "tokens": "synthetic sequences of 8 tokens × 32 features: N(0, 0.5) noise with the class's prototype vector "
              "added to 2 random tokens (10 classes)",
    "signals": "synthetic 128-sample signals: 5 waveforms (sine, square, triangle, sawtooth, pulse train) × 2 "
               "frequency bands = 10 classes, random phase and amplitude, noise σ 0.1",
    "digits": "scikit-learn load_digits (8×8 digits as 64 features / 16), stratified split, 10 classes",
}


def _gratings(n, rng):
    y = rng.integers(0, 10, n)
    yy, xx = np.meshgrid(np.arange(32), np.arange(32), indexing="ij")
    x = np.empty((n, 3, 32, 32), np.float32)
    for i in range(n):
        theta = y[i] * np.pi / 10
        freq = rng.uniform(0.15, 0.35)
        wave = np.sin(freq * (np.cos(theta) * xx + np.sin(theta) * yy) * 2 + rng.uniform(0, 2 * np.pi))
        colour = rng.uniform(0.3, 1.0, 3)
        x[i] = colour[:, None, None] * wave[None] + rng.normal(0, 0.2, (3, 32, 32))
    return x, y


def _tokens(n, rng):
    protos = np.random.default_rng(12345).normal(0, 1, (10, 32))
    y = rng.integers(0, 10, n)
    x = rng.normal(0, 0.5, (n, 8, 32)).astype(np.float32)
    for i in range(n):
        for t in rng.choice(8, 2, replace=False):
            x[i, t] += protos[y[i]]
    return x, y


def _signals(n, rng):
    y = rng.integers(0, 10, n)
    t = np.arange(128) / 128
    x = np.empty((n, 1, 128), np.float32)
    for i in range(n):
        shape, band = y[i] % 5, y[i] // 5
        f = rng.uniform(2, 4) if band == 0 else rng.uniform(7, 10)
        ph = (f * t + rng.uniform()) % 1.0
        wave = [np.sin(2 * np.pi * ph), np.sign(ph - 0.5), 4 * np.abs(ph - 0.5) - 1, 2 * ph - 1,
                (ph < 0.15) * 2.0 - 1][shape]
        x[i, 0] = rng.uniform(0.5, 1.0) * wave + rng.normal(0, 0.1, 128)
    return x, y


def _digits(seed):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    xtr, xte, ytr, yte = train_test_split((d.data / 16).astype(np.float32), d.target, test_size=0.25,
                                          stratify=d.target, random_state=seed)
    return (xtr, ytr), (xte, yte)


# decimals the inputs are rounded to, so the JSON files stay small and still hold exactly the
# float32 values PyTorch saw (digits are multiples of 1/16 already)
DECIMALS = {"gratings": 3, "tokens": 4, "signals": 4, "digits": 4}


def load(name, shape, seed):
    """((x_train, y_train), (x_test, y_test)) as torch tensors, x of shape [n, *shape]."""
    if name == "digits":
        parts = _digits(seed)
    else:
        make = {"gratings": _gratings, "tokens": _tokens, "signals": _signals}[name]
        rng = np.random.default_rng(seed)
        x, y = make(N_TRAIN + N_TEST, rng)
        parts = ((x[:N_TRAIN], y[:N_TRAIN]), (x[N_TRAIN:], y[N_TRAIN:]))
    return tuple((torch.tensor(np.round(x, DECIMALS[name]), dtype=torch.float32).reshape(-1, *shape), torch.tensor(y, dtype=torch.long))
                 for x, y in parts)
