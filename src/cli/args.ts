/** Argument parsing shared by the commands: node's parseArgs plus typed getters with clear errors. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ZkError } from "../errors.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | string[] | undefined>;
}

export function parse(argv: string[], options: Options, command: string): Parsed {
  try {
    const r = parseArgs({
      args: argv,
      options: { ...options, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    return { positionals: r.positionals, values: r.values as Parsed["values"] };
  } catch (e) {
    throw new ZkError(
      "BAD_OPTION",
      `${command}: ${(e as Error).message.replace(/^.*?: /, "")} (see zkinfer ${command} --help)`,
    );
  }
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === "string" ? v : undefined;
}

/** A repeatable option's values (none: []). */
export function strs(p: Parsed, name: string): string[] {
  const v = p.values[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

export function requireStr(p: Parsed, name: string, command: string): string {
  const v = str(p, name);
  if (!v) throw new ZkError("BAD_OPTION", `${command}: --${name} is required`);
  return v;
}

export function int(p: Parsed, name: string, dflt: number): number {
  const v = str(p, name);
  if (v === undefined) return dflt;
  if (!/^-?\d+$/.test(v)) throw new ZkError("BAD_OPTION", `--${name} must be an integer, got "${v}"`);
  return Number(v);
}

export function num(p: Parsed, name: string, dflt: number): number {
  const v = str(p, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (Number.isNaN(n) || n === -Infinity) throw new ZkError("BAD_OPTION", `--${name} must be a number, got "${v}"`);
  return n;
}

export function oneOf<T extends string>(p: Parsed, name: string, allowed: readonly T[], dflt: T): T {
  const v = str(p, name) ?? dflt;
  if (!(allowed as readonly string[]).includes(v))
    throw new ZkError("BAD_OPTION", `--${name} must be one of ${allowed.join(", ")}, got "${v}"`);
  return v as T;
}

export function positional(p: Parsed, i: number, what: string, command: string): string {
  const v = p.positionals[i];
  if (!v) throw new ZkError("BAD_OPTION", `${command}: missing ${what} (see zkinfer ${command} --help)`);
  return v;
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}
