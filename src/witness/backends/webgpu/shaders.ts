/**
 * The WGSL kernels (kernels/webgpu/*.wgsl, packed into shaders.json by `npm run build:kernels`)
 * and what the host writes before each: the working width W, the bindings, and accessors by
 * name, so a kernel's body reads `ld_x(i)`, `st_y(i, v)`, `p_shift()`, `c_offset()` and
 * `put_wires(wire, v)` whatever the formats. One pipeline per (kernel, W, storage widths).
 *
 * Bindings (group 0): 0 the parameters, a uniform array of vec4<u32> (scalars four to a vec4,
 * then each wide constant in ceil(W/4) vec4s); then the kernel's own, in the order declared:
 *   in     a tensor read as N (`ld_NAME`, and `ldi_NAME`, its low limb as i32, for narrow paths)
 *   out    a tensor written (`st_NAME`) and read (`ld_NAME`, for kernels that work in place)
 *   map    i32 data: index maps, group starts, (out, src) pairs
 *   wires  a window of the .wtns wire data (`put_NAME`, `put_bit_NAME`: field elements, bits),
 *          whose first wire the parameter NAME_base gives; one per kernel at most (WebGPU
 *          forbids writable bindings of one buffer that overlap, and aligned windows would:
 *          a call with outputs far apart, like clip, dispatches once per output)
 * Every kernel's items are [base, base + count): `main` maps the invocation to item base + i
 * and calls the kernel's `run(item)`.
 */
import SOURCES from "./shaders.json" with { type: "json" };

export type BindingKind = "in" | "out" | "map" | "wires";

interface KernelDef {
  readonly bindings: Readonly<Record<string, BindingKind>>;
  /** u32 parameters (signed ones are bitcast) */
  readonly params: readonly string[];
  /** wide constants, W limbs each */
  readonly wide: readonly string[];
}

/** Every kernel: its bindings, parameters and wide constants (the .wgsl file of the same name is its body). */
export const KERNELS = {
  encode: { bindings: { x: "in", wires: "wires" }, params: ["wire"], wide: [] },
  bits: { bindings: { x: "in", wires: "wires" }, params: ["wire", "nbits"], wide: ["offset"] },
  rescale: { bindings: { x: "in", y: "out", flags: "out" }, params: ["shift", "win", "flag"], wide: ["wlo", "whi"] },
  matmul: { bindings: { x: "in", w: "in", b: "in", y: "out" }, params: ["k", "n", "bias", "block"], wide: [] },
  conv: {
    bindings: { x: "in", w: "in", b: "in", y: "out" },
    params: [
      "c",
      "h",
      "w",
      "m",
      "cg",
      "kh",
      "kw",
      "sh",
      "sw",
      "pt",
      "pl",
      "dh",
      "dw",
      "oh",
      "ow",
      "group",
      "bias",
      "block",
    ],
    wide: [],
  },
  affine: {
    bindings: { x: "in", mul: "in", add: "in", idx: "map", y: "out" },
    params: ["xmap", "mul", "mmap", "add", "amap"],
    wide: [],
  },
  add: {
    bindings: { a: "in", b: "in", idx: "map", y: "out" },
    params: ["amap", "bmap", "ashift", "bshift", "neg"],
    wide: [],
  },
  gather: { bindings: { x: "in", pairs: "map", y: "out" }, params: ["at", "shift"], wide: ["fill"] },
  sum: { bindings: { x: "in", mult: "in", groups: "map", y: "out" }, params: ["ngroups", "mult"], wide: [] },
  relu: { bindings: { q: "out", wires: "wires" }, params: ["wire", "leaky", "ashift"], wide: ["alpha"] },
  clip: {
    bindings: { q: "out", wires: "wires" },
    params: ["haslo", "hashi", "part", "wire", "nbits", "store"],
    wide: ["lo", "hi", "hioff"],
  },
  poly: { bindings: { q: "out", coef: "in", wires: "wires" }, params: ["wire", "per", "w", "t", "d"], wide: ["qmin"] },
  max: { bindings: { x: "in", groups: "map", y: "out", wires: "wires" }, params: ["ngroups", "m", "wire"], wide: [] },
} as const satisfies Record<string, KernelDef>;

export type KernelName = keyof typeof KERNELS;
type Def<K extends KernelName> = (typeof KERNELS)[K];
export type BindingOf<K extends KernelName, B extends BindingKind> = {
  [N in keyof Def<K>["bindings"]]: Def<K>["bindings"][N] extends B ? N : never;
}[keyof Def<K>["bindings"]] &
  string;
export type ParamOf<K extends KernelName> = Def<K>["params"][number];
export type WideOf<K extends KernelName> = Def<K>["wide"][number];

export const WORKGROUP = 64;

const sources: Record<string, string> = SOURCES;

/** The uniform's layout for a kernel at width W: scalar slots by name (base, count, params, window bases), wide constants by name. */
export interface UniformLayout {
  readonly scalars: readonly string[];
  readonly wideAt: Readonly<Record<string, number>>;
  /** vec4 slots in all */
  readonly vec4s: number;
}

export function uniformLayout(kernel: KernelName, width: number): UniformLayout {
  const def: KernelDef = KERNELS[kernel];
  const windows = Object.entries(def.bindings)
    .filter(([, k]) => k === "wires")
    .map(([n]) => `${n}_base`);
  const scalars = ["base", "count", ...def.params, ...windows];
  let slot = Math.ceil(scalars.length / 4);
  const wideAt: Record<string, number> = {};
  for (const w of def.wide) {
    wideAt[w] = slot;
    slot += Math.ceil(width / 4);
  }
  return { scalars, wideAt, vec4s: Math.max(1, slot) };
}

/** The full WGSL source of a kernel at width W with these storage widths (limbs per element of each in/out binding). */
export function shaderSource(kernel: KernelName, width: number, storage: Readonly<Record<string, number>>): string {
  const def: KernelDef = KERNELS[kernel];
  const u = uniformLayout(kernel, width);
  const lines: string[] = [
    `// zkinfer webgpu kernel "${kernel}": W = ${width} limbs`,
    `const W: u32 = ${width}u;`,
    `alias N = array<u32, ${width}>;`,
    `@group(0) @binding(0) var<uniform> prm: array<vec4<u32>, ${u.vec4s}>;`,
  ];
  u.scalars.forEach((name, i) => lines.push(`fn p_${name}() -> u32 { return prm[${i >> 2}].${"xyzw"[i & 3]}; }`));
  for (const [name, at] of Object.entries(u.wideAt)) {
    const limbs = Array.from({ length: width }, (_, k) => `r[${k}] = prm[${at + (k >> 2)}].${"xyzw"[k & 3]};`);
    lines.push(`fn c_${name}() -> N { var r: N; ${limbs.join(" ")} return r; }`);
  }
  Object.entries(def.bindings).forEach(([name, kind], i) => {
    const b = i + 1;
    switch (kind) {
      case "in":
      case "out": {
        const s = storage[name];
        if (s === undefined) throw new Error(`webgpu kernel ${kernel}: no storage width for ${name}`);
        lines.push(
          `@group(0) @binding(${b}) var<storage, ${kind === "in" ? "read" : "read_write"}> ${name}: array<u32>;`,
          loader(name, s, width),
          `fn ldi_${name}(i: u32) -> i32 { return bitcast<i32>(${name}[i * ${s}u]); }`,
        );
        if (kind === "out") lines.push(storer(name, s, width));
        break;
      }
      case "map":
        lines.push(`@group(0) @binding(${b}) var<storage, read> ${name}: array<i32>;`);
        break;
      case "wires":
        lines.push(
          `@group(0) @binding(${b}) var<storage, read_write> ${name}: array<u32>;`,
          `fn put_${name}(wire: u32, v: N) { let o = (wire - p_${name}_base()) * 8u; let f = field_limbs(v); for (var k = 0u; k < 8u; k++) { ${name}[o + k] = f[k]; } }`,
          `fn put_bit_${name}(wire: u32, bit: u32) { let o = (wire - p_${name}_base()) * 8u; ${name}[o] = bit; for (var k = 1u; k < 8u; k++) { ${name}[o + k] = 0u; } }`,
        );
        break;
    }
  });
  lines.push(
    `@compute @workgroup_size(${WORKGROUP})`,
    `fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {`,
    `  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;`,
    `  if (i < p_count()) { run(p_base() + i); }`,
    `}`,
  );
  return [lines.join("\n"), sources.num!, sources.field!, sources[kernel]!].join("\n\n");
}

/** The number and field code alone at width W (num.wgsl, field.wgsl), for a test's own kernel. */
export function arithmeticSource(width: number): string {
  return [`const W: u32 = ${width}u;`, `alias N = array<u32, ${width}>;`, sources.num!, sources.field!].join("\n\n");
}

/** `ld_NAME(i) -> N`: s stored limbs, sign-extended or truncated to W. */
function loader(name: string, s: number, width: number): string {
  const body: string[] = [];
  for (let k = 0; k < width; k++) {
    if (k < s) body.push(`r[${k}] = ${name}[o + ${k}u];`);
    else if (k === s) body.push(`let ext = select(0u, 0xffffffffu, (r[${s - 1}] >> 31u) != 0u); r[${k}] = ext;`);
    else body.push(`r[${k}] = ext;`);
  }
  return `fn ld_${name}(i: u32) -> N { var r: N; let o = i * ${s}u; ${body.join(" ")} return r; }`;
}

/** `st_NAME(i, v)`: v's W limbs into s stored ones (sign-extended past W). */
function storer(name: string, s: number, width: number): string {
  const body: string[] = [];
  for (let k = 0; k < s; k++) {
    if (k < width) body.push(`${name}[o + ${k}u] = v[${k}];`);
    else if (k === width) body.push(`let ext = select(0u, 0xffffffffu, n_isneg(v)); ${name}[o + ${k}u] = ext;`);
    else body.push(`${name}[o + ${k}u] = ext;`);
  }
  return `fn st_${name}(i: u32, v: N) { let o = i * ${s}u; ${body.join(" ")} }`;
}
