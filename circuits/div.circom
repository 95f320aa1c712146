pragma circom 2.1.0;

include "bits.circom";

// Division by a computed positive value (Softmax's normalization; src/circuit/gadgets/div.ts):
// q = round(a·2^shift / b). With N = a·2^shift and D = b (or a and b·2^-shift when shift < 0),
// q = floor((2N + D) / (2D)), i.e. 2N + D = q·2D + r with 0 ≤ r < 2D.
// q is defined by its mq bits above qLo (so it is range-checked), p = q·D is one product,
// r = 2N + D - 2p, and both r and 2D - 1 - r are decomposed into br bits.
// Cost (mq + 1) + 1 + 2(br + 1) (+1 here for the output signal).
template RoundDiv(shift, mq, qLo, br) {
    signal input a;
    signal input b;
    signal output out;
    var sn = 1;
    var sd = 1;
    if (shift > 0) {
        sn = 2 ** shift;
    }
    if (shift < 0) {
        sd = 2 ** (-shift);
    }
    var N = a * sn;
    var D = b * sd;
    // the hint: floor((2N + D) / 2D) for D > 0, as signed integers
    var num = 2 * N + D;
    var den = 2 * D;
    var qv = 0;
    if (num < 0) {
        qv = -((-num + den - 1) \ den);
    } else {
        qv = num \ den;
    }
    signal qBits[mq];
    var q = qLo;
    for (var j = 0; j < mq; j++) {
        qBits[j] <-- ((qv - qLo) >> j) & 1;
        qBits[j] * (qBits[j] - 1) === 0;
        q += 2 ** j * qBits[j];
    }
    signal p;
    p <== q * D;
    component rem = Bits(br, 0);
    rem.in <== 2 * N + D - 2 * p;
    component slack = Bits(br, 0);
    slack.in <== 2 * D - 1 - (2 * N + D - 2 * p);
    out <== q;
}
