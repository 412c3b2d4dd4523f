// DKIM body hashers (RFC 6376 §3.4.3 simple, §3.4.4 relaxed) that are drop-in replacements for
// mailauth's RelaxedHash and SimpleHash (lib/dkim/body/*.js): the same constructor, methods and
// counters that DkimVerifier reads, and the same bytes hashed for every input, odd line ends
// included. mailauth canonicalizes the relaxed body byte by byte in JS; here native searches
// (Buffer.indexOf) find the few lines that need rewriting, and the clean lines between them go
// to the hash in large slices straight from the input.

import { createHash, type Hash } from 'node:crypto';
import { createRequire } from 'node:module';
import { canonicalizeContent } from './canonicalize.ts';

const require = createRequire(import.meta.url);

interface MimeStructureStartFinder {
  setBoundary(boundary: string): void;
  update(chunk: Buffer): void;
  getMimeStructureStart(): number;
}
const { MimeStructureStartFinder } = require('mailauth/lib/dkim/mime-structure-start-finder.js') as {
  MimeStructureStartFinder: new () => MimeStructureStartFinder;
};
const { CRLF, eachHeldLineBreak } = require('mailauth/lib/dkim/body/line-endings.js') as {
  CRLF: Buffer;
  eachHeldLineBreak(count: number, fn: (lineBreaks: Buffer) => void): void;
};

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const TAB = 0x09;

/** What mailauth's DkimVerifier passes to setContentType (libmime.parseHeaderValue). */
export interface ContentTypeValue {
  value: string;
  params: Record<string, string | undefined>;
}

/** The interface DkimVerifier uses on a body hasher (it also stores `hash` and `mimeStructureStart` on it). */
export interface BodyHasher {
  byteLength: number;
  canonicalizedLength: number;
  bodyHashedBytes: number;
  maxSizeReached: boolean;
  hash?: string;
  mimeStructureStart?: number;
  setContentType(contentType: ContentTypeValue): void;
  update(chunk: Buffer | null | undefined): void;
  digest(encoding: 'base64' | 'hex'): string;
  getMimeStructureStart(): number;
}

/**
 * What both canonicalizations share with mailauth: the l= limit on canonical bytes, the counters,
 * the trailing empty lines held back until content follows them, and the MIME structure start.
 */
/** How much of the canonical body a hasher keeps for the report's preview (dkim-verify.ts shows 2 KB). */
export const PREVIEW_CAPTURE = 2048 + 8; // + a few bytes so a UTF-8 sequence at the edge is seen whole

export abstract class CanonicalBodyHash implements BodyHasher {
  byteLength = 0;
  /** Canonical body bytes, all of them (also past l=). */
  canonicalizedLength = 0;
  /** Canonical body bytes hashed (up to l=). */
  bodyHashedBytes = 0;
  maxBodyLength: unknown;
  maxSizeReached: boolean;
  hash?: string;
  mimeStructureStart?: number;
  protected bodyHash: Hash;
  /** CRLF pairs at the end of the canonical output so far: hashed only if content follows. */
  protected pendingLineBreaks = 0;
  protected mimeStructureStartFinder = new MimeStructureStartFinder();

  constructor(algorithm: string, maxBodyLength: unknown) {
    this.bodyHash = createHash(algorithm);
    this.maxBodyLength = maxBodyLength;
    this.maxSizeReached = maxBodyLength === 0;
  }

  setContentType(contentType: ContentTypeValue): void {
    if (/^multipart\//i.test(contentType.value) && contentType.params.boundary) {
      this.mimeStructureStartFinder.setBoundary(contentType.params.boundary);
    }
  }

  getMimeStructureStart(): number {
    return this.mimeStructureStartFinder.getMimeStructureStart();
  }

  abstract update(chunk: Buffer | null | undefined): void;
  abstract digest(encoding: 'base64' | 'hex'): string;

  // The first canonical body bytes, copied in while hashing (staging buffers are reused) so the
  // report's preview costs nothing more. One buffer, not a list of copies: a body's held line
  // breaks reach hashCanonical a run at a time, and a list of those cost more than the hash.
  private readonly previewBuffer = Buffer.allocUnsafe(PREVIEW_CAPTURE);
  private previewLength = 0;

  /** The canonical body's first bytes as hashed so far (PREVIEW_CAPTURE at most, also past l=). */
  get preview(): Buffer {
    return this.previewBuffer.subarray(0, this.previewLength);
  }

  /** mailauth's _updateBodyHash: every canonical byte is counted, only those up to l= are hashed. */
  protected hashCanonical(chunk: Buffer): void {
    this.mimeStructureStartFinder.update(chunk);
    if (this.previewLength < PREVIEW_CAPTURE) {
      this.previewLength += chunk.copy(this.previewBuffer, this.previewLength, 0, PREVIEW_CAPTURE - this.previewLength);
    }
    this.canonicalizedLength += chunk.length;
    if (this.maxSizeReached) return;
    const max = this.maxBodyLength;
    if (typeof max === 'number' && !isNaN(max) && max >= 0 && this.bodyHashedBytes + chunk.length > max) {
      this.maxSizeReached = true;
      if (this.bodyHashedBytes >= max) return;
      chunk = chunk.subarray(0, max - this.bodyHashedBytes);
    }
    this.bodyHashedBytes += chunk.length;
    this.bodyHash.update(chunk);
  }

  protected drainPendingLineBreaks(): void {
    eachHeldLineBreak(this.pendingLineBreaks, (lineBreaks) => this.hashCanonical(lineBreaks));
    this.pendingLineBreaks = 0;
  }
}

// Output staging for the relaxed hasher: short clean spans and rewritten lines are gathered here,
// so a body full of dirty lines still reaches the hash in large updates. Long clean spans bypass it.
const STAGE_BYTES = 64 * 1024;
const DIRECT_SPAN = 4096;
const EMPTY = Buffer.alloc(0);
// 512 empty lines: a run of them (clean in relaxed) is skipped a block at a time, not line by line
const BLANK_BLOCK = Buffer.alloc(1024, '\r\n');

/** RFC 6376 §3.4.4 relaxed body canonicalization, hashed; the same results as mailauth's RelaxedHash. */
export class FastRelaxedHash extends CanonicalBodyHash {
  /** The unterminated last line so far, as the pieces it arrived in. */
  private carry: Buffer[] = [];
  private stage = EMPTY; // allocated on first use: a short clean body never needs it
  private staged = 0;

  constructor(algorithm?: string, maxBodyLength?: unknown) {
    super((algorithm || 'sha256').split('-').pop()!.toLowerCase(), maxBodyLength);
  }

  update(chunk: Buffer | null | undefined): void {
    if (!chunk || !chunk.length) return;
    this.byteLength += chunk.length;
    const firstLf = chunk.indexOf(LF);
    if (firstLf < 0) {
      this.carry.push(chunk);
      return;
    }
    let start = 0;
    if (this.carry.length) {
      // the line that began in earlier chunks: only it is copied
      this.carry.push(chunk.subarray(0, firstLf + 1));
      const line = Buffer.concat(this.carry);
      this.carry = [];
      this.canonicalizeLines(line, 0, line.length);
      start = firstLf + 1;
    }
    const lastLf = chunk.lastIndexOf(LF);
    if (lastLf >= start) this.canonicalizeLines(chunk, start, lastLf + 1);
    if (lastLf + 1 < chunk.length) this.carry.push(chunk.subarray(lastLf + 1));
    this.flushStage();
  }

  digest(encoding: 'base64' | 'hex'): string {
    if (this.carry.length) {
      // the last line has no line break: canonicalized alone, and no CRLF of its own yet
      const line = this.carry.length === 1 ? this.carry[0] : Buffer.concat(this.carry);
      this.carry = [];
      this.ensureStage(line.length);
      this.staged = canonicalizeContent(line, 0, line.length, this.stage, this.staged);
      this.flushStage();
    }
    // a non-empty body ends with exactly one CRLF (trailing empty lines stay pending, and go)
    if (this.canonicalizedLength) this.hashCanonical(CRLF);
    return this.bodyHash.digest(encoding);
  }

  /**
   * buf[s, e) is whole lines, each ending in LF. A line is clean when it already is its own
   * relaxed form: CRLF ends it, it has no HTAB, no two SP in a row, no SP before the CRLF.
   * Clean runs are passed on as they are; dirty lines are rewritten.
   */
  private canonicalizeLines(buf: Buffer, s: number, e: number): void {
    let tab = buf.indexOf(TAB, s);
    if (tab < 0 || tab >= e) tab = e;
    let twoSp = buf.indexOf('  ', s, 'latin1');
    if (twoSp < 0 || twoSp >= e) twoSp = e;
    let run = s; // start of the pending clean run
    let ls = s; // start of the current line
    while (ls < e) {
      if (buf[ls] === CR && buf[ls + 1] === LF && buf[ls + 2] === CR && buf[ls + 3] === LF) {
        while (ls + BLANK_BLOCK.length <= e && buf.compare(BLANK_BLOCK, 0, BLANK_BLOCK.length, ls, ls + BLANK_BLOCK.length) === 0) ls += BLANK_BLOCK.length;
        if (ls >= e) break;
      }
      const lf = buf.indexOf(LF, ls);
      // the first line with a TAB or a double SP: jump to it, every line before it only needs
      // its line end checked
      const nextWsp = tab < twoSp ? tab : twoSp;
      let dirty: boolean;
      if (nextWsp < lf) dirty = true;
      else dirty = lf === ls || buf[lf - 1] !== CR || (lf - 2 >= ls && buf[lf - 2] === SP);
      if (dirty) {
        this.emitSource(buf, run, ls);
        this.ensureStage(lf + 2 - ls);
        let w = canonicalizeContent(buf, ls, lf > ls && buf[lf - 1] === CR ? lf - 1 : lf, this.stage, this.staged);
        this.stage[w++] = CR;
        this.stage[w++] = LF;
        this.staged = w;
        run = lf + 1;
        if (tab <= lf) {
          tab = buf.indexOf(TAB, lf + 1);
          if (tab < 0 || tab >= e) tab = e;
        }
        if (twoSp <= lf) {
          twoSp = buf.indexOf('  ', lf + 1, 'latin1');
          if (twoSp < 0 || twoSp >= e) twoSp = e;
        }
      }
      ls = lf + 1;
    }
    this.emitSource(buf, run, e);
  }

  /** A clean span of the input: staged when short, otherwise hashed straight from the input. */
  private emitSource(buf: Buffer, a: number, b: number): void {
    const n = b - a;
    if (n <= 0) return;
    if (n < DIRECT_SPAN && this.stage === EMPTY) this.stage = Buffer.allocUnsafe(STAGE_BYTES);
    if (n < DIRECT_SPAN && this.staged + n <= this.stage.length) {
      buf.copy(this.stage, this.staged, a, b);
      this.staged += n;
      return;
    }
    this.flushStage();
    this.pushCanonical(buf.subarray(a, b));
  }

  private ensureStage(n: number): void {
    if (this.staged + n <= this.stage.length) return;
    this.flushStage();
    if (n > this.stage.length) this.stage = Buffer.allocUnsafe(Math.max(n, STAGE_BYTES));
  }

  private flushStage(): void {
    if (!this.staged) return;
    const n = this.staged;
    this.staged = 0;
    this.pushCanonical(this.stage.subarray(0, n));
  }

  /**
   * Canonical whole lines (or the last, unterminated one): the CRLF pairs they end with are held
   * back until content follows (mailauth's _pushBodyHash). The slice may be the reused stage: the
   * hash and the MIME finder consume it before it is written again.
   */
  private pushCanonical(chunk: Buffer): void {
    let end = chunk.length;
    if (!end) return;
    while (end >= 2 && chunk[end - 2] === CR && chunk[end - 1] === LF) end -= 2;
    if (!end) {
      this.pendingLineBreaks += chunk.length / 2;
      return;
    }
    this.drainPendingLineBreaks();
    this.pendingLineBreaks = (chunk.length - end) / 2;
    this.hashCanonical(chunk.subarray(0, end));
  }
}


/** RFC 6376 §3.4.3 simple body canonicalization, hashed; the same results as mailauth's SimpleHash. */
export class FastSimpleHash extends CanonicalBodyHash {
  /**
   * Line-end bytes at the end of the body so far, after the pendingLineBreaks pairs: kept exactly
   * when they are not whole CRLF pairs (a lone CR is content if anything but an LF follows).
   */
  private held: Buffer[] = [];

  constructor(algorithm?: string, maxBodyLength?: unknown) {
    super((algorithm || 'sha256').split('-').pop()!, maxBodyLength);
  }

  update(chunk: Buffer | null | undefined): void {
    if (!chunk || !chunk.length) return;
    this.byteLength += chunk.length;
    // simple changes nothing but the line breaks at the very end: hold back the trailing run of
    // CR and LF bytes until it is known whether content follows
    let pairEnd = chunk.length;
    while (pairEnd >= 2 && chunk[pairEnd - 2] === CR && chunk[pairEnd - 1] === LF) pairEnd -= 2;
    let end = pairEnd;
    while (end > 0 && (chunk[end - 1] === LF || chunk[end - 1] === CR)) end--;
    if (end) {
      this.drainPendingLineBreaks();
      for (const h of this.held) this.hashCanonical(h);
      this.held = [];
      this.hashCanonical(chunk.subarray(0, end));
    }
    if (end < chunk.length) {
      // whole CRLF pairs with nothing kept before them are counted, not kept (no pinned chunks)
      if (!this.held.length && end === pairEnd) this.pendingLineBreaks += (chunk.length - pairEnd) / 2;
      else this.held.push(chunk.subarray(end));
    }
  }

  digest(encoding: 'base64' | 'hex'): string {
    // *CRLF at the end becomes one CRLF; an LF counts as a line break, a CR alone does not
    const trailer = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held);
    this.held = [];
    let end = trailer.length;
    while (end > 0 && trailer[end - 1] === LF) {
      end--;
      if (end > 0 && trailer[end - 1] === CR) end--;
    }
    if (end) {
      this.drainPendingLineBreaks();
      this.hashCanonical(trailer.subarray(0, end));
    }
    this.pendingLineBreaks = 0;
    // an empty body, too, is one CRLF
    this.hashCanonical(CRLF);
    return this.bodyHash.digest(encoding);
  }
}

/** mailauth's dkimBody(): a hasher for the body canonicalization of a c= value (default simple). */
export function fastDkimBody(canonicalization: string | undefined, algorithm?: string, maxBodyLength?: unknown): BodyHasher {
  const canon = (canonicalization || 'simple/simple').toString().split('/').pop()!.toLowerCase().trim();
  if (canon === 'simple') return new FastSimpleHash(algorithm, maxBodyLength);
  if (canon === 'relaxed') return new FastRelaxedHash(algorithm, maxBodyLength);
  const error = new Error('Unknown body canonicalization') as Error & { canonicalization?: string };
  error.canonicalization = canon;
  throw error;
}
