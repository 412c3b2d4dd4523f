// What an ARC sealer vouches for, from a message's own Authentication-Results fields (RFC 8601):
// the fields of one authserv-id, merged top to bottom into one payload, "authserv-id; result; …".
// Pure text work, shared by the engine (`authlab sign --authserv-id`) and the signing lab.

import type { StoredResultsHeader } from './report.ts';

/**
 * `value` cut at the semicolons that separate its parts (RFC 8601 §2.2), not those inside a
 * comment or a quoted string; each part trimmed, folding whitespace reduced to one space.
 */
export function splitTopLevel(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && (quoted || depth > 0)) i++;
    else if (quoted) quoted = c !== '"';
    else if (c === '"' && depth === 0) quoted = true;
    else if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (c === ';' && depth === 0) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts.map((p) => p.replace(/[ \t\r\n]+/g, ' ').trim());
}

/**
 * The Authentication-Results fields among a message's stored result headers (the engine's
 * parseStoredResults, a report's stored.headers), as mergedAuthResults takes them: the
 * authserv-id each names, and its value after the field name.
 */
export function authResultsFields(stored: readonly StoredResultsHeader[]): { authservId?: string; value: string }[] {
  return stored.filter((h) => h.field === 'Authentication-Results').map((h) => ({ authservId: h.authservId, value: h.raw.slice(h.raw.indexOf(':') + 1) }));
}

/**
 * The payload of the fields whose authserv-id is `authservId` (case-insensitive), in order: the
 * authserv-id as the first of them writes it, then every result of each, comments kept ("none"
 * dropped). Undefined when no field has that authserv-id. `fields` are field values (after the
 * name and colon) with the authserv-id each was parsed to.
 */
export function mergedAuthResults(fields: { authservId?: string; value: string }[], authservId: string): string | undefined {
  const want = authservId.trim().toLowerCase();
  let id: string | undefined;
  const results: string[] = [];
  for (const f of fields) {
    if (f.authservId?.toLowerCase() !== want) continue;
    const [first, ...rest] = splitTopLevel(f.value);
    id ??= first;
    for (const r of rest) if (r && r.toLowerCase() !== 'none') results.push(r);
  }
  return id === undefined ? undefined : [id, ...results].join('; ');
}
