// Header fields and DKIM tag lists located in the Raw tab's lines, for decorations and hovers.

export interface FieldLocation {
  name: string;
  /** 1-based editor lines, inclusive. */
  startLine: number;
  endLine: number;
}

/** Fields of the header section (up to the first empty line). */
export function locateFields(lines: string[]): FieldLocation[] {
  const fields: FieldLocation[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && fields.length) {
      fields[fields.length - 1].endLine = i + 1;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) fields.push({ name: line.slice(0, colon).trim(), startLine: i + 1, endLine: i + 1 });
  }
  return fields;
}

/**
 * Which field instances a DKIM h= list signs: each listed name takes the next instance from the
 * bottom (RFC 6376 §5.4.2); extra listings of an absent instance sign nothing (over-signing).
 */
export function signedInstances(fields: FieldLocation[], list: string[]): FieldLocation[] {
  const used = new Map<string, number>();
  const out: FieldLocation[] = [];
  for (const raw of list) {
    const name = raw.trim().toLowerCase();
    const instances = fields.filter((f) => f.name.toLowerCase() === name);
    const n = used.get(name) ?? 0;
    used.set(name, n + 1);
    const f = instances[instances.length - 1 - n];
    if (f) out.push(f);
  }
  return out;
}

/** The tag name under a column of a DKIM-Signature/ARC field line, scanning the unfolded field. */
export function tagAt(lines: string[], field: FieldLocation, lineNumber: number, column: number): string | null {
  // walk the field text keeping each character's (line, column)
  let tagName = '';
  let inValue = false;
  let current: string | null = null;
  for (let ln = field.startLine; ln <= field.endLine; ln++) {
    const line = lines[ln - 1];
    const from = ln === field.startLine ? line.indexOf(':') + 1 : 0;
    for (let c = from; c < line.length; c++) {
      const ch = line[c];
      if (ch === ';') {
        tagName = '';
        inValue = false;
        current = null;
      } else if (!inValue && ch === '=') {
        inValue = true;
        current = tagName.trim();
      } else if (!inValue) {
        tagName += ch;
      }
      if (ln === lineNumber && c + 1 === column) {
        return current ?? (tagName.trim() || null);
      }
    }
  }
  return null;
}
