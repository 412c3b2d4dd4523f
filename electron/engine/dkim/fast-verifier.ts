// mailauth's dkimVerify (lib/dkim/verify.js) with the fast body hashers of ./body-hash.ts: a
// subclass of its own DkimVerifier, so every verdict, comment and field stays mailauth's, only the
// body canonicalization and its message parser's scans (bare LFs, the end of the header section)
// are done with native searches, and the message is handed over without the stream machinery.

import { createRequire } from 'node:module';
import type { DKIMVerifyOptions, DKIMVerifyResult } from 'mailauth';
import type { MailauthResolver } from '../dns/mailauth-adapter.ts';
import { CanonicalBodyHash, fastDkimBody, FastRelaxedHash, type BodyHasher } from './body-hash.ts';
import { createSharedKeyCache, type MailauthKeyCache } from './shared-key-cache.ts';
import { installLinearHeaderParser } from './linear-headers.ts';

// mailauth's header parser is quadratic in a field's continuation lines (linear-headers.ts)
installLinearHeaderParser();

const require = createRequire(import.meta.url);

interface DkimVerifierInstance {
  state: 'header' | 'body';
  headerBytes: number;
  headerChunks: Buffer[];
  emitHeaders(chunk?: Buffer): Promise<void>;
  nextChunk(chunk: Buffer): Promise<void>;
  /** What MessageParser's _write and _final run. */
  writeAsync(chunk: Buffer): Promise<void>;
  finish(): Promise<void>;
  headers: unknown;
  headerFrom: string[];
  fromFields: number;
  envelopeFrom: string | false;
  results: unknown[];
  arc: object;
  seal: unknown;
  sealBodyHashKey?: string;
  bodyHashes: Map<string, BodyHasher>;
  lastByte?: number;
  resolver: MailauthResolver;
  keyCache: MailauthKeyCache;
}
type DkimVerifierClass = new (options: unknown) => DkimVerifierInstance & NodeJS.WritableStream;

const { DkimVerifier } = require('mailauth/lib/dkim/dkim-verifier.js') as { DkimVerifier: DkimVerifierClass };

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n');

/** Larger than mailauth's writeToStream's 64 KB: fewer round trips, each still a bounded slice of work. */
const CHUNK_SIZE = 1024 * 1024;

class FastDkimVerifier extends DkimVerifier {
  constructor(options: unknown) {
    super(options);
    // key records read once per process, not once per message (./shared-key-cache.ts); the ARC
    // validation reuses the cache through the hidden property mailauth gives it
    this.keyCache = createSharedKeyCache(this.resolver);
    Object.defineProperty(this.arc, 'keyCache', { value: this.keyCache, enumerable: false, configurable: true, writable: true });
    // the ARC seal's body hash is created in the constructor, before anything is written
    if (this.sealBodyHashKey && this.bodyHashes.has(this.sealBodyHashKey)) {
      this.bodyHashes.set(this.sealBodyHashKey, new FastRelaxedHash('sha256', false));
    }
  }

  // the same keys as mailauth's addBodyHash: one hasher per canonicalization, hash and l=
  addBodyHash(bodyCanon: string, hashAlgo: string, maxBodyLength: unknown): string {
    const key = [bodyCanon, hashAlgo, maxBodyLength].join(':');
    if (!this.bodyHashes.has(key)) this.bodyHashes.set(key, fastDkimBody(bodyCanon, hashAlgo, maxBodyLength));
    return key;
  }

  /** The last two bytes of the header section seen so far (byte before last, last): the end test looks back across chunks. */
  private tail: [number | undefined, number | undefined] = [undefined, undefined];

  /**
   * MessageParser.processChunk, finding the end of the header section with indexOf where mailauth
   * steps through every header byte keeping a sliced array of the last four. The same test at
   * each LF: after an LF or a CRLF, or as the first line (an empty header section), and the
   * same chunks handed on: headers up to the end, then the rest of the chunk as body.
   */
  async processChunk(chunk: Buffer): Promise<void> {
    if (!chunk || !chunk.length) return;
    if (this.state !== 'header') return this.nextChunk(chunk);
    const seen = this.headerBytes;
    const [before, last] = this.tail;
    for (let lf = chunk.indexOf(LF); lf >= 0; lf = chunk.indexOf(LF, lf + 1)) {
      const b1 = lf >= 1 ? chunk[lf - 1] : last;
      const b2 = lf >= 2 ? chunk[lf - 2] : lf === 1 ? last : before;
      const count = seen + lf + 1;
      if (b1 === LF || (b1 === CR && b2 === LF) || count === 1 || (count === 2 && b1 === CR)) {
        this.headerBytes = count;
        if (lf === chunk.length - 1) return this.emitHeaders(chunk);
        await this.emitHeaders(chunk.subarray(0, lf + 1));
        return this.nextChunk(chunk.subarray(lf + 1));
      }
    }
    this.headerBytes = seen + chunk.length;
    this.tail = chunk.length >= 2 ? [chunk[chunk.length - 2], chunk[chunk.length - 1]] : [last, chunk[0]];
    this.headerChunks.push(chunk);
  }

  /**
   * MessageParser.ensureLinebreaks: every LF that does not follow a CR becomes CRLF. The same
   * pieces as mailauth's byte loop, found one line at a time with indexOf.
   */
  *ensureLinebreaks(input: Buffer): Generator<Buffer> {
    let pos = 0;
    let lf = input.indexOf(LF);
    while (lf >= 0) {
      const prev = lf > 0 ? input[lf - 1] : this.lastByte;
      if (prev !== CR) {
        yield lf === 0 || pos === lf ? Buffer.from(CRLF) : Buffer.concat([input.subarray(pos, lf), CRLF]);
        pos = lf + 1;
      }
      lf = input.indexOf(LF, lf + 1);
    }
    if (input.length) this.lastByte = input[input.length - 1];
    if (pos === 0) yield input;
    else if (pos < input.length) yield input.subarray(pos);
  }
}

/**
 * mailauth.dkimVerify, with the same options and the same result (hidden headers, arc, seal
 * included). `chunkSize` is how much of a Buffer input is written at a time.
 */
export async function fastDkimVerify(input: Buffer | string, options: DKIMVerifyOptions, chunkSize = CHUNK_SIZE): Promise<DKIMVerifyResult> {
  const verifier = new FastDkimVerifier(options);
  // What the verifier's Writable runs (each chunk through _write's writeAsync, then _final's
  // finish), called directly: mailauth's writeToStream spends two event-loop turns (setImmediate)
  // and the stream's ticks on every message, about a quarter of a 10 KB message's verification.
  // A larger input still yields to the event loop between chunks, as writeToStream does.
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  for (let pos = 0; pos < bytes.length; pos += chunkSize) {
    if (pos > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    await verifier.writeAsync(bytes.subarray(pos, pos + chunkSize));
  }
  await verifier.finish();
  const result: Record<string, unknown> = {
    headerFrom: verifier.headerFrom,
    fromFields: verifier.fromFields,
    envelopeFrom: verifier.envelopeFrom,
    results: verifier.results,
  };
  const hidden = (name: string, value: unknown) => Object.defineProperty(result, name, { enumerable: false, configurable: false, writable: false, value });
  if (verifier.headers) hidden('headers', verifier.headers);
  if (verifier.arc) hidden('arc', verifier.arc);
  if (verifier.seal) hidden('seal', verifier.seal);
  // the start of each canonical body, as the hashers saw it: keyed by body canonicalization
  const previews = new Map<string, { head: Buffer; total: number }>();
  for (const [key, hasher] of verifier.bodyHashes as Map<string, unknown>) {
    const canon = key.split(':')[0];
    // every hasher keeps the canonical body's start whatever its l= (it counts past l= too)
    if (hasher instanceof CanonicalBodyHash && !previews.has(canon)) {
      previews.set(canon, { head: hasher.preview, total: hasher.canonicalizedLength });
    }
  }
  hidden('bodyPreviews', previews);
  releaseSpent(verifier);
  return result as unknown as DKIMVerifyResult;
}

// Node's WritableState stores `this.onwrite = (er) => onwrite(stream, er)`, and V8 allocates a
// function literal assigned to a property straight in the old generation (its parser takes it for a
// method). So every verifier is referenced from the old generation by a closure that only a full GC
// frees, and the scavenger keeps it, and all it refers to (the message's headers, signatures, body
// hashers, DNS log), alive and promotes them: ~15 KB a message, most of what an evaluation promoted.
const STREAM_FIELDS = new Set(['_writableState', '_events', '_eventsCount', '_maxListeners']);

/** Empties a verifier whose result has been taken, so only the bare stream outlives it. */
function releaseSpent(verifier: DkimVerifierInstance): void {
  const fields = verifier as unknown as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (!STREAM_FIELDS.has(key)) fields[key] = undefined;
}
