/**
 * Progress for long steps (ptau generation, setup, proving): a self-overwriting line on a
 * TTY, nothing otherwise (and nothing with --json, whose stdout is for the result).
 */
export interface Progress {
  update(label: string, fraction?: number): void;
  done(message?: string): void;
}

export const silentProgress: Progress = { update() {}, done() {} };

export function ttyProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silentProgress;
  let last = 0;
  let shown = false;
  return {
    update(label, fraction) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const pct = fraction === undefined ? "" : ` ${Math.min(100, Math.floor(fraction * 100))}%`;
      stream.write(`\r\x1b[2K  ${label}${pct}`);
      shown = true;
    },
    done(message) {
      if (shown) stream.write("\r\x1b[2K");
      shown = false;
      if (message) stream.write(`  ${message}\n`);
    },
  };
}
