// Turns the bytes a user gave (one message, an mbox, or a header block) into messages ready to
// evaluate: rejects what is not mail, splits mboxes, normalises line ends to CRLF, and says plainly
// what cannot be checked (no body, a cut-off message).

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { DEFAULT_MAX_BYTES } from '../../../shared/evaluate-options.ts';
import { leadingEmptyLines } from '../../../shared/leading-empty-lines.ts';
import type { InputErrorCode, InputSummary, MessageSource } from '../../../shared/report.ts';
import { headerValues, parseHeaderBlock } from './headers.ts';
import type { HeaderBlock } from './headers.ts';
import { InputError } from './input-error.ts';
import { scanLineEndings, toCrlf } from './line-endings.ts';
import { isMbox, splitMbox, type MboxMessage } from './mbox.ts';
import { binaryReason, describeText } from './sniff.ts';

const libmime = createRequire(import.meta.url)('libmime') as { decodeWords(s: string): string };

export interface InputItemOk {
  ok: true;
  index: number;
  /** The message as evaluated: CRLF line ends; header fields only for headers-only input. */
  bytes: Buffer;
  headers: HeaderBlock;
  summary: InputSummary;
}

export interface InputItemError {
  ok: false;
  index: number;
  error: { code: InputErrorCode; message: string };
}

export type InputItem = InputItemOk | InputItemError;

export interface InputSplit {
  container: 'message' | 'mbox';
  items: InputItem[];
}

export interface ReadInputOptions {
  /** Reject inputs larger than this; default DEFAULT_MAX_BYTES (100 MB). */
  maxBytes?: number;
  /** Treat the input as a header block even when a body follows it (the body is set aside). */
  headersOnly?: boolean;
}

/** What reading an input takes from the evaluation options (the engine and the pool read alike). */
export function readOptionsOf(opts: { maxBytes?: number; headersOnly?: boolean }): ReadInputOptions {
  return { maxBytes: opts.maxBytes, headersOnly: opts.headersOnly };
}

export const HEADERS_ONLY_LIMITATIONS: readonly string[] = [
  "The body is absent: DKIM body hashes cannot be computed; each signature's header signature is still checked against its bh= as given.",
  'Without the body no DKIM signature can be confirmed as a full pass, so DMARC alignment through DKIM cannot be confirmed either.',
  'ARC-Message-Signature body hashes cannot be computed either; ARC-Seal signatures, which cover header fields only, are still checked.',
];

/**
 * An input's first stage, with no message parsed yet: the whole-input checks (size, blank), the
 * byte-order mark, and the split into an mbox's messages. Cheap, so a caller that spreads an
 * mbox over workers (worker-pool.ts) can split it first. Throws InputError for whole-input rejects.
 */
export type InputParts =
  | { container: 'message'; bytes: Buffer; notes: string[] }
  | { container: 'mbox'; messages: MboxMessage[]; notes: string[] };

export function splitInput(bytes: Uint8Array, opts: ReadInputOptions = {}): InputParts {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  // checked before anything else is read, so a huge input costs nothing
  if (bytes.byteLength > maxBytes) {
    throw new InputError('too-large', `The input is ${bytes.byteLength < 1024 ? mb(bytes.byteLength) : `${mb(bytes.byteLength)} (${bytes.byteLength} bytes)`}, over the ${mb(maxBytes)} limit.`);
  }
  let buf = asBuffer(bytes);
  const notes: string[] = [];
  const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  if (bom) {
    buf = buf.subarray(3);
    notes.push('A UTF-8 byte-order mark before the first header field was removed; it is not part of a message.');
  }
  if (isBlank(buf)) {
    throw new InputError('empty', bytes.byteLength === 0 ? 'The input is empty.' : `The input contains only whitespace (${bytes.byteLength} bytes).`);
  }
  if (isMbox(buf)) return { container: 'mbox', messages: splitMbox(buf, bom ? 3 : 0), notes };
  return { container: 'message', bytes: buf, notes };
}

/**
 * Message `index` of an mbox (its postmark line already removed), read as readInput reads it.
 * `source` is where it lies in the mbox (MboxMessage's offset and length), kept in its summary.
 */
export function readMboxMessage(bytes: Uint8Array, index: number, notes: readonly string[], opts: ReadInputOptions = {}, source?: MessageSource): InputItem {
  try {
    const item = prepareMessage(asBuffer(bytes), index, opts, [...notes], `Message ${index + 1} of the mbox`);
    if (source) item.summary.source = { offset: source.offset, length: source.length };
    return item;
  } catch (e) {
    if (e instanceof InputError) return { ok: false, index, error: { code: e.code, message: e.message } };
    throw e;
  }
}

/** Reads one input: a single message, an mbox, or a header block. Throws InputError for whole-input rejects. */
export function readInput(bytes: Uint8Array, opts: ReadInputOptions = {}): InputSplit {
  return readParts(splitInput(bytes, opts), opts);
}

/** readInput's second stage, for a caller that has split the input already. */
export function readParts(parts: InputParts, opts: ReadInputOptions = {}): InputSplit {
  if (parts.container === 'mbox') {
    return { container: 'mbox', items: parts.messages.map((m) => readMboxMessage(m.bytes, m.index, parts.notes, opts, m)) };
  }
  return { container: 'message', items: [prepareMessage(parts.bytes, 0, opts, parts.notes, 'The input')] };
}

function prepareMessage(raw: Buffer, index: number, opts: ReadInputOptions, limitations: string[], what: string): InputItemOk {
  if (isBlank(raw)) throw new InputError('empty', `${what} is empty.`);
  const binary = binaryReason(raw);
  if (binary) throw new InputError('binary', `${what} ${binary}.`);

  // Blank lines pasted above the header would make an empty header block.
  const start = leadingEmptyLines(raw);
  if (start > 0) limitations.push('Empty lines before the first header field were removed.');
  const original = raw.subarray(start);

  const endings = scanLineEndings(original);
  let bytes = toCrlf(original, endings.bareLf);
  let headers = parseHeaderBlock(bytes);

  if (headers.fields.length === 0) {
    throw new InputError('no-headers', `${what} has no header fields (lines like “Name: value”): it ${describeText(bytes)}.`);
  }
  const firstIsField = headers.fields[0].start === 0;
  if (!firstIsField && headers.malformedLines.length > headers.fields.length) {
    throw new InputError('no-headers', `${what} does not start with header fields (lines like “Name: value”): it ${describeText(bytes)}.`);
  }

  const work = signatureWork(headers);
  if (work.steps > MAX_SIGNATURE_FIELD_STEPS) {
    const n = (x: number) => x.toLocaleString('en');
    throw new InputError(
      'too-complex',
      `${what} has ${n(work.signatures)} signature${work.signatures === 1 ? '' : 's'} listing ${n(work.names)} header field names in h= over ${n(headers.fields.length)} header fields: checking them takes ${work.steps.toExponential(1)} field comparisons, over what AuthLab does for one message (${MAX_SIGNATURE_FIELD_STEPS.toExponential(0)}). Real mail has a few signatures of a few dozen names; this message is hostile or broken.`,
    );
  }

  let kind: InputSummary['kind'] = 'message';
  if (headers.bodyOffset !== null && !opts.headersOnly && isBlank(bytes.subarray(headers.bodyOffset)) && signedNonEmptyBody(headers)) {
    // A header block copied with its trailing empty line: the signatures say a body existed.
    limitations.push('The body is empty, but the DKIM signatures were made over a non-empty body (their bh= is not the hash of an empty body): the input is taken as a header block.');
    bytes = bytes.subarray(0, headers.bodyOffset - 2);
    headers = { ...headers, bodyOffset: null };
  }
  if (headers.bodyOffset === null || opts.headersOnly) {
    kind = 'headers-only';
    if (headers.bodyOffset !== null) {
      bytes = bytes.subarray(0, headers.bodyOffset - 2);
      limitations.push('Headers-only was asked for: the body that followed the header was set aside.');
      headers = { ...headers, bodyOffset: null };
    } else {
      const cut = cutLastField(bytes, headers);
      if (cut) limitations.push(`Truncated: ${cut}`);
      // Text after the last field with no empty line before it is a body that lost its separator;
      // guessing where the header ends would change what DKIM hashes, so say so unless asked for headers only.
      const lastField = headers.fields[headers.fields.length - 1];
      const trailing = headers.malformedLines.filter((l) => l.offset > lastField.start);
      if (!opts.headersOnly && !cut && trailing.length > 0) {
        throw new InputError(
          'no-header-separator',
          `${what} has text after its header fields (“${trailing[0].text.slice(0, 60)}”) but no empty line separating the header from the body: add the empty line, or check the header fields alone in headers-only mode.`,
        );
      }
      const strayLines = headers.malformedLines.filter((l) => l.offset > headers.fields[0].start);
      if (strayLines.length > 0 && !cut) {
        limitations.push(
          `${strayLines.length} line(s) in the header are not header fields (the first: “${strayLines[0].text.slice(0, 60)}”); if that is the body, the empty line that separates it from the header is missing.`,
        );
      }
      if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) {
        // a pasted header block usually loses its final line end; a header field ends with CRLF
        bytes = Buffer.concat([bytes, Buffer.from('\r\n')]);
        headers = parseHeaderBlock(bytes);
        limitations.push('The last header line had no line end; CRLF was added.');
      }
    }
    limitations.push(...HEADERS_ONLY_LIMITATIONS);
  } else {
    const open = openMultipart(bytes, headers);
    if (open) limitations.push(`Truncated: ${open}`);
  }

  const first = (key: string) => {
    const f = headerValues(headers, key)[0];
    return f ? decodeWords(f.value) : undefined;
  };
  const summary: InputSummary = {
    kind,
    index,
    size: raw.length,
    lineEndings: endings.kind,
    normalized: endings.bareLf > 0,
    evaluatedBytes: bytes.length,
    headerCount: headers.fields.length,
    limitations,
  };
  const subject = first('subject');
  const from = first('from');
  const messageId = first('message-id');
  const date = first('date');
  if (subject !== undefined) summary.subject = subject;
  if (from !== undefined) summary.from = from;
  if (messageId !== undefined) summary.messageId = messageId;
  if (date !== undefined) summary.date = date;
  return { ok: true, index, bytes, headers, summary };
}

// bh= of an empty body: "" under relaxed and "\r\n" under simple body canonicalization (RFC 6376 §3.4.3-4)
const EMPTY_BODY_HASHES = new Set(
  ['sha256', 'sha1'].flatMap((alg) => ['', '\r\n'].map((body) => createHash(alg).update(body).digest('base64'))),
);

function signedNonEmptyBody(headers: HeaderBlock): boolean {
  const sigs = headerValues(headers, 'dkim-signature');
  return (
    sigs.length > 0 &&
    sigs.some((f) => {
      const bh = /(?:^|;)\s*bh\s*=\s*([A-Za-z0-9+/=\s]+)/.exec(f.value)?.[1].replace(/\s+/g, '');
      const l = /(?:^|;)\s*l\s*=\s*(\d+)/.exec(f.value)?.[1];
      return bh !== undefined && l !== '0' && !EMPTY_BODY_HASHES.has(bh);
    })
  );
}

// mailauth's DKIM verifier does work in proportion to the header for every signature (it copies
// the parsed header list) and for every h= name (it scans up the header for the field):
// (signatures + names) × fields steps. 20,000 names over 20,000 fields took ~10 s, 5,000 signatures
// over 5,000 fields ~3 s, and a 100 MB message would take hours. Real mail needs ~10⁴ such steps
// (a few signatures of a few dozen names, a few hundred fields); 10⁷ is ~0.6 s at worst.
const MAX_SIGNATURE_FIELD_STEPS = 1e7;

/** DKIM-Signature and ARC-Message-Signature fields, their h= names, and (both) × header fields. */
function signatureWork(headers: HeaderBlock): { signatures: number; names: number; steps: number } {
  let signatures = 0;
  let names = 0;
  for (const key of ['dkim-signature', 'arc-message-signature']) {
    for (const f of headerValues(headers, key)) {
      signatures++;
      const h = /(?:^|;)\s*h\s*=([^;]*)/.exec(f.value)?.[1];
      if (h !== undefined) names += h.split(':').length;
    }
  }
  return { signatures, names, steps: (signatures + names) * headers.fields.length };
}

const SIGNATURE_FIELDS = new Set(['dkim-signature', 'arc-seal', 'arc-message-signature']);

/** For a header block with no body: says how the last field looks cut off, or undefined. */
function cutLastField(bytes: Buffer, headers: HeaderBlock): string | undefined {
  const last = headers.fields[headers.fields.length - 1];
  const lastStray = headers.malformedLines[headers.malformedLines.length - 1];
  if (lastStray && lastStray.offset > last.start && bytes[bytes.length - 1] !== 0x0a) {
    return `the input ends in the middle of a line (“${lastStray.text.slice(0, 40)}”), after the last complete header field; the rest of the message is missing.`;
  }
  if (SIGNATURE_FIELDS.has(last.key) && !/(?:^|;)\s*b\s*=\s*[A-Za-z0-9+/]/.test(last.value)) {
    return `the last header field (${last.name}) ends before its b= signature tag; the header was cut off there.`;
  }
  if (bytes[bytes.length - 1] !== 0x0a && looksUnfinished(last.value)) {
    return `the last header field (${last.name}) ends mid-value without a line end; the header was cut off there.`;
  }
  return undefined;
}

function looksUnfinished(value: string): boolean {
  if (value === '' || /[;=,:\\]$/.test(value)) return true;
  let quotes = 0;
  let parens = 0;
  let angles = 0;
  for (const c of value) {
    if (c === '"') quotes++;
    else if (c === '(') parens++;
    else if (c === ')') parens--;
    else if (c === '<') angles++;
    else if (c === '>') angles--;
  }
  return quotes % 2 === 1 || parens > 0 || angles > 0;
}

/** For a multipart message whose closing boundary never comes: the warning text. */
function openMultipart(bytes: Buffer, headers: HeaderBlock): string | undefined {
  const ct = headerValues(headers, 'content-type')[0]?.value;
  if (!ct || !/^\s*multipart\//i.test(ct)) return undefined;
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(ct);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary || headers.bodyOffset === null) return undefined;
  if (bytes.lastIndexOf(Buffer.from(`--${boundary}--`)) >= headers.bodyOffset) return undefined;
  return `the multipart body (boundary “${boundary}”) ends without its closing boundary line, so the end of the message is probably missing; the message is evaluated as it is, and DKIM signatures over the body will fail.`;
}

function decodeWords(s: string): string {
  try {
    return libmime.decodeWords(s);
  } catch {
    return s;
  }
}

/** A Buffer over the same bytes (no copy): workers receive plain Uint8Arrays. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isBlank(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0b && b !== 0x0c) return false;
  }
  return true;
}

function mb(n: number): string {
  // small limits (tests, a UI setting) read better in bytes or KB than as "0.00 MB"
  if (n < 1024) return `${n} bytes`;
  if (n < 100 * 1024) return `${Math.round((n / 1024) * 10) / 10} KB`;
  const v = n / (1024 * 1024);
  return `${Number.isInteger(v) ? v : v >= 10 ? v.toFixed(1) : v.toFixed(2)} MB`;
}
