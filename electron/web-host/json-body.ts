// The web host's JSON responses as UTF-8 bytes, with exactly JSON.stringify's text (or, `ascii`,
// the same text with its non-ASCII characters escaped).
// One JSON.stringify of a large result is slow: a 2,000-message mbox's 36 MB took 1.6 s in one
// call against 0.2 s message by message (V8 grows one two-byte string for the whole), and its UTF-8
// copy another 0.5 s. So the objects and arrays near the top are written part by part, each
// element through its own JSON.stringify, and the text goes to UTF-8 in pieces: each long text on
// its own, short ones gathered up to ~64 KB.

/** How deep values are taken apart: an envelope → its value → the messages array → each message. */
const SPLIT_DEPTH = 3;
const PIECE = 64 * 1024;
const LONG = 4 * 1024;

/**
 * `value`'s JSON as UTF-8. `ascii`: every character past U+007E written as a \uXXXX escape, so the
 * text is ASCII (the same value to JSON.parse): Chromium decodes a response body to text before
 * JSON.parse sees it, and a UTF-8 body with any non-ASCII character took it ~1.1 s for a
 * 2,000-message result, where ASCII has its fast path.
 */
export function jsonBytes(value: unknown, opts: { ascii?: boolean } = {}): Buffer {
  const w = new Pieces(opts.ascii ?? false);
  if (!write(value, SPLIT_DEPTH, w)) throw new TypeError('the value has no JSON text');
  w.flush();
  return w.parts.length === 1 ? w.parts[0]! : Buffer.concat(w.parts);
}

class Pieces {
  parts: Buffer[] = [];
  private text = '';
  private readonly ascii: boolean;
  constructor(ascii: boolean) {
    this.ascii = ascii;
  }
  add(text: string): void {
    const s = this.ascii ? escapeNonAscii(text) : text;
    // a long text (a message's report) goes to UTF-8 as it is: joined to others it would be copied
    if (s.length >= LONG) {
      this.flush();
      this.parts.push(Buffer.from(s, this.ascii ? 'latin1' : 'utf8'));
      return;
    }
    this.text += s;
    if (this.text.length >= PIECE) this.flush();
  }
  flush(): void {
    if (this.text) this.parts.push(Buffer.from(this.text, this.ascii ? 'latin1' : 'utf8'));
    this.text = '';
  }
}

const NON_ASCII = /[\u007f-\uffff]/g;
/** JSON text with its non-ASCII characters escaped (outside strings JSON text is ASCII already). */
function escapeNonAscii(text: string): string {
  NON_ASCII.lastIndex = 0;
  if (!NON_ASCII.test(text)) return text;
  return text.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Taken apart here, or handed whole to JSON.stringify (which also calls any toJSON). */
function splittable(v: unknown, depth: number): v is object {
  return depth > 0 && v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function' && (!Array.isArray(v) || v.length > 1);
}

/** Writes `value`'s JSON; false (nothing written) where JSON.stringify gives undefined. */
function write(value: unknown, depth: number, w: Pieces): boolean {
  if (!splittable(value, depth)) {
    const text = JSON.stringify(value);
    if (text === undefined) return false;
    w.add(text);
    return true;
  }
  if (Array.isArray(value)) {
    w.add('[');
    for (let i = 0; i < value.length; i++) {
      if (i) w.add(',');
      // as JSON.stringify: an element without JSON text (undefined, a function) is null
      if (!write(value[i], depth - 1, w)) w.add('null');
    }
    w.add(']');
    return true;
  }
  w.add('{');
  let sep = '';
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    const name = `${sep}${JSON.stringify(key)}:`;
    if (splittable(v, depth - 1)) {
      w.add(name);
      write(v, depth - 1, w);
    } else {
      // a property without JSON text is left out, name and all
      const text = JSON.stringify(v);
      if (text === undefined) continue;
      w.add(name + text);
    }
    sep = ',';
  }
  w.add('}');
  return true;
}
