/**
 * The end of a switch over a union's kinds: it type-checks only when every kind has a case, so
 * a new step or op kind cannot silently do nothing, and it throws if a value from a newer file
 * (or a corrupt one) reaches it anyway.
 */
export function assertNever(x: never, what = "value"): never {
  const kind = (x as { kind?: unknown } | null)?.kind ?? x;
  throw new Error(`unhandled ${what} ${JSON.stringify(kind)}`);
}
