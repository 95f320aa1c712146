/**
 * What lowering the quantized graph shares: the constraint system, the plan's tensors (one
 * per quantized value, plus internal ones: parameters, partial products), and each value's
 * linear combinations as they are built. Everything else (inputs, parameters, ops, public
 * signals) is a function over this, each in its own file.
 */
import type { ConstraintSystem } from "../builder.js";
import type { LcTensor } from "../lc.js";
import type { PlanTensor, TensorId } from "../plan.js";
import type { QGraph } from "../../quantize/qgraph.js";
import type { ParamEntry, ParamVisibility } from "../../meta/model.js";
import type { PackInput } from "../gadgets/pack.js";
import { materialize } from "../linear.js";

/** A prover-supplied parameter tensor: its commitment layout, how to pack it, where its wires are. */
export interface ParamRecord {
  readonly entry: ParamEntry;
  readonly tensor: TensorId;
  readonly pack: PackInput;
  readonly wires: { readonly first: number; readonly count: number };
}

export class LowerContext {
  readonly tensors: PlanTensor[] = [];
  /** prover-supplied parameters (private or hashed params), in the order they were allocated */
  readonly params: ParamRecord[] = [];
  private readonly ids = new Map<string, TensorId>();
  private readonly lcs = new Map<string, LcTensor>();

  constructor(
    readonly cs: ConstraintSystem,
    readonly q: QGraph,
    readonly paramVisibility: ParamVisibility,
  ) {}

  /** A plan tensor of its own (parameters, partial products): shape and integer bounds. */
  newTensor(shape: readonly number[], lo: number, hi: number, mag?: number): TensorId {
    this.tensors.push(mag === undefined ? { shape, lo, hi } : { shape, lo, hi, mag });
    return this.tensors.length - 1;
  }

  /** The plan tensor of a quantized value (made on first use, with the value's bounds). */
  idOf(name: string): TensorId {
    let id = this.ids.get(name);
    if (id === undefined) {
      const v = this.q.values.get(name);
      if (!v) throw new Error(`compile: no quantized value "${name}"`);
      id = this.newTensor(v.shape, v.lo, v.hi, v.mag);
      this.ids.set(name, id);
    }
    return id;
  }

  lc(name: string): LcTensor {
    const t = this.lcs.get(name);
    if (!t) throw new Error(`compile: "${name}" is used before it is computed`);
    return t;
  }

  define(name: string, t: LcTensor): void {
    this.lcs.set(name, t);
  }

  /**
   * The value as single wires, materializing it (once) if it is a wider linear combination:
   * fan-in ops read each element many times, so one wire each keeps their terms few.
   */
  wires(name: string): LcTensor {
    const t = materialize(this.cs, this.lc(name), wireName(name), this.idOf(name));
    this.lcs.set(name, t);
    return t;
  }
}

/** A wire-block name for the .sym file (circom-style: main.<value>). */
export function wireName(value: string): string {
  return `main.${value.replace(/[^A-Za-z0-9_.]/g, "_")}`;
}
