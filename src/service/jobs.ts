/**
 * The job model. A proof request is a BullMQ flow:
 *
 *   proofs queue   parent "proof" job, processed by the service (trusted): once every child is
 *                  done it checks each returned proof, asks for a new one where a worker lied,
 *                  and assembles the result (verifier.ts). Its return value is the answer.
 *   tasks queue    one child "task" per circuit (one for a single model, one per segment of a
 *                  split model), processed by workers (untrusted): witness + Groth16 proof.
 *
 * Ids are deterministic, so adding the same flow twice adds nothing: the parent's id is an HMAC
 * (under a secret kept in Redis) of the model id, the canonical input JSON and the options, so
 * identical requests are one job and ids reveal nothing about inputs; a child's id is
 * `<parent>-<segment>-<attempt>`, the attempt counting proofs the service rejected.
 */
import { createHmac } from "node:crypto";
import type { SaltStrings } from "./circuit.js";
import type { ChainPublicFile } from "../meta/split.js";

export const PREFIX = "zkinfer";
export const QUEUES = { proofs: "proofs", tasks: "tasks" } as const;

/** Options of a proof request (the body's "options"), part of what makes two requests the same. */
export interface ProofOptions {
  /** refuse inputs outside the accepted range instead of clamping them */
  readonly strict: boolean;
  /** reuse this input salt (decimal or 0x-hex), as `zkinfer prove --input-salt` */
  readonly inputSalt: string | null;
}

/** One unit of proving work: a circuit, its quantized input and the salts of its commitments. */
export interface TaskSpec {
  /** the circuit's verification-key hash */
  readonly circuit: string;
  /** the quantized input tensor's values (integers) */
  readonly input: readonly number[];
  readonly salts: SaltStrings;
}

export interface ProofJobData {
  /** the model's content id */
  readonly model: string;
  readonly input: unknown;
  readonly options: ProofOptions;
  /** the request's salts (a salted input or output commitment's), drawn at submission */
  readonly salts: SaltStrings;
  readonly tasks: readonly TaskSpec[];
  /** the current attempt of each task (raised when a returned proof is rejected) */
  readonly attempts: readonly number[];
  /** proofs rejected so far, over all tasks */
  readonly rejections: number;
  readonly warnings: readonly string[];
  readonly submittedAt: number;
}

export interface TaskJobData extends TaskSpec {
  /** the parent proof job's id */
  readonly proof: string;
  readonly segment: number;
  readonly attempt: number;
  /** workers whose proof of this task was rejected: an honest worker leaves the task to others */
  readonly exclude: readonly string[];
  /** how often excluded workers handed it back */
  readonly bounces: number;
}

/** What a worker returns for a task: a claim, checked by the service before anyone sees it. */
export interface TaskResult {
  readonly proof: unknown;
  readonly public: unknown;
  readonly worker: string;
  readonly seconds: { readonly witness: number; readonly prove: number };
}

/** Progress a worker reports on a task. */
export interface TaskProgress {
  readonly stage: "loading" | "witness" | "proving";
  readonly worker: string;
}

/** The accepted result of a proof job: what GET /v1/jobs/{id} shows when it is done. */
export interface ProofResult {
  readonly model: string;
  /**
   * proof.json and public.json: snarkjs's for a single-circuit model; for a split model the
   * chain's files (formats "zkinfer-chain-proof" and "zkinfer-chain-public"), as `zkinfer prove`
   * writes them for a split directory
   */
  readonly proof: unknown;
  readonly public: readonly string[] | ChainPublicFile;
  /** the model's outputs, dequantized (what the public signals show or commit to) */
  readonly output: readonly number[];
  readonly outputs: readonly {
    readonly name: string;
    readonly shape: readonly number[];
    readonly values: readonly number[];
  }[];
  /** the public signals decoded (commitments as field elements) */
  readonly decoded: readonly {
    readonly role: string;
    readonly name: string;
    readonly values: readonly number[];
    readonly hash?: string;
  }[];
  /** salts of salted commitments: the openings (output.json's and input_salt.json's "salt") */
  readonly salts: SaltStrings;
  /** per circuit, in chain order: the proof, its public signals, who proved it and how long it took */
  readonly chain: readonly {
    readonly circuit: string;
    readonly proof: unknown;
    readonly public: readonly string[];
    readonly worker: string;
    readonly seconds: { readonly witness: number; readonly prove: number };
  }[];
  readonly development: boolean;
  readonly warnings: readonly string[];
  readonly rejections: number;
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (!x || typeof x !== "object" || Array.isArray(x)) return x;
    const o = x as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  });
}

/** The proof job's id for a request: identical requests (model, input, options) get the same id. */
export function proofJobId(secret: string, model: string, input: unknown, options: ProofOptions): string {
  return createHmac("sha256", secret).update(canonicalJson({ model, input, options })).digest("hex").slice(0, 32);
}

export function taskJobId(proof: string, segment: number, attempt: number): string {
  return `${proof}-${segment}-${attempt}`;
}
