pragma circom 2.1.0;

include "bits.circom";

// ArgMax, first occurrence, over n values in [lo, hi] (src/circuit/gadgets/argmax.ts):
//   - one-hot o_i (booleanity each, Σ o_i = 1), filled by the prover;
//   - the selected value M = Σ p_i, p_i = o_i·x_i (one product each);
//   - gap_j = M - x_j - 1 + P_j + o_j ∈ [0, 2^nb), P_j = Σ_{i<j} o_i, nb = bits(hi - lo):
//     before the selection this says x_j < M, at or after it x_j ≤ M.
// So the selection is the first maximum, unique. out = Σ i·o_i. Cost per element nb + 3.
template ArgMax(n, nb) {
    signal input in[n];
    signal output out;
    signal onehot[n];
    signal selected[n];
    // the hint: position of the first maximum (values compare as signed integers)
    var best = 0;
    var bestValue = in[0];
    for (var j = 1; j < n; j++) {
        if (in[j] > bestValue) {
            best = j;
            bestValue = in[j];
        }
    }
    var total = 0;
    for (var j = 0; j < n; j++) {
        onehot[j] <-- j == best ? 1 : 0;
        onehot[j] * (onehot[j] - 1) === 0;
        total += onehot[j];
    }
    total === 1;
    var M = 0;
    for (var j = 0; j < n; j++) {
        selected[j] <== onehot[j] * in[j];
        M += selected[j];
    }
    component gap[n];
    var prefix = 0;
    var index = 0;
    for (var j = 0; j < n; j++) {
        gap[j] = Bits(nb, 0);
        gap[j].in <== M - in[j] - 1 + prefix + onehot[j];
        prefix += onehot[j];
        index += j * onehot[j];
    }
    out <== index;
}
