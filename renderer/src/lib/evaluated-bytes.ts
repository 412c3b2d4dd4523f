// Recreates the bytes the engine evaluated (the ones report offsets point into) from the file the
// page holds: LF→CRLF when the engine normalised, and one message's slice of an mbox.
// Checked against the report's evaluatedBytes; when they disagree we say so rather than decorate
// the wrong lines.
import type { MessageReport } from '../../../shared/report.ts';
import { normalizeLineEnds } from './bytes.ts';

export function evaluatedBytes(
  file: Uint8Array,
  container: 'message' | 'mbox',
  report: MessageReport,
  /** Size of the whole file when `file` is only its start. */
  totalSize = file.length,
): Uint8Array | null {
  if (totalSize > file.length) {
    // only the start is held: good enough for a single message (offsets point into its headers)
    if (container !== 'message') return null;
    if (!report.input.normalized) return totalSize === report.input.evaluatedBytes ? file : null;
    return normalizeLineEnds(file);
  }
  const candidates: Uint8Array[] = [];
  const base = container === 'mbox' ? mboxCandidates(file, report.index) : [file];
  for (const c of base) {
    const n = report.input.normalized ? normalizeLineEnds(c) : c;
    candidates.push(n);
    // headers without a final line end get a CRLF (InputSummary.limitations says so)
    if (n[n.length - 1] !== 10) candidates.push(concat(n, CRLF));
  }
  return candidates.find((c) => c.length === report.input.evaluatedBytes) ?? null;
}

function mboxCandidates(file: Uint8Array, index: number): Uint8Array[] {
  const starts: number[] = [];
  for (let i = 0; i < file.length; i++) {
    if ((i === 0 || file[i - 1] === 10) && file[i] === 70 && file[i + 1] === 114 && file[i + 2] === 111 && file[i + 3] === 109 && file[i + 4] === 32) {
      starts.push(i);
    }
  }
  const start = starts[index];
  if (start === undefined) return [];
  let bodyStart = start;
  while (bodyStart < file.length && file[bodyStart] !== 10) bodyStart++;
  bodyStart++;
  const end = starts[index + 1] ?? file.length;
  const slice = file.subarray(bodyStart, end);
  // the separator blank line before the next From_ line belongs to the mbox, not the message
  const trimmed = [slice];
  let e = slice.length;
  if (slice[e - 1] === 10) e--;
  if (slice[e - 1] === 13) e--;
  trimmed.push(slice.subarray(0, e + (slice[e] === 13 ? 2 : slice[e] === 10 ? 1 : 0)));
  trimmed.push(slice.subarray(0, e));
  return trimmed;
}

const CRLF = new Uint8Array([13, 10]);
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
