// ARC (RFC 8617) for one message, set by set. mailauth's arc() gives the chain verdict; this module
// lays out every ARC set with its header fields' byte ranges, and, for a failing chain, finds the
// first set at which it breaks by validating the chain one prefix at a time (sets 1..k are
// exactly what the seal of set k signs).

import type { ARCResult, DKIMVerifyResult } from 'mailauth';
import type { ArcInstanceReport, ArcReport, ByteRange, Step, VerifyMode } from '../../../shared/report.ts';
import type { HeaderBlock, HeaderField } from '../input/headers.ts';
import { toMailauthResolver } from '../dns/mailauth-adapter.ts';
import { logSeqFinder } from '../dmarc/dns-watch.ts';
import type { Resolver } from '../dns/resolver.ts';
import { createSharedKeyCache } from '../dkim/shared-key-cache.ts';
import { arc, getARChain, parseDkimHeaders, verifyASChain, type MailauthHeaderRow } from './mailauth-arc.ts';

export interface ArcEvaluateOptions {
  /** mailauth's dkimVerify result; its ARC data (`.arc`, non-enumerable) is what arc() validates. */
  dkimRaw: DKIMVerifyResult;
  headers: HeaderBlock;
  resolver: Resolver;
  mode: VerifyMode;
  /** Client IP, reported as smtp.remote-ip in strict mode (RFC 8617 §6). */
  ip?: string;
}

const ARC_KEYS = ['arc-seal', 'arc-message-signature', 'arc-authentication-results'] as const;
type ArcKey = (typeof ARC_KEYS)[number];

// RFC 8617 §4.1.1: the instance leads the ARC-Authentication-Results value (CFWS allowed)
const AAR_INSTANCE = /^(?:[ \t\r\n]|\([^()\\]*\))*i(?:[ \t\r\n]|\([^()\\]*\))*=(?:[ \t\r\n]|\([^()\\]*\))*([0-9]{1,2})(?:[ \t\r\n]|\([^()\\]*\))*;/;

/** The instance an ARC header field claims, or undefined. */
function instanceOf(key: string, line: Buffer | string): number | undefined {
  const text = Buffer.isBuffer(line) ? line.toString('binary') : line;
  if (key === 'arc-authentication-results') {
    const m = AAR_INSTANCE.exec(text.slice(text.indexOf(':') + 1));
    return m && Number(m[1]) > 0 ? Number(m[1]) : undefined;
  }
  try {
    const v = parseDkimHeaders(line).parsed?.i?.value;
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function tag(field: HeaderField | undefined, name: string): string | undefined {
  if (!field) return undefined;
  try {
    const v = parseDkimHeaders(field.raw).parsed?.[name]?.value;
    return v === undefined ? undefined : String(v);
  } catch {
    return undefined;
  }
}

const range = (f: HeaderField | undefined): ByteRange | undefined => (f ? { start: f.start, end: f.end } : undefined);

/** Plain words for mailauth's ARC failure comments and error codes. */
function explainFailure(message: string, code: string | undefined, i: number): string {
  const cv = /cv="?([a-z]*)/i.exec(message)?.[1]?.toLowerCase();
  switch (code) {
    case 'invalid_cv_value':
      if (cv === 'fail') {
        return `the sealer of set i=${i} wrote cv=fail: it found the chain it received broken, so the chain ends there (RFC 8617 §5.2 step 2)`;
      }
      return i === 1
        ? `set i=1 must have cv=none (RFC 8617 §5.2 step 3), it has cv=${cv || '(empty)'}`
        : `set i=${i} must have cv=pass (RFC 8617 §5.2 step 3), it has cv=${cv || '(empty)'}`;
    case 'failing_arc_seal':
      return `the ARC-Seal of set i=${i} does not verify with its key: the ARC header fields of sets 1..${i} it signs were changed, or the signature is wrong`;
    case 'invalid_arc_seal':
      return `the ARC-Seal of set i=${i} is unusable (${message})`;
    case 'invalid_arc_instance':
      return `the ARC sets are not numbered 1..n without gaps, or an instance is invalid (${message}; RFC 8617 §4.2.1)`;
    case 'missing_arc_header':
      return `set i=${i} lacks one of its three header fields (${message}; RFC 8617 §4.1)`;
    case 'multiple_arc_keys':
      return `set i=${i} has a header field twice (${message}; RFC 8617 §5.2 step 3.A)`;
    case 'invalid_arc_count':
      return `more than 50 ARC sets (RFC 8617 §4.2.1)`;
    case 'unexpected_as_h_value':
      return `the ARC-Seal of set i=${i} has an h= tag, which ARC-Seals must not have (RFC 8617 §4.1.3)`;
    case 'invalid_ams_h_value':
      return `the ARC-Message-Signature of set i=${i} signs ARC-Seal, which it must not (RFC 8617 §4.1.2)`;
    case 'invalid_arc_tags':
      return `a tag of set i=${i} is missing or malformed (${message})`;
    case 'missing_valid_ams':
      return `the newest ARC-Message-Signature (i=${i}) does not verify`;
    case 'ENOTFOUND':
    case 'ENODATA':
      return `no key record for the ARC-Seal of set i=${i} (${message})`;
    case 'ESHORTKEY':
      return `the key of the ARC-Seal of set i=${i} is too short (${message})`;
    default:
      if (/algorithm/i.test(message)) return `set i=${i} uses an algorithm ARC does not allow (${message}; rsa-sha256 or ed25519-sha256 only)`;
      return message ? `set i=${i}: ${message}` : 'the chain does not validate';
  }
}

const errInstance = (message: string): number | undefined => {
  const m = /i=(\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
};

export async function evaluateArcReport(opts: ArcEvaluateOptions): Promise<{ report: ArcReport; raw: ARCResult }> {
  const strict = opts.mode === 'strict';
  const mresolver = toMailauthResolver(opts.resolver);
  const data = opts.dkimRaw.arc ?? { chain: false };
  const raw = await arc(data, { resolver: mresolver, strict, ...(opts.ip ? { ip: opts.ip } : {}) });
  const steps: Step[] = [];

  // ---------------------------------------------------------------- the sets as written
  const byInstance = new Map<number, Partial<Record<ArcKey, HeaderField>>>();
  const stray: HeaderField[] = [];
  for (const f of opts.headers.fields) {
    if (!(ARC_KEYS as readonly string[]).includes(f.key)) continue;
    const i = instanceOf(f.key, f.raw);
    if (i === undefined) {
      stray.push(f);
      continue;
    }
    const set = byInstance.get(i) ?? {};
    if (!set[f.key as ArcKey]) set[f.key as ArcKey] = f;
    byInstance.set(i, set);
  }
  const numbers = [...byInstance.keys()].sort((a, b) => a - b);
  const n = numbers.length ? numbers[numbers.length - 1] : 0;

  const instances: ArcInstanceReport[] = numbers.map((i) => {
    const set = byInstance.get(i)!;
    const seal = set['arc-seal'];
    const ams = set['arc-message-signature'];
    const aar = set['arc-authentication-results'];
    return {
      i,
      seal: {
        result: 'none',
        cv: tag(seal, 'cv'),
        domain: tag(seal, 'd'),
        selector: tag(seal, 's'),
        ...(seal ? {} : { reason: 'missing' }),
        source: range(seal),
      },
      messageSignature: {
        result: 'none',
        domain: tag(ams, 'd'),
        selector: tag(ams, 's'),
        ...(ams ? {} : { reason: 'missing' }),
        source: range(ams),
      },
      ...(aar ? { authResults: { value: aar.value.replace(/^\s*i\s*=\s*\d+\s*;\s*/, ''), source: range(aar) } } : {}),
    };
  });
  const inst = (i: number) => instances.find((x) => x.i === i);

  const result = raw.status.result as 'pass' | 'fail' | 'none';
  let brokenAt: number | undefined;
  let reason: string;

  if (!numbers.length && !stray.length) {
    reason = 'The message has no ARC header fields, so there is no chain to validate (arc=none).';
    steps.push({ title: 'ARC chain', status: 'info', detail: reason });
    return { report: { result, reason, instances, steps }, raw };
  }

  steps.push({
    title: 'ARC sets found',
    status: 'info',
    detail: `${numbers.length} set${numbers.length === 1 ? '' : 's'} (${numbers.map((i) => `i=${i}`).join(', ') || 'none with a valid instance'})${
      stray.length ? `, and ${stray.length} ARC header field${stray.length === 1 ? '' : 's'} without a readable instance` : ''
    }.`,
    source: opts.headers.fields.filter((f) => (ARC_KEYS as readonly string[]).includes(f.key)).map((f) => ({ start: f.start, end: f.end })),
  });

  // the newest message signature, as the DKIM verifier checked it (RFC 8617 §5.2 step 4)
  const amsResult = data.lastEntry?.messageSignature;
  const newest = inst(n);
  if (newest && amsResult) {
    const r = amsResult.status?.result;
    newest.messageSignature.result = r === 'pass' ? 'pass' : r === 'none' ? 'none' : 'fail';
    if (r !== 'pass') newest.messageSignature.reason = `${r}${amsResult.status?.comment ? ` (${amsResult.status.comment})` : ''}`;
  }
  if (newest && !amsResult && newest.messageSignature.source) {
    newest.messageSignature.reason = data.lastEntry
      ? 'could not be verified: the signature is unusable'
      : 'not verified: the chain structure is invalid, so no set was taken as the newest';
  }
  for (const x of instances) {
    if (x !== newest && x.messageSignature.source) {
      x.messageSignature.reason = 'not validated: only the newest ARC-Message-Signature is (RFC 8617 §5.2 step 4)';
    }
  }

  if (result === 'none') {
    reason = 'ARC header fields are present, but none of them forms a chain that was read (lenient mode skips fields without a valid instance): arc=none.';
  } else if (result === 'pass') {
    for (const x of instances) x.seal.result = 'pass';
    reason = `The ARC chain of ${n} set${n === 1 ? '' : 's'} validates: every ARC-Seal verifies and the newest ARC-Message-Signature (i=${n}, d=${newest?.messageSignature.domain}) verifies.`;
  } else {
    // find the first set at which the chain breaks, validating sets 1..k for k = 1..n
    const rows = ((opts.dkimRaw.headers?.parsed ?? []) as MailauthHeaderRow[]).filter((r) => (ARC_KEYS as readonly string[]).includes(r.key));
    const keyCache = createSharedKeyCache(mresolver);
    let why = '';
    for (const k of numbers) {
      const prefix = rows.filter((r) => {
        const i = instanceOf(r.key, r.line);
        return i !== undefined && i <= k;
      });
      try {
        const chain = getARChain({ parsed: prefix }, { strict });
        if (!chain) throw Object.assign(new Error(`i=${k} no chain`), { code: 'invalid_arc_instance' });
        await verifyASChain({ chain }, { resolver: mresolver, strict, keyCache });
        inst(k)!.seal.result = 'pass';
      } catch (err) {
        const e = err as Error & { code?: string; queryDomain?: string };
        const at = Math.min(errInstance(e.message) ?? k, k);
        brokenAt = at;
        // the DNS layer's messages already name what was asked ("TXT s._domainkey.d: NXDOMAIN"); others get the name added
        const named = !e.queryDomain || e.message.toLowerCase().includes(e.queryDomain.toLowerCase());
        why = explainFailure(named ? e.message : `${e.message} for ${e.queryDomain}`, e.code, at);
        if (stray.length) why += `; also, ${stray.length} ARC header field${stray.length === 1 ? ' has' : 's have'} no valid instance (RFC 8617 §4.2.1: i= is 1 to 50)`;
        const x = inst(at);
        if (x) {
          x.seal.result = 'fail';
          x.seal.reason = why;
        }
        break;
      }
    }
    if (brokenAt === undefined) {
      // every seal verifies: the newest message signature, or something about the whole chain, fails it
      const comment = raw.status.comment ?? '';
      const ams = newest?.messageSignature;
      if (ams && ams.result !== 'pass') {
        brokenAt = n;
        why = explainFailure(comment, 'missing_valid_ams', n) + (ams.reason ? `: ${ams.reason}` : '');
      } else {
        // e.g. a header field whose instance cannot be read, which no prefix contains
        brokenAt = Math.max(1, Math.min(errInstance(comment) ?? n, n || 1));
        why = stray.length
          ? `${stray.length} ARC header field${stray.length === 1 ? ' has' : 's have'} no valid instance (RFC 8617 §4.2.1: i= is 1 to 50)${comment ? `: ${comment}` : ''}`
          : comment || 'the chain does not validate';
      }
    }
    for (const x of instances) {
      if (brokenAt !== undefined && x.i > brokenAt && x.seal.result === 'none') x.seal.reason = `not checked: the chain is already broken at i=${brokenAt}`;
    }
    reason = `The ARC chain fails at set i=${brokenAt}: ${why}.`;
  }

  const seqOf = logSeqFinder(opts.resolver);
  for (const x of instances) {
    const keySeq = x.seal.domain && x.seal.selector ? seqOf(`${x.seal.selector}._domainkey.${x.seal.domain}`, 'TXT') : undefined;
    steps.push({
      title: `Set i=${x.i}: ARC-Seal by ${x.seal.domain ?? '?'} (s=${x.seal.selector ?? '?'}, cv=${x.seal.cv ?? '?'})`,
      status: x.seal.result === 'pass' ? 'pass' : x.seal.result === 'fail' ? 'fail' : 'skip',
      detail:
        x.seal.result === 'pass'
          ? `The seal verifies: sets 1..${x.i} are as the sealer signed them.`
          : (x.seal.reason ?? 'not checked'),
      ...(x.seal.source ? { source: [x.seal.source] } : {}),
      ...(keySeq !== undefined ? { dns: [keySeq] } : {}),
    });
    if (x === newest) {
      steps.push({
        title: `Set i=${x.i}: ARC-Message-Signature by ${x.messageSignature.domain ?? '?'}`,
        status: x.messageSignature.result === 'pass' ? 'pass' : x.messageSignature.result === 'fail' ? 'fail' : 'skip',
        detail:
          x.messageSignature.result === 'pass'
            ? 'The newest message signature verifies: the message is as the last sealer received it.'
            : (x.messageSignature.reason ?? 'not validated: the chain structure is invalid'),
        ...(x.messageSignature.source ? { source: [x.messageSignature.source] } : {}),
      });
    }
  }
  steps.push({ title: 'Result', status: result === 'pass' ? 'pass' : result === 'fail' ? 'fail' : 'info', detail: reason });
  if (raw.warnings?.length) {
    steps.push({ title: 'Lenient parsing', status: 'warn', detail: `accepted what RFC 8617 would not: ${raw.warnings.join(', ')}` });
  }

  return { report: { result, reason, instances, ...(brokenAt !== undefined ? { brokenAt } : {}), steps }, raw };
}
