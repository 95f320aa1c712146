pragma circom 2.1.0;

include "bits.circom";

// Inverses of monotone products (src/circuit/gadgets/invert.ts): the floor of √(x·2^k),
// √(2^k / x) and 2^k / x of a computed x (x ≥ 0, x ≥ 1, x ≥ 1). The hint y is m bits above yLo
// (so it is range-checked); products and two slacks of b bits each pin it:
//   Sqrt:   s = y·y             e1 = x·2^k - s     e2 = s + 2y - x·2^k
//   Rsqrt:  u = y·x, t = y·u    e1 = 2^k - t       e2 = t + 2u + x - 2^k - 1
//   Recip:  u = y·x             e1 = 2^k - u       e2 = u + x - 2^k - 1
// Cost: m + (1 or 2) + 2(b + 1) (+1 here for the input signal).

// ⌊√n⌋ for n ≥ 0 (Newton's method from above), for the hints
function isqrt(n) {
    if (n < 2) {
        return n;
    }
    var x = n;
    var y = (x + 1) \ 2;
    while (y < x) {
        x = y;
        y = (x + n \ x) \ 2;
    }
    return x;
}

template Sqrt(k, m, yLo, b) {
    signal input x;
    signal output out;
    signal yBits[m];
    var yv = isqrt(x * 2 ** k);
    var y = yLo;
    for (var j = 0; j < m; j++) {
        yBits[j] <-- ((yv - yLo) >> j) & 1;
        yBits[j] * (yBits[j] - 1) === 0;
        y += 2 ** j * yBits[j];
    }
    signal s;
    s <== y * y;
    component e1 = Bits(b, 0);
    e1.in <== x * 2 ** k - s;
    component e2 = Bits(b, 0);
    e2.in <== s + 2 * y - x * 2 ** k;
    out <== y;
}

template Rsqrt(k, m, yLo, b) {
    signal input x;
    signal output out;
    signal yBits[m];
    var yv = isqrt((2 ** k) \ x);
    var y = yLo;
    for (var j = 0; j < m; j++) {
        yBits[j] <-- ((yv - yLo) >> j) & 1;
        yBits[j] * (yBits[j] - 1) === 0;
        y += 2 ** j * yBits[j];
    }
    signal u;
    u <== y * x;
    signal t;
    t <== y * u;
    component e1 = Bits(b, 0);
    e1.in <== 2 ** k - t;
    component e2 = Bits(b, 0);
    e2.in <== t + 2 * u + x - 2 ** k - 1;
    out <== y;
}

template Recip(k, m, yLo, b) {
    signal input x;
    signal output out;
    signal yBits[m];
    var yv = (2 ** k) \ x;
    var y = yLo;
    for (var j = 0; j < m; j++) {
        yBits[j] <-- ((yv - yLo) >> j) & 1;
        yBits[j] * (yBits[j] - 1) === 0;
        y += 2 ** j * yBits[j];
    }
    signal u;
    u <== y * x;
    component e1 = Bits(b, 0);
    e1.in <== 2 ** k - u;
    component e2 = Bits(b, 0);
    e2.in <== u + x - 2 ** k - 1;
    out <== y;
}
