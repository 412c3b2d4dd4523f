// Splits a message's header block into fields with byte offsets, without decoding anything:
// DKIM is byte-exact, so the raw bytes of each field are kept as they are.

export interface HeaderField {
  /** Field name as written. */
  name: string;
  /** Lower-cased name, for lookups. */
  key: string;
  /** The whole field including its line breaks, as bytes. */
  raw: Buffer;
  /** Unfolded value (latin1-safe text: the bytes decoded as UTF-8). */
  value: string;
  /** Byte offsets of the field in the message. */
  start: number;
  end: number;
}

export interface HeaderBlock {
  fields: HeaderField[];
  /** Offset of the first body byte, or null when there is no empty line (headers only). */
  bodyOffset: number | null;
  /** Lines in the header block that are neither a field nor a continuation. */
  malformedLines: { offset: number; text: string }[];
}

const CR = 0x0d;
const LF = 0x0a;

/** Parses the header block of `msg` (CRLF or LF line ends). */
export function parseHeaderBlock(msg: Buffer): HeaderBlock {
  const fields: HeaderField[] = [];
  const malformedLines: HeaderBlock['malformedLines'] = [];
  let pos = 0;
  let current: { start: number; end: number } | null = null;
  const flush = () => {
    if (!current) return;
    const raw = msg.subarray(current.start, current.end);
    const text = raw.toString('utf8');
    const colon = text.indexOf(':');
    const name = text.slice(0, colon).trim();
    const value = text
      .slice(colon + 1)
      .replace(/\r?\n(?=[ \t])/g, '')
      .replace(/\r?\n$/, '')
      .trim();
    fields.push({ name, key: name.toLowerCase(), raw, value, start: current.start, end: current.end });
    current = null;
  };
  while (pos < msg.length) {
    let eol = msg.indexOf(LF, pos);
    const lineEnd = eol === -1 ? msg.length : eol + 1;
    const contentEnd = eol === -1 ? msg.length : eol > pos && msg[eol - 1] === CR ? eol - 1 : eol;
    if (contentEnd === pos && eol !== -1) {
      // the empty line: end of the header block
      flush();
      return { fields, bodyOffset: lineEnd, malformedLines };
    }
    const first = msg[pos];
    if ((first === 0x20 || first === 0x09) && current) {
      current.end = lineEnd;
    } else {
      flush();
      const line = msg.subarray(pos, contentEnd).toString('latin1');
      // An mbox "From " envelope line before the first field is not a header field.
      if (/^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(line)) current = { start: pos, end: lineEnd };
      else if (!(fields.length === 0 && pos === 0 && line.startsWith('From '))) malformedLines.push({ offset: pos, text: line.slice(0, 200) });
    }
    pos = lineEnd;
  }
  flush();
  return { fields, bodyOffset: null, malformedLines };
}

export function headerValues(block: HeaderBlock, key: string): HeaderField[] {
  const k = key.toLowerCase();
  return block.fields.filter((f) => f.key === k);
}
