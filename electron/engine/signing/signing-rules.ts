// Conditional signing, as mail gateways (Halon, Rspamd, OpenDKIM's SigningTable) do it: rules
// pick the key by the From header's domain (so bounces with an empty envelope sender are
// signed too), by the envelope sender's domain, or by the authenticated user. The decision says
// which rule matched, which keys sign, and whether d= aligns with From for DMARC.

import { createRequire } from 'node:module';
import type { KeyInfo } from '../keys/dkim-key.ts';

// tldts is what mailauth's DMARC uses for organizational domains; resolve mailauth's copy so
// both always agree on the Public Suffix List.
const requireFromMailauth = createRequire(createRequire(import.meta.url).resolve('mailauth'));
const tldts = requireFromMailauth('tldts') as { getDomain(host: string, opts?: { allowPrivateDomains?: boolean; allowIcannDomains?: boolean }): string | null };

export interface KeyRef {
  keyId?: string;
  domain?: string;
  selector?: string;
}

export interface SigningRule {
  name?: string;
  /** Every given condition must hold. Domain patterns: "example.com", "*.example.com" (subdomains only), "*". */
  match: { fromDomain?: string; envelopeDomain?: string; authUser?: string };
  /** "from-domain": the newest keys of the From domain (else of its organizational domain); or explicit keys. */
  sign: 'from-domain' | KeyRef[];
}

export interface RulesFile {
  rules: SigningRule[];
}

export interface SigningContext {
  /** The From header's domain. */
  fromDomain?: string;
  /** MAIL FROM; '' is the null sender of a bounce. */
  envelopeSender?: string;
  authUser?: string;
}

export interface AlignmentOutcome {
  keyId: string;
  d: string;
  fromDomain: string;
  /** DMARC relaxed alignment: same organizational domain (RFC 7489 §3.1.1). */
  relaxed: boolean;
  strict: boolean;
  explanation: string;
}

export interface RuleDecision {
  matched: { index: number; name: string; by: string[] } | null;
  keys: KeyInfo[];
  /** Rules that matched but name keys that do not exist: reported, never silently skipped. */
  problems: string[];
  alignment: AlignmentOutcome[];
  explanation: string;
}

export class RulesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RulesError';
  }
}

export function orgDomain(domain: string): string {
  const d = domain.toLowerCase().replace(/\.$/, '');
  return tldts.getDomain(d, { allowIcannDomains: true, allowPrivateDomains: true }) ?? d;
}

export function alignment(keyId: string, d: string, fromDomain: string): AlignmentOutcome {
  const dd = d.toLowerCase();
  const fd = fromDomain.toLowerCase();
  const strict = dd === fd;
  const relaxed = strict || orgDomain(dd) === orgDomain(fd);
  const explanation = strict
    ? `d=${dd} is the From domain: aligned (strict and relaxed)`
    : relaxed
      ? `d=${dd} and From ${fd} share the organizational domain ${orgDomain(fd)}: aligned in relaxed mode (adkim=r), not in strict`
      : `d=${dd} is not in From ${fd}'s organizational domain ${orgDomain(fd)}: this signature cannot make DMARC pass`;
  return { keyId, d: dd, fromDomain: fd, relaxed, strict, explanation };
}

export function domainMatches(pattern: string, domain: string | undefined): boolean {
  if (domain === undefined) return false;
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const d = domain.toLowerCase().replace(/\.$/, '');
  if (p === '*') return true;
  if (p.startsWith('*.')) return d.endsWith(p.slice(1));
  return d === p;
}

function envelopeDomain(sender: string | undefined): string | undefined {
  if (!sender) return undefined; // the null sender has no domain
  const at = sender.lastIndexOf('@');
  return at >= 0 ? sender.slice(at + 1).replace(/>$/, '').toLowerCase() : undefined;
}

/** First matching rule wins. */
export function decide(rules: SigningRule[], ctx: SigningContext, keys: KeyInfo[]): RuleDecision {
  const envDomain = envelopeDomain(ctx.envelopeSender);
  for (const [index, rule] of rules.entries()) {
    const by: string[] = [];
    const m = rule.match;
    if (m.fromDomain !== undefined) {
      if (!domainMatches(m.fromDomain, ctx.fromDomain)) continue;
      by.push(`From domain ${ctx.fromDomain} matches ${m.fromDomain}`);
    }
    if (m.envelopeDomain !== undefined) {
      if (!domainMatches(m.envelopeDomain, envDomain)) continue;
      by.push(`envelope sender domain ${envDomain} matches ${m.envelopeDomain}`);
    }
    if (m.authUser !== undefined) {
      if (ctx.authUser === undefined || (m.authUser !== '*' && m.authUser !== ctx.authUser)) continue;
      by.push(`authenticated user ${ctx.authUser}`);
    }
    const name = rule.name ?? `rule ${index + 1}`;
    const problems: string[] = [];
    let chosen: KeyInfo[] = [];
    if (rule.sign === 'from-domain') {
      if (!ctx.fromDomain) {
        problems.push(`${name} signs with the From domain's key, but the message has no From domain`);
      } else {
        chosen = newestPerType(keys.filter((k) => k.domain === ctx.fromDomain!.toLowerCase()));
        if (!chosen.length) chosen = newestPerType(keys.filter((k) => k.domain === orgDomain(ctx.fromDomain!)));
        if (!chosen.length) problems.push(`${name} matched, but there is no key for ${ctx.fromDomain} (or ${orgDomain(ctx.fromDomain)}): generate or import one — the message would go out unsigned`);
      }
    } else {
      for (const ref of rule.sign) {
        const found = keys.filter(
          (k) =>
            (ref.keyId === undefined || k.id === ref.keyId) &&
            (ref.domain === undefined || k.domain === ref.domain.toLowerCase()) &&
            (ref.selector === undefined || k.selector === ref.selector.toLowerCase()),
        );
        if (!found.length) problems.push(`${name} names key ${describeRef(ref)}, which is not in the key store`);
        else chosen.push(newestPerType(found)[0]);
      }
    }
    const align = ctx.fromDomain ? chosen.map((k) => alignment(k.id, k.domain, ctx.fromDomain!)) : [];
    const signs = chosen.length ? `signs with ${chosen.map((k) => `${k.selector}._domainkey.${k.domain}`).join(' and ')}` : 'signs nothing';
    return {
      matched: { index, name, by },
      keys: chosen,
      problems,
      alignment: align,
      explanation: `${name} matched (${by.join('; ') || 'no conditions'}) and ${signs}`,
    };
  }
  return { matched: null, keys: [], problems: ['no rule matched: the message would go out unsigned'], alignment: [], explanation: 'no rule matched' };
}

/** One key per type (RSA and Ed25519 side by side), newest first. */
function newestPerType(keys: KeyInfo[]): KeyInfo[] {
  const sorted = [...keys].sort((a, b) => b.created.localeCompare(a.created));
  const out: KeyInfo[] = [];
  for (const k of sorted) if (!out.some((o) => o.type === k.type)) out.push(k);
  return out;
}

function describeRef(ref: KeyRef): string {
  return ref.keyId ?? `${ref.selector ?? '*'}._domainkey.${ref.domain ?? '*'}`;
}

/** Reads and validates a rules file (format documented in the CLI help). */
export function parseRules(text: string): SigningRule[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RulesError(`the rules file is not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(json) ? json : (json as RulesFile | null)?.rules;
  if (!Array.isArray(list)) throw new RulesError('the rules file must be {"rules": [ … ]}');
  return list.map((r, i) => {
    const where = `rule ${i + 1}`;
    if (!r || typeof r !== 'object') throw new RulesError(`${where} is not an object`);
    const rule = r as Partial<SigningRule>;
    const m = rule.match;
    if (!m || typeof m !== 'object') throw new RulesError(`${where} has no "match"`);
    const known = ['fromDomain', 'envelopeDomain', 'authUser'];
    for (const k of Object.keys(m)) if (!known.includes(k)) throw new RulesError(`${where}: unknown match condition "${k}" (use ${known.join(', ')})`);
    for (const k of known) {
      const v = (m as Record<string, unknown>)[k];
      if (v !== undefined && (typeof v !== 'string' || !v)) throw new RulesError(`${where}: match.${k} must be a non-empty string`);
    }
    if (!Object.keys(m).length) throw new RulesError(`${where}: "match" is empty (use {"fromDomain": "*"} to match everything)`);
    if (rule.sign !== 'from-domain') {
      if (!Array.isArray(rule.sign) || !rule.sign.length) throw new RulesError(`${where}: "sign" must be "from-domain" or a list of {keyId} / {domain, selector}`);
      for (const ref of rule.sign) {
        if (!ref || typeof ref !== 'object' || !(ref.keyId || ref.domain)) throw new RulesError(`${where}: each "sign" entry needs a keyId or a domain`);
      }
    }
    if (rule.name !== undefined && typeof rule.name !== 'string') throw new RulesError(`${where}: "name" must be a string`);
    return rule as SigningRule;
  });
}
