// Explains every tag of a DMARC Policy Record in plain words (RFC 9989 §4.7, with what changed
// since RFC 7489), and points out what a verifier ignores or rejects.

import type { TagExplained, VerifyMode } from '../../../shared/report.ts';

const POLICY = new Set(['none', 'quarantine', 'reject']);
const POLICY_WORDS: Record<string, string> = {
  none: 'no action, only reports',
  quarantine: 'treat failing mail as suspicious (e.g. spam folder)',
  reject: 'refuse failing mail',
};

// tag names registered for DMARC (RFC 9989 §9.3), including the historic ones
const KNOWN = new Set(['v', 'p', 'sp', 'np', 'adkim', 'aspf', 'fo', 'rua', 'ruf', 'rf', 'ri', 'pct', 't', 'psd']);

function policyMeaning(which: string, value: string): string {
  const v = value.toLowerCase();
  return `${which}: ${v}${POLICY_WORDS[v] ? ` (${POLICY_WORDS[v]})` : ''}`;
}

function explainOne(name: string, value: string): { meaning: string; problem?: string } {
  const v = value.toLowerCase();
  const badPolicy = POLICY.has(v) ? undefined : `"${value}" is not none, quarantine or reject`;
  switch (name) {
    case 'v':
      return value === 'DMARC1'
        ? { meaning: 'version: DMARC1, must be the first tag' }
        : { meaning: 'version', problem: 'must be exactly "DMARC1" (RFC 9989 §4.7)' };
    case 'p':
      return { meaning: policyMeaning('policy for the domain itself', value), problem: badPolicy };
    case 'sp':
      return { meaning: policyMeaning('policy for existing subdomains that inherit this record', value), problem: badPolicy };
    case 'np':
      return { meaning: policyMeaning('policy for non-existent subdomains (RFC 9989; falls back to sp, then p)', value), problem: badPolicy };
    case 'adkim':
    case 'aspf': {
      const what = name === 'adkim' ? 'DKIM d=' : 'SPF domain';
      if (v === 'r') return { meaning: `${what} alignment relaxed: same organisational domain is enough (the default)` };
      if (v === 's') return { meaning: `${what} alignment strict: must equal the From domain exactly` };
      return { meaning: `${what} alignment mode`, problem: `"${value}" is not r or s; the default r applies` };
    }
    case 'fo': {
      const bad = v.split(':').map((x) => x.trim()).filter((x) => !['0', '1', 'd', 's'].includes(x));
      return {
        meaning: 'failure-report options: 0 = report when all mechanisms fail, 1 = when any fails, d = DKIM failures, s = SPF failures',
        problem: bad.length ? `unknown option ${bad.map((b) => `"${b}"`).join(', ')}` : undefined,
      };
    }
    case 'rua':
      return { meaning: `aggregate reports go to ${value}` };
    case 'ruf':
      return { meaning: `failure (forensic) reports go to ${value}` };
    case 'pct':
      return {
        meaning: `RFC 7489: apply the policy to ${value}% of failing mail`,
        problem: 'pct was removed in RFC 9989 (DMARCbis); use t=y to test a policy. Today\'s verifiers ignore it',
      };
    case 'rf':
      return { meaning: `RFC 7489: failure report format ${value}`, problem: 'rf was removed in RFC 9989; reports are always AFRF' };
    case 'ri':
      return { meaning: `RFC 7489: aggregate report interval ${value} s`, problem: 'ri was removed in RFC 9989; reports are daily' };
    case 't':
      if (v === 'y') return { meaning: 'testing: the policy is being tried out, receivers apply one level less (reject → quarantine, quarantine → none)' };
      if (v === 'n') return { meaning: 'not testing: the policy applies as published (the default)' };
      return { meaning: 'testing mode', problem: `"${value}" is not y or n` };
    case 'psd':
      if (v === 'y') return { meaning: 'this domain is a public suffix domain (PSD): the Tree Walk stops here, the organisational domain is one label below' };
      if (v === 'n') return { meaning: 'this domain is an organisational domain: the Tree Walk stops here' };
      if (v === 'u') return { meaning: 'unknown whether this is a PSD (the default)' };
      return { meaning: 'public suffix domain flag', problem: `"${value}" is not y, n or u` };
    default:
      return { meaning: 'unknown tag', problem: 'not a DMARC tag; ignored (RFC 9989 §4.7)' };
  }
}

/** The record's tags in order, each explained; syntax errors and duplicates are reported as problems. */
export function explainDmarcTags(record: string, mode: VerifyMode): TagExplained[] {
  const out: TagExplained[] = [];
  const seen = new Set<string>();
  const parts = record.split(';').map((p) => p.trim()).filter((p) => p);
  parts.forEach((part, i) => {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      out.push({
        name: '',
        value: part,
        meaning: 'not a tag=value pair',
        problem: `syntax error: "${part}" is not tag=value; verifiers skip it (RFC 9989 §4.7: syntax errors in the rest of the record are ignored)`,
      });
      return;
    }
    const written = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    // RFC 6376 §3.2 (used by RFC 9989 §4.7): tag names are case-sensitive; v= has its own rule
    const lower = written.toLowerCase();
    const name = i === 0 || mode === 'lenient' ? lower : written;
    const e = explainOne(KNOWN.has(name) ? name : '?', value);
    let problem = e.problem;
    if (written !== lower && KNOWN.has(lower) && i > 0) {
      problem =
        mode === 'strict'
          ? `tag names are case-sensitive (RFC 6376 §3.2): "${written}" is not "${lower}" and is ignored`
          : `tag name should be lower case "${lower}"; read as ${lower} in lenient mode`;
    }
    if (seen.has(name)) {
      problem = `duplicate tag: the record is not a valid tag-list (RFC 6376 §3.2)${mode === 'strict' ? ' and is discarded' : '; lenient mode keeps the last value'}`;
    }
    seen.add(name);
    out.push({ name: written, value, meaning: e.meaning, ...(problem ? { problem } : {}) });
  });
  return out;
}
