// h= against the header fields actually present: which instances a signature covers (§5.4.2:
// the bottom-most instance first, each listing consuming one), what is left unsigned, and copies
// added above a signed field that the signature does not see but a mail reader may show.

import type { SignedHeaderAnalysis } from '../../../shared/report.ts';
import type { HeaderField } from '../input/headers.ts';

/** Fields whose being unsigned lets someone replace or add them without breaking the signature. */
export const IMPORTANT_HEADERS = [
  'from',
  'subject',
  'to',
  'cc',
  'date',
  'message-id',
  'reply-to',
  'content-type',
  'mime-version',
  'list-unsubscribe',
  'list-unsubscribe-post',
];

/** Names of h=, lower-cased, in order (with repeats). */
export function signedHeaderNames(h: string | undefined): string[] {
  return (h ?? '')
    .split(':')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * The fields a signature hashes, in hashing order: for each h= name the bottom-most instance not
 * yet used; a name with no instance left contributes nothing. `fields` excludes nothing: the
 * signature field itself is never listed in practice (it would be hashed with its b= in place).
 */
export function selectSignedFields(fields: HeaderField[], names: string[], index = indexFields(fields)): HeaderField[] {
  const { bottomUp } = index;
  const taken = new Map<string, number>();
  const out: HeaderField[] = [];
  for (const name of names) {
    const list = bottomUp.get(name);
    const n = taken.get(name) ?? 0;
    if (!list || n >= list.length) continue;
    taken.set(name, n + 1);
    out.push(list[n]);
  }
  return out;
}

/** A message's header fields looked up by key, made once per message (indexFields). */
export interface FieldIndex {
  /** Each key's fields from the bottom up. */
  bottomUp: Map<string, HeaderField[]>;
  /** Each key's name as first written, and how many fields have it. */
  present: Map<string, { name: string; count: number }>;
}

/**
 * The index every signature of a message looks its fields up in. Made once per message by the
 * caller and handed to each signature's analysis, not once per signature (a hostile message with
 * 5,000 signatures made that 25 million steps), and not a scan up the header per h= name
 * (names × fields). Not cached by the fields either: a WeakMap keyed by each message's fields kept
 * them alive through minor GCs until the next full one (~6 KB promoted per message).
 */
export function indexFields(fields: readonly HeaderField[]): FieldIndex {
  const index: FieldIndex = { bottomUp: new Map(), present: new Map() };
  for (const f of fields) {
    const p = index.present.get(f.key);
    if (p) p.count++;
    else index.present.set(f.key, { name: f.name, count: 1 });
  }
  for (let i = fields.length - 1; i >= 0; i--) {
    const list = index.bottomUp.get(fields[i].key);
    if (list) list.push(fields[i]);
    else index.bottomUp.set(fields[i].key, [fields[i]]);
  }
  return index;
}

export interface CoverageResult {
  analysis: SignedHeaderAnalysis[];
  unsignedImportant: string[];
  /** Important fields with an unsigned copy above the signed one: a reader may show the copy. */
  addedAbove: { name: string; field: HeaderField }[];
  signed: HeaderField[];
}

export function analyzeCoverage(fields: HeaderField[], names: string[], index = indexFields(fields)): CoverageResult {
  const listed = new Map<string, number>();
  for (const n of names) listed.set(n, (listed.get(n) ?? 0) + 1);
  const { present, bottomUp } = index;
  const analysis: SignedHeaderAnalysis[] = [];
  const unsignedImportant: string[] = [];
  const addedAbove: CoverageResult['addedAbove'] = [];
  for (const [key, n] of listed) {
    const p = present.get(key)?.count ?? 0;
    const status = p === 0 ? 'listed-absent' : n > p ? 'over-signed' : 'signed';
    analysis.push({ name: present.get(key)?.name ?? key, listed: n, present: p, status, important: IMPORTANT_HEADERS.includes(key) });
    if (p > n && IMPORTANT_HEADERS.includes(key)) {
      // the bottom n instances are signed; the ones above them are not
      const instances = bottomUp.get(key)!.slice(n).reverse(); // top down, the n signed ones left out
      for (const f of instances) addedAbove.push({ name: f.name, field: f });
      unsignedImportant.push(`${present.get(key)!.name} (${p - n} unsigned ${p - n === 1 ? 'copy' : 'copies'} above the signed one)`);
    }
  }
  for (const [key, p] of present) {
    if (listed.has(key) || key === 'dkim-signature') continue;
    const important = IMPORTANT_HEADERS.includes(key);
    analysis.push({ name: p.name, listed: 0, present: p.count, status: 'present-unsigned', important });
    if (important) unsignedImportant.push(p.name);
  }
  return { analysis, unsignedImportant, addedAbove, signed: selectSignedFields(fields, names, index) };
}
