// The web host's JSON responses as UTF-8 bytes, with exactly JSON.stringify's text.
// One JSON.stringify of a large result is slow: a 2,000-message mbox's 36 MB took 1.6 s in one
// call against 0.2 s message by message (V8 grows one two-byte string for the whole), and its UTF-8
// copy another 0.5 s. So the objects and arrays near the top are written part by part, each
// element through its own JSON.stringify, and the text goes to UTF-8 in pieces: each long text on
// its own, short ones gathered up to ~64 KB.

/** How deep values are taken apart: an envelope → its value → the messages array → each message. */
const SPLIT_DEPTH = 3;
const PIECE = 64 * 1024;
const LONG = 4 * 1024;

export function jsonBytes(value: unknown): Buffer {
  const w = new Pieces();
  if (!write(value, SPLIT_DEPTH, w)) throw new TypeError('the value has no JSON text');
  w.flush();
  return w.parts.length === 1 ? w.parts[0]! : Buffer.concat(w.parts);
}

class Pieces {
  parts: Buffer[] = [];
  private text = '';
  add(s: string): void {
    // a long text (a message's report) goes to UTF-8 as it is: joined to others it would be copied
    if (s.length >= LONG) {
      this.flush();
      this.parts.push(Buffer.from(s, 'utf8'));
      return;
    }
    this.text += s;
    if (this.text.length >= PIECE) this.flush();
  }
  flush(): void {
    if (this.text) this.parts.push(Buffer.from(this.text, 'utf8'));
    this.text = '';
  }
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
