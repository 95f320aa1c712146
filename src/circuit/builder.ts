/**
 * The constraint system under construction (arkworks-style): gadgets allocate wires and add
 * constraints in the same place, and record the plan step that will fill those wires.
 *
 * Wire order follows circom/snarkjs: 0 = constant 1, then public outputs, public inputs,
 * private inputs, then internal wires in allocation order.
 */
import { LinearCombination, ONE, type Wire } from "./lc.js";
import type { Constraint } from "../formats/r1cs.js";
import type { PlanStep } from "./plan.js";

/** A named block of wires, for the .sym file: wire first + i·inner + j is `name[i][j]`. */
export interface WireLabel {
  readonly first: Wire;
  readonly count: number;
  readonly name: string;
  /** > 0 for 2-D blocks (per element, per bit) */
  readonly inner: number;
}

export interface SignalCounts {
  readonly nPubOut: number;
  readonly nPubIn: number;
  readonly nPrvIn: number;
}

export class ConstraintSystem {
  readonly constraints: Constraint[] = [];
  /**
   * A dry system lays out wires and records plan steps exactly as a real one but keeps no
   * constraints and skips building linear combinations: a witness plan for models whose R1CS
   * would be too big to hold (benchmarks), never for proving.
   */
  readonly dry: boolean;
  readonly steps: PlanStep[] = [];
  readonly labels: WireLabel[] = [];
  private next: Wire;
  /** constraints added per gadget kind, for reports */
  readonly costs = new Map<string, { constraints: number; wires: number; elements: number }>();

  constructor(readonly signals: SignalCounts, opts: { dry?: boolean } = {}) {
    this.next = 1 + signals.nPubOut + signals.nPubIn + signals.nPrvIn;
    this.dry = opts.dry ?? false;
  }

  get nWires(): number {
    return this.next;
  }

  /** The first public output wire. */
  get outputWire(): Wire {
    return 1;
  }

  /** The first input wire (public inputs precede private ones; a model has one input). */
  get inputWire(): Wire {
    return 1 + this.signals.nPubOut;
  }

  /** Allocates `count` consecutive internal wires. */
  alloc(count: number, name: string, inner = 0): Wire {
    const first = this.next;
    this.next += count;
    if (count > 0) this.labels.push({ first, count, name, inner });
    return first;
  }

  label(first: Wire, count: number, name: string, inner = 0): void {
    if (count > 0) this.labels.push({ first, count, name, inner });
  }

  /** a · b = c */
  enforce(a: LinearCombination, b: LinearCombination, c: LinearCombination): void {
    if (!this.dry) this.constraints.push({ a, b, c });
  }

  /** a = b, as the linear constraint (a - b) · 1 = 0 */
  enforceEqual(a: LinearCombination, b: LinearCombination): void {
    if (!this.dry) this.constraints.push({ a: a.add(b, -1n), b: LinearCombination.wire(ONE), c: LinearCombination.zero() });
  }

  /** Runs `body` and books the constraints and wires it added under `kind`. */
  measure<T>(kind: string, elements: number, body: () => T): T {
    const c0 = this.constraints.length;
    const w0 = this.next;
    const out = body();
    const entry = this.costs.get(kind) ?? { constraints: 0, wires: 0, elements: 0 };
    entry.constraints += this.constraints.length - c0;
    entry.wires += this.next - w0;
    entry.elements += elements;
    this.costs.set(kind, entry);
    return out;
  }
}
