// DKIM canonicalization, RFC 6376 §3.4: "simple" and "relaxed" for header fields and bodies.
// mailauth hashes the body while it streams the message; this module serves what mailauth does
// not expose: the canonical header block of signatures it skipped or could not check, and a
// preview of the canonical body, computed over a bounded window so a large body is not
// canonicalized a second time.

export type Canonicalization = 'simple' | 'relaxed';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const CRLF = Buffer.from('\r\n');

/** Splits a c= value into its header and body parts; an absent part is "simple" (§3.5). */
export function splitCanonicalization(c: string | undefined): { header: string; body: string } {
  const [header, body] = (c ?? '').split('/');
  return { header: header?.trim().toLowerCase() || 'simple', body: body?.trim().toLowerCase() || 'simple' };
}

export function isCanonicalization(v: string): v is Canonicalization {
  return v === 'simple' || v === 'relaxed';
}

/** Removes the line break that ends a raw header field (the field as it sits in the message). */
export function stripFieldEnd(raw: Buffer): Buffer {
  let end = raw.length;
  if (end && raw[end - 1] === LF) end--;
  if (end && raw[end - 1] === CR) end--;
  return raw.subarray(0, end);
}

/**
 * One header field, canonicalized, without its terminating CRLF.
 * relaxed (§3.4.2): lower-case name, unfold, runs of WSP to one SP, no WSP around the colon or
 * at the end of the value. Only SP and HTAB are whitespace: other bytes are compared as bytes.
 */
export function canonicalizeHeaderField(field: Buffer, canon: Canonicalization): Buffer {
  const raw = stripFieldEnd(field);
  // simple keeps every byte; a bare LF (input not normalized) is read as the CRLF it stands for
  if (canon === 'simple') return raw.includes(LF) ? Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1') : Buffer.from(raw);
  const text = raw.toString('latin1'); // byte-preserving
  const colon = text.indexOf(':');
  const rawName = colon >= 0 ? text.slice(0, colon) : text;
  const rawValue = colon >= 0 ? text.slice(colon + 1) : '';
  const name = rawName
    .replace(/\r?\n/g, '')
    .replace(/^[ \t]+|[ \t]+$/g, '')
    .replace(/[A-Z]/g, (c) => c.toLowerCase());
  const value = rawValue
    .replace(/\r?\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
  return Buffer.from(`${name}:${value}`, 'latin1');
}

/**
 * Empties the b= value of a signature field (§3.7: "including all surrounding whitespace"):
 * the last tag named b keeps its "b=" and loses everything up to the next ";" or the end.
 * Tag names compare case-sensitively in strict mode (§3.2), case-insensitively otherwise, the
 * way mailauth reads them.
 */
export function emptySignatureValue(field: Buffer, strict = true): Buffer {
  const text = field.toString('latin1');
  const colon = text.indexOf(':');
  const prefix = colon >= 0 ? text.slice(0, colon + 1) : '';
  const segments = (colon >= 0 ? text.slice(colon + 1) : text).split(';');
  for (let i = segments.length - 1; i >= 0; i--) {
    const eq = segments[i].indexOf('=');
    if (eq < 0) continue;
    const name = segments[i].slice(0, eq).replace(/\s+/g, ' ').trim();
    if ((strict ? name : name.toLowerCase()) === 'b') {
      segments[i] = segments[i].slice(0, eq + 1);
      break;
    }
  }
  return Buffer.from(prefix + segments.join(';'), 'latin1');
}

/**
 * The header data a DKIM signature hashes (§3.7): each signed field canonicalized and ended by
 * CRLF, then the DKIM-Signature field itself canonicalized with b= emptied and no final CRLF.
 */
export function canonicalizeSignedHeaders(signed: Buffer[], signatureField: Buffer, canon: Canonicalization, strict = true): Buffer {
  const parts: Buffer[] = [];
  for (const f of signed) parts.push(canonicalizeHeaderField(f, canon), CRLF);
  parts.push(emptySignatureValue(canonicalizeHeaderField(signatureField, canon), strict));
  return Buffer.concat(parts);
}

/** Splits bytes into lines at LF (a CR before it belongs to the line end); the last piece has no LF. */
function splitLines(body: Buffer): { lines: Buffer[]; last: Buffer } {
  const lines: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const lf = body.indexOf(LF, pos);
    if (lf < 0) break;
    const end = lf > pos && body[lf - 1] === CR ? lf - 1 : lf;
    lines.push(body.subarray(pos, end));
    pos = lf + 1;
  }
  return { lines, last: body.subarray(pos) };
}

const DOUBLE_SP = Buffer.from('  ');

/** §3.4.4 a: WSP runs to one SP, no WSP at the end of the line. */
function relaxLine(line: Buffer): Buffer {
  // most lines have nothing to relax: no tab, no double space, no trailing space (checked natively)
  const lastByte = line[line.length - 1];
  if (line.indexOf(HTAB) < 0 && line.indexOf(DOUBLE_SP) < 0 && lastByte !== SP) return line;
  const out = Buffer.allocUnsafe(line.length);
  return out.subarray(0, canonicalizeContent(line, 0, line.length, out, 0));
}

/**
 * Writes the relaxed form of line content src[a, b) (no line break in it) to out at w: WSP runs
 * become one SP, WSP at the end goes. A CR is content like any other byte. Returns the new w.
 */
export function canonicalizeContent(src: Buffer, a: number, b: number, out: Buffer, w: number): number {
  let wsp = false;
  for (let i = a; i < b; i++) {
    const c = src[i];
    if (c === SP || c === HTAB) {
      wsp = true;
      continue;
    }
    if (wsp) {
      out[w++] = SP;
      wsp = false;
    }
    out[w++] = c;
  }
  return w;
}

/**
 * Canonicalizes a body (§3.4.3, §3.4.4). With `partial`, `body` is only the start of the body:
 * the end-of-body rules (drop trailing empty lines, add a final CRLF) are not applied, and an
 * unterminated last line is left out, since its end is not known.
 */
export function canonicalizeBody(body: Buffer, canon: Canonicalization, partial = false): Buffer {
  const { lines, last } = splitLines(body);
  const relaxed = canon === 'relaxed';
  const out: Buffer[] = [];
  for (const line of lines) out.push(relaxed ? relaxLine(line) : line, CRLF);
  if (partial) return Buffer.concat(out);
  if (last.length) {
    const tail = relaxed ? relaxLine(last) : last;
    // relaxed: a last line of only whitespace becomes empty, and so is an empty line at the end
    if (tail.length || !relaxed) out.push(tail, CRLF);
  }
  // drop the empty lines at the end: trailing CRLF pairs beyond the last content line
  while (out.length >= 2 && out[out.length - 1] === CRLF && out[out.length - 2].length === 0) out.length -= 2;
  if (!out.length) return relaxed ? Buffer.alloc(0) : Buffer.from(CRLF); // an empty body
  return Buffer.concat(out);
}

/**
 * The first `limit` bytes of the canonical body, computed from a window of the body only.
 * Relaxed canonicalization never grows a CRLF body, so a window a few times the limit is
 * enough except for bodies of mostly whitespace, where the preview is simply shorter.
 */
export function canonicalBodyPreview(body: Buffer, canon: Canonicalization, limit = 2048): { text: string; truncated: boolean } {
  // Canonicalization never grows a CRLF body, so start with a window just over the limit and widen
  // it only for whitespace-heavy bodies: the preview costs the same for 10 KB and 25 MB.
  let window = limit + 1024;
  let whole: boolean;
  let canonical: Buffer;
  for (;;) {
    whole = body.length <= window;
    canonical = canonicalizeBody(whole ? body : body.subarray(0, window), canon, !whole);
    if (whole || canonical.length > limit || window >= 64 * 1024) break;
    window *= 4;
  }
  const p = previewText(canonical, canonical.length, limit);
  return { text: p.text, truncated: !whole || p.truncated };
}

/** The first `limit` bytes of a canonical body whose start is `head` and length `total`, as text. */
export function previewText(head: Buffer, total: number, limit = 2048): { text: string; truncated: boolean } {
  // do not cut a UTF-8 sequence in half: stop before a continuation byte
  let end = Math.min(limit, head.length);
  while (end > 0 && end < head.length && (head[end] & 0xc0) === 0x80 && end > limit - 4) end--;
  return { text: head.subarray(0, end).toString('utf8'), truncated: total > limit };
}
