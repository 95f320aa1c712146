/**
 * What the service knows about workers, kept in Redis so every service instance shares it:
 * proofs accepted and rejected per worker id, and the last rejection's reason. Worker ids are
 * whatever a worker calls itself (BullMQ's processedBy): a record, not an identity anyone proved.
 */
import type { Redis } from "ioredis";
import { PREFIX } from "./jobs.js";

export interface WorkerRecord {
  readonly id: string;
  readonly accepted: number;
  readonly rejected: number;
  readonly lastRejection: string | null;
  readonly lastSeen: string | null;
}

const SET = `${PREFIX}:workers`;
const key = (id: string) => `${PREFIX}:worker:${id}`;
/** ids come from workers: bound their length */
const clip = (id: string) => id.slice(0, 128);

export function workerRecords(redis: Redis) {
  const touch = (id: string, field: "accepted" | "rejected") =>
    redis
      .multi()
      .sadd(SET, clip(id))
      .hincrby(key(clip(id)), field, 1)
      .hset(key(clip(id)), "lastSeen", new Date().toISOString());
  return {
    async accept(id: string): Promise<void> {
      await touch(id, "accepted").exec();
    },
    async reject(id: string, reason: string): Promise<void> {
      await touch(id, "rejected")
        .hset(key(clip(id)), "lastRejection", reason.slice(0, 500))
        .exec();
    },
    async list(): Promise<WorkerRecord[]> {
      const ids = (await redis.smembers(SET)).sort();
      const rows = await Promise.all(ids.map((id) => redis.hgetall(key(id))));
      return ids.map((id, i) => {
        const r = rows[i] ?? {};
        return {
          id,
          accepted: Number(r.accepted ?? 0),
          rejected: Number(r.rejected ?? 0),
          lastRejection: r.lastRejection ?? null,
          lastSeen: r.lastSeen ?? null,
        };
      });
    },
  };
}

export type WorkerRecords = ReturnType<typeof workerRecords>;
