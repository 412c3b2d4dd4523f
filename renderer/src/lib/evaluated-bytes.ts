// Recreates the bytes the engine evaluated (the ones report offsets point into) from the file the
// page holds: one message's slice of an mbox (where its report's input.source says it lies),
// empty lines above the header removed, ">From " lines restored, LF→CRLF when the engine
// normalised. Checked against the report's evaluatedBytes; when they disagree we say so rather
// than decorate the wrong lines.
import type { MessageReport } from '../../../shared/report.ts';
import { unescapeFromLines } from '../../../shared/mbox-escape.ts';
import { leadingEmptyLines } from '../../../shared/leading-empty-lines.ts';
import { normalizeLineEnds } from './bytes.ts';

export function evaluatedBytes(
  file: Uint8Array,
  container: 'message' | 'mbox',
  report: MessageReport,
  /** Size of the whole file when `file` is only its start. */
  totalSize = file.length,
): Uint8Array | null {
  if (container === 'mbox') {
    const src = report.input.source;
    // beyond the start the page holds: the caller reads the slice from the file (sourceSlice)
    if (!src || sourceSlice(container, report, file.length)) return null;
    return fromMessageBytes(file.subarray(src.offset, src.offset + src.length), report);
  }
  if (totalSize > file.length) {
    // only the start is held: good enough for a single message (offsets point into its headers)
    if (!report.input.normalized) return totalSize === report.input.evaluatedBytes ? file : null;
    return normalizeLineEnds(file);
  }
  return fromMessageBytes(file, report);
}

/** Where to read a message of an mbox from the file when the page does not hold it. */
export function sourceSlice(container: 'message' | 'mbox', report: MessageReport, held: number): { start: number; end: number } | null {
  const src = report.input.source;
  if (container !== 'mbox' || !src || src.offset + src.length <= held) return null;
  return { start: src.offset, end: src.offset + src.length };
}

/** The evaluated bytes from one message's bytes as they are in the file. */
export function fromMessageBytes(raw: Uint8Array, report: MessageReport): Uint8Array | null {
  const candidates: Uint8Array[] = [];
  // empty lines above the first header field were removed, as the engine removes them
  const message = raw.subarray(leadingEmptyLines(raw));
  for (const c of [message, unescapeFromLines(message)]) {
    const n = report.input.normalized ? normalizeLineEnds(c) : c;
    candidates.push(n);
    // headers without a final line end get a CRLF (InputSummary.limitations says so)
    if (n[n.length - 1] !== 10) candidates.push(concat(n, CRLF));
  }
  return candidates.find((c) => c.length === report.input.evaluatedBytes) ?? null;
}

const CRLF = new Uint8Array([13, 10]);
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
