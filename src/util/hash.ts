import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * A file's digest read as a stream in 4 MiB pieces: ceremony files run to hundreds of
 * gigabytes (2^28 powers is 288 GB), so the file is never held in memory. `onBytes` hears the
 * running count, for a progress line.
 */
export async function fileDigestHex(
  file: string,
  algorithm: "blake2b512" | "sha256",
  onBytes?: (done: number) => void,
): Promise<string> {
  const h = createHash(algorithm);
  let done = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22 })) {
    h.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    onBytes?.(done);
  }
  return h.digest("hex");
}
