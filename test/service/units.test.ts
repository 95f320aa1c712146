/**
 * The service's parts without Redis: API keys, model references, job ids, Redis URLs, the model
 * registry (what it serves and refuses), fetching a circuit by content hash (a tampered file is
 * refused), checking a worker's claim (each kind of lie), and a split model's plan (one task
 * per segment, chained by the service's own witnesses) and assembled chain (verifies as
 * `zkinfer verify` checks it; a broken link is refused).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createHash } from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";
import { matchKey, parseApiKeys, presentedKey } from "../../src/service/auth.js";
import { compareVersions, loadModelStore, parseModelRef } from "../../src/service/registry.js";
import { canonicalJson, proofJobId } from "../../src/service/jobs.js";
import { parseRedisUrl } from "../../src/service/redis.js";
import { remoteSource } from "../../src/service/artifacts.js";
import { loadCircuit, saltsFromStrings, type LoadedCircuit } from "../../src/service/circuit.js";
import { checkTask } from "../../src/service/verifier.js";
import { assembleChain, planTasks, requestSalts, type CheckedTask } from "../../src/service/chain.js";
import { readSplitManifest } from "../../src/artifacts.js";
import { verifySplitDir } from "../../src/verify/verify.js";
import { parseSalt } from "../../src/circuit/salts.js";
import { DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { compileToDir } from "../../src/artifacts.js";
import { qinputOf, quantizeInput } from "../../src/quantize/input.js";
import { releaseCurve } from "../../src/prove/curve.js";
import { prepareModels } from "../helpers/service.js";
import { fixture, flat, loadSamples } from "../helpers/fixtures.js";
import type { TaskSpec } from "../../src/service/jobs.js";
import { asNarrow } from "../../src/quantize/qgraph.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-svc-unit-"));
const models = path.join(root, "models");
let circuit: LoadedCircuit;
let id: string;

beforeAll(async () => {
  // two versions of one model (another option: another circuit, another key)
  await prepareModels(models, [
    { fixture: "cancer_logreg", name: "cancer@1" },
    { fixture: "cancer_logreg", name: "cancer@10", options: { activationBits: 9 } },
    {
      fixture: "digits_mlp",
      name: "digits-split",
      segments: 3,
      options: { inputVisibility: "hashed", outputVisibility: "hashed" },
    },
  ]);
  await compileToDir(
    fixture("cancer_logreg", "model.onnx"),
    fixture("cancer_logreg", "calibration.json"),
    path.join(models, "not-set-up"),
    DEFAULT_COMPILE,
  );
  mkdirSync(path.join(models, "split"));
  writeFileSync(path.join(models, "split", "manifest.json"), "{}");
  mkdirSync(path.join(models, "named"));
  id = (
    JSON.parse(readFileSync(path.join(models, "cancer@1", "model.json"), "utf8")) as {
      identity: { verificationKeySha256: string };
    }
  ).identity.verificationKeySha256;
  circuit = await loadCircuit(path.join(models, "cancer@1"), id, { prover: true, backend: "js" });
});

afterAll(async () => {
  await circuit?.close();
  await releaseCurve();
  rmSync(root, { recursive: true, force: true });
});

describe("API keys", () => {
  const hash = createHash("sha256").update("s3cret-token").digest("hex");
  it("reads hashed and plain keys, warns about plain ones, and matches in constant time", () => {
    const k = parseApiKeys(`# keys\nsha256:${hash} ops\nplain-key\n\n`, "keys.txt");
    expect(k.keys.map((x) => x.id)).toEqual([
      "ops",
      `key-${createHash("sha256").update("plain-key").digest("hex").slice(0, 12)}`,
    ]);
    expect(k.warnings[0]).toMatch(/1 key\(s\) in plain text \(line 3\)/);
    expect(matchKey(k.keys, "s3cret-token")?.id).toBe("ops");
    expect(matchKey(k.keys, "plain-key")).not.toBeNull();
    expect(matchKey(k.keys, "s3cret-tokeN")).toBeNull();
    expect(matchKey(k.keys, "")).toBeNull();
  });
  it("refuses malformed files", () => {
    expect(() => parseApiKeys("sha256:abc\n", "k")).toThrow(/k line 1: sha256: must be followed by 64 hex digits/);
    expect(() => parseApiKeys("a x\nb x\n", "k")).toThrow(/line 2: the key or the name "x" is listed twice/);
    expect(() => parseApiKeys("a b c\n", "k")).toThrow(/line 1: expected "KEY \[name\]"/);
    expect(() => parseApiKeys("# none\n", "k")).toThrow(/lists no API key/);
  });
  it("takes the key from Authorization: Bearer or X-API-Key", () => {
    expect(presentedKey({ authorization: "Bearer abc" })).toBe("abc");
    expect(presentedKey({ authorization: "Basic abc" })).toBe(""); // present but not a bearer token: a wrong key
    expect(presentedKey({ "x-api-key": " k " })).toBe("k");
    expect(presentedKey({})).toBeNull();
  });
});

describe("model references and job ids", () => {
  it("accepts a content hash, a name, name@version, and nothing else", () => {
    expect(parseModelRef("a".repeat(64))).toEqual({ id: "a".repeat(64) });
    expect(parseModelRef("digits_mlp")).toEqual({ name: "digits_mlp", version: null });
    expect(parseModelRef("digits-mlp.v2@1.2.0")).toEqual({ name: "digits-mlp.v2", version: "1.2.0" });
    for (const bad of [
      "../etc/passwd",
      "..",
      ".hidden",
      "a/b",
      "a\\b",
      "a@",
      "@1",
      "a@b@c",
      "",
      "x".repeat(200),
      "A".repeat(64) + "/",
      "a b",
      "a\u0000",
    ]) {
      expect(() => parseModelRef(bad), bad).toThrow(
        /malformed: expected a 64-hex-digit content hash, a name, or name@version/,
      );
    }
    expect(["10", "9", "1.10", "1.2"].sort(compareVersions)).toEqual(["1.2", "1.10", "9", "10"]);
  });
  it("gives identical requests one id whatever the key order, and different ones another", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}',
    );
    const opts = { strict: false, inputSalt: null };
    const a = proofJobId("s", "m", { input: [1, 2] }, opts);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(proofJobId("s", "m", JSON.parse('{"input":[1.0,2]}'), { inputSalt: null, strict: false })).toBe(a);
    expect(proofJobId("s", "m", { input: [2, 1] }, opts)).not.toBe(a);
    expect(proofJobId("s", "m", { input: [1, 2] }, { ...opts, strict: true })).not.toBe(a);
    expect(proofJobId("s", "m2", { input: [1, 2] }, opts)).not.toBe(a);
    expect(proofJobId("other secret", "m", { input: [1, 2] }, opts)).not.toBe(a); // ids reveal nothing about inputs
  });
  it("parses Redis URLs", () => {
    expect(parseRedisUrl("redis://h:7000/2")).toMatchObject({ host: "h", port: 7000, db: 2 });
    expect(parseRedisUrl("rediss://u:p%40ss@h")).toMatchObject({
      host: "h",
      port: 6379,
      username: "u",
      password: "p@ss",
      tls: {},
    });
    expect(parseRedisUrl("unix:///run/r.sock")).toMatchObject({ path: "/run/r.sock" });
    expect(parseRedisUrl("/run/r.sock")).toMatchObject({ path: "/run/r.sock" });
    expect(() => parseRedisUrl("http://h")).toThrow(/unsupported scheme "http:"/);
    expect(() => parseRedisUrl("localhost:6379")).toThrow(/unsupported scheme|must be a URL/);
  });
});

describe("the model registry", () => {
  it("serves set-up models by id, name and name@version, and says why it skips the rest", async () => {
    const store = await loadModelStore(models);
    expect(store.models.map((m) => `${m.name}@${m.version}`)).toEqual(["cancer@1", "cancer@10", "digits-split@null"]);
    expect(store.resolve(id).version).toBe("1");
    expect(store.resolve("cancer").version).toBe("10"); // the highest version
    expect(store.resolve("cancer@1").id).toBe(id);
    expect(store.circuit(id)?.dir).toBe(path.join(models, "cancer@1"));
    const skipped = Object.fromEntries(store.skipped.map((s) => [path.basename(s.dir), s.reason]));
    expect(skipped["not-set-up"]).toMatch(/is not set up .* run `zkinfer setup/);
    expect(skipped.split).toMatch(/split.manifest\.json: not a zkinfer split manifest/);
    expect(Object.keys(skipped)).not.toContain("named"); // an empty directory is no model at all
    expect(() => store.resolve("cancer@3")).toThrow(/no model named "cancer" at version "3"/);
    expect(() => store.resolve("f".repeat(64))).toThrow(/no model with id f{64}/);
  });
  it("refuses a tampered verification key, and a directory with nothing to serve", async () => {
    const dir = path.join(root, "bad");
    cpSync(path.join(models, "cancer@1"), path.join(dir, "m"), { recursive: true });
    const vk = JSON.parse(readFileSync(path.join(dir, "m", "verification_key.json"), "utf8"));
    vk.IC[0][0] = String(BigInt(vk.IC[0][0]) + 1n);
    writeFileSync(path.join(dir, "m", "verification_key.json"), JSON.stringify(vk));
    await expect(loadModelStore(dir)).rejects.toThrow(
      /no servable model in .*bad[\s\S]*m: .*(not this model's|corrupted)/,
    );
  });
});

describe("fetching a circuit by content hash", () => {
  let server: Server;
  let base = "";
  let requests = 0;
  let tamper = false;
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      const m = /^\/v1\/circuits\/([0-9a-f]{64})\/([\w.]+)$/.exec(req.url ?? "");
      if (!m || m[1] !== id) {
        res.writeHead(404).end();
        return;
      }
      const bytes = readFileSync(path.join(models, "cancer@1", m[2]!));
      if (tamper && m[2] === "circuit.zkey") bytes[bytes.length - 1]! ^= 1;
      res.writeHead(200).end(bytes);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("refuses a zkey whose hash is not setup.json's, then fetches, checks and caches an honest copy", async () => {
    tamper = true;
    const src = remoteSource({ service: base, cacheDir: path.join(root, "cache"), retryMs: 0 });
    await expect(src.dir(id)).rejects.toThrow(/circuit\.zkey's sha256 is [0-9a-f]{64}, setup\.json records/);
    tamper = false;
    const dir = await src.dir(id);
    expect(
      readFileSync(path.join(dir, "circuit.zkey")).equals(readFileSync(path.join(models, "cancer@1", "circuit.zkey"))),
    ).toBe(true);
    const before = requests;
    expect(await remoteSource({ service: base, cacheDir: path.join(root, "cache") }).dir(id)).toBe(dir);
    expect(requests).toBe(before); // from the cache
    await expect(src.dir("0".repeat(64))).rejects.toThrow(/404/);
  });
});

describe("checking a worker's claim", () => {
  const spec = (i: number): TaskSpec => {
    const q = quantizeInput(flat(loadSamples("cancer_logreg").inputs[i]), qinputOf(circuit.meta.input), false);
    return { circuit: id, input: Array.from(q.tensor.data), salts: {} };
  };
  const prove = async (s: TaskSpec) => {
    const w = await circuit.witness(
      { shape: circuit.meta.input.shape, data: Float64Array.from(s.input) },
      saltsFromStrings(s.salts),
    );
    return circuit.prove(w.wtns);
  };

  it("accepts an honest proof, and names each kind of lie", async () => {
    const s = spec(0);
    const honest = await prove(s);
    const ok = await checkTask(circuit, s, { proof: honest.proof, public: honest.publicSignals });
    expect(ok.ok).toBe(true);
    const other = await prove(spec(1)); // valid, but of another input
    const lies: [unknown, string, RegExp][] = [
      [null, "missing", /returned no proof/],
      [{ proof: { pi_a: [] }, public: [] }, "malformed", /"pi_a" must be 3 decimal strings/],
      [{ proof: honest.proof, public: "1" }, "malformed", /public signals must be a JSON array/],
      [
        { proof: other.proof, public: other.publicSignals },
        "wrong-public",
        /public signal 0 \(output .*\) is not what this task's input gives/,
      ],
      [{ proof: other.proof, public: honest.publicSignals }, "invalid", /the proof does not verify/],
      [
        { proof: honest.proof, public: [...honest.publicSignals, "1"] },
        "wrong-public",
        /2 public signals returned; the circuit has 1/,
      ],
    ];
    for (const [claim, kind, reason] of lies) {
      const v = await checkTask(circuit, s, claim);
      expect(v.ok, kind).toBe(false);
      if (!v.ok) {
        expect(v.kind).toBe(kind);
        expect(v.reason).toMatch(reason);
      }
    }
  });
});

describe("a split model's plan and chain", () => {
  const loaded = new Map<string, Promise<LoadedCircuit>>();
  // the service's loader, with proving keys so the test can play the workers too
  const circuits = {
    get(cid: string) {
      let p = loaded.get(cid);
      if (!p) {
        p = loadModelStore(models).then((store) =>
          loadCircuit(store.circuit(cid)!.dir, cid, { prover: true, backend: "js" }),
        );
        loaded.set(cid, p);
      }
      return p;
    },
  };
  afterAll(async () => {
    for (const p of loaded.values()) await (await p).close();
  });

  it("plans one task per segment, proves each, and assembles a chain `zkinfer verify` accepts", async () => {
    const store = await loadModelStore(models);
    const m = store.resolve("digits-split");
    expect(m.kind).toBe("split");
    expect(m.circuits).toHaveLength(3);
    const manifest = await readSplitManifest(m.dir);
    expect(m.circuits.map((c) => c.id)).toEqual(manifest.segments.map((s) => s.verificationKeySha256));
    const sample = loadSamples("digits_mlp").inputs[3];
    const q = quantizeInput(flat(sample), qinputOf(m.circuits[0]!.meta.input), false);
    // the request's salts: the model input's and the model output's, not the cuts'
    const salts = requestSalts(m, { input: 12345n });
    expect(Object.keys(salts).sort()).toEqual(["input", "output"]);
    const strings = { input: "12345", output: salts.output!.toString() };
    const tasks = await planTasks(m, q.tensor, strings, circuits);
    expect(tasks.map((t) => t.circuit)).toEqual(m.circuits.map((c) => c.id));
    expect(tasks[0]!.salts.input).toBe("12345");
    expect(tasks[2]!.salts.output).toBe(strings.output);
    // each cut's salt is shared by its two sides, fresh per cut
    expect(tasks[0]!.salts.output).toBe(tasks[1]!.salts.input);
    expect(tasks[1]!.salts.output).toBe(tasks[2]!.salts.input);
    expect(new Set([tasks[0]!.salts.output, tasks[1]!.salts.output, "12345", strings.output]).size).toBe(4);
    // and each task's input is the previous segment's output
    expect(tasks[1]!.input).not.toEqual(tasks[0]!.input);

    const checked: CheckedTask[] = [];
    for (const t of tasks) {
      const c = await circuits.get(t.circuit);
      const w = await c.witness(
        { shape: c.meta.input.shape, data: Float64Array.from(t.input) },
        saltsFromStrings(t.salts),
      );
      const p = await c.prove(w.wtns);
      const v = await checkTask(c, t, { proof: p.proof, public: p.publicSignals });
      expect(v.ok).toBe(true);
      if (v.ok) checked.push(v.checked);
    }
    const chain = assembleChain(m, checked);
    expect(chain.decoded.map((d) => d.role).sort()).toEqual(["input_hash", "output_hash"]);
    const out = path.join(root, "chain");
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "proof.json"), JSON.stringify(chain.proof));
    writeFileSync(path.join(out, "public.json"), JSON.stringify(chain.public));
    writeFileSync(path.join(out, "input.json"), JSON.stringify({ input: sample }));
    writeFileSync(path.join(out, "input_salt.json"), JSON.stringify({ salt: "12345" }));
    const output = Array.from(
      asNarrow(chain.outputs[0]!, "output").data,
      (v) => v * 2 ** -m.circuits[2]!.meta.outputs[0]!.scale,
    );
    writeFileSync(path.join(out, "output.json"), JSON.stringify({ output, salt: strings.output }));
    const r = await verifySplitDir(m.dir, {
      proof: path.join(out, "proof.json"),
      public: path.join(out, "public.json"),
      input: path.join(out, "input.json"),
      inputSalt: path.join(out, "input_salt.json"),
      output: path.join(out, "output.json"),
    });
    expect(r.valid, r.reason).toBe(true);
    expect(r.segments).toBe(3);
    expect(r.checks.map((c) => [c.what, c.match])).toEqual([
      ["input", true],
      ["output", true],
    ]);
    expect(parseSalt(strings.output, "salt")).toBe(salts.output);

    // proofs out of chain order, or a chain whose links do not meet, are never assembled
    expect(() => assembleChain(m, [checked[1]!, checked[0]!, checked[2]!])).toThrow(/task 0 proved circuit/);
    const broken = {
      ...checked[1]!,
      public: checked[1]!.public.map((x, i) => (i === manifest.segments[1]!.chainIn ? "7" : x)),
    };
    expect(() => assembleChain(m, [checked[0]!, broken, checked[2]!])).toThrow(
      /segment 0's output commitment is not segment 1's input commitment/,
    );
  });

  it("keeps a single model one task with the request's salts", async () => {
    const single = (await loadModelStore(models)).resolve(id);
    const tasks = await planTasks(single, { shape: [1, 30], data: new Float64Array(30) }, {}, circuits);
    expect(tasks).toEqual([{ circuit: id, input: Array.from(new Float64Array(30)), salts: {} }]);
    expect(requestSalts(single, {})).toEqual({});
  });
});
