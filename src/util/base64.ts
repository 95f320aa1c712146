/**
 * Base64 of bytes, in Node (Buffer: fast) and in browsers (atob/btoa over binary strings, in
 * chunks so large arrays do not overflow the argument limit).
 */
interface NodeBuffer {
  from(data: Uint8Array | string, enc?: string): Uint8Array & { toString(enc: string): string };
}

const nodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;

export function toBase64(bytes: Uint8Array): string {
  if (nodeBuffer) return nodeBuffer.from(bytes).toString("base64");
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Decodes into a fresh, aligned, exclusively owned buffer. */
export function fromBase64(text: string): Uint8Array {
  if (nodeBuffer) return new Uint8Array(nodeBuffer.from(text, "base64"));
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
