pragma circom 2.1.0;

include "bits.circom";
include "circomlib/circuits/poseidon.circom";

// Packing (src/circuit/gadgets/pack.ts): n values into slots of `bits` bits above lo,
// k = floor(252 / bits) per field element, e = Σ_j (v_j - lo)·2^(bits·j). Injective exactly
// when every value lies in its slot, so with check = 1 each value is range-checked into it
// (zkinfer skips the check only where its constraints already force the range: plan.json's
// commit parts say which).
template PackSlots(n, bits, lo, check) {
    signal input in[n];
    var k = 252 \ bits;
    if (k < 1) {
        k = 1;
    }
    var nOut = (n + k - 1) \ k;
    signal output out[nOut];
    var nChecks = 0;
    if (check) {
        nChecks = n;
    }
    component slot[nChecks];
    for (var i = 0; i < nChecks; i++) {
        slot[i] = InRange(bits, lo);
        slot[i].in <== in[i];
    }
    for (var e = 0; e < nOut; e++) {
        var acc = 0;
        for (var j = 0; j < k; j++) {
            if (e * k + j < n) {
                acc += (in[e * k + j] - lo) * 2 ** (bits * j);
            }
        }
        out[e] <== acc;
    }
}

// circomlib's Poseidon over n field elements (src/circuit/gadgets/commit.ts): n ≤ 16 is one
// hash; more chains h = Poseidon(e_1..e_16), then h = Poseidon(h, next 15) until all are in.
// A salted commitment has the salt as its first element.
template PoseidonChain(n) {
    signal input in[n];
    signal output out;
    var nBlocks = 1;
    if (n > 16) {
        nBlocks = 1 + (n - 16 + 14) \ 15;
    }
    component h[nBlocks];
    var first = n;
    if (first > 16) {
        first = 16;
    }
    h[0] = Poseidon(first);
    for (var i = 0; i < first; i++) {
        h[0].inputs[i] <== in[i];
    }
    var at = first;
    for (var b = 1; b < nBlocks; b++) {
        var size = n - at;
        if (size > 15) {
            size = 15;
        }
        h[b] = Poseidon(size + 1);
        h[b].inputs[0] <== h[b - 1].out;
        for (var i = 0; i < size; i++) {
            h[b].inputs[1 + i] <== in[at + i];
        }
        at += size;
    }
    out <== h[nBlocks - 1].out;
}
