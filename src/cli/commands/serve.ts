import { int, parse, requireStr, str, type Options } from "../args.js";
import type { Command } from "../command.js";
import { untilSignal } from "../signals.js";
import { ZkError } from "../../errors.js";

const options: Options = {
  models: { type: "string", short: "m" },
  redis: { type: "string" },
  data: { type: "string" },
  host: { type: "string" },
  port: { type: "string", short: "p" },
  "api-keys": { type: "string" },
  "max-queue": { type: "string" },
  "max-body": { type: "string" },
  "rate-limit": { type: "string" },
  workers: { type: "string" },
  concurrency: { type: "string" },
  attempts: { type: "string" },
  "keep-days": { type: "string" },
  "lock-seconds": { type: "string" },
};

function positive(name: string, v: number, min = 1): number {
  if (v < min) throw new ZkError("BAD_OPTION", `--${name} must be at least ${min}, got ${v}`);
  return v;
}

export const serve: Command = {
  name: "serve",
  summary: "the proving service: an HTTP API over a queue of proof jobs (BullMQ on Redis)",
  usage: `zkinfer serve --models DIR [--redis URL] [--port N] [--api-keys FILE] [options]

  Serves every compiled, set-up model directory in DIR, each by its content hash (the
  verification key's sha256), name (the directory's, or hub.json's) and name@version.
  Without --redis it starts a private redis-server (from PATH) on a Unix socket in --data,
  and proves with in-process workers: one command on one machine. With --redis it joins a
  shared queue; run \`zkinfer worker\` anywhere. SIGTERM drains and stops.

  --models, -m DIR    the models directory
  --redis URL         a shared Redis: redis://host:port[/db], rediss://..., unix:///path.sock
  --data DIR          the private Redis's directory: socket and append-only file (default ./zkinfer-data)
  --host H            address to listen on (default 127.0.0.1; 0.0.0.0 for all)
  --port, -p N        port (default 8080; 0 picks a free one)
  --api-keys FILE     require API keys: one a line, "sha256:<hex> [name]" (or the key itself)
  --max-queue N       tasks waiting for a worker beyond which proof requests get 429 (default 10000; 0: no limit)
  --max-body BYTES    request body limit (default 1048576)
  --rate-limit N      proof requests per key (or address) per minute (default 600; reads 10x)
  --workers N         in-process workers (default 1 without --redis, 0 with it)
  --concurrency N     tasks each in-process worker proves at once (default 1)
  --attempts N        tries per task before its job fails, with exponential backoff (default 3)
  --keep-days N       days finished jobs are kept (default 30)
  --lock-seconds N    lock of a running task or verification: a dead worker's or service's work is
                      handed on after about N seconds (default 30)`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "serve");
    const { serve: start, DEFAULTS } = await import("../../service/serve.js");
    const svc = await start({
      models: requireStr(p, "models", "serve"),
      redis: str(p, "redis"),
      dataDir: str(p, "data"),
      host: str(p, "host"),
      port: positive("port", int(p, "port", DEFAULTS.port), 0),
      apiKeys: str(p, "api-keys"),
      maxQueue: positive("max-queue", int(p, "max-queue", DEFAULTS.maxQueue), 0),
      maxBody: positive("max-body", int(p, "max-body", DEFAULTS.maxBody), 1024),
      rateLimit: positive("rate-limit", int(p, "rate-limit", DEFAULTS.rateLimit)),
      workers: p.values.workers === undefined ? undefined : positive("workers", int(p, "workers", 0), 0),
      concurrency: positive("concurrency", int(p, "concurrency", 1)),
      attempts: positive("attempts", int(p, "attempts", DEFAULTS.attempts)),
      lockMs: positive("lock-seconds", int(p, "lock-seconds", 30)) * 1000,
      stalledMs: positive("lock-seconds", int(p, "lock-seconds", 30)) * 1000,
      keepSeconds: positive("keep-days", int(p, "keep-days", DEFAULTS.keepSeconds / 86_400)) * 86_400,
    });
    out.result({
      url: svc.url,
      models: svc.models.map((m) => ({ id: m.id, name: m.name, version: m.version })),
      skipped: svc.skipped,
      privateRedis: svc.privateRedis,
    });
    for (const m of svc.models) out.line(`  ${m.name}${m.version ? `@${m.version}` : ""}  ${m.id}`);
    const sig = await untilSignal(() => process.exit(1));
    process.stderr.write(`${sig}: draining (finishing running proofs; a second signal stops at once)\n`);
    await svc.close();
    return 0;
  },
};
