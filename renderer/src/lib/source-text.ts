// The text the Raw tab shows, and the map from the report's byte offsets to editor positions.
// Offsets are bytes into the evaluated message; the editor works in lines and UTF-16 columns,
// so we keep each line's starting byte and decode only the line prefix an offset needs.
// Big messages show the header section and the start of the body: the report's offsets
// point into headers, and a 25 MB body in the editor only costs the UI its responsiveness.

export const VIEW_BODY_LIMIT = 256 * 1024;

export interface SourceText {
  text: string;
  /** Byte offset where each editor line starts (line n is lineStarts[n-1]). */
  lineStarts: number[];
  /** Bytes shown (the rest of a big body is cut). */
  shownBytes: number;
  totalBytes: number;
  truncated: boolean;
  /** Byte offset of the end of the header section (the blank line), or -1. */
  headerEnd: number;
}

const decoder = new TextDecoder('utf-8');

export function headerSectionEnd(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 10) continue;
    if (bytes[i + 1] === 10) return i + 1;
    if (bytes[i + 1] === 13 && bytes[i + 2] === 10) return i + 1;
  }
  return -1;
}

export function buildSourceText(bytes: Uint8Array, totalBytes = bytes.length): SourceText {
  const headerEnd = headerSectionEnd(bytes);
  const limit = Math.max(headerEnd, 0) + VIEW_BODY_LIMIT;
  const truncated = bytes.length > limit || totalBytes > bytes.length;
  const shown = truncated ? bytes.subarray(0, limit) : bytes;
  const lineStarts = [0];
  for (let i = 0; i < shown.length; i++) {
    const b = shown[i];
    // the editor breaks lines at CRLF, LF and a lone CR
    if (b === 13) {
      if (shown[i + 1] === 10) i++;
      lineStarts.push(i + 1);
    } else if (b === 10) {
      lineStarts.push(i + 1);
    }
  }
  let text = decoder.decode(shown);
  if (truncated) {
    text += `\n\n[AuthLab: the viewer shows the first ${formatBytes(VIEW_BODY_LIMIT)} of the body; the message is ${formatBytes(totalBytes)}. The whole message was evaluated.]`;
  }
  return { text, lineStarts, shownBytes: shown.length, totalBytes, truncated, headerEnd };
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`;
}

export interface Position {
  lineNumber: number;
  column: number;
}

/** Editor position of a byte offset (1-based line and UTF-16 column), or null when not shown. */
export function positionOf(src: SourceText, bytes: Uint8Array, offset: number): Position | null {
  if (offset < 0 || offset > src.shownBytes) return null;
  let lo = 0;
  let hi = src.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (src.lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  const lineStart = src.lineStarts[lo];
  const prefix = decoder.decode(bytes.subarray(lineStart, offset));
  // an offset on the line break itself sits at the end of the line
  const column = prefix.replace(/\r?\n?$/, '').length + 1;
  return { lineNumber: lo + 1, column };
}

/** Editor range of a byte range; the end is clipped to what the viewer shows. */
export function rangeOf(
  src: SourceText,
  bytes: Uint8Array,
  range: { start: number; end: number },
): { start: Position; end: Position } | null {
  const start = positionOf(src, bytes, range.start);
  if (!start) return null;
  const end = positionOf(src, bytes, Math.min(range.end, src.shownBytes)) ?? start;
  return { start, end };
}
