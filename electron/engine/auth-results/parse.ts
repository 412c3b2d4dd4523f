// Parses the results receivers stored in the message: Authentication-Results (RFC 8601), also in
// Microsoft's form without an authserv-id, ARC-Authentication-Results (RFC 8617 §4.1.1) and
// Received-SPF (RFC 7208 §9.1). Never throws: what cannot be read is reported in parseError.

import type { StoredMethodResult, StoredResultsHeader } from '../../../shared/report.ts';
import type { HeaderBlock, HeaderField } from '../input/headers.ts';

type Token = { t: 'chunk'; text: string } | { t: 'comment'; text: string } | { t: ';' };

/** Splits a field value into chunks (whitespace-separated, quoted strings kept whole), comments and semicolons. */
export function tokenize(value: string): { tokens: Token[]; problem?: string } {
  const tokens: Token[] = [];
  let chunk = '';
  let problem: string | undefined;
  const end = () => {
    if (chunk) tokens.push({ t: 'chunk', text: chunk });
    chunk = '';
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') end();
    else if (c === ';') {
      end();
      tokens.push({ t: ';' });
    } else if (c === '(') {
      end();
      let depth = 1;
      let text = '';
      for (i++; i < value.length; i++) {
        const d = value[i];
        if (d === '\\' && i + 1 < value.length) text += value[++i];
        else if (d === '(') depth++, (text += d);
        else if (d === ')' && --depth === 0) break;
        else text += d;
      }
      if (depth > 0) problem = 'a comment is not closed: “(” without “)”';
      tokens.push({ t: 'comment', text: text.replace(/\s+/g, ' ').trim() });
    } else if (c === '"') {
      // kept with its quotes so that a quoted value stays one chunk; unquoted when used
      let q = '"';
      for (i++; i < value.length; i++) {
        const d = value[i];
        if (d === '\\' && i + 1 < value.length) q += d + value[++i];
        else if (d === '"') break;
        else q += d;
      }
      if (i >= value.length) problem = 'a quoted string is not closed';
      chunk += `${q}"`;
    } else chunk += c;
  }
  end();
  return { tokens: joinEquals(tokens), problem };
}

/** RFC 8601 allows CFWS around "=": "dkim = pass" becomes one chunk "dkim=pass". */
function joinEquals(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (const tok of tokens) {
    const prev = out[out.length - 1];
    if (tok.t === 'chunk' && prev?.t === 'chunk' && (prev.text.endsWith('=') || tok.text.startsWith('='))) {
      prev.text += tok.text;
    } else out.push(tok.t === 'chunk' ? { ...tok } : tok);
  }
  return out;
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s;
}

/** Splits tokens into ';'-separated segments. */
function segments(tokens: Token[]): Token[][] {
  const segs: Token[][] = [[]];
  for (const tok of tokens) {
    if (tok.t === ';') segs.push([]);
    else segs[segs.length - 1].push(tok);
  }
  return segs;
}

function isKeyValue(chunk: string): boolean {
  return /^[^="]+=/.test(chunk);
}

/** One resinfo: method[/version]=result [reason=...] [ptype.property=value ...], comments anywhere. */
function parseResinfo(seg: Token[], problems: string[]): StoredMethodResult | undefined {
  const chunks = seg.filter((t) => t.t === 'chunk').map((t) => (t as { text: string }).text);
  const comments = seg.filter((t) => t.t === 'comment').map((t) => (t as { text: string }).text);
  if (chunks.length === 0) {
    if (comments.length) problems.push(`a comment with no result: (${comments[0]})`);
    return undefined;
  }
  const head = chunks[0];
  const eq = head.indexOf('=');
  if (eq <= 0) {
    problems.push(`“${head}” is not a method=result pair`);
    return undefined;
  }
  const method = head.slice(0, eq).split('/')[0].trim().toLowerCase();
  if (method.includes('.')) {
    // seen in the wild: "authserv-id; smtp.remote-ip=192.0.2.1; ..." (a property with no method)
    problems.push(`“${head}” is a property with no method before it`);
    return undefined;
  }
  const result = unquote(head.slice(eq + 1)).trim().toLowerCase();
  if (!result) problems.push(`${method}= has no result`);
  const r: StoredMethodResult = { method, result, properties: {} };
  let lastKey: string | undefined;
  for (const c of chunks.slice(1)) {
    const e = c.indexOf('=');
    if (e <= 0 || !isKeyValue(c)) {
      // an unquoted value with spaces: keep it with the value it belongs to
      if (lastKey !== undefined) {
        if (lastKey === 'reason') r.reason = `${r.reason ?? ''} ${unquote(c)}`.trim();
        else r.properties[lastKey] = `${r.properties[lastKey]} ${unquote(c)}`;
      } else problems.push(`unexpected “${c}” after ${method}=${result}`);
      continue;
    }
    const key = c.slice(0, e).trim().toLowerCase();
    const val = unquote(c.slice(e + 1).trim());
    if (key === 'reason') r.reason = val;
    else r.properties[key] = val;
    lastKey = key;
  }
  if (comments.length) r.comment = comments.join(' ');
  return r;
}

/** Parses the value of an Authentication-Results or ARC-Authentication-Results field. */
export function parseAuthResultsValue(value: string, arc = false): Omit<StoredResultsHeader, 'field' | 'raw' | 'source'> {
  const { tokens, problem } = tokenize(value);
  const problems: string[] = problem ? [problem] : [];
  const segs = segments(tokens);
  const out: Omit<StoredResultsHeader, 'field' | 'raw' | 'source'> = { results: [] };
  if (arc) {
    const first = segs.shift() ?? [];
    const ch = first.find((t) => t.t === 'chunk') as { text: string } | undefined;
    const m = ch ? /^i=(\d+)$/i.exec(ch.text) : null;
    if (m) out.instance = Number(m[1]);
    else problems.push('it does not start with the instance tag i=N;');
  }
  const first = segs.shift() ?? [];
  const firstChunks = first.filter((t) => t.t === 'chunk') as { text: string }[];
  if (firstChunks.length === 0) {
    problems.push('it has no authserv-id (the name of the receiver that wrote it)');
  } else if (isKeyValue(firstChunks[0].text) && !/^"/.test(firstChunks[0].text)) {
    // Microsoft writes results without an authserv-id: the first segment is already a result
    segs.unshift(first);
  } else {
    out.authservId = unquote(firstChunks[0].text);
    if (!/^"/.test(firstChunks[0].text) && !/^[^=;()"\\]+$/.test(out.authservId)) problems.push(`“${out.authservId}” is not an authserv-id (a host name)`);
    if (firstChunks[1] && /^\d+$/.test(firstChunks[1].text)) out.version = Number(firstChunks[1].text);
    const extra = firstChunks.slice(out.version !== undefined ? 2 : 1);
    if (extra.length) problems.push(`unexpected “${extra.map((c) => c.text).join(' ')}” after the authserv-id`);
  }
  for (const seg of segs) {
    const chunks = seg.filter((t) => t.t === 'chunk') as { text: string }[];
    if (chunks.length === 1 && chunks[0].text.toLowerCase() === 'none') continue; // RFC 8601 no-result
    const r = parseResinfo(seg, problems);
    if (r) out.results.push(r);
  }
  if (problems.length) out.parseError = problems.join('; ');
  return out;
}

/** Parses the value of a Received-SPF field: result (comment) key=value; ... (RFC 7208 §9.1). */
export function parseReceivedSpfValue(value: string): Omit<StoredResultsHeader, 'field' | 'raw' | 'source'> {
  const { tokens, problem } = tokenize(value);
  const problems: string[] = problem ? [problem] : [];
  const chunks = tokens.filter((t) => t.t === 'chunk') as { text: string }[];
  const comments = tokens.filter((t) => t.t === 'comment') as { text: string }[];
  const out: Omit<StoredResultsHeader, 'field' | 'raw' | 'source'> = { results: [] };
  const result = chunks[0]?.text.toLowerCase();
  if (!result || isKeyValue(result)) {
    out.parseError = 'it does not start with an SPF result (pass, fail, softfail, neutral, none, temperror, permerror)';
    return out;
  }
  const r: StoredMethodResult = { method: 'spf', result, properties: {} };
  for (const c of chunks.slice(1)) {
    const e = c.text.indexOf('=');
    if (e <= 0) {
      problems.push(`unexpected “${c.text}”`);
      continue;
    }
    const key = c.text.slice(0, e).toLowerCase();
    let val = unquote(c.text.slice(e + 1));
    if (key === 'envelope-from') val = val.replace(/^<(.*)>$/, '$1');
    r.properties[key] = val;
  }
  if (comments.length) r.comment = comments.map((c) => c.text).join(' ');
  out.results.push(r);
  // receiver= names the host that checked; some write an address there
  const receiver = r.properties.receiver;
  if (receiver) out.authservId = receiver.includes('@') ? receiver.slice(receiver.lastIndexOf('@') + 1) : receiver;
  if (problems.length) out.parseError = problems.join('; ');
  return out;
}

const FIELDS: Record<string, StoredResultsHeader['field']> = {
  'authentication-results': 'Authentication-Results',
  'arc-authentication-results': 'ARC-Authentication-Results',
  'received-spf': 'Received-SPF',
};

export function parseStoredField(field: HeaderField): StoredResultsHeader | undefined {
  const name = FIELDS[field.key];
  if (!name) return undefined;
  const base = { field: name, raw: field.raw.toString('utf8'), source: { start: field.start, end: field.end } };
  try {
    const parsed = name === 'Received-SPF' ? parseReceivedSpfValue(field.value) : parseAuthResultsValue(field.value, name === 'ARC-Authentication-Results');
    return { ...base, ...parsed };
  } catch (e) {
    return { ...base, results: [], parseError: `could not be read: ${(e as Error).message}` };
  }
}

/** Every stored result header of the message, top to bottom. */
export function parseStoredResults(headers: HeaderBlock): StoredResultsHeader[] {
  const out: StoredResultsHeader[] = [];
  for (const f of headers.fields) {
    const h = parseStoredField(f);
    if (h) out.push(h);
  }
  return out;
}
