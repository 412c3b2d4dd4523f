// Text for a terminal from a report whose strings came from a suspicious message (Subject, From,
// header values, Received lines) or from DNS answers its senders control (TXT records, exp=).
// Printed raw, an escape sequence in a decoded Subject recolours the screen, retitles the window or,
// on some terminals, writes the clipboard; a carriage return or a line feed draws a fake line over
// the report ("DKIM  PASS"); bidi controls reorder what is shown. shared/visible-controls.ts shows
// each as a visible stand-in. JSON output needs none of this: JSON.stringify escapes control
// characters, and JSON consumers do not interpret them.

import { showControls, showControlsKeepingLines } from '../../shared/visible-controls.ts';

export { showControls as terminalSafe, showControlsKeepingLines as terminalSafeLines };

/**
 * A copy of `value` with every string in it made terminal-safe (object keys included, since some
 * maps are keyed by message text); strings under a key in `multiline` keep their line breaks.
 */
export function terminalSafeDeep<T>(value: T, multiline: ReadonlySet<string> = new Set()): T {
  const walk = (v: unknown, key: string | undefined): unknown => {
    if (typeof v === 'string') return key !== undefined && multiline.has(key) ? showControlsKeepingLines(v) : showControls(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[showControls(k)] = walk(x, k);
      return out;
    }
    return v;
  };
  return walk(value, undefined) as T;
}
