/**
 * The HTTP API's contract: JSON Schemas for request bodies (Fastify validates with them) and
 * responses (the tests validate real responses against them), assembled into the OpenAPI 3.1
 * document served at /openapi.json.
 */
import { VERSION } from "../version.js";

type Schema = Readonly<Record<string, unknown>>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = { type: "string" } as const;
const int = { type: "integer" } as const;
const nullable = (s: Schema): Schema => ({ oneOf: [s, { type: "null" }] });
const shape = { type: "array", items: { type: "integer", minimum: 0 } } as const;
const salts = { type: "object", properties: { input: str, output: str }, additionalProperties: false } as const;
const seconds = {
  type: "object",
  required: ["witness", "prove"],
  properties: { witness: { type: "number" }, prove: { type: "number" } },
} as const;

/** The body of POST /v1/models/{id}/proofs: `zkinfer prove`'s input file, plus options. */
export const proofRequestSchema: Schema = {
  type: "object",
  description:
    'The same JSON as `zkinfer prove --input`: {"input": [...]} (flat or nested to the model\'s input shape) or EZKL\'s {"input_data": [[...]]}',
  properties: {
    input: { type: "array", description: "the input values, flat or nested" },
    input_data: { type: "array", description: "EZKL's form: one entry per model input" },
    options: {
      type: "object",
      additionalProperties: false,
      properties: {
        strict: {
          type: "boolean",
          description: "refuse inputs outside the accepted range instead of clamping them (default false)",
        },
        inputSalt: {
          type: "string",
          pattern: "^(0x[0-9a-fA-F]+|[0-9]+)$",
          description: "reuse this input salt (a salted hashed input), as `zkinfer prove --input-salt`",
        },
      },
    },
  },
  additionalProperties: false,
};

const schemas: Record<string, Schema> = {
  Error: {
    type: "object",
    required: ["error"],
    properties: { error: { type: "object", required: ["code", "message"], properties: { code: str, message: str } } },
  },
  ModelSummary: {
    type: "object",
    required: [
      "id",
      "name",
      "version",
      "kind",
      "segments",
      "circuitSha256",
      "architectureSha256",
      "onnxSha256",
      "constraints",
      "publicSignals",
      "input",
      "outputs",
      "development",
      "links",
    ],
    properties: {
      id: {
        type: "string",
        pattern: "^[0-9a-f]{64}$",
        description:
          "content hash: the verification key's sha256 (a split model: sha256 over its split id and every segment's key hash)",
      },
      name: str,
      version: nullable(str),
      description: nullable(str),
      kind: { enum: ["single", "split"] },
      segments: { type: "integer", minimum: 1, description: "circuits per proof: 1, or a split model's segments" },
      circuitSha256: { type: "string", description: "the circuit's sha256 (a split model: its split id)" },
      architectureSha256: nullable(str),
      onnxSha256: str,
      constraints: int,
      publicSignals: int,
      input: { type: "object", required: ["shape"], properties: { shape, visibility: str } },
      outputs: {
        type: "array",
        items: { type: "object", required: ["name", "shape"], properties: { name: str, shape } },
      },
      development: { type: "boolean", description: "keys from a development-only setup" },
      links: {
        type: "object",
        required: ["self", "verificationKey", "proofs"],
        properties: { self: str, verificationKey: str, proofs: str },
      },
    },
  },
  ModelList: {
    type: "object",
    required: ["models"],
    properties: { models: { type: "array", items: ref("ModelSummary") } },
  },
  ModelJson: {
    type: "object",
    description: "the model's model.json, as compile and setup wrote it",
    required: ["format", "version", "identity", "input", "outputs", "publicSignals"],
    properties: {
      format: { const: "zkinfer-model" },
      identity: { type: "object", required: ["verificationKeySha256"], properties: { verificationKeySha256: str } },
    },
  },
  SplitManifest: {
    type: "object",
    description: "a split model's manifest.json: its segments in chain order, the cuts, and the split id",
    required: ["format", "version", "splitId", "cuts", "segments"],
    properties: {
      format: { const: "zkinfer-split" },
      splitId: str,
      cuts: { type: "array" },
      segments: {
        type: "array",
        items: {
          type: "object",
          required: ["index", "circuitSha256", "chainIn", "chainOut", "verificationKeySha256"],
          properties: { index: int, circuitSha256: str, verificationKeySha256: str },
        },
      },
    },
  },
  VerificationKey: {
    type: "object",
    description: "snarkjs's verification_key.json",
    required: ["protocol", "curve", "nPublic", "IC"],
    properties: { protocol: { const: "groth16" }, curve: str, nPublic: int, IC: { type: "array" } },
  },
  SplitKeys: {
    type: "object",
    description:
      "a split model's keys: per segment its model.json and verification_key.json (with the manifest, what the zkinfer/verify module's verifyChainFiles takes)",
    required: ["format", "splitId", "segments"],
    properties: {
      format: { const: "zkinfer-split-keys" },
      splitId: str,
      segments: {
        type: "array",
        items: {
          type: "object",
          required: ["index", "verificationKeySha256", "model", "vkey"],
          properties: { index: int, verificationKeySha256: str, model: ref("ModelJson"), vkey: ref("VerificationKey") },
        },
      },
    },
  },
  ProofRequest: proofRequestSchema,
  Accepted: {
    type: "object",
    required: ["id", "model", "state", "url", "deduplicated", "warnings"],
    properties: {
      id: { type: "string", pattern: "^[0-9a-f]{32}$" },
      model: str,
      state: ref("JobState"),
      url: str,
      deduplicated: {
        type: "boolean",
        description: "an identical request (model, input, options) made this job before",
      },
      warnings: { type: "array", items: str },
    },
  },
  JobState: { enum: ["queued", "proving", "verifying", "done", "failed"] },
  Job: {
    type: "object",
    required: ["id", "model", "state", "submittedAt", "warnings"],
    properties: {
      id: str,
      model: str,
      state: ref("JobState"),
      submittedAt: str,
      finishedAt: str,
      warnings: { type: "array", items: str },
      rejections: {
        type: "integer",
        description: "proofs from workers the service rejected (each task then went to another worker)",
      },
      tasks: {
        type: "array",
        description: "one per circuit (one for a single model, one per segment of a split one), while the job runs",
        items: {
          type: "object",
          required: ["segment", "state", "attempt"],
          properties: {
            segment: int,
            state: { enum: ["queued", "retrying", "proving", "proved", "failed"] },
            stage: { enum: ["loading", "witness", "proving"] },
            worker: str,
            attempt: int,
            attemptsMade: int,
          },
        },
      },
      error: { type: "object", required: ["code", "message"], properties: { code: str, message: str } },
      proof: {
        description: "proof.json, once done: snarkjs's, or a split model's chain proof (every segment's proof)",
        oneOf: [
          { type: "object", required: ["pi_a", "pi_b", "pi_c", "protocol"] },
          {
            type: "object",
            required: ["format", "splitId", "segments"],
            properties: { format: { const: "zkinfer-chain-proof" } },
          },
        ],
      },
      public: {
        description: "public.json, once done: snarkjs's list, or a split model's chain signals",
        oneOf: [
          { type: "array", items: str },
          {
            type: "object",
            required: ["format", "splitId", "signals"],
            properties: { format: { const: "zkinfer-chain-public" }, signals: { type: "array", items: str } },
          },
        ],
      },
      output: { type: "array", items: { type: "number" }, description: "the first output, dequantized" },
      outputs: {
        type: "array",
        items: {
          type: "object",
          required: ["name", "shape", "values"],
          properties: { name: str, shape, values: { type: "array", items: { type: "number" } } },
        },
      },
      decoded: {
        type: "array",
        items: {
          type: "object",
          required: ["role", "name", "values"],
          properties: { role: str, name: str, values: { type: "array", items: { type: "number" } }, hash: str },
        },
      },
      salts,
      chain: {
        type: "array",
        description: "per circuit in chain order (one entry for a single model)",
        items: {
          type: "object",
          required: ["circuit", "proof", "public", "worker", "seconds"],
          properties: {
            circuit: str,
            proof: { type: "object" },
            public: { type: "array", items: str },
            worker: str,
            seconds,
          },
        },
      },
      development: { type: "boolean" },
    },
  },
  Health: {
    type: "object",
    required: ["ok", "redis", "models", "workers"],
    properties: { ok: { type: "boolean" }, redis: str, models: int, workers: int },
  },
  WorkerList: {
    type: "object",
    required: ["workers"],
    properties: {
      workers: {
        type: "array",
        items: {
          type: "object",
          required: ["id", "accepted", "rejected", "lastRejection", "lastSeen"],
          properties: { id: str, accepted: int, rejected: int, lastRejection: nullable(str), lastSeen: nullable(str) },
        },
      },
    },
  },
};

const json = (schema: Schema, description: string) => ({ description, content: { "application/json": { schema } } });
const error = (description: string) => json(ref("Error"), description);
const modelParam = {
  name: "id",
  in: "path",
  required: true,
  description: "a model's content hash, name, or name@version",
  schema: str,
};
const keyed = [{ bearer: [] as string[] }];

/** The OpenAPI document; `keys` says whether the service requires API keys. */
export function openApiDocument(keys: boolean): Schema {
  const auth = keys ? { security: keyed } : {};
  return {
    openapi: "3.1.0",
    info: {
      title: "zkinfer proving service",
      version: VERSION,
      description:
        "Zero-knowledge proofs of neural-network inference as a service: submit an input, get a Groth16 proof that a model's output is what it says.",
    },
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "an API key from the service's --api-keys file" },
      },
    },
    paths: {
      "/healthz": {
        get: {
          summary: "liveness and Redis",
          responses: { 200: json(ref("Health"), "up"), 503: json(ref("Health"), "Redis unreachable") },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus metrics",
          responses: { 200: { description: "text exposition format", content: { "text/plain": { schema: str } } } },
        },
      },
      "/openapi.json": {
        get: { summary: "this document", responses: { 200: json({ type: "object" }, "OpenAPI 3.1") } },
      },
      "/v1/models": { get: { summary: "the models served", responses: { 200: json(ref("ModelList"), "the models") } } },
      "/v1/models/{id}": {
        get: {
          summary: "a model's model.json (a split model's manifest.json)",
          parameters: [modelParam],
          responses: {
            200: json({ oneOf: [ref("ModelJson"), ref("SplitManifest")] }, "model.json or manifest.json"),
            400: error("malformed id"),
            404: error("no such model"),
          },
        },
      },
      "/v1/models/{id}/verification_key": {
        get: {
          summary:
            "the model's verification_key.json: with model.json, all a verifier needs (a split model: every segment's model.json and key)",
          parameters: [modelParam],
          responses: {
            200: json(
              { oneOf: [ref("VerificationKey"), ref("SplitKeys")] },
              "verification_key.json, or a split's keys",
            ),
            400: error("malformed id"),
            404: error("no such model"),
          },
        },
      },
      "/v1/models/{id}/proofs": {
        post: {
          summary: "request a proof of the model on an input",
          ...auth,
          parameters: [modelParam],
          requestBody: { required: true, content: { "application/json": { schema: ref("ProofRequest") } } },
          responses: {
            200: json(ref("Accepted"), "an identical request is already done: the same job"),
            202: json(ref("Accepted"), "queued (or an identical request's job, still running)"),
            400: error("malformed JSON, a wrong shape, a non-number, a bad option: the message names the field"),
            401: error("no API key, or an unknown one"),
            404: error("no such model"),
            413: error("body larger than the service's limit"),
            415: error("not application/json"),
            429: error("rate limit or queue full; see Retry-After"),
          },
        },
      },
      "/v1/jobs/{id}": {
        get: {
          summary: "a proof job: its state, and when done the proof, public signals and decoded output",
          ...auth,
          parameters: [
            { name: "id", in: "path", required: true, schema: str },
            {
              name: "wait",
              in: "query",
              required: false,
              description: "wait up to this many seconds (at most 60) for the job to finish",
              schema: { type: "number", minimum: 0, maximum: 60 },
            },
          ],
          responses: {
            200: json(ref("Job"), "the job"),
            400: error("malformed wait"),
            401: error("no API key, or an unknown one"),
            404: error("no such job for this key"),
          },
        },
      },
      "/v1/circuits/{id}/{file}": {
        get: {
          summary:
            "a circuit's artifacts by content hash, for workers (model.json, setup.json, verification_key.json, plan.json, circuit.zkey)",
          parameters: [
            { name: "id", in: "path", required: true, schema: str },
            { name: "file", in: "path", required: true, schema: str },
          ],
          responses: {
            200: { description: "the file (circuit.zkey as application/octet-stream)" },
            404: error("no such circuit or file"),
          },
        },
      },
      "/v1/workers": {
        get: {
          summary: "proofs accepted and rejected per worker",
          ...auth,
          responses: { 200: json(ref("WorkerList"), "workers seen"), 401: error("no API key, or an unknown one") },
        },
      },
    },
  };
}
