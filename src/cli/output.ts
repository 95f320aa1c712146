/** How commands talk: a human line per fact on stdout, or exactly one JSON object with --json. */
export interface Out {
  readonly json: boolean;
  line(s: string): void;
  warn(s: string): void;
  result(obj: unknown): void;
}

export function makeOut(json: boolean): Out {
  return {
    json,
    line: (s) => {
      if (!json) process.stdout.write(s + "\n");
    },
    warn: (s) => process.stderr.write(`warning: ${s}\n`),
    result: (obj) => {
      // exact integers (a decoded output's ints, wide values) as decimal strings: JSON has no BigInt
      if (json)
        process.stdout.write(
          JSON.stringify(obj, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n",
        );
    },
  };
}

export function fmtSeconds(s: number): string {
  return s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`;
}

export function fmtVector(v: readonly number[], digits = 4): string {
  const shown = v.slice(0, 12).map((x) => x.toFixed(digits));
  return `[${shown.join(", ")}${v.length > 12 ? `, … (${v.length})` : ""}]`;
}
