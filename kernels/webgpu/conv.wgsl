// conv: a 2-D convolution, NCHW, weight [M][C/group][kH][kW], straight from its definition
// (no im2col copy). Item i = ((b·M + m)·OH + oy)·OW + ox: one output element. The narrow paths
// (block > 0: x and w in one limb) sum products in i32: all of them at once when block covers
// the window (the usual case: int8-range operands), else `block` at a time into the W-limb sum.
fn run(i: u32) {
  let ow = p_ow();
  let oh = p_oh();
  let mm = p_m();
  let ox = i % ow;
  let oy = (i / ow) % oh;
  let m = (i / (ow * oh)) % mm;
  let bi = i / (ow * oh * mm);
  let cg = p_cg();
  let kh = p_kh();
  let kw = p_kw();
  let h = i32(p_h());
  let wd = i32(p_w());
  let c0 = (m / (mm / p_group())) * cg;
  let iy0 = i32(oy * p_sh()) - i32(p_pt());
  let ix0 = i32(ox * p_sw()) - i32(p_pl());
  let dh = i32(p_dh());
  let dw = i32(p_dw());
  let plane = u32(h * wd);
  var acc = n_of(0);
  if (p_bias() != 0u) {
    acc = ld_b(m);
  }
  let blk = p_block();
  if (blk >= cg * kh * kw) {
    var s = 0i;
    for (var c = 0u; c < cg; c++) {
      let xc = (bi * p_c() + c0 + c) * plane;
      let wc = (m * cg + c) * kh;
      for (var ky = 0u; ky < kh; ky++) {
        let iy = iy0 + i32(ky) * dh;
        if (iy < 0 || iy >= h) {
          continue;
        }
        let xr = xc + u32(iy * wd);
        let wr = (wc + ky) * kw;
        for (var kx = 0u; kx < kw; kx++) {
          let ix = ix0 + i32(kx) * dw;
          if (ix >= 0 && ix < wd) {
            s += ldi_x(xr + u32(ix)) * ldi_w(wr + kx);
          }
        }
      }
    }
    st_y(i, n_add(acc, n_of(s)));
    return;
  }
  var s = 0i;
  var t = 0u;
  for (var c = 0u; c < cg; c++) {
    let xc = (bi * p_c() + c0 + c) * plane;
    let wc = (m * cg + c) * kh;
    for (var ky = 0u; ky < kh; ky++) {
      let iy = iy0 + i32(ky) * dh;
      if (iy < 0 || iy >= h) {
        continue;
      }
      for (var kx = 0u; kx < kw; kx++) {
        let ix = ix0 + i32(kx) * dw;
        if (ix < 0 || ix >= wd) {
          continue;
        }
        let xi = xc + u32(iy * wd + ix);
        let wi = (wc + ky) * kw + kx;
        if (blk > 0u) {
          s += ldi_x(xi) * ldi_w(wi);
          t++;
          if (t == blk) {
            acc = n_add(acc, n_of(s));
            s = 0i;
            t = 0u;
          }
        } else {
          acc = n_add(acc, n_mul(ld_x(xi), ld_w(wi)));
        }
      }
    }
  }
  st_y(i, n_add(acc, n_of(s)));
}
