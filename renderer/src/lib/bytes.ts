// Message bytes in the page: read files without touching their bytes (DKIM is byte-exact),
// and move them as base64 as the contract requires.

/** Bytes the page keeps for the Raw tab; a bigger file is shown as its headers and first part of the body. */
export const HEAD_BYTES = 4 * 1024 * 1024;

/**
 * Reads the start of a dropped/chosen file with FileReader. The whole file stays a Blob: it is
 * base64-encoded for the host in a worker (bridge.encodeMessage), never as a string on this thread.
 */
export async function readHead(file: Blob): Promise<Uint8Array> {
  const part = file.size > HEAD_BYTES ? file.slice(0, HEAD_BYTES) : file;
  const buffer = (await readWith(part, (r) => r.readAsArrayBuffer(part))) as ArrayBuffer;
  return new Uint8Array(buffer);
}

function readWith(file: Blob, start: (r: FileReader) => void): Promise<ArrayBuffer | string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer | string);
    reader.onerror = () => reject(new Error(`could not read ${(file as File).name ?? 'the file'}: ${reader.error?.message ?? 'unknown error'}`));
    start(reader);
  });
}

export function bytesToBase64(bytes: Uint8Array): string {
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (typeof native === 'function') return native.call(bytes);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

const ALPHABET = new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const PAD = 0x3d; // '='

/**
 * Base64 (RFC 4648 §4, with padding) written as ASCII bytes rather than a string. The browser only
 * makes base64 as a string (toBase64, btoa), and turning a 26 MB string back into bytes for a request
 * body took Chromium ~0.6 s (TextEncoder or a Blob of the string, both at ~40 MB/s), where this loop
 * takes a fraction of it. Held to Node's encoder in test/base64-bytes.test.ts.
 */
export function base64Bytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  const whole = bytes.length - (bytes.length % 3);
  let o = 0;
  for (let i = 0; i < whole; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o] = ALPHABET[v >>> 18]!;
    out[o + 1] = ALPHABET[(v >>> 12) & 63]!;
    out[o + 2] = ALPHABET[(v >>> 6) & 63]!;
    out[o + 3] = ALPHABET[v & 63]!;
    o += 4;
  }
  const rest = bytes.length - whole;
  if (rest) {
    const v = (bytes[whole]! << 16) | (rest === 2 ? bytes[whole + 1]! << 8 : 0);
    out[o] = ALPHABET[v >>> 18]!;
    out[o + 1] = ALPHABET[(v >>> 12) & 63]!;
    out[o + 2] = rest === 2 ? ALPHABET[(v >>> 6) & 63]! : PAD;
    out[o + 3] = PAD;
  }
  return out;
}

export function base64ToBytes(b64: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (typeof native === 'function') return native(b64);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Bare LF → CRLF, as the engine does before evaluating (InputSummary.normalized). */
export function normalizeLineEnds(bytes: Uint8Array): Uint8Array {
  let bare = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10 && (i === 0 || bytes[i - 1] !== 13)) bare++;
  if (!bare) return bytes;
  const out = new Uint8Array(bytes.length + bare);
  let j = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 10 && (i === 0 || bytes[i - 1] !== 13)) out[j++] = 13;
    out[j++] = bytes[i];
  }
  return out;
}

export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
