/** What the HTTP layer and the proof functions share: one per service instance (serve.ts builds it). */
import type { FlowProducer, JobsOptions, Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import type { ApiKey } from "./auth.js";
import type { ProofJobData, ProofResult, TaskJobData, TaskResult } from "./jobs.js";
import type { Metrics } from "./metrics.js";
import type { WorkerRecords } from "./records.js";
import type { ModelStore } from "./registry.js";
import type { CircuitLoader } from "./circuit.js";

export interface ServiceLimits {
  /** tasks waiting for a worker beyond which submissions get 429 (0: no limit) */
  readonly maxQueue: number;
  /** request body limit, bytes */
  readonly maxBody: number;
  /** proof requests per API key (or client address, without keys) per minute; reads get 10× */
  readonly rateLimit: number;
  /** rejected proofs a job may see before it fails */
  readonly maxRejections: number;
  /** options of every task job: attempts, backoff, retention */
  readonly taskOptions: JobsOptions;
  /** finished jobs (and who may read them) are kept this long */
  readonly keepSeconds: number;
  /** options of every proof job */
  readonly proofOptions: JobsOptions;
}

export interface ServiceContext {
  readonly store: ModelStore;
  /** the circuits, loaded once (verification side): split models' plans run their witnesses */
  readonly circuits: CircuitLoader;
  readonly proofs: Queue<ProofJobData, ProofResult>;
  readonly tasks: Queue<TaskJobData, TaskResult | null>;
  readonly flows: FlowProducer;
  readonly proofEvents: QueueEvents;
  readonly redis: Redis;
  /** the HMAC key of proof job ids, shared by every instance through Redis */
  readonly secret: string;
  /** null: no --api-keys, everyone may submit and read */
  readonly keys: readonly ApiKey[] | null;
  readonly metrics: Metrics;
  readonly records: WorkerRecords;
  readonly limits: ServiceLimits;
  readonly log: (line: string) => void;
}
