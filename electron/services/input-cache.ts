// The inputs a page is evaluating slice by slice, kept so that later slices name the input
// instead of sending it again: re-sending a 20 MB mbox cost ~0.85 s per slice (upload, JSON and
// base64 decoding). A cache, not a session: an entry that is gone (evicted, expired, the host
// restarted) is answered 'input-expired' and the page sends the bytes again.

import { randomBytes } from 'node:crypto';

export interface InputCacheLimits {
  /** Bytes held at most, over all entries (the oldest go first). */
  maxBytes: number;
  maxEntries: number;
  /** An entry not asked for this long is dropped. */
  idleMs: number;
}

export const DEFAULT_INPUT_CACHE_LIMITS: InputCacheLimits = { maxBytes: 256 * 1024 * 1024, maxEntries: 4, idleMs: 10 * 60_000 };

export interface InputCache {
  /** Keeps the bytes; returns the reference to name them by (random: it says nothing of the content). */
  put(bytes: Uint8Array): string;
  get(ref: string): Uint8Array | undefined;
  delete(ref: string): void;
  readonly size: number;
}

export function createInputCache(limits: InputCacheLimits = DEFAULT_INPUT_CACHE_LIMITS, now: () => number = Date.now): InputCache {
  // Map order is insertion order; get() re-inserts, so the first entry is the least recently used
  const entries = new Map<string, { bytes: Uint8Array; used: number }>();
  let held = 0;
  const drop = (ref: string) => {
    const e = entries.get(ref);
    if (!e) return;
    held -= e.bytes.byteLength;
    entries.delete(ref);
  };
  const expire = () => {
    const t = now();
    for (const [ref, e] of entries) if (t - e.used > limits.idleMs) drop(ref);
  };
  return {
    put(bytes) {
      expire();
      const ref = randomBytes(16).toString('base64url');
      if (bytes.byteLength > limits.maxBytes) return ref; // never held: its next slice is 'input-expired'
      while (entries.size >= limits.maxEntries || (entries.size && held + bytes.byteLength > limits.maxBytes)) drop(entries.keys().next().value!);
      entries.set(ref, { bytes, used: now() });
      held += bytes.byteLength;
      return ref;
    },
    get(ref) {
      expire();
      const e = entries.get(ref);
      if (!e) return undefined;
      entries.delete(ref);
      e.used = now();
      entries.set(ref, e);
      return e.bytes;
    },
    delete: drop,
    get size() {
      return entries.size;
    },
  };
}
