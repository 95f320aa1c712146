pragma circom 2.1.0;

include "bits.circom";

// Max of two values in [lo, hi] (src/circuit/gadgets/max.ts): with m = 1 + bits(hi - lo),
// t = a - b + 2^(m-1) ∈ [0, 2^m) decomposes into m bits whose top bit s is exactly [a ≥ b];
// then y = b + s·(a - b), one constraint. Cost m + 2.
template Max2(m) {
    signal input a;
    signal input b;
    signal output y;
    component d = DecomposeLinear(m, 2, [1, -1], 2 ** (m - 1));
    d.in[0] <== a;
    d.in[1] <== b;
    y <== d.bits[m - 1] * (a - b) + b;
}

// Max over a window of w values (max pooling, reduce-max): a chain of w - 1 comparisons,
// the running maximum staying in [lo, hi] so every comparison uses the same m.
template MaxOf(w, m) {
    signal input in[w];
    signal output out;
    component c[w - 1];
    var cur = in[0];
    for (var j = 1; j < w; j++) {
        c[j - 1] = Max2(m);
        c[j - 1].a <== cur;
        c[j - 1].b <== in[j];
        cur = c[j - 1].y;
    }
    out <== cur;
}
