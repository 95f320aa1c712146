/**
 * A small circom source writer: indented lines, and constant arrays as functions (circom has
 * no global constants; a function returning an array literal is the idiom), so weights stay
 * out of the template's body and every array is defined once.
 */
export class CircomWriter {
  private readonly body: string[] = [];
  private readonly functions: string[] = [];
  private depth = 0;
  private nConst = 0;

  line(text = ""): void {
    this.body.push(text === "" ? "" : "    ".repeat(this.depth) + text);
  }

  /** Lines inside a block: `open {`, body, `}`. */
  block(open: string, inner: () => void): void {
    this.line(`${open} {`);
    this.depth++;
    inner();
    this.depth--;
    this.line("}");
  }

  /** `for (var v = from; v < to; v++) { ... }` */
  loop(v: string, from: string | number, to: string | number, inner: () => void): void {
    this.block(`for (var ${v} = ${from}; ${v} < ${to}; ${v}++)`, inner);
  }

  comment(text: string): void {
    for (const l of text.split("\n")) this.line(`// ${l}`);
  }

  /** A constant integer array as a function; returns the expression that yields it. */
  constArray(values: ArrayLike<number | bigint>, hint: string): string {
    const name = `c${this.nConst++}_${hint.replace(/[^A-Za-z0-9_]/g, "_")}`;
    const cells = Array.from(values, (v) => integer(v));
    const rows: string[] = [];
    for (let i = 0; i < cells.length; i += 24) rows.push("        " + cells.slice(i, i + 24).join(", "));
    this.functions.push(`function ${name}() {\n    return [\n${rows.join(",\n")}\n    ];\n}\n`);
    return `${name}()`;
  }

  /** Declares `var name[n]` filled from a constant array. */
  constVar(name: string, values: ArrayLike<number | bigint>, hint = name): string {
    this.line(`var ${name}[${Math.max(values.length, 1)}] = ${this.constArray(values.length ? values : [0], hint)};`);
    return name;
  }

  get bodyText(): string {
    return this.body.join("\n");
  }

  get functionsText(): string {
    return this.functions.join("\n");
  }
}

/** An integer as circom source, exactly (a double past 2^53, a wide bias or bound, is an integer too). */
export function integer(v: number | bigint): string {
  if (typeof v === "bigint") return v.toString();
  if (!Number.isInteger(v)) throw new Error(`export: ${v} is not an integer`);
  return BigInt(v).toString();
}
