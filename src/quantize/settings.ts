/**
 * Settings files: what `zkinfer calibrate` finds and `zkinfer compile --settings` takes — the
 * global quantization options and per-layer bits (by ONNX node name), with the model they were
 * searched for and the result they reached. Parsing names the file and the field at fault.
 */
import { ZkError } from "../errors.js";
import type { LayerBits, QuantizeOptions } from "./options.js";

export const SETTINGS_FORMAT = "zkinfer-settings";
export const SETTINGS_VERSION = 1;

/** The options a settings file may set (the rest, visibility and salts, belong to compile). */
export type SettingsOptions = Partial<
  Pick<QuantizeOptions, "activationBits" | "weightBits" | "inputBits" | "inputMargin" | "activationMargin">
>;

export interface Settings {
  readonly options: SettingsOptions;
  readonly layers: Readonly<Record<string, LayerBits>>;
  /** the model the search ran on (compile warns on another) */
  readonly model?: { readonly file: string; readonly sha256: string };
}

const OPTION_KEYS = ["activationBits", "weightBits", "inputBits", "inputMargin", "activationMargin"] as const;
const LAYER_KEYS = ["activationBits", "weightBits"] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function parseSettings(j: unknown, file: string): Settings {
  const bad = (field: string, why: string) => new ZkError("BAD_FILE", `${file}: ${field} ${why}`);
  if (!isObject(j)) throw bad("(the file)", "is not a JSON object");
  if (j.format !== SETTINGS_FORMAT)
    throw bad("format", `must be "${SETTINGS_FORMAT}", got ${JSON.stringify(j.format)}`);
  if (j.version !== SETTINGS_VERSION)
    throw bad("version", `must be ${SETTINGS_VERSION}, got ${JSON.stringify(j.version)}`);
  const o = j.options ?? {};
  if (!isObject(o)) throw bad("options", "must be an object");
  const options: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(k))
      throw bad(`options.${k}`, `is not a setting (${OPTION_KEYS.join(", ")})`);
    // JSON has no Infinity: an activation margin of null means no windows
    if (k === "activationMargin" && v === null) options[k] = Infinity;
    else if (typeof v !== "number" || !Number.isFinite(v))
      throw bad(`options.${k}`, `must be a number, got ${JSON.stringify(v)}`);
    else options[k] = v;
  }
  const l = j.layers ?? {};
  if (!isObject(l)) throw bad("layers", "must be an object of node name → bits");
  const layers: Record<string, LayerBits> = {};
  for (const [name, bits] of Object.entries(l)) {
    if (!isObject(bits)) throw bad(`layers["${name}"]`, "must be an object");
    const entry: Record<string, number> = {};
    for (const [k, v] of Object.entries(bits)) {
      if (!(LAYER_KEYS as readonly string[]).includes(k))
        throw bad(`layers["${name}"].${k}`, `is not a layer setting (${LAYER_KEYS.join(", ")})`);
      if (typeof v !== "number" || !Number.isInteger(v))
        throw bad(`layers["${name}"].${k}`, `must be an integer, got ${JSON.stringify(v)}`);
      entry[k] = v;
    }
    layers[name] = entry;
  }
  const m = j.model;
  const model =
    isObject(m) && typeof m.file === "string" && typeof m.sha256 === "string"
      ? { file: m.file, sha256: m.sha256 }
      : undefined;
  return { options, layers, ...(model ? { model } : {}) };
}

/** The settings as JSON (with whatever report the caller adds beside them). */
export function settingsJson(s: Settings, report: Record<string, unknown> = {}): Record<string, unknown> {
  const options: Record<string, number | null> = {};
  for (const k of OPTION_KEYS) {
    const v = s.options[k];
    if (v !== undefined) options[k] = Number.isFinite(v) ? v : null;
  }
  return {
    format: SETTINGS_FORMAT,
    version: SETTINGS_VERSION,
    ...(s.model ? { model: s.model } : {}),
    options,
    layers: s.layers,
    ...report,
  };
}
