pragma circom 2.1.0;

include "bits.circom";

// Rescale, range check and activation in one decomposition (src/circuit/gadgets/requant.ts,
// activation.ts; layout: src/quantize/layout.ts).
//
// For an accumulator x, shift k and smallest allowed quotient qMin, the honest result is
// q = floor((x + h) / 2^k), h = 2^(k-1) (0 when k = 0). Requant decomposes
//     t = x + h - qMin·2^k   into k + m bits:
// the low k bits are the remainder r ∈ [0, 2^k) (so the division is exact floor division),
// the high m bits z are q - qMin ∈ [0, 2^m) (so q is range-checked for free). In a layout
// signed around c (qMin = c - 2^(m-1)) the top bit z[m-1] is exactly [q ≥ c]: ReLU, leaky
// ReLU and a clip's lower bound read it; a piecewise polynomial reads its segment from the
// top bits. Nothing is left to a free prover hint: given x, t and its bits are fixed.
//
// The activation templates below take the m bits z and rebuild q = qMin + Σ 2^j·z[j] as a
// linear expression (free).
template Requant(k, m, qMin) {
    signal input in;
    signal output z[m];
    var h = 0;
    if (k > 0) {
        h = 2 ** (k - 1);
    }
    component d = Bits(k + m, h - qMin * 2 ** k);
    d.in <== in;
    for (var j = 0; j < m; j++) {
        z[j] <== d.bits[k + j];
    }
}

// ReLU: out = [q ≥ 0]·q, one constraint. The layout is signed around 0 (qMin = -2^(m-1)).
template Relu(m, qMin) {
    signal input z[m];
    signal output out;
    var q = qMin;
    for (var j = 0; j < m; j++) {
        q += 2 ** j * z[j];
    }
    out <== z[m - 1] * q;
}

// Leaky ReLU with slope alpha / 2^alphaShift: r = [q ≥ 0]·q, and
// out = alpha·q + (2^alphaShift - alpha)·r at scale + alphaShift (exact, no rounding).
template Leaky(m, qMin, alpha, alphaShift) {
    signal input z[m];
    signal output out;
    signal r;
    var q = qMin;
    for (var j = 0; j < m; j++) {
        q += 2 ** j * z[j];
    }
    r <== z[m - 1] * q;
    out <== alpha * q + (2 ** alphaShift - alpha) * r;
}

// Clip's lower bound: the layout is signed around lo, so z[m-1] = [q ≥ lo] and
// out = lo + [q ≥ lo]·(q - lo), one constraint.
template ClipLo(m, qMin, lo) {
    signal input z[m];
    signal output out;
    var q = qMin;
    for (var j = 0; j < m; j++) {
        q += 2 ** j * z[j];
    }
    out <== z[m - 1] * (q - lo) + lo;
}

// Clip's upper bound on y: d = hi - y decomposed signed around 0 (m2 bits, offset 2^(m2-1)),
// s = [d ≥ 0], out = hi - s·d. Cost m2 + 2.
template ClipHi(m2, offset, hi) {
    signal input y;
    signal output out;
    component d = DecomposeLinear(m2, 1, [-1], hi + offset);
    d.in[0] <== y;
    out <== hi - d.bits[m2 - 1] * (hi - y);
}

// A piecewise polynomial (Sigmoid, Tanh, Exp, Erf, GELU): z = q - qMin has t + w bits; the top
// t select a segment s, the low w are u, and
//     out = Σ_j coeffs[s·(d+1) + j] · u^j · 2^(w·(d-j))
// by Horner's rule. The one-hot of s is a product tree of its bits (level j: each entry e
// becomes e - e·b and e·b, one product each: 2^t - 2 in all), so exactly one entry is 1;
// Horner costs d products. Cost 2^t - 2 + d (+1 here for the output signal).
template Poly(t, w, d, coeffs) {
    signal input z[t + w];
    signal output out;
    var nProducts = 0;
    if (t >= 2) {
        nProducts = 2 ** t - 2;
    }
    signal branch[nProducts];
    signal horner[d];
    var u = 0;
    for (var j = 0; j < w; j++) {
        u += 2 ** j * z[j];
    }
    var onehot[2 ** t];
    onehot[0] = 1;
    var size = 1;
    var next = 0;
    for (var j = 0; j < t; j++) {
        var b = z[w + j];
        if (j == 0) {
            onehot[0] = 1 - b;
            onehot[1] = b;
        } else {
            for (var s = 0; s < size; s++) {
                branch[next + s] <== onehot[s] * b;
            }
            for (var s = 0; s < size; s++) {
                onehot[size + s] = branch[next + s];
                onehot[s] = onehot[s] - branch[next + s];
            }
            next += size;
        }
        size = size * 2;
    }
    var h = 0;
    for (var s = 0; s < size; s++) {
        h += onehot[s] * coeffs[s * (d + 1) + d];
    }
    for (var j = d - 1; j >= 0; j--) {
        horner[d - 1 - j] <== h * u;
        var c = 0;
        for (var s = 0; s < size; s++) {
            c += onehot[s] * coeffs[s * (d + 1) + j];
        }
        h = horner[d - 1 - j] + c * 2 ** (w * (d - j));
    }
    out <== h;
}
