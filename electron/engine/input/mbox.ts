// mbox (RFC 4155; mboxo and mboxrd): messages separated by "From " postmark lines. Body lines that
// began with "From " were written as ">From " (mboxrd: any number of '>' gets one more), and are
// restored here by removing one '>'.

import { unescapeFromLines as unescape } from '../../../shared/mbox-escape.ts';

const LF = 0x0a;
const CR = 0x0d;
const FROM_ = Buffer.from('\nFrom ');

// "From sender@example.com Thu Jan  1 00:00:00 2024": a time or a year after the sender
const POSTMARK = /^From \S+[ \t]+.*(?:\d{1,2}:\d{2}|\b\d{4}\b)/;

export interface MboxMessage {
  /** 0-based position in the mbox. */
  index: number;
  /** The message with its postmark line removed and ">From " lines restored. */
  bytes: Buffer;
  /** Where the message lies in the input: its first byte, and its length before ">From " lines are restored. */
  offset: number;
  length: number;
}

function lineAt(buf: Buffer, start: number): string {
  const eol = buf.indexOf(LF, start);
  return buf.subarray(start, eol === -1 ? Math.min(buf.length, start + 300) : Math.min(eol, start + 300)).toString('latin1');
}

/** True when the input starts with an mbox postmark line. */
export function isMbox(buf: Buffer): boolean {
  // "From " and a sender, never "From : x" (a From field in the obsolete syntax, RFC 5322 §4.5.1)
  return buf.length > 5 && /^From [^\s:]/.test(lineAt(buf, 0));
}

/** True when the line before offset `lf` (the LF ending it) is empty. */
function previousLineEmpty(buf: Buffer, lf: number): boolean {
  let p = lf - 1;
  if (p >= 0 && buf[p] === CR) p--;
  return p < 0 || buf[p] === LF;
}

/** `base`: where `buf` starts in the input (after a byte-order mark), so offsets are the input's. */
export function splitMbox(buf: Buffer, base = 0): MboxMessage[] {
  const starts: number[] = [0];
  for (let i = buf.indexOf(FROM_); i !== -1; i = buf.indexOf(FROM_, i + 1)) {
    // A separator needs the blank line before it or a real postmark; an unescaped body line
    // "From here on..." in a sloppy mbox has neither.
    if (previousLineEmpty(buf, i) || POSTMARK.test(lineAt(buf, i + 1).replace(/\r$/, ''))) starts.push(i + 1);
  }
  const messages: MboxMessage[] = [];
  for (let k = 0; k < starts.length; k++) {
    const postmarkEnd = buf.indexOf(LF, starts[k]);
    const bodyStart = postmarkEnd === -1 ? buf.length : postmarkEnd + 1;
    let end = k + 1 < starts.length ? starts[k + 1] : buf.length;
    // the empty line that separates a message from the next postmark belongs to the mbox
    if (k + 1 < starts.length && end - 1 > bodyStart && previousLineEmpty(buf, end - 1)) {
      end -= buf[end - 2] === CR ? 2 : 1;
    }
    const raw = buf.subarray(bodyStart, Math.max(bodyStart, end));
    messages.push({ index: k, offset: base + bodyStart, length: raw.length, bytes: unescapeFromLines(raw) });
  }
  return messages;
}

/** Removes one '>' from every line matching /^>+From / (shared/mbox-escape.ts), as a Buffer. */
export function unescapeFromLines(msg: Buffer): Buffer {
  const out = unescape(msg);
  return out === msg ? msg : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}
