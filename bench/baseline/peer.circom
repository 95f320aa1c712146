pragma circom 2.1.0;

// The peers' building blocks, as circomlib-ml builds them (written here for the field benchmark,
// bench/field.ts; generate.ts instantiates them for a model's shapes):
//   - weights and biases are private input signals, so every multiply-accumulate of a dense or
//     convolution layer is one constraint (a product of two signals); the sums are linear;
//   - ReLU decides the sign with a full 254-bit decomposition (circomlib's Num2Bits(254) and
//     Sign, a comparison with (p - 1) / 2) and multiplies: ~517 constraints per activation;
//   - no rescale between layers and, as published, no range check of the private input
//     (PeerInputRange adds one, for the honest comparison with zkinfer, which always has it).

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/sign.circom";

template PeerReLU() {
    signal input in;
    signal output out;
    component bits = Num2Bits(254);
    bits.in <== in;
    component sign = Sign();
    for (var i = 0; i < 254; i++) {
        sign.in[i] <== bits.out[i];
    }
    // sign.sign = 1 for "negative" (above (p - 1) / 2)
    out <== in * (1 - sign.sign);
}

// The input range check zkinfer always has: in - lo ∈ [0, 2^n).
template PeerInputRange(n, lo) {
    signal input in;
    component bits = Num2Bits(n);
    bits.in <== in - lo;
}
