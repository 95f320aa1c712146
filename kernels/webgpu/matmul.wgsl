// matmul: y[r, c] = b[c] + Σ_k x[r, k]·w[k, c], w row-major [K][N]. Item i = r·N + c.
// With block > 0 (x and w in one limb, bounds such that block products fit an i32) the
// products are summed in i32, all at once when block ≥ K, else `block` terms at a time into
// the W-limb sum.
fn run(i: u32) {
  let nn = p_n();
  let kk = p_k();
  let r = i / nn;
  let c = i % nn;
  var acc = n_of(0);
  if (p_bias() != 0u) {
    acc = ld_b(c);
  }
  let blk = p_block();
  let xr = r * kk;
  if (blk >= kk) {
    var s = 0i;
    for (var k = 0u; k < kk; k++) {
      s += ldi_x(xr + k) * ldi_w(k * nn + c);
    }
    acc = n_add(acc, n_of(s));
  } else if (blk > 0u) {
    var k = 0u;
    loop {
      if (k >= kk) {
        break;
      }
      let end = min(k + blk, kk);
      var s = 0i;
      for (; k < end; k++) {
        s += ldi_x(xr + k) * ldi_w(k * nn + c);
      }
      acc = n_add(acc, n_of(s));
    }
  } else {
    for (var k = 0u; k < kk; k++) {
      acc = n_add(acc, n_mul(ld_x(xr + k), ld_w(k * nn + c)));
    }
  }
  st_y(i, acc);
}
