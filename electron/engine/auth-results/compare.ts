// Compares what receivers stored in the message (their newest Authentication-Results per
// authserv-id, and Received-SPF) with what AuthLab computed now, and says in plain words what each
// difference most likely means: the message changed in transit, the result was written at another
// hop, or the DNS answers are different today.

import { isIP } from 'node:net';
import type { AuthResult, ResultDifference, StoredMethodResult, StoredResultsHeader } from '../../../shared/report.ts';

export interface RecomputedResults {
  spf: AuthResult | null;
  dkim: {
    domain?: string;
    selector?: string;
    b?: string;
    result: AuthResult;
    /** Optional detail that tells "the message changed" apart from "no key now". */
    reason?: string;
    headerSignature?: 'valid' | 'invalid' | 'not-checked';
    bodyMatches?: boolean;
  }[];
  dmarc: AuthResult | null;
  arc: string;
  /** The client IP SPF was evaluated for, to tell "another hop" apart from "another answer". */
  ip?: string;
  /** The MAIL FROM SPF was evaluated for ('' is the null sender). */
  mailFrom?: string;
}

interface Group {
  who: string;
  /** Indexes into `stored`, top to bottom. */
  headers: number[];
}

// Words some receivers write that mean a standard result (RFC 8601 §2.7)
const SYNONYMS: Record<string, string> = { hardfail: 'fail', bestguesspass: 'pass' };
const norm = (r: string) => SYNONYMS[r.toLowerCase()] ?? r.toLowerCase();

function groupsOf(stored: StoredResultsHeader[]): Group[] {
  const groups = new Map<string, Group>();
  stored.forEach((h, i) => {
    if (h.field === 'ARC-Authentication-Results') return; // sealed copies; the live header is compared
    let key: string;
    let who: string;
    if (h.field === 'Received-SPF') {
      key = h.authservId ? h.authservId.toLowerCase() : '(received-spf)';
      who = h.authservId ? `the receiver ${h.authservId}` : 'the receiver that wrote Received-SPF';
    } else if (h.authservId) {
      key = h.authservId.toLowerCase();
      who = `the receiver ${h.authservId}`;
    } else {
      key = '(no authserv-id)';
      who = 'the receiver that wrote Authentication-Results without an authserv-id (Microsoft’s form)';
    }
    const g = groups.get(key);
    if (g) g.headers.push(i);
    else groups.set(key, { who, headers: [i] });
  });
  return [...groups.values()];
}

/** The newest (topmost) header of the group that has results for the method, and those results. */
function topmost(stored: StoredResultsHeader[], g: Group, method: string): { header: number; results: StoredMethodResult[] } | undefined {
  for (const i of g.headers) {
    const results = stored[i].results.filter((r) => r.method === method && !(r.properties.identity?.toLowerCase() === 'helo'));
    if (results.length) return { header: i, results };
  }
  return undefined;
}

/** The client IP a stored SPF result was about: smtp.client-ip, client-ip, or an address in its comment. */
export function storedClientIp(r: StoredMethodResult): string | undefined {
  const p = r.properties['smtp.client-ip'] ?? r.properties['client-ip'] ?? r.properties['policy.iprev'] ?? r.properties['smtp.remote-ip'];
  if (p && isIP(p)) return p;
  for (const w of (r.comment ?? '').split(/[\s,;()[\]]+/)) {
    const t = w.replace(/[.:]$/, '');
    if (isIP(t)) return t;
  }
  return undefined;
}

function groupClientIp(stored: StoredResultsHeader[], g: Group): string | undefined {
  for (const i of g.headers) {
    for (const r of stored[i].results) {
      const p = r.properties['smtp.client-ip'] ?? r.properties['smtp.remote-ip'] ?? r.properties['client-ip'];
      if (p && isIP(p)) return p;
    }
  }
  return undefined;
}

function sameIp(a: string, b: string): boolean {
  const n = (s: string) => s.toLowerCase().replace(/^::ffff:(?=\d+\.)/, '');
  return n(a) === n(b);
}

function domainOf(addr: string | undefined): string | undefined {
  if (addr === undefined) return undefined;
  const a = addr.replace(/^<|>$/g, '');
  return (a.includes('@') ? a.slice(a.lastIndexOf('@') + 1) : a).toLowerCase() || undefined;
}

function sigLabel(r: StoredMethodResult): string {
  const d = r.properties['header.d'] ?? domainOf(r.properties['header.i']);
  const s = r.properties['header.s'];
  return d ? `d=${d}${s ? ` s=${s}` : ''}` : r.properties['header.b'] ? `b=${r.properties['header.b']}` : 'a signature';
}

export function compareStoredResults(stored: StoredResultsHeader[], recomputed: RecomputedResults): ResultDifference[] {
  const diffs: ResultDifference[] = [];
  const seenSpf: { result: string; ip?: string }[] = [];
  const groups = groupsOf(stored);
  // SPF from Authentication-Results first, so a Received-SPF repeating it is said once whatever the header order
  const spfOrder = [...groups].sort((a, b) => Number(isReceivedSpf(stored, a)) - Number(isReceivedSpf(stored, b)));
  for (const g of spfOrder) compareSpf(stored, g, recomputed, diffs, seenSpf);
  for (const g of groups) {
    compareDkim(stored, g, recomputed, diffs);
    compareSimple(stored, g, 'dmarc', recomputed.dmarc, diffs);
    compareSimple(stored, g, 'arc', recomputed.arc, diffs);
  }
  return diffs;
}

function isReceivedSpf(stored: StoredResultsHeader[], g: Group): boolean {
  return g.headers.some((i) => stored[i]?.field === 'Received-SPF');
}

function compareSpf(stored: StoredResultsHeader[], g: Group, rc: RecomputedResults, diffs: ResultDifference[], seen: { result: string; ip?: string }[]) {
  const top = topmost(stored, g, 'spf');
  if (!top) return;
  const s = top.results[0];
  // kernel.org writes the client IP only with its arc= result: any result of the same header group says it
  const ip = storedClientIp(s) ?? groupClientIp(stored, g);
  // Gmail writes the same SPF result twice (Authentication-Results and Received-SPF): say it once
  if (stored[top.header].field === 'Received-SPF' && seen.some((x) => x.result === norm(s.result) && (!x.ip || !ip || sameIp(x.ip, ip)))) return;
  seen.push({ result: norm(s.result), ip });
  const base = { method: 'spf', stored: s.result, header: top.header };
  if (rc.spf === null) {
    diffs.push({ ...base, recomputed: 'not evaluated', note: `${g.who} says spf=${s.result}${ip ? ` for ${ip}` : ''}; SPF was not recomputed here because no client IP is known (give one, or pick a Received hop).` });
    return;
  }
  if (norm(s.result) === rc.spf) return;
  let why: string;
  const storedFrom = s.properties['smtp.mailfrom'] ?? s.properties['envelope-from'];
  if (ip && rc.ip && !sameIp(ip, rc.ip)) {
    why = `the receiver saw SPF from a different IP (${ip}; evaluated here for ${rc.ip}): the stored header was written at another hop.`;
  } else if (storedFrom !== undefined && rc.mailFrom !== undefined && domainOf(storedFrom) !== domainOf(rc.mailFrom || undefined)) {
    why = `the receiver checked a different MAIL FROM (${storedFrom || '<>'}; here ${rc.mailFrom || '<>'}).`;
  } else if (!ip) {
    why = 'the stored header does not say which IP it checked; it may have been written at another hop, or the SPF record has changed since.';
  } else {
    why = `for the same IP ${ip}, the SPF record (or the DNS answers it depends on) has changed since, or the receiver had a DNS error or applies its own local policy.`;
  }
  diffs.push({ ...base, recomputed: rc.spf, note: `${g.who} says spf=${s.result} but it is ${rc.spf} now: ${why}` });
}

function compareDkim(stored: StoredResultsHeader[], g: Group, rc: RecomputedResults, diffs: ResultDifference[]) {
  const top = topmost(stored, g, 'dkim');
  if (!top) return;
  const signed = top.results.filter((r) => norm(r.result) !== 'none');
  if (signed.length === 0) {
    if (rc.dkim.length > 0) {
      const ds = [...new Set(rc.dkim.map((d) => d.domain).filter(Boolean))].join(', ');
      diffs.push({
        method: 'dkim',
        stored: 'none',
        recomputed: rc.dkim.map((d) => d.result).join(', '),
        header: top.header,
        note: `${g.who} saw no DKIM signature, but the message now has ${rc.dkim.length}${ds ? ` (d=${ds})` : ''}: they were added after that receiver saw the message.`,
      });
    }
    return;
  }
  const used = new Set<number>();
  for (const s of signed) {
    const i = matchSignature(s, rc.dkim, used);
    const label = sigLabel(s);
    const base = { method: 'dkim', stored: s.result, header: top.header };
    if (i === -1) {
      diffs.push({ ...base, recomputed: 'absent', note: `${g.who} says dkim=${s.result} for ${label}, but no such signature is in the message now: it was removed or rewritten after that receiver saw it.` });
      continue;
    }
    used.add(i);
    const sig = rc.dkim[i];
    const now = sig.result;
    if (norm(s.result) === now) continue;
    let note: string;
    const changed = sig.bodyMatches === false || sig.headerSignature === 'invalid';
    const unchecked = !changed && (sig.headerSignature === 'not-checked' || /\bkey\b/i.test(sig.reason ?? ''));
    if (norm(s.result) === 'pass' && (now === 'fail' || now === 'neutral') && unchecked) {
      note = `stored says dkim=pass for ${label} but it cannot be verified now${sig.reason ? ` (${sig.reason})` : ''}: the key may have been removed or rotated since, or DNS is not reachable here; that does not mean the message changed.`;
    } else if (norm(s.result) === 'pass' && (changed || now === 'fail' || (now === 'neutral' && sig.headerSignature === undefined))) {
      const what = sig.bodyMatches === false ? ' (the body hash no longer matches)' : sig.headerSignature === 'invalid' ? ' (the signed header fields no longer match)' : '';
      note = `stored says dkim=pass for ${label} but the signature no longer verifies${what}: the message was changed after that receiver saw it.`;
    } else if (norm(s.result) === 'pass' && now === 'permerror') {
      note = `stored says dkim=pass for ${label} but it cannot be verified now: the key is gone from DNS (rotated or revoked), or today's rules reject the signature (RFC 8301: no rsa-sha1, no keys under 1024 bits).`;
    } else if (now === 'temperror') {
      note = `stored says dkim=${s.result} for ${label}; it could not be checked now because of a temporary DNS error.`;
    } else if (now === 'pass') {
      note = `stored says dkim=${s.result} for ${label} but the signature verifies now: the receiver may have seen a different version of the message, could not get the key then, or checked it differently.`;
    } else {
      note = `stored says dkim=${s.result} for ${label}; it is ${now} now.`;
    }
    diffs.push({ ...base, recomputed: now, note: `${g.who}: ${note}` });
  }
}

/** The recomputed signature a stored dkim result is about: header.b prefix, then header.d/header.s/header.i. */
function matchSignature(s: StoredMethodResult, sigs: RecomputedResults['dkim'], used: Set<number>): number {
  const b = s.properties['header.b']?.replace(/\s+/g, '');
  const d = s.properties['header.d']?.toLowerCase();
  const sel = s.properties['header.s']?.toLowerCase();
  const iDomain = domainOf(s.properties['header.i']);
  let best = -1;
  let bestScore = -1;
  sigs.forEach((sig, i) => {
    if (used.has(i)) return;
    const sb = sig.b?.replace(/\s+/g, '');
    if (b && sb && !sb.startsWith(b)) return;
    const sd = sig.domain?.toLowerCase();
    if (d && sd && d !== sd) return;
    if (sel && sig.selector && sel !== sig.selector.toLowerCase()) return;
    if (!d && iDomain && sd && !(iDomain === sd || iDomain.endsWith(`.${sd}`))) return;
    if (!b && !d && !iDomain) return;
    const score = (b && sb ? 4 : 0) + (d && sd ? 2 : 0) + (sel && sig.selector ? 1 : 0);
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}

function compareSimple(stored: StoredResultsHeader[], g: Group, method: 'dmarc' | 'arc', now: string | null, diffs: ResultDifference[]) {
  const top = topmost(stored, g, method);
  if (!top) return;
  const s = top.results[0];
  const base = { method, stored: s.result, header: top.header };
  if (now === null) {
    diffs.push({ ...base, recomputed: 'not evaluated', note: `${g.who} says ${method}=${s.result}; it was not evaluated here.` });
    return;
  }
  if (norm(s.result) === now) return;
  const nonstandard = SYNONYMS[s.result.toLowerCase()] ? ` (“${s.result}” is that receiver's own word, not an RFC result)` : '';
  let why: string;
  if (method === 'dmarc') {
    why =
      norm(s.result) === 'pass'
        ? 'an aligned SPF or DKIM pass that receiver had is not there now; see the SPF and DKIM differences.'
        : now === 'pass'
          ? 'an aligned SPF or DKIM result passes here that did not pass for that receiver, or the DMARC record has changed since.'
          : 'the DMARC record or the SPF/DKIM results it depends on are different now.';
  } else {
    why =
      norm(s.result) === 'pass' && now === 'fail'
        ? 'the chain broke after that receiver checked it: a later hop changed the message or added a set that does not validate.'
        : now === 'pass'
          ? 'the chain validates now; that receiver judged it as it was on arrival, before later sets were added, or could not get a key then.'
          : 'that receiver judged the chain as it was on arrival; sets added since change the result.';
  }
  diffs.push({ ...base, recomputed: now, note: `${g.who} says ${method}=${s.result}${nonstandard} but it is ${now} now: ${why}` });
}
