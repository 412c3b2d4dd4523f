// Message text shown to a person, never obeyed by what shows it. A decoded Subject, a header value
// or a DNS answer can carry control characters and bidi controls. In a terminal an escape sequence
// recolours the screen, retitles the window or (on some terminals) writes the clipboard, and a CR or
// LF draws a fake line over the report ("DKIM  PASS"); anywhere, bidi controls reorder text
// ("invoice\u202Efdp.exe" reads "invoiceexe.pdf"). Used by the CLI's text output and the
// inspector; JSON output needs none of it (JSON.stringify escapes controls). Each is shown as a visible
// stand-in: C0 controls as their Unicode control pictures (ESC ␛, CR ␍, LF ␊), DEL as ␡, C1 and
// bidi controls as <U+XXXX>. Tabs stay; line breaks stay only where the text is meant to have lines.

// What is shown beside the C0 controls below: DEL, C1, and the bidi embeddings, overrides,
// isolates and marks (Trojan Source). Tab (\x09) is never shown.
const OTHERS = '\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
// one line: every C0 control but tab; text with lines: LF stays (CRLF is made LF first)
const UNSAFE = new RegExp(`[\\x00-\\x08\\x0a-\\x1f${OTHERS}]`, 'g');
const UNSAFE_KEEPING_LINES = new RegExp(`[\\x00-\\x08\\x0b-\\x1f${OTHERS}]`, 'g');
// the tests, without /g so they keep no state between calls; in text with lines a CR is shown
// only alone (showControlsKeepingLines turns CRLF into LF first)
const ANY_UNSAFE = new RegExp(UNSAFE.source);
const ANY_UNSAFE_BESIDE_LINES = new RegExp(`\\r(?!\\n)|[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f${OTHERS}]`);

/** The report's fields that hold several lines of message text: a header field as written, the
 * canonical header block and body preview, the fresh Authentication-Results field. */
export const REPORT_TEXT_BLOCKS: ReadonlySet<string> = new Set(['raw', 'canonicalHeaders', 'preview', 'authenticationResults']);

function visible(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/** One line's worth of text: every control character shown, line breaks included. */
export function showControls(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** Text whose lines are meant (a folded header field): CRLF and LF stay line breaks, the rest is shown. */
export function showControlsKeepingLines(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(UNSAFE_KEEPING_LINES, visible);
}

/**
 * `value` with showControls applied to every string in it (object keys included, since some maps
 * are keyed by message text); strings under a key in `multiline` keep their line breaks. A value
 * with no such character anywhere (nearly every report) is handed back as it is after one scan.
 * For display only: what is evaluated, exported or signed keeps the text as it is.
 */
export function showControlsDeep<T>(value: T, multiline: ReadonlySet<string> = new Set()): T {
  if (!holdsUnsafe(value, undefined, multiline)) return value;
  const walk = (v: unknown, key: string | undefined): unknown => {
    if (typeof v === 'string') return key !== undefined && multiline.has(key) ? showControlsKeepingLines(v) : showControls(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const k in v) out[showControls(k)] = walk(v[k], k);
      return out;
    }
    return v;
  };
  return walk(value, undefined) as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

/** Whether any string or key in `v` has a character showControlsDeep would replace (no allocation). */
function holdsUnsafe(v: unknown, key: string | undefined, multiline: ReadonlySet<string>): boolean {
  if (typeof v === 'string') return (key !== undefined && multiline.has(key) ? ANY_UNSAFE_BESIDE_LINES : ANY_UNSAFE).test(v);
  if (Array.isArray(v)) {
    for (const x of v) if (holdsUnsafe(x, key, multiline)) return true;
    return false;
  }
  // a plain object's prototype has no enumerable properties: for-in sees its own only
  if (isPlainObject(v)) {
    for (const k in v) if (ANY_UNSAFE.test(k) || holdsUnsafe(v[k], k, multiline)) return true;
  }
  return false;
}
