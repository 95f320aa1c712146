/**
 * Long-running commands (serve, worker) run until SIGTERM or SIGINT, then drain. A second
 * signal while draining exits at once (the queue hands unfinished tasks to other workers).
 */
export function untilSignal(onSecond: () => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (sig: NodeJS.Signals) => {
      for (const s of ["SIGTERM", "SIGINT"] as const) {
        process.off(s, first);
        process.once(s, onSecond);
      }
      resolve(sig);
    };
    process.on("SIGTERM", first);
    process.on("SIGINT", first);
  });
}
