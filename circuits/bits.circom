pragma circom 2.1.0;

// The one bit decomposition every zkinfer gadget is built on (src/circuit/gadgets/bits.ts).
//
// DecomposeLinear(n, k, coeffs, offset) writes t = offset + Σ coeffs[i]·in[i] as n boolean
// signals, LSB first: each bit is born with b·(b - 1) = 0, and one linear constraint ties
// t = Σ 2^j·b_j. Cost: n + 1 constraints, n signals. With n < 253 the sum is below p, so
// t ∈ [0, 2^n) as an integer and its decomposition is unique.
//
// t is a linear expression of the inputs, never a signal of its own: a gadget that needs
// "a - b + c" decomposed passes a and b as inputs, so when they are signals already circom's
// --O1 merges the connections and the decomposition costs exactly what zkinfer's does.
template DecomposeLinear(n, k, coeffs, offset) {
    signal input in[k];
    signal output bits[n];
    var t = offset;
    for (var i = 0; i < k; i++) {
        t += coeffs[i] * in[i];
    }
    var sum = 0;
    var e = 1;
    for (var j = 0; j < n; j++) {
        bits[j] <-- (t >> j) & 1;
        bits[j] * (bits[j] - 1) === 0;
        sum += bits[j] * e;
        e = e + e;
    }
    sum === t;
}

// The n bits of in + offset (in + offset must lie in [0, 2^n)).
template Bits(n, offset) {
    signal input in;
    signal output bits[n];
    component d = DecomposeLinear(n, 1, [1], offset);
    d.in[0] <== in;
    for (var j = 0; j < n; j++) {
        bits[j] <== d.bits[j];
    }
}

// Range check of a prover-supplied value (src/circuit/gadgets/range.ts): in ∈ [lo, lo + 2^n).
// zkinfer uses it for the model input, for private parameters and for packed values whose
// range no constraint forces. Cost: n + 1 constraints.
template InRange(n, lo) {
    signal input in;
    signal output bits[n];
    component d = Bits(n, -lo);
    d.in <== in;
    for (var j = 0; j < n; j++) {
        bits[j] <== d.bits[j];
    }
}
