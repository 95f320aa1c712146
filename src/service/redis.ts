/**
 * Redis for the queue: a shared one named by URL (`--redis redis://host:port`, `rediss://`,
 * `unix:///path/redis.sock`), or a private one that `zkinfer serve` starts itself: Debian's
 * `redis-server` from PATH on a Unix socket in the data directory, append-only file on, no TCP
 * port, stopped when the service stops.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { Redis } from "ioredis";
import { describeError, ZkError } from "../errors.js";
import { exists } from "../util/fsx.js";

/** Connection options, for ioredis and BullMQ (whose workers need maxRetriesPerRequest: null). */
export interface Connection {
  readonly host?: string;
  readonly port?: number;
  /** a Unix socket */
  readonly path?: string;
  readonly db?: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: Readonly<Record<string, never>>;
  readonly maxRetriesPerRequest: null;
  readonly enableOfflineQueue: boolean;
}

export function parseRedisUrl(url: string): Connection {
  const base = { maxRetriesPerRequest: null, enableOfflineQueue: true } as const;
  if (url.startsWith("/")) return { ...base, path: url };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ZkError(
      "BAD_OPTION",
      `--redis must be a URL like redis://127.0.0.1:6379 or unix:///path/redis.sock, got "${url}"`,
    );
  }
  const auth = {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
  if (u.protocol === "unix:") return { ...base, ...auth, path: u.pathname };
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw new ZkError("BAD_OPTION", `--redis: unsupported scheme "${u.protocol}" (redis:, rediss: or unix:)`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new ZkError("BAD_OPTION", `--redis: database "${u.pathname.slice(1)}" is not a number`);
  return {
    ...base,
    ...auth,
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

/** A plain client (not for BullMQ's blocking calls): fails fast when Redis is down; errors go to `log`. */
export function redisClient(c: Connection, log: (line: string) => void): Redis {
  const r = new Redis({ ...c, maxRetriesPerRequest: 3 });
  r.on("error", (e: unknown) => log(`redis: ${describeError(e)}`));
  return r;
}

/**
 * A log for errors that repeat while Redis is away (every client retries every second): each
 * distinct message once per `ms`.
 */
export function quietRepeats(log: (line: string) => void, ms = 30_000): (line: string) => void {
  const last = new Map<string, number>();
  return (line) => {
    const now = Date.now();
    if (now - (last.get(line) ?? -Infinity) < ms) return;
    last.set(line, now);
    log(line);
  };
}

/** Waits until Redis answers PING, or throws after `ms`. */
export async function waitForRedis(c: Connection, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown = null;
  while (Date.now() < deadline) {
    const r = new Redis({
      ...c,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    r.on("error", () => undefined);
    try {
      await r.connect();
      await r.ping();
      return;
    } catch (e) {
      last = e;
    } finally {
      r.disconnect();
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new ZkError("RESOURCE", `Redis did not answer within ${ms} ms: ${describeError(last)}`);
}

/** Whether Redis answers within `ms` (closing decides by it whether to drain or to let go). */
export async function reachable(c: Connection, ms = 2000): Promise<boolean> {
  return waitForRedis(c, ms).then(
    () => true,
    () => false,
  );
}

/** `p`'s value, or "timeout" after `ms` (p keeps running; its rejection is ignored). */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  try {
    return await Promise.race([p.catch(() => undefined as T), late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface PrivateRedis {
  readonly connection: Connection;
  readonly socket: string;
  stop(): Promise<void>;
}

/** Unix socket paths are limited to ~107 bytes (sun_path). */
const MAX_SOCKET_PATH = 100;

/**
 * Starts `redis-server` on a Unix socket in `dataDir` (AOF on, no TCP, no RDB snapshots). If a
 * Redis already answers there (a previous service that died without stopping it), it is used
 * and left running.
 */
export async function startPrivateRedis(dataDir: string): Promise<PrivateRedis> {
  const dir = path.resolve(dataDir);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const socket = path.join(dir, "redis.sock");
  if (socket.length > MAX_SOCKET_PATH)
    throw new ZkError(
      "BAD_OPTION",
      `the data directory's path is too long for a Unix socket (${socket.length} bytes; at most ${MAX_SOCKET_PATH}): choose a shorter --data`,
    );
  const connection: Connection = { path: socket, maxRetriesPerRequest: null, enableOfflineQueue: true };
  if (await exists(socket)) {
    try {
      await waitForRedis(connection, 200);
      return { connection, socket, stop: async () => undefined };
    } catch {
      await fs.rm(socket, { force: true });
    }
  }
  const args = [
    "--port",
    "0",
    "--unixsocket",
    socket,
    "--unixsocketperm",
    "700",
    "--dir",
    dir,
    "--appendonly",
    "yes",
    "--appendfsync",
    "everysec",
    "--save",
    "",
    "--maxmemory-policy",
    "noeviction",
    "--daemonize",
    "no",
    "--logfile",
    path.join(dir, "redis.log"),
  ];
  let child: ChildProcess;
  try {
    child = spawn("redis-server", args, { stdio: "ignore" });
  } catch (e) {
    throw new ZkError("RESOURCE", `cannot start redis-server: ${describeError(e)}`);
  }
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  const failed = new Promise<never>((_, rej) => {
    child.once("error", (e: NodeJS.ErrnoException) => {
      rej(
        new ZkError(
          "RESOURCE",
          e.code === "ENOENT"
            ? "redis-server is not on PATH: install it (`apt-get install redis-server`) or pass --redis URL"
            : `cannot start redis-server: ${e.message}`,
        ),
      );
    });
    void exited.then((code) =>
      rej(new ZkError("RESOURCE", `redis-server exited (code ${code}) at start; see ${path.join(dir, "redis.log")}`)),
    );
  });
  failed.catch(() => undefined);
  await Promise.race([waitForRedis(connection, 10_000), failed]);
  return {
    connection,
    socket,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM"); // redis-server flushes the AOF and exits on SIGTERM
      await exited;
    },
  };
}
