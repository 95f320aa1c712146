/**
 * A WireSink over a complete .wtns file buffer: each value is encoded as a 32-byte field
 * element in place. It also remembers which wires were written, so a plan that leaves a wire
 * unassigned (a compiler bug) is caught before any proof is attempted.
 */
import { allocWtns } from "../formats/wtns.js";
import { FIELD_BYTES, writeBigField, writeSignedField } from "../field.js";
import type { WireSink } from "../circuit/wires.js";

export class WtnsSink implements WireSink {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly dataOffset: number;
  private readonly written: Uint8Array;

  constructor(readonly nWires: number) {
    const { bytes, dataOffset } = allocWtns(nWires);
    this.bytes = bytes;
    this.dataOffset = dataOffset;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.written = new Uint8Array(nWires);
    this.setInt(0, 1); // wire 0 is the constant 1
  }

  setInt(wire: number, v: number): void {
    if (!(wire >= 0 && wire < this.nWires))
      throw new RangeError(`wire ${wire} is outside the witness (${this.nWires} wires)`);
    writeSignedField(this.view, this.dataOffset + wire * FIELD_BYTES, v);
    this.written[wire] = 1;
  }

  setField(wire: number, v: bigint): void {
    if (!(wire >= 0 && wire < this.nWires))
      throw new RangeError(`wire ${wire} is outside the witness (${this.nWires} wires)`);
    writeBigField(this.view, this.dataOffset + wire * FIELD_BYTES, v);
    this.written[wire] = 1;
  }

  /** The first wire no step wrote, or -1. */
  firstUnwritten(): number {
    return this.written.indexOf(0);
  }
}
