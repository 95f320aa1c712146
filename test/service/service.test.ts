/**
 * The proving service end to end, as deployed on many machines: a real Redis, `zkinfer serve`
 * with API keys, two `zkinfer worker` processes that fetch circuits over HTTP into their own
 * caches. 20 proofs of two models over HTTP all finish, each verifies with plain snarkjs and
 * decodes to `zkinfer run`'s output; a split model's requests fan out one task per segment over
 * both workers and come back as chains that `zkinfer verify`, the `zkinfer/verify` module (with
 * only what the service publishes) and plain snarkjs per segment accept; identical requests are
 * one job; hostile requests get the
 * right status and a message naming the problem, create no job, and the service keeps
 * serving. Every JSON response is checked against the service's own /openapi.json.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";
import * as snarkjs from "snarkjs";
import { Ajv, type ValidateFunction } from "ajv";
import { loadSamples } from "../helpers/fixtures.js";
import { snarkjsCli, zkinfer } from "../helpers/cli.js";
import {
  call,
  haveRedis,
  prepareModels,
  stopAll,
  startCliWorker,
  startRedis,
  startService,
  waitJob,
  type Reply,
  type TestRedis,
  type TestService,
  type TestWorker,
} from "../helpers/service.js";
import { releaseCurve } from "../../src/prove/curve.js";
import { verifyChainFiles } from "../../src/verify/browser.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-svc-"));
const models = path.join(root, "models");
const MODELS = ["cancer_logreg", "digits_mlp"] as const;
/** digits_mlp in 3 segments (compile --segments 3) */
const SPLIT = "digits_split";
const ALICE = "alice-key-0123456789";
const BOB = "bob-key-9876543210";
const CAROL = "carol-key-abcdef";
const RATE = 60;

let redis: TestRedis;
let svc: TestService;
const workers: TestWorker[] = [];
const ids: Record<string, string> = {};

// ---- responses against the service's own OpenAPI document ----
let openapi: Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true });
const validators = new Map<string, ValidateFunction>();
/** Checks a reply against the document's schema for (route template, method, status). */
function expectDocumented(r: Reply, route: string, method: string): void {
  const key = `${route} ${method} ${r.status}`;
  let v = validators.get(key);
  if (!v) {
    const paths = openapi.paths as Record<
      string,
      Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
    >;
    const resp = paths[route]?.[method]?.responses[String(r.status)];
    expect(resp, `${key} is documented in /openapi.json`).toBeDefined();
    const ptr = `openapi#/paths/${route.replace(/~/g, "~0").replace(/\//g, "~1")}/${method}/responses/${r.status}/content/application~1json/schema`;
    v = ajv.compile({ $ref: ptr });
    validators.set(key, v);
  }
  expect(v(r.json), `${key}: ${ajv.errorsText(v.errors)}\n${r.text.slice(0, 300)}`).toBe(true);
}

beforeAll(async () => {
  if (!haveRedis) return;
  await prepareModels(models, [
    ...MODELS.map((fixture) => ({ fixture })),
    { fixture: "digits_mlp", name: SPLIT, segments: 3 },
  ]);
  await releaseCurve();
  for (const m of MODELS)
    ids[m] = (
      JSON.parse(readFileSync(path.join(models, m, "model.json"), "utf8")) as {
        identity: { verificationKeySha256: string };
      }
    ).identity.verificationKeySha256;
  const bobHash = createHash("sha256").update(BOB).digest("hex");
  writeFileSync(path.join(root, "keys.txt"), `# test keys\n${ALICE} alice\nsha256:${bobHash} bob\n${CAROL} carol\n`);
  redis = await startRedis(path.join(root, "redis"));
  svc = await startService([
    "--models",
    models,
    "--redis",
    redis.url,
    "--api-keys",
    path.join(root, "keys.txt"),
    "--max-body",
    "65536",
    "--rate-limit",
    String(RATE),
  ]);
  for (let i = 0; i < 2; i++)
    workers.push(
      await startCliWorker(redis.url, svc.url, ["--cache", path.join(root, `cache${i}`), "--name", `w${i}`]),
    );
  openapi = (await call(svc.url, "GET", "/openapi.json")).json;
  ajv.addSchema(openapi, "openapi");
});

afterAll(async () => {
  try {
    await stopAll([...workers.map((w) => w.proc), svc?.proc, redis?.proc]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

describe.skipIf(!haveRedis)("zkinfer serve + two zkinfer worker processes over real Redis", () => {
  it("lists the models by content hash, with model.json and the verification key a verifier needs", async () => {
    const h = await call(svc.url, "GET", "/healthz");
    expect(h.status).toBe(200);
    expectDocumented(h, "/healthz", "get");
    expect(h.json).toMatchObject({ ok: true, redis: "ok", models: 3, workers: 2 });
    const list = await call(svc.url, "GET", "/v1/models");
    expectDocumented(list, "/v1/models", "get");
    const listed = list.json.models as { id: string; name: string }[];
    expect(listed.map((m) => m.name).sort()).toEqual([...MODELS, SPLIT]);
    for (const m of MODELS) {
      expect(listed.find((x) => x.name === m)!.id).toBe(ids[m]);
      for (const ref of [ids[m]!, m]) {
        const meta = await call(svc.url, "GET", `/v1/models/${ref}`);
        expectDocumented(meta, "/v1/models/{id}", "get");
        expect(meta.json).toEqual(JSON.parse(readFileSync(path.join(models, m, "model.json"), "utf8")));
        const vk = await call(svc.url, "GET", `/v1/models/${ref}/verification_key`);
        expectDocumented(vk, "/v1/models/{id}/verification_key", "get");
        expect(vk.json).toEqual(JSON.parse(readFileSync(path.join(models, m, "verification_key.json"), "utf8")));
      }
    }
  });

  it("proves 20 requests over HTTP; each verifies with plain snarkjs and decodes to `zkinfer run`'s output", async () => {
    const requests = MODELS.flatMap((m) =>
      Array.from({ length: 10 }, (_, i) => ({ model: m, input: loadSamples(m).inputs[i] })),
    );
    const accepted = await Promise.all(
      requests.map((r) =>
        call(svc.url, "POST", `/v1/models/${r.model}/proofs`, { key: ALICE, body: { input: r.input } }),
      ),
    );
    for (const a of accepted) {
      expect(a.status, a.text).toBe(202);
      expectDocumented(a, "/v1/models/{id}/proofs", "post");
      expect(a.headers.get("location")).toBe(`/v1/jobs/${String(a.json.id)}`);
    }
    expect(new Set(accepted.map((a) => a.json.id)).size).toBe(20);
    const first = await call(svc.url, "GET", `/v1/jobs/${String(accepted[0]!.json.id)}`, { key: ALICE });
    expectDocumented(first, "/v1/jobs/{id}", "get");
    const done = await Promise.all(accepted.map((a) => waitJob(svc.url, String(a.json.id), ALICE)));
    const provers = new Set<string>();
    for (const [i, job] of done.entries()) {
      const r = requests[i]!;
      expect(job.state, JSON.stringify(job.error)).toBe("done");
      expectDocumented({ status: 200, headers: new Headers(), json: job, text: "" }, "/v1/jobs/{id}", "get");
      const vk = JSON.parse(readFileSync(path.join(models, r.model, "verification_key.json"), "utf8"));
      expect(await snarkjs.groth16.verify(vk, job.public as string[], job.proof as snarkjs.Groth16Proof)).toBe(true);
      const inFile = path.join(root, `in-${i}.json`);
      writeFileSync(inFile, JSON.stringify({ input: r.input }));
      const run = zkinfer(["run", path.join(models, r.model), "--input", inFile, "--json"]);
      expect(run.code, run.stderr).toBe(0);
      expect(job.output).toEqual(JSON.parse(run.stdout).output);
      for (const c of job.chain as { worker: string }[]) provers.add(c.worker);
    }
    expect([...provers].sort()).toEqual(["w0", "w1"]); // both machines took work
    // and the plain snarkjs CLI agrees on one of them
    writeFileSync(path.join(root, "proof.json"), JSON.stringify(done[0]!.proof));
    writeFileSync(path.join(root, "public.json"), JSON.stringify(done[0]!.public));
    const cli = snarkjsCli([
      "groth16",
      "verify",
      path.join(models, requests[0]!.model, "verification_key.json"),
      path.join(root, "public.json"),
      path.join(root, "proof.json"),
    ]);
    expect(cli.stdout + cli.stderr).toMatch(/OK/);
  });

  it("returns the same job for an identical request, also to another key, which may then read it", async () => {
    const body = { input: loadSamples("digits_mlp").inputs[0] };
    const again = await call(svc.url, "POST", `/v1/models/digits_mlp/proofs`, { key: ALICE, body });
    expect(again.status).toBe(200); // already done: the same job, no second proof
    expectDocumented(again, "/v1/models/{id}/proofs", "post");
    expect(again.json.deduplicated).toBe(true);
    // by id instead of name, by another key, with the default option spelled out: the same job
    const byId = await call(svc.url, "POST", `/v1/models/${ids.digits_mlp}/proofs`, {
      key: BOB,
      body: { input: body.input, options: { strict: false } },
    });
    expect(byId.json.id).toBe(again.json.id);
    // other options are another request
    const strict = await call(svc.url, "POST", `/v1/models/digits_mlp/proofs`, {
      key: BOB,
      body: { ...body, options: { strict: true } },
    });
    expect(strict.status).toBe(202);
    expect(strict.json.id).not.toBe(again.json.id);
    expect((await call(svc.url, "GET", `/v1/jobs/${String(again.json.id)}`, { key: BOB })).json.state).toBe("done");
  });

  it("exposes Prometheus metrics: queue depth, jobs by state, the prove-seconds histogram", async () => {
    const m = await call(svc.url, "GET", "/metrics");
    expect(m.status).toBe(200);
    expect(m.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(m.text).toMatch(/^zkinfer_queue_depth \d+$/m);
    expect(Number(/^zkinfer_jobs\{state="done"\} (\d+)$/m.exec(m.text)?.[1])).toBeGreaterThanOrEqual(20);
    expect(
      Number(/^zkinfer_prove_seconds_count\{model="digits_mlp"\} (\d+)$/m.exec(m.text)?.[1]),
    ).toBeGreaterThanOrEqual(10);
    expect(m.text).toMatch(/^zkinfer_prove_seconds_bucket\{le="0.5",model="cancer_logreg"\} \d+$/m);
    expect(m.text).toMatch(/^zkinfer_workers 2$/m);
    const w = await call(svc.url, "GET", "/v1/workers", { key: ALICE });
    expectDocumented(w, "/v1/workers", "get");
    expect(
      (w.json.workers as { id: string; accepted: number }[])
        .filter((x) => x.accepted > 0)
        .map((x) => x.id)
        .sort(),
    ).toEqual(["w0", "w1"]);
  });

  it("proves a split model: one task per segment over both workers; the chain verifies from what the service publishes", async () => {
    const dir = path.join(models, SPLIT);
    const manifest = await call(svc.url, "GET", `/v1/models/${SPLIT}`);
    expectDocumented(manifest, "/v1/models/{id}", "get");
    expect(manifest.json).toEqual(JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")));
    const keys = await call(svc.url, "GET", `/v1/models/${SPLIT}/verification_key`);
    expectDocumented(keys, "/v1/models/{id}/verification_key", "get");
    const segs = keys.json.segments as { model: unknown; vkey: snarkjs.VerificationKey }[];
    expect(segs).toHaveLength(3);
    const listed = (await call(svc.url, "GET", "/v1/models")).json.models as Record<string, unknown>[];
    expect(listed.find((m) => m.name === SPLIT)).toMatchObject({ kind: "split", segments: 3 });

    const inputs = [0, 1, 2].map((i) => loadSamples("digits_mlp").inputs[i]);
    const accepted = await Promise.all(
      inputs.map((input) => call(svc.url, "POST", `/v1/models/${SPLIT}/proofs`, { key: ALICE, body: { input } })),
    );
    for (const a of accepted) expect(a.status, a.text).toBe(202);
    const done = await Promise.all(accepted.map((a) => waitJob(svc.url, String(a.json.id), ALICE)));
    const provers = new Set<string>();
    for (const [i, job] of done.entries()) {
      expect(job.state, JSON.stringify(job.error)).toBe("done");
      expectDocumented({ status: 200, headers: new Headers(), json: job, text: "" }, "/v1/jobs/{id}", "get");
      const chain = job.chain as { circuit: string; proof: snarkjs.Groth16Proof; public: string[]; worker: string }[];
      expect(chain).toHaveLength(3);
      // every segment's proof, with plain snarkjs and the segment's own key
      for (const [k, c] of chain.entries()) {
        expect(await snarkjs.groth16.verify(segs[k]!.vkey, c.public, c.proof)).toBe(true);
        provers.add(c.worker);
      }
      // the chain, as `zkinfer verify` checks a split model's proof directory
      const p = path.join(root, `split-${i}`);
      mkdirSync(p, { recursive: true });
      writeFileSync(path.join(p, "proof.json"), JSON.stringify(job.proof));
      writeFileSync(path.join(p, "public.json"), JSON.stringify(job.public));
      const v = zkinfer([
        "verify",
        dir,
        "--proof",
        path.join(p, "proof.json"),
        "--public",
        path.join(p, "public.json"),
        "--json",
      ]);
      expect(v.code, v.stderr).toBe(0);
      expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, segments: 3 });
      // and with only what the service publishes, in the browser module
      const r = await verifyChainFiles({
        manifest: manifest.json,
        segments: segs,
        proof: job.proof,
        publicSignals: job.public,
      });
      expect(r.valid, r.reason).toBe(true);
      const inFile = path.join(p, "input.json");
      writeFileSync(inFile, JSON.stringify({ input: inputs[i] }));
      const run = zkinfer(["run", dir, "--input", inFile, "--json"]);
      expect(run.code, run.stderr).toBe(0);
      expect(job.output).toEqual(JSON.parse(run.stdout).output);
      expect(r.output).toEqual(job.output);
    }
    // nine tasks, two single-task workers: both took segments
    expect([...provers].sort()).toEqual(["w0", "w1"]);
  });
});

describe.skipIf(!haveRedis)("hostile requests", () => {
  const input = () => loadSamples("digits_mlp").inputs[3];
  const proofs = `/v1/models/digits_mlp/proofs`;
  async function jobsTotal(): Promise<number> {
    const m = (await call(svc.url, "GET", "/metrics")).text;
    return [...m.matchAll(/^zkinfer_jobs\{state="\w+"\} (\d+)$/gm)].reduce((a, x) => a + Number(x[1]), 0);
  }
  function expectError(
    r: Reply,
    status: number,
    code: string,
    message: RegExp,
    route = "/v1/models/{id}/proofs",
    method = "post",
  ): void {
    expect(r.status, r.text).toBe(status);
    expect((r.json.error as { code: string }).code).toBe(code);
    expect((r.json.error as { message: string }).message).toMatch(message);
    expectDocumented(r, route, method);
  }

  it("each gets the right status and a clear message, no job is made, and the service keeps serving", async () => {
    const before = await jobsTotal();
    const noKey = await call(svc.url, "POST", proofs, { body: { input: input() } });
    expectError(noKey, 401, "UNAUTHORIZED", /needs an API key.*Bearer/);
    expect(noKey.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expectError(
      await call(svc.url, "POST", proofs, { key: "not-a-key", body: { input: input() } }),
      401,
      "UNAUTHORIZED",
      /not one this service knows/,
    );
    expectError(
      await call(svc.url, "POST", proofs, { key: ALICE, body: "x".repeat(70_000) }),
      413,
      "TOO_LARGE",
      /larger than .* 65536 bytes/,
    );
    expectError(
      await call(svc.url, "POST", proofs, { key: ALICE, body: '{"input": [1, 2,' }),
      400,
      "BAD_JSON",
      /not valid JSON/,
    );
    expectError(
      await call(svc.url, "POST", proofs, { key: ALICE, body: '{"input": [NaN]}' }),
      400,
      "BAD_JSON",
      /not valid JSON/,
    );
    expectError(
      await call(svc.url, "POST", proofs, { key: ALICE, body: { input: [1, 2] } }),
      400,
      "BAD_INPUT",
      /"input" has 2 numbers but the model input \[1, 64\] needs 64/,
    );
    const strings = input() as number[];
    expectError(
      await call(svc.url, "POST", proofs, {
        key: ALICE,
        body: { input: [...strings.slice(0, 5), "7", ...strings.slice(6)] },
      }),
      400,
      "BAD_INPUT",
      /input\[5\]: expected a number, got string "7"/,
    );
    expectError(
      await call(svc.url, "POST", proofs, { key: ALICE, body: { input: "1,2,3" } }),
      400,
      "BAD_REQUEST",
      /body\.input must be array/,
    );
    expectError(
      await call(svc.url, "POST", proofs, { key: ALICE, body: { input: input(), options: { strict: "yes" } } }),
      400,
      "BAD_REQUEST",
      /body\.options\.strict must be boolean/,
    );
    expectError(
      await call(svc.url, "POST", proofs, { key: ALICE, body: { input: input(), extra: 1 } }),
      400,
      "BAD_REQUEST",
      /unknown field "extra"/,
    );
    expectError(
      await call(svc.url, "POST", proofs, { key: ALICE, body: { input: input(), options: { inputSalt: "12" } } }),
      400,
      "BAD_OPTION",
      /input salt was given, but this model's input is not a salted commitment/,
    );
    expectError(
      await call(svc.url, "POST", proofs, {
        key: ALICE,
        body: { input: input() },
        headers: { "content-type": "text/plain" },
      }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      /application\/json/,
    );
    expectError(
      await call(svc.url, "POST", "/v1/models/no_such_model/proofs", { key: ALICE, body: { input: input() } }),
      404,
      "NOT_FOUND",
      /no model named "no_such_model"/,
    );
    expectError(
      await call(svc.url, "POST", `/v1/models/${"0".repeat(64)}/proofs`, { key: ALICE, body: { input: input() } }),
      404,
      "NOT_FOUND",
      /no model with id 0{64}/,
    );
    // a dot-segment is resolved by the router: no such route
    expectError(
      await call(svc.url, "POST", "/v1/models/%2e%2e/proofs", { key: ALICE, body: { input: input() } }),
      404,
      "NOT_FOUND",
      /no route POST \/v1\/proofs/,
    );
    for (const evil of [
      "..%2F..%2Fetc%2Fpasswd",
      "digits_mlp%2F..%2Fcancer_logreg",
      "a%00b",
      "x%20y",
      "%E2%80%AEevil",
    ]) {
      expectError(
        await call(svc.url, "POST", `/v1/models/${evil}/proofs`, { key: ALICE, body: { input: input() } }),
        400,
        "BAD_REF",
        /is malformed: expected a 64-hex-digit content hash, a name, or name@version/,
      );
      expectError(
        await call(svc.url, "GET", `/v1/models/${evil}`),
        400,
        "BAD_REF",
        /malformed/,
        "/v1/models/{id}",
        "get",
      );
    }
    const traversal = await call(svc.url, "GET", `/v1/circuits/${ids.digits_mlp}/..%2F..%2Fkeys.txt`);
    expect(traversal.status).toBe(404);
    expect(traversal.text).not.toMatch(/alice/);
    expect(await jobsTotal()).toBe(before);

    // another key's job: as if it did not exist
    const mine = await call(svc.url, "POST", proofs, {
      key: CAROL,
      body: { input: loadSamples("digits_mlp").inputs[15] },
    });
    expect(mine.status).toBe(202);
    expectError(
      await call(svc.url, "GET", `/v1/jobs/${String(mine.json.id)}`, { key: ALICE }),
      404,
      "NOT_FOUND",
      /no job .* for this API key/,
      "/v1/jobs/{id}",
      "get",
    );
    expectError(
      await call(svc.url, "GET", `/v1/jobs/${String(mine.json.id)}`),
      401,
      "UNAUTHORIZED",
      /needs an API key/,
      "/v1/jobs/{id}",
      "get",
    );
    expectError(
      await call(svc.url, "GET", "/v1/jobs/..%2F..%2Fsecret", { key: ALICE }),
      404,
      "NOT_FOUND",
      /no job/,
      "/v1/jobs/{id}",
      "get",
    );
    expectError(
      await call(svc.url, "GET", `/v1/jobs/${String(mine.json.id)}?wait=abc`, { key: CAROL }),
      400,
      "BAD_REQUEST",
      /wait must be a number of seconds/,
      "/v1/jobs/{id}",
      "get",
    );
    // and the service still serves: that job finishes for its owner
    expect((await waitJob(svc.url, String(mine.json.id), CAROL)).state).toBe("done");
  });

  it("limits proof requests per key per minute: 429 with Retry-After, other keys unaffected", async () => {
    let last: Reply | null = null;
    for (let i = 0; i <= RATE && last?.status !== 429; i++)
      last = await call(svc.url, "POST", proofs, { key: CAROL, body: { input: [1] } });
    expectError(last!, 429, "RATE_LIMITED", /at most 60 requests per minute/);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await call(svc.url, "POST", proofs, { key: BOB, body: { input: [1] } })).status).toBe(400);
  });
});
