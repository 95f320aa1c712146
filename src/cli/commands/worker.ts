import * as os from "node:os";
import * as path from "node:path";
import { int, parse, requireStr, str, type Options } from "../args.js";
import type { Command } from "../command.js";
import { untilSignal } from "../signals.js";
import { ZkError } from "../../errors.js";

const options: Options = {
  redis: { type: "string" },
  service: { type: "string" },
  concurrency: { type: "string" },
  name: { type: "string" },
  cache: { type: "string" },
  backend: { type: "string" },
  "lock-seconds": { type: "string" },
};

export const worker: Command = {
  name: "worker",
  summary: "a prover worker for `zkinfer serve`: takes proof tasks from the queue, anywhere",
  usage: `zkinfer worker --redis URL --service URL [--concurrency N] [--name ID] [--cache DIR]

  Takes tasks from the service's queue and proves them (witness + Groth16), keeping each
  circuit loaded between tasks. Circuits are fetched from the service by content hash, every
  hash checked, and cached; no shared disk. The service checks every proof it gets back.
  SIGTERM finishes the running tasks and stops.

  --redis URL        the service's Redis (redis://host:port, rediss://..., unix:///path.sock)
  --service URL      the service's HTTP address, for circuit files (e.g. http://10.0.0.5:8080)
  --concurrency N    tasks proved at once (default 1; each proof already uses every core)
  --name ID          this worker's id in job records (default host-pid-random)
  --cache DIR        where fetched circuits are kept (default $ZKINFER_CACHE/circuits)
  --backend NAME     witness backend: wasm (default) or js
  --lock-seconds N   a task's lock: if this worker dies, its task goes to another worker after
                     about N seconds; the same N is how often this worker checks for such tasks (default 30)`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "worker");
    const concurrency = int(p, "concurrency", 1);
    const lock = int(p, "lock-seconds", 30);
    if (concurrency < 1) throw new ZkError("BAD_OPTION", `--concurrency must be at least 1, got ${concurrency}`);
    if (lock < 1) throw new ZkError("BAD_OPTION", `--lock-seconds must be at least 1, got ${lock}`);
    const service = requireStr(p, "service", "worker");
    if (!/^https?:\/\//.test(service))
      throw new ZkError("BAD_OPTION", `--service must be an http:// or https:// URL, got "${service}"`);
    const { parseBackend } = await import("../../witness/witness.js");
    const { cacheDir } = await import("../../prove/ptau.js");
    const { startWorker } = await import("../../service/worker.js");
    const { remoteSource } = await import("../../service/artifacts.js");
    const { parseRedisUrl, waitForRedis } = await import("../../service/redis.js");
    const connection = parseRedisUrl(requireStr(p, "redis", "worker"));
    await waitForRedis(connection, 10_000);
    const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
    const w = await startWorker({
      connection,
      concurrency,
      name: str(p, "name"),
      lockMs: lock * 1000,
      stalledMs: lock * 1000,
      backend: parseBackend(str(p, "backend")),
      log,
      source: remoteSource({ service, cacheDir: str(p, "cache") ?? path.join(cacheDir(), "circuits"), log }),
    });
    out.result({ worker: w.id, pid: process.pid, host: os.hostname() });
    log(`worker ${w.id}: taking tasks (concurrency ${concurrency})`);
    const sig = await untilSignal(() => process.exit(1));
    log(`${sig}: finishing running tasks`);
    await w.close();
    return 0;
  },
};
