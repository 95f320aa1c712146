/**
 * The constraint system under construction (arkworks-style): gadgets allocate wires and add
 * constraints in the same place, and record the plan step that will fill those wires.
 *
 * Wire order follows circom/snarkjs: 0 = constant 1, then public outputs, public inputs,
 * private inputs, then internal wires in allocation order.
 */
import { LinearCombination, ONE, type Wire } from "./lc.js";
import type { Constraint as FileConstraint } from "../formats/r1cs.js";
import type { WireLabel } from "../formats/sym.js";

export type { WireLabel };
export type Constraint = FileConstraint<LinearCombination>;
import type { PlanStep } from "./plan.js";
import { WireIntervals } from "./intervals.js";

export interface SignalCounts {
  readonly nPubOut: number;
  readonly nPubIn: number;
  readonly nPrvIn: number;
}

/**
 * Wires a gadget fills with a prover's hint that no single constraint defines (a division's
 * quotient, an argmax's one-hot), pinned instead by several constraints together: the gadget's
 * header argues they are unique once `inputs` are, and its tamper tests try the alternatives.
 * The determinacy audit (audit.ts) takes that argument as given and checks everything else.
 */
export interface Hint {
  readonly gadget: string;
  readonly wires: readonly { readonly first: Wire; readonly count: number }[];
  readonly inputs: readonly LinearCombination[];
}

/** A dry system's stand-in for a wide linear combination: "not a single wire", as real ones are (materialize tells them apart). */
export const DRY_SUM = LinearCombination.wire(0).addConstant(1n).add(LinearCombination.wire(1));

export class ConstraintSystem {
  readonly constraints: Constraint[] = [];
  /**
   * A dry system lays out wires and records plan steps exactly as a real one but keeps no
   * constraints and skips building linear combinations: a witness plan for models whose R1CS
   * would be too big to hold (benchmarks), and a constraint count (calibrate's search), never
   * for proving. Its count is exact wherever a gadget's shape does not depend on the constraints
   * (the packing gadget's, which reads their intervals, may count range checks a real one skips).
   */
  readonly dry: boolean;
  private dryCount = 0;
  readonly steps: PlanStep[] = [];
  readonly labels: WireLabel[] = [];
  readonly hints: Hint[] = [];
  private next: Wire;
  /**
   * What the constraints added so far force on each wire's value (intervals.ts): the packing
   * gadget asks it whether a value is already held in its slot. Empty in a dry system.
   */
  readonly intervals = new WireIntervals();
  /** constraints added per gadget kind, for reports */
  readonly costs = new Map<string, { constraints: number; wires: number; elements: number }>();

  constructor(
    readonly signals: SignalCounts,
    opts: { dry?: boolean } = {},
  ) {
    this.next = 1 + signals.nPubOut + signals.nPubIn + signals.nPrvIn;
    this.dry = opts.dry ?? false;
  }

  get nWires(): number {
    return this.next;
  }

  /** Constraints so far (in a dry system, those it would have built). */
  get nConstraints(): number {
    return this.dry ? this.dryCount : this.constraints.length;
  }

  /** A dry system's count of constraints a gadget skipped building (bits.ts). */
  tally(n: number): void {
    if (this.dry) this.dryCount += n;
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

  /** Declares hint wires (see Hint). */
  hint(gadget: string, wires: Hint["wires"], inputs: readonly LinearCombination[]): void {
    if (!this.dry) this.hints.push({ gadget, wires, inputs });
  }

  label(first: Wire, count: number, name: string, inner = 0): void {
    if (count > 0) this.labels.push({ first, count, name, inner });
  }

  /** a · b = c */
  enforce(a: LinearCombination, b: LinearCombination, c: LinearCombination): void {
    if (this.dry) {
      this.dryCount++;
      return;
    }
    this.constraints.push({ a, b, c });
    this.intervals.learn(a, b, c);
  }

  /** a = b, as the linear constraint (a - b) · 1 = 0 */
  enforceEqual(a: LinearCombination, b: LinearCombination): void {
    this.enforce(a.add(b, -1n), LinearCombination.wire(ONE), LinearCombination.zero());
  }

  /** Runs `body` and books the constraints and wires it added under `kind`. */
  measure<T>(kind: string, elements: number, body: () => T): T {
    const c0 = this.nConstraints;
    const w0 = this.next;
    const out = body();
    const entry = this.costs.get(kind) ?? { constraints: 0, wires: 0, elements: 0 };
    entry.constraints += this.nConstraints - c0;
    entry.wires += this.next - w0;
    entry.elements += elements;
    this.costs.set(kind, entry);
    return out;
  }
}
