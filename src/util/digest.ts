/**
 * SHA-256 through Web Crypto, for code that must also run in browsers (the verifier module and
 * page); Node 20 has the same `crypto.subtle`. Node-only code keeps the synchronous util/hash.ts.
 */
export async function sha256HexAsync(data: Uint8Array | string): Promise<string> {
  // subtle.digest wants bytes over a plain ArrayBuffer (not a shared one): copy if need be
  const bytes =
    typeof data === "string"
      ? new TextEncoder().encode(data)
      : data.buffer instanceof ArrayBuffer
        ? (data as Uint8Array<ArrayBuffer>)
        : new Uint8Array(data);
  const digest = await globalThis.crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
