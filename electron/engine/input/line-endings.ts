// Line-ending detection and LF→CRLF conversion with Buffer.indexOf: linear, no per-byte JS loop,
// so a 100 MB input costs a few hundred milliseconds at most.

export type LineEndings = 'crlf' | 'lf' | 'mixed' | 'none';

export interface LineEndingScan {
  kind: LineEndings;
  crlf: number;
  bareLf: number;
}

const LF = 0x0a;
const CR = 0x0d;

export function scanLineEndings(buf: Buffer): LineEndingScan {
  let crlf = 0;
  let bareLf = 0;
  for (let i = buf.indexOf(LF); i !== -1; i = buf.indexOf(LF, i + 1)) {
    if (i > 0 && buf[i - 1] === CR) crlf++;
    else bareLf++;
  }
  const kind: LineEndings = crlf && bareLf ? 'mixed' : crlf ? 'crlf' : bareLf ? 'lf' : 'none';
  return { kind, crlf, bareLf };
}

/** Converts every bare LF to CRLF, as the message would travel over SMTP (RFC 5321 §2.3.8). */
export function toCrlf(buf: Buffer, bareLf: number): Buffer {
  if (bareLf === 0) return buf;
  const out = Buffer.allocUnsafe(buf.length + bareLf);
  let from = 0;
  let to = 0;
  for (let i = buf.indexOf(LF); i !== -1; i = buf.indexOf(LF, i + 1)) {
    if (i > 0 && buf[i - 1] === CR) continue;
    to += buf.copy(out, to, from, i);
    out[to++] = CR;
    out[to++] = LF;
    from = i + 1;
  }
  to += buf.copy(out, to, from);
  return out;
}
