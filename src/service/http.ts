/**
 * The HTTP API (Fastify): routes are thin wrappers over registry.ts and proofs.ts. Every error is
 * {"error": {"code", "message"}} with a message that names what was wrong; openapi.ts documents
 * each route and the tests check real responses against it.
 *
 *   GET  /healthz, /metrics, /openapi.json
 *   GET  /v1/models, /v1/models/{id}, /v1/models/{id}/verification_key     (public: verifiers)
 *   POST /v1/models/{id}/proofs                                            (key, rate-limited)
 *   GET  /v1/jobs/{id}[?wait=s]                                            (key: its submitters')
 *   GET  /v1/circuits/{id}/{file}                                          (workers' artifacts)
 *   GET  /v1/workers                                                       (key)
 *
 * Order per request: authentication (onRequest, before the body is read), the body parsed
 * (size limit, JSON with the syntax error's position) and validated against its schema, the
 * per-key rate limit, then the handler, which checks the input against the model before any
 * job exists.
 */
import { setMaxListeners } from "node:events";
import { createReadStream, promises as fs } from "node:fs";
import * as path from "node:path";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import rateLimit from "@fastify/rate-limit";
import type { ServiceContext } from "./context.js";
import { matchKey, presentedKey } from "./auth.js";
import { RequestError } from "./request-error.js";
import { CIRCUIT_FILES, type CircuitFile } from "./artifacts.js";
import { openApiDocument, proofRequestSchema } from "./openapi.js";
import { findJob, jobView, submitProof, waitForJob, type ProofBody } from "./proofs.js";
import { inputMeta, outputMeta, type ServedModel } from "./registry.js";
import { artifact } from "../artifacts.js";
import { readJsonFile } from "../util/fsx.js";
import { describeError, isZkError } from "../errors.js";

declare module "fastify" {
  interface FastifyRequest {
    /** the API key's id ("anonymous" without --api-keys) */
    submitter: string;
  }
}

function summary(m: ServedModel) {
  const url = `/v1/models/${m.id}`;
  const first = inputMeta(m),
    last = outputMeta(m);
  return {
    id: m.id,
    name: m.name,
    version: m.version,
    description: m.description,
    kind: m.kind,
    segments: m.circuits.length,
    // a split model's chain of circuits is named by its split id; its segments have no one architecture
    circuitSha256: m.manifest?.splitId ?? first.identity.circuitSha256,
    architectureSha256: m.manifest ? null : first.identity.architectureSha256,
    onnxSha256: first.model.sha256,
    constraints: m.circuits.reduce((a, c) => a + c.meta.circuit.constraints, 0),
    publicSignals: m.circuits.reduce((a, c) => a + c.meta.publicSignals.count, 0),
    input: { shape: first.input.shape, visibility: first.input.visibility },
    outputs: last.outputs.map((o) => ({ name: o.name, shape: o.shape })),
    development: m.circuits.some((c) => c.setup.ptau.development),
    links: { self: url, verificationKey: `${url}/verification_key`, proofs: `${url}/proofs` },
  };
}

/**
 * A split model's keys: per segment its model.json and verification key, what the
 * `zkinfer/verify` module's verifyChainFiles takes beside the manifest (GET /v1/models/{id}).
 */
async function splitKeys(m: ServedModel, splitId: string) {
  return {
    format: "zkinfer-split-keys",
    splitId,
    segments: await Promise.all(
      m.circuits.map(async (c, index) => ({
        index,
        verificationKeySha256: c.id,
        model: await readJsonFile(artifact(c.dir, "model"), "model.json"),
        vkey: await readJsonFile(artifact(c.dir, "vkey"), "verification key"),
      })),
    ),
  };
}

/** An ajv error as one sentence naming the field: "body.options.strict must be boolean". */
function validationMessage(e: FastifyError): string {
  const v = e.validation?.[0];
  if (!v) return e.message;
  const where = `${e.validationContext ?? "body"}${v.instancePath.replace(/\/(\d+)/g, "[$1]").replace(/\//g, ".")}`;
  const params = v.params as Record<string, unknown>;
  if (v.keyword === "additionalProperties")
    return `${where} has an unknown field "${String(params.additionalProperty)}"`;
  return `${where} ${v.message ?? "is invalid"}`;
}

const ERROR_CODES: Readonly<Record<string, [number, string, (e: FastifyError, limit: number) => string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [
    413,
    "TOO_LARGE",
    (_e, limit) => `the request body is larger than this service's limit of ${limit} bytes`,
  ],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, "UNSUPPORTED_MEDIA_TYPE", () => "send the request body as application/json"],
  FST_ERR_CTP_EMPTY_JSON_BODY: [
    400,
    "BAD_JSON",
    () => 'the request body is empty; expected JSON like {"input": [...]}',
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    400,
    "BAD_REQUEST",
    () => "the request body's size does not match its Content-Length",
  ],
};

function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type("application/json").send({ error: { code, message } });
}

export async function buildApp(ctx: ServiceContext): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: ctx.limits.maxBody,
    // strict validation: no type coercion ("1" is not a number), no silent removal of unknown fields
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    return503OnClosing: true,
  });
  app.decorateRequest("submitter", "");
  // closing: long polls answer at once with the job as it is, so a drain does not wait for them
  const closing = new AbortController();
  setMaxListeners(0, closing.signal); // one listener per long poll
  app.addHook("preClose", async () => closing.abort());

  app.removeAllContentTypeParsers(); // JSON only: anything else is 415
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string) as unknown);
    } catch (e) {
      done(new RequestError(400, "BAD_JSON", `the request body is not valid JSON: ${describeError(e)}`), undefined);
    }
  });

  app.setErrorHandler((e: FastifyError | RequestError, _req, reply) => {
    if (e instanceof RequestError) return sendError(reply.headers(e.headers), e.status, e.code, e.message);
    if (isZkError(e)) return sendError(reply, 400, e.code, e.message);
    if ("validation" in e && e.validation) return sendError(reply, 400, "BAD_REQUEST", validationMessage(e));
    const known = "code" in e ? ERROR_CODES[e.code] : undefined;
    if (known) return sendError(reply, known[0], known[1], known[2](e, ctx.limits.maxBody));
    if (e.statusCode && e.statusCode < 500) return sendError(reply, e.statusCode, "BAD_REQUEST", e.message);
    ctx.log(`internal error: ${describeError(e)}`);
    return sendError(reply, 500, "INTERNAL", "internal error (logged by the service)");
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(
      reply,
      404,
      "NOT_FOUND",
      `no route ${req.method} ${req.url.split("?")[0]} (GET /openapi.json lists the API)`,
    ),
  );

  const authenticate = async (req: FastifyRequest) => {
    if (!ctx.keys) {
      req.submitter = "anonymous";
      return;
    }
    const presented = presentedKey(req.headers);
    if (presented === null)
      throw new RequestError(401, "UNAUTHORIZED", "this service needs an API key: send `Authorization: Bearer <key>`", {
        "www-authenticate": "Bearer",
      });
    const key = matchKey(ctx.keys, presented);
    if (!key)
      throw new RequestError(401, "UNAUTHORIZED", "the API key is not one this service knows", {
        "www-authenticate": 'Bearer error="invalid_token"',
      });
    req.submitter = key.id;
  };

  await app.register(rateLimit, {
    global: false,
    hook: "preHandler",
    redis: ctx.redis,
    nameSpace: "zkinfer:ratelimit:",
    keyGenerator: (req) => (req.submitter && req.submitter !== "anonymous" ? `key:${req.submitter}` : `ip:${req.ip}`),
    errorResponseBuilder: (_req, c) =>
      new RequestError(
        429,
        "RATE_LIMITED",
        `rate limit: at most ${c.max} requests per minute for this key; retry in ${c.after}`,
      ),
  });
  const limited = (max: number) => ({ rateLimit: { max, timeWindow: 60_000 } });
  const reads = limited(ctx.limits.rateLimit * 10);

  app.get("/healthz", async (_req, reply) => {
    let redis = "ok";
    try {
      await ctx.redis.ping();
    } catch (e) {
      redis = describeError(e);
    }
    const workers = redis === "ok" ? await ctx.tasks.getWorkersCount() : 0;
    return reply
      .code(redis === "ok" ? 200 : 503)
      .send({ ok: redis === "ok", redis, models: ctx.store.models.length, workers });
  });
  app.get("/metrics", async (_req, reply) =>
    reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()),
  );
  const doc = openApiDocument(ctx.keys !== null);
  app.get("/openapi.json", async () => doc);

  app.get("/v1/models", async () => ({ models: ctx.store.models.map(summary) }));
  app.get<{ Params: { id: string } }>("/v1/models/:id", async (req, reply) => {
    const m = ctx.store.resolve(req.params.id);
    return reply.type("application/json").send(await fs.readFile(artifact(m.dir, m.manifest ? "manifest" : "model")));
  });
  app.get<{ Params: { id: string } }>("/v1/models/:id/verification_key", async (req, reply) => {
    const m = ctx.store.resolve(req.params.id);
    if (!m.manifest) return reply.type("application/json").send(await fs.readFile(artifact(m.dir, "vkey")));
    return splitKeys(m, m.manifest.splitId);
  });

  app.post<{ Params: { id: string }; Body: ProofBody }>(
    "/v1/models/:id/proofs",
    { onRequest: authenticate, schema: { body: proofRequestSchema }, config: limited(ctx.limits.rateLimit) },
    async (req, reply) => {
      const model = ctx.store.resolve(req.params.id);
      const s = await submitProof(ctx, model, req.body, req.submitter);
      const url = `/v1/jobs/${s.id}`;
      return reply
        .code(s.state === "done" ? 200 : 202)
        .header("location", url)
        .send({ ...s, url });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { wait?: string } }>(
    "/v1/jobs/:id",
    { onRequest: authenticate, config: reads },
    async (req) => {
      const wait = req.query.wait === undefined ? 0 : Number(req.query.wait);
      if (!Number.isFinite(wait) || wait < 0 || wait > 60)
        throw new RequestError(
          400,
          "BAD_REQUEST",
          `wait must be a number of seconds from 0 to 60, got ${JSON.stringify(req.query.wait)}`,
        );
      const job = await findJob(ctx, req.params.id, req.submitter);
      await waitForJob(ctx, job, wait, closing.signal);
      return jobView(ctx, (await ctx.proofs.getJob(job.id!)) ?? job);
    },
  );

  app.get<{ Params: { id: string; file: string } }>("/v1/circuits/:id/:file", async (req, reply) => {
    const c = ctx.store.circuit(req.params.id);
    if (!c)
      throw new RequestError(
        404,
        "NOT_FOUND",
        `no circuit ${JSON.stringify(req.params.id.slice(0, 64))} is served here`,
      );
    const file = req.params.file as CircuitFile;
    if (!CIRCUIT_FILES.includes(file))
      throw new RequestError(
        404,
        "NOT_FOUND",
        `a circuit's files are ${CIRCUIT_FILES.join(", ")}; not ${JSON.stringify(req.params.file.slice(0, 64))}`,
      );
    const where = path.join(c.dir, file);
    const size = (await fs.stat(where)).size;
    const type = file.endsWith(".json") ? "application/json" : "application/octet-stream";
    return reply
      .type(type)
      .header("content-length", size)
      .header("cache-control", "public, max-age=31536000, immutable")
      .send(createReadStream(where));
  });

  app.get("/v1/workers", { onRequest: authenticate, config: reads }, async () => ({
    workers: await ctx.records.list(),
  }));
  return app;
}
