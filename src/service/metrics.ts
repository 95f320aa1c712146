/**
 * GET /metrics, in Prometheus's text format (prom-client): queue depth and jobs by state (read
 * from Redis at scrape time, so every service instance reports the shared queue), the
 * prove-seconds histogram of accepted proofs and end-to-end job latency (observed by the
 * instance that accepted them: Prometheus sums instances), rejected proofs by reason, and the
 * Node process's own metrics.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Queue counts at scrape time. */
export interface QueueCounts {
  /** tasks waiting for a worker (waiting, delayed for a retry, prioritized) */
  readonly depth: number;
  /** proof jobs: pending (waiting for their tasks), verifying, done, failed */
  readonly jobs: Readonly<Record<"pending" | "verifying" | "done" | "failed", number>>;
  /** tasks by state */
  readonly tasks: Readonly<Record<"waiting" | "delayed" | "proving" | "done" | "failed", number>>;
  readonly workers: number;
}

export interface Metrics {
  readonly registry: Registry;
  readonly proveSeconds: Histogram<"model">;
  readonly jobSeconds: Histogram<"model">;
  readonly rejected: Counter<"reason">;
  readonly submitted: Counter<"outcome">;
}

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

export function makeMetrics(counts: () => Promise<QueueCounts>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // one Redis read per scrape, shared by the gauges below
  let scrape: Promise<QueueCounts> | null = null;
  const current = () => {
    if (!scrape) {
      scrape = counts();
      void scrape.finally(() => (scrape = null)).catch(() => undefined);
    }
    return scrape;
  };
  new Gauge({
    name: "zkinfer_queue_depth",
    help: "proof tasks waiting for a worker",
    registers: [registry],
    async collect() {
      this.set((await current()).depth);
    },
  });
  new Gauge({
    name: "zkinfer_jobs",
    help: "proof jobs by state",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      for (const [state, n] of Object.entries((await current()).jobs)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: "zkinfer_tasks",
    help: "proof tasks (one per circuit of a proof) by state",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      for (const [state, n] of Object.entries((await current()).tasks)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: "zkinfer_workers",
    help: "workers connected to the queue",
    registers: [registry],
    async collect() {
      this.set((await current()).workers);
    },
  });
  return {
    registry,
    proveSeconds: new Histogram({
      name: "zkinfer_prove_seconds",
      help: "Groth16 proving time of accepted proofs, as the worker measured it",
      labelNames: ["model"] as const,
      buckets: SECONDS,
      registers: [registry],
    }),
    jobSeconds: new Histogram({
      name: "zkinfer_job_seconds",
      help: "submit to accepted result, per proof job",
      labelNames: ["model"] as const,
      buckets: SECONDS,
      registers: [registry],
    }),
    rejected: new Counter({
      name: "zkinfer_proofs_rejected_total",
      help: "proofs returned by workers that the service rejected",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    submitted: new Counter({
      name: "zkinfer_requests_total",
      help: "proof requests by outcome",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
  };
}
