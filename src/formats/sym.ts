/**
 * The circom .sym format: one line per wire, `labelId,wireId,componentId,name`, so tools
 * (snarkjs's `r1cs print`, witness debuggers) can name the wires of our circuits.
 */
/** A named block of wires: wire first + i·inner + j is `name[i][j]` (inner > 0), else first + i is `name[i]`. */
export interface WireLabel {
  readonly first: number;
  readonly count: number;
  readonly name: string;
  readonly inner: number;
}

export function writeSym(labels: readonly WireLabel[]): string {
  const lines: string[] = [];
  const sorted = [...labels].sort((a, b) => a.first - b.first);
  sorted.forEach((l, component) => {
    for (let k = 0; k < l.count; k++) {
      const w = l.first + k;
      const name = l.inner > 0 ? `${l.name}[${Math.floor(k / l.inner)}][${k % l.inner}]` : `${l.name}[${k}]`;
      lines.push(`${w},${w},${component},${name}`);
    }
  });
  return lines.join("\n") + "\n";
}
