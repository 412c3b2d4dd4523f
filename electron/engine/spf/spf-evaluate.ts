// check_host() of RFC 7208, written out so every step can be shown: each term of each record
// with its status and lookup cost, include:/redirect= children, the deciding term, the exp=
// explanation and a plain-language list of steps. mailauth's spf() is the cross-check
// (spf-mailauth.ts); this evaluator exists because mailauth returns only the verdict.

import { domainToASCII } from 'node:url';
import type { DnsAnswer, RRType } from '../../../shared/dns.ts';
import { txtValue } from '../../../shared/dns.ts';
import type { AuthResult, SpfCheck, SpfNode, SpfTerm, Step, VerifyMode } from '../../../shared/report.ts';
import type { Resolver } from '../dns/resolver.ts';
import { expandTokens, parseMacroString, TOPLABEL, usesLetter, type MacroContext } from './spf-macro.ts';
import { formatIp, ipInCidr, parseIp, reverseName, sameIp, type SpfIp } from './spf-ip.ts';
import { isSpfRecord, parseSpfRecord, qualifierResult, targetNameProblem, type ParsedTerm } from './spf-terms.ts';

export const SPF_LOOKUP_LIMIT = 10;
export const SPF_VOID_LIMIT = 2;
/** Address lookups per mx term and PTR names per ptr term / %{p} (RFC 7208 §4.6.4). */
const MX_NAME_LIMIT = 10;
const PTR_NAME_LIMIT = 10;

export interface SpfEvaluateOptions {
  ip: string;
  /** MAIL FROM's domain, or the HELO name for the helo identity. */
  domain: string;
  /** <sender> for macros; postmaster@<domain> is used when it has no local-part. */
  sender: string;
  helo?: string;
  identity: 'mailfrom' | 'helo';
  resolver: Resolver;
  /** strict (default): RFC 7208 exactly. lenient: the void-lookup limit only warns. */
  mode?: VerifyMode;
  /** %{r}: the receiving host's name ("unknown" when not given, as §7.3 says). */
  receivingHost?: string;
  /** %{t}. */
  now?: Date;
}

/** The identity to check for an envelope: MAIL FROM, or HELO for the null sender (RFC 7208 §2.4). */
export function spfIdentity(mailFrom: string | undefined, helo: string | undefined): { identity: 'mailfrom' | 'helo'; domain: string; sender: string } {
  if (!mailFrom) {
    const h = helo ?? '';
    return { identity: 'helo', domain: h, sender: `postmaster@${h}` };
  }
  const at = mailFrom.lastIndexOf('@');
  const domain = at >= 0 ? mailFrom.slice(at + 1) : mailFrom;
  const local = at > 0 ? mailFrom.slice(0, at) : 'postmaster';
  return { identity: 'mailfrom', domain, sender: `${local}@${domain}` };
}

/** Why a <domain> cannot be checked (RFC 7208 §4.3: malformed or not multi-label → none). */
export function spfDomainProblem(domain: string): string | undefined {
  if (!domain) return 'there is no domain to check';
  if (domain.startsWith('[')) return `"${domain}" is an address literal, not a domain name`;
  const name = domain.endsWith('.') ? domain.slice(0, -1) : domain;
  if (name.length > 253) return `"${domain}" is longer than 253 characters`;
  const labels = name.split('.');
  if (labels.length < 2) return `"${domain}" is not a fully qualified domain name`;
  for (const l of labels) {
    if (!l) return `"${domain}" has an empty label`;
    if (l.length > 63) return `"${domain}" has a label longer than 63 characters`;
    if (!/^[A-Za-z0-9_-]+$/.test(l)) return `"${domain}" contains characters not allowed in a host name`;
  }
  if (!TOPLABEL.test(labels[labels.length - 1]!)) return `"${domain}" does not end in a valid top-level label`;
  return undefined;
}

type TermResult = { match: boolean; detail: string } | { error: 'permerror' | 'temperror'; detail: string };

interface Run {
  ip: SpfIp;
  ipText: string;
  sender: string;
  helo: string;
  strict: boolean;
  resolver: Resolver;
  receivingHost: string;
  now: Date;
  lookups: number;
  voids: number;
  voidWarned: boolean;
  steps: Step[];
}

/** What one check_host() call came to. */
interface Outcome {
  result: AuthResult;
  reason: string;
  node: SpfNode;
  decidingTerm?: string;
  /** The exp= that applies if the result is fail: that of the record whose term decided. */
  exp?: { term: SpfTerm; spec: string; domain: string };
}

/** How check_host() was reached; `inInclude` when any caller up the chain is an include (its result is only a match or not). */
type Via = { kind: 'top'; inInclude?: false } | { kind: 'include' | 'redirect'; term: string; inInclude: boolean };

function step(run: Run, status: Step['status'], title: string, detail: string): void {
  run.steps.push({ title, status, detail });
}

function resultStatus(r: AuthResult): Step['status'] {
  return r === 'pass' ? 'pass' : r === 'neutral' || r === 'none' ? 'info' : r === 'softfail' ? 'warn' : 'fail';
}

async function query(run: Run, name: string, type: RRType): Promise<DnsAnswer> {
  return run.resolver.query(name, type);
}

function isVoid(a: DnsAnswer): boolean {
  return a.rcode === 'NXDOMAIN' || (a.rcode === 'NOERROR' && a.records.length === 0);
}

function dnsFailure(a: DnsAnswer, name: string, type: RRType): string {
  return `the ${type} lookup of ${name} failed (${a.rcode}${a.error ? `: ${a.error}` : ''})`;
}

function stripDot(n: string): string {
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/** §7.3: names over 253 characters lose labels from the left until they fit. */
function truncateName(name: string): string {
  let n = stripDot(name);
  while (n.length > 253 && n.includes('.')) n = n.slice(n.indexOf('.') + 1);
  return n;
}

function macroContext(run: Run, domain: string): MacroContext {
  return { sender: run.sender, domain, ip: run.ip, helo: run.helo, receivingHost: run.receivingHost, now: run.now };
}

/**
 * The validated names of the client (§5.5): PTR names (first 10) whose A/AAAA records contain
 * the client address. A DNS error on a name skips that name.
 */
async function validatedNames(run: Run, ptr: DnsAnswer): Promise<string[]> {
  const names = ptr.records.flatMap((r) => (r.type === 'PTR' ? [stripDot(r.data)] : [])).slice(0, PTR_NAME_LIMIT);
  const type: RRType = run.ip.family === 4 ? 'A' : 'AAAA';
  const out: string[] = [];
  for (const name of names) {
    const a = await query(run, name, type);
    if (a.records.some((r) => (r.type === 'A' || r.type === 'AAAA') && sameIpText(r.data, run.ip))) out.push(name);
  }
  return out;
}

function sameIpText(text: string, ip: SpfIp): boolean {
  const p = parseIp(text, { unmap: false });
  return !!p && sameIp(p, ip);
}

/** %{p} (§7.3): the <domain> itself if validated, else a subdomain of it, else any validated name, else "unknown". */
async function pMacro(run: Run, domain: string): Promise<{ value: string; void: boolean }> {
  const ptr = await query(run, reverseName(run.ip), 'PTR');
  if (ptr.rcode !== 'NOERROR' || ptr.records.length === 0) return { value: 'unknown', void: isVoid(ptr) };
  const names = await validatedNames(run, ptr);
  const d = stripDot(domain).toLowerCase();
  const value = names.find((n) => n.toLowerCase() === d) ?? names.find((n) => n.toLowerCase().endsWith(`.${d}`)) ?? names[0] ?? 'unknown';
  return { value, void: false };
}

interface Target {
  name: string;
  /** The expanded name cannot be a DNS name. */
  problem?: string;
  /** The %{p} lookup broke a limit. */
  error?: TermResult;
}

/**
 * Expands a domain-spec into a target name. In a term (not exp=), %{p} costs its PTR query
 * against the lookup and void limits (§4.6.4: "the ptr mechanism or the %{p} macro").
 */
async function expandTarget(run: Run, spec: string, domain: string, term?: SpfTerm): Promise<Target> {
  const tokens = parseMacroString(spec);
  const ctx = macroContext(run, domain);
  if (usesLetter(tokens, 'p')) {
    if (term) {
      const refused = charge(run, term, 'the PTR query of %{p}');
      if (refused) return { name: '', error: refused };
    }
    const p = await pMacro(run, domain);
    if (term && p.void) {
      const v = countVoid(run, `the PTR lookup for %{p}`);
      if (v) return { name: '', error: v };
    }
    ctx.p = p.value;
  }
  const name = truncateName(expandTokens(tokens, ctx));
  const problem = targetNameProblem(name);
  return problem ? { name, problem } : { name };
}

/** Counts one lookup term; past the limit the term is refused and the check is a permerror (§4.6.4). */
function charge(run: Run, t: SpfTerm, what = 'this'): TermResult | undefined {
  if (run.lookups >= SPF_LOOKUP_LIMIT) {
    return { error: 'permerror', detail: `${what} would be DNS lookup ${run.lookups + 1}; RFC 7208 §4.6.4 allows ${SPF_LOOKUP_LIMIT} per check, includes and redirects counted` };
  }
  run.lookups++;
  t.lookups++;
  return undefined;
}

/** Counts a void lookup (NXDOMAIN or no records); the third is a permerror in strict mode (§4.6.4). */
function countVoid(run: Run, what: string): TermResult | undefined {
  run.voids++;
  if (run.voids <= SPF_VOID_LIMIT) return undefined;
  const detail = `${what} is void lookup ${run.voids}; RFC 7208 §4.6.4 allows ${SPF_VOID_LIMIT}`;
  if (run.strict) return { error: 'permerror', detail };
  if (!run.voidWarned) {
    run.voidWarned = true;
    step(run, 'warn', 'More than 2 void lookups', `${detail}. Strict evaluation stops here with permerror; lenient evaluation carries on.`);
  }
  return undefined;
}

function addrMatch(run: Run, records: DnsAnswer['records'], p: ParsedTerm): string | undefined {
  const prefix = run.ip.family === 4 ? (p.cidr4 ?? 32) : (p.cidr6 ?? 128);
  for (const r of records) {
    if (r.type !== 'A' && r.type !== 'AAAA') continue;
    const net = parseIp(r.data, { unmap: false });
    if (net && ipInCidr(run.ip, net, prefix)) return r.data;
  }
  return undefined;
}

function listAddrs(records: DnsAnswer['records']): string {
  const a = records.flatMap((r) => (r.type === 'A' || r.type === 'AAAA' ? [r.data] : []));
  return a.length > 6 ? `${a.slice(0, 6).join(', ')} and ${a.length - 6} more` : a.join(', ');
}

async function evalMechanism(run: Run, p: ParsedTerm, t: SpfTerm, domain: string): Promise<TermResult> {
  const ipText = run.ipText;
  const cidrNote = () => {
    const c = run.ip.family === 4 ? p.cidr4 : p.cidr6;
    return c !== undefined ? ` (compared as /${c})` : '';
  };
  switch (p.name) {
    case 'all':
      return { match: true, detail: 'all matches every client' };
    case 'ip4':
    case 'ip6': {
      const match = ipInCidr(run.ip, p.network!, p.prefix!);
      const other = (p.name === 'ip4') !== (run.ip.family === 4);
      return { match, detail: match ? `${ipText} is in ${p.text.slice(4)}` : other ? `${ipText} is an ${run.ip.family === 4 ? 'IPv4' : 'IPv6'} address; ${p.name} matches only ${p.name === 'ip4' ? 'IPv4' : 'IPv6'} clients` : `${ipText} is not in ${p.text.slice(4)}` };
    }
    case 'a': {
      const refused = charge(run, t);
      if (refused) return refused;
      const target: Target = p.domainSpec ? await expandTarget(run, p.domainSpec, domain, t) : { name: domain };
      if (target.error) return target.error;
      if (target.problem) return { match: false, detail: `the target ${target.problem}, so it matches nothing` };
      const type: RRType = run.ip.family === 4 ? 'A' : 'AAAA';
      const ans = await query(run, target.name, type);
      if (isVoid(ans)) {
        const v = countVoid(run, `the ${type} lookup of ${target.name}`);
        return v ?? { match: false, detail: `${target.name} has no ${type} record (${ans.rcode === 'NXDOMAIN' ? 'the name does not exist' : 'no data'}); a void lookup` };
      }
      if (ans.rcode !== 'NOERROR') return { error: 'temperror', detail: dnsFailure(ans, target.name, type) };
      const hit = addrMatch(run, ans.records, p);
      return hit ? { match: true, detail: `${target.name} has ${type} ${hit}${cidrNote()}, which covers ${ipText}` } : { match: false, detail: `${target.name} has ${type} ${listAddrs(ans.records)}${cidrNote()}; none covers ${ipText}` };
    }
    case 'mx': {
      const refused = charge(run, t);
      if (refused) return refused;
      const target: Target = p.domainSpec ? await expandTarget(run, p.domainSpec, domain, t) : { name: domain };
      if (target.error) return target.error;
      if (target.problem) return { match: false, detail: `the target ${target.problem}, so it matches nothing` };
      const ans = await query(run, target.name, 'MX');
      if (isVoid(ans)) {
        const v = countVoid(run, `the MX lookup of ${target.name}`);
        // §5.4: no MX records means no match; the name is never used as its own MX
        return v ?? { match: false, detail: `${target.name} has no MX record; a void lookup` };
      }
      if (ans.rcode !== 'NOERROR') return { error: 'temperror', detail: dnsFailure(ans, target.name, 'MX') };
      const hosts = ans.records
        .flatMap((r) => (r.type === 'MX' ? [r.data] : []))
        .sort((a, b) => a.preference - b.preference)
        .map((m) => stripDot(m.exchange))
        .filter((h) => h !== ''); // null MX (RFC 7505): no hosts
      const type: RRType = run.ip.family === 4 ? 'A' : 'AAAA';
      const seen: string[] = [];
      for (const [i, host] of hosts.entries()) {
        if (i >= MX_NAME_LIMIT) {
          return { error: 'permerror', detail: `${target.name} has ${hosts.length} MX hosts; RFC 7208 §4.6.4 allows address lookups for at most ${MX_NAME_LIMIT}` };
        }
        const a = await query(run, host, type);
        if (a.rcode !== 'NOERROR' && a.rcode !== 'NXDOMAIN') return { error: 'temperror', detail: dnsFailure(a, host, type) };
        const hit = addrMatch(run, a.records, p);
        if (hit) return { match: true, detail: `MX host ${host} of ${target.name} has ${type} ${hit}${cidrNote()}, which covers ${ipText}` };
        seen.push(`${host} (${listAddrs(a.records) || `no ${type}`})`);
      }
      return { match: false, detail: hosts.length ? `no MX host of ${target.name} covers ${ipText}: ${seen.join('; ')}${cidrNote()}` : `${target.name} has a null MX: no mail hosts` };
    }
    case 'ptr': {
      const refused = charge(run, t);
      if (refused) return refused;
      const target: Target = p.domainSpec ? await expandTarget(run, p.domainSpec, domain, t) : { name: domain };
      if (target.error) return target.error;
      if (target.problem) return { match: false, detail: `the target ${target.problem}, so it matches nothing` };
      const rname = reverseName(run.ip);
      const ptr = await query(run, rname, 'PTR');
      if (isVoid(ptr)) {
        const v = countVoid(run, `the PTR lookup of ${rname}`);
        return v ?? { match: false, detail: `${ipText} has no PTR record; a void lookup` };
      }
      // §5.5: a DNS error on the PTR lookup makes the mechanism not match
      if (ptr.rcode !== 'NOERROR') return { match: false, detail: `${dnsFailure(ptr, rname, 'PTR')}, so ptr does not match` };
      const names = await validatedNames(run, ptr);
      const want = stripDot(target.name).toLowerCase();
      const hit = names.find((n) => n.toLowerCase() === want || n.toLowerCase().endsWith(`.${want}`));
      return hit
        ? { match: true, detail: `${ipText} has the validated name ${hit}, within ${want}` }
        : { match: false, detail: names.length ? `validated names of ${ipText} (${names.join(', ')}) are not within ${want}` : `no PTR name of ${ipText} resolves back to it` };
    }
    case 'exists': {
      const refused = charge(run, t);
      if (refused) return refused;
      const target = await expandTarget(run, p.domainSpec!, domain, t);
      if (target.error) return target.error;
      if (target.problem) return { match: false, detail: `the target ${target.problem}, so it matches nothing` };
      // always an A query, whatever the client's address family (§5.7)
      const ans = await query(run, target.name, 'A');
      if (isVoid(ans)) {
        const v = countVoid(run, `the A lookup of ${target.name}`);
        return v ?? { match: false, detail: `${target.name} has no A record; a void lookup` };
      }
      if (ans.rcode !== 'NOERROR') return { error: 'temperror', detail: dnsFailure(ans, target.name, 'A') };
      return { match: true, detail: `${target.name} exists (A ${listAddrs(ans.records)})` };
    }
    default:
      return { error: 'permerror', detail: `unknown mechanism ${p.text}` };
  }
}

function toTerm(p: ParsedTerm): SpfTerm {
  const t: SpfTerm = { text: p.text, kind: p.kind, name: p.name, status: 'not-reached', lookups: 0 };
  if (p.qualifier) t.qualifier = p.qualifier;
  return t;
}

async function checkHost(run: Run, domainIn: string, via: Via): Promise<Outcome> {
  const domain = stripDot(domainIn);
  const node: SpfNode = { domain, terms: [] };
  const where = via.kind === 'top' ? '' : ` (for ${via.term})`;
  // steps of a nested record name it; inside an include a match there is not yet the verdict
  const label = via.kind === 'top' ? '' : `${domain}: `;
  const inInclude = via.inInclude === true;
  const end = (result: AuthResult, reason: string, extra: Partial<Outcome> = {}): Outcome => {
    node.result = result;
    if (result === 'permerror' || result === 'temperror' || result === 'none') node.error ??= reason;
    return { result, reason, node, ...extra };
  };

  // Record lookup and selection (§4.4, §4.5)
  const ans = await query(run, domain, 'TXT');
  if (isVoid(ans)) {
    const why = ans.rcode === 'NXDOMAIN' ? `${domain} does not exist (NXDOMAIN)` : `${domain} has no TXT records`;
    step(run, 'info', `Looked up the SPF record of ${domain}${where}`, `${why}, so there is no SPF record.`);
    if (via.kind !== 'top') {
      const v = countVoid(run, `the TXT lookup of ${domain}`);
      if (v && 'error' in v) return end('permerror', v.detail);
    }
    return end('none', `${why}: no SPF record`);
  }
  if (ans.rcode !== 'NOERROR') {
    const why = dnsFailure(ans, domain, 'TXT');
    step(run, 'fail', `Looked up the SPF record of ${domain}${where}`, `${why}; a DNS error is a temporary error (RFC 7208 §4.4).`);
    return end('temperror', why);
  }
  const records = ans.records.map((r) => txtValue(r) ?? '').filter(isSpfRecord);
  if (records.length === 0) {
    step(run, 'info', `Looked up the SPF record of ${domain}${where}`, `${ans.records.length} TXT record(s), none starting with "v=spf1".`);
    return end('none', `${domain} has no SPF record`);
  }
  if (records.length > 1) {
    step(run, 'fail', `Looked up the SPF record of ${domain}${where}`, `${records.length} records start with "v=spf1"; a domain must publish exactly one (RFC 7208 §4.5): ${records.map((r) => JSON.stringify(r)).join(', ')}.`);
    return end('permerror', `${domain} publishes ${records.length} SPF records; exactly one is allowed`);
  }
  const record = records[0]!;
  node.record = record;
  step(run, 'info', `Looked up the SPF record of ${domain}${where}`, `Found "${record}".`);

  // The whole record is checked before anything is evaluated (§4.6)
  const parsed = parseSpfRecord(record);
  node.terms = parsed.terms.map(toTerm);
  if (parsed.error !== undefined) {
    parsed.terms.forEach((p, i) => {
      if (p.error) {
        node.terms[i]!.status = 'error';
        node.terms[i]!.detail = p.error;
      }
    });
    const bad = parsed.errorTerm !== undefined ? parsed.terms[parsed.errorTerm] : undefined;
    step(run, 'fail', `Syntax error in the SPF record of ${domain}`, `${parsed.error}. Any syntax error makes the record a permerror (RFC 7208 §4.6).`);
    return end('permerror', `syntax error in the SPF record of ${domain}: ${parsed.error}`, bad ? { decidingTerm: bad.text } : {});
  }

  for (const [i, p] of parsed.terms.entries()) {
    if (p.kind === 'modifier' && p.name === 'unknown') {
      node.terms[i]!.status = 'not-matched';
      node.terms[i]!.detail = 'unknown modifier: ignored (RFC 7208 §6)';
    }
  }
  const expIdx = parsed.terms.findIndex((p) => p.name === 'exp');
  const exp = expIdx >= 0 ? { term: node.terms[expIdx]!, spec: parsed.terms[expIdx]!.domainSpec!, domain } : undefined;

  // Mechanisms, left to right (§4.6.2)
  for (const [i, p] of parsed.terms.entries()) {
    if (p.kind !== 'mechanism') continue;
    const t = node.terms[i]!;
    let r: TermResult;
    let child: Outcome | undefined;
    if (p.name === 'include') {
      const before = run.lookups;
      const refused = charge(run, t);
      if (refused) r = refused;
      else {
        const target = await expandTarget(run, p.domainSpec!, domain, t);
        if (target.error) r = target.error;
        else if (target.problem) {
          r = { error: 'permerror', detail: `the include target ${target.problem} (RFC 7208 §4.3 gives none, which include turns into permerror)` };
        } else {
          child = await checkHost(run, target.name, { kind: 'include', term: p.text, inInclude: true });
          t.child = child.node;
          t.lookups = run.lookups - before;
          // §5.2: pass matches; fail/softfail/neutral do not; temperror stays; permerror and none are permerror
          switch (child.result) {
            case 'pass':
              r = { match: true, detail: `the SPF record of ${target.name} gives pass${child.decidingTerm ? ` (through ${child.decidingTerm})` : ''}` };
              break;
            case 'fail':
            case 'softfail':
            case 'neutral':
              r = { match: false, detail: `the SPF record of ${target.name} gives ${child.result}, which is no match for include` };
              break;
            case 'temperror':
              r = { error: 'temperror', detail: `the included record of ${target.name} gave temperror: ${child.reason}` };
              break;
            case 'none':
              r = { error: 'permerror', detail: `${target.name} has no SPF record; include of a domain without one is a permerror (RFC 7208 §5.2)` };
              break;
            default:
              r = { error: 'permerror', detail: `the included record of ${target.name} gave permerror: ${child.reason}` };
          }
        }
      }
    } else {
      r = await evalMechanism(run, p, t, domain);
    }

    t.detail = r.detail;
    if ('error' in r) {
      t.status = 'error';
      step(run, 'fail', `${label}${p.text} → ${r.error}`, `${r.detail}.`);
      const deciding = child && (r.error === child.result) && child.decidingTerm ? child.decidingTerm : p.text;
      return end(r.error, `${p.text} in the SPF record of ${domain}: ${r.detail}`, { decidingTerm: deciding });
    }
    if (r.match) {
      t.status = 'matched';
      const result = qualifierResult(p.qualifier!);
      step(run, inInclude ? 'info' : resultStatus(result), `${label}${p.text} matched ${run.ipText} → ${result}`, `${r.detail}.`);
      const through = child?.decidingTerm ? `, through ${child.decidingTerm} in ${child.node.domain}` : '';
      return end(result, `${run.ipText} matched ${p.text} in the SPF record of ${domain}${through}${p.qualifier === '+' ? '' : ` (qualifier "${p.qualifier}" gives ${result})`}`, { decidingTerm: p.text, exp });
    }
    t.status = 'not-matched';
    step(run, 'info', `${label}${p.text} did not match ${run.ipText}`, `${r.detail}.`);
  }

  // No mechanism matched: redirect= if any, ignored when the record has "all" (§6.1)
  const rIdx = parsed.terms.findIndex((p) => p.name === 'redirect');
  if (rIdx >= 0) {
    const p = parsed.terms[rIdx]!;
    const t = node.terms[rIdx]!;
    if (parsed.terms.some((q) => q.name === 'all')) {
      t.detail = 'ignored: the record has an "all" mechanism (RFC 7208 §6.1)';
    } else {
      const before = run.lookups;
      const refused = charge(run, t);
      if (refused) {
        t.status = 'error';
        t.detail = refused.detail;
        step(run, 'fail', `${label}${p.text} → permerror`, `${refused.detail}.`);
        return end('permerror', `${p.text} in the SPF record of ${domain}: ${refused.detail}`, { decidingTerm: p.text });
      }
      const target = await expandTarget(run, p.domainSpec!, domain, t);
      if (target.error && 'error' in target.error) {
        t.status = 'error';
        t.detail = target.error.detail;
        step(run, 'fail', `${label}${p.text} → ${target.error.error}`, `${t.detail}.`);
        return end(target.error.error, `${p.text} in the SPF record of ${domain}: ${t.detail}`, { decidingTerm: p.text });
      }
      if (target.problem) {
        t.status = 'error';
        t.detail = `the redirect target ${target.problem}`;
        step(run, 'fail', `${label}${p.text} → permerror`, `${t.detail}; RFC 7208 §6.1 makes that a permerror.`);
        return end('permerror', `${p.text}: ${t.detail}`, { decidingTerm: p.text });
      }
      step(run, 'info', `${label ? `${label}no` : 'No'} mechanism matched: following ${p.text}`, `The result is that of the SPF record of ${target.name}; the exp= of this record no longer applies.`);
      const child = await checkHost(run, target.name, { kind: 'redirect', term: p.text, inInclude });
      t.child = child.node;
      t.lookups = run.lookups - before;
      if (child.result === 'none') {
        t.status = 'error';
        t.detail = `${target.name} has no SPF record; a redirect to a domain without one is a permerror (RFC 7208 §6.1)`;
        step(run, 'fail', `${label}${p.text} → permerror`, `${t.detail}.`);
        return end('permerror', t.detail, { decidingTerm: p.text });
      }
      t.status = child.result === 'permerror' || child.result === 'temperror' ? 'error' : 'matched';
      t.detail = `the SPF record of ${target.name} gives ${child.result}`;
      return end(child.result, child.reason, { decidingTerm: child.decidingTerm ?? p.text, exp: child.exp });
    }
  }
  step(run, 'info', `${label ? `${label}no` : 'No'} term matched ${run.ipText}`, `Without a match the result is neutral (RFC 7208 §4.7).`);
  return end('neutral', `no term of the SPF record of ${domain} matched ${run.ipText}, and the default is neutral`);
}

/** §6.2: the explanation; any problem (DNS, not exactly one TXT, syntax, non-ASCII) means none. */
async function explanation(run: Run, exp: { spec: string; domain: string }): Promise<{ text?: string; why: string }> {
  try {
    const target = await expandTarget(run, exp.spec, exp.domain);
    if (target.problem) return { why: `the exp= target ${target.problem}` };
    const ans = await query(run, target.name, 'TXT');
    if (ans.rcode !== 'NOERROR') return { why: dnsFailure(ans, target.name, 'TXT') };
    if (ans.records.length !== 1) return { why: `${target.name} has ${ans.records.length} TXT records; exactly one is needed` };
    const raw = txtValue(ans.records[0]!) ?? '';
    if (/[^\x20-\x7e]/.test(raw)) return { why: `the TXT record of ${target.name} is not plain ASCII text` };
    const tokens = parseMacroString(raw, { explain: true });
    const ctx = macroContext(run, exp.domain);
    if (usesLetter(tokens, 'p')) ctx.p = (await pMacro(run, exp.domain)).value;
    return { text: expandTokens(tokens, ctx), why: `from the TXT record of ${target.name}` };
  } catch (e) {
    return { why: `the explanation text has a syntax error: ${(e as Error).message}` };
  }
}

export async function evaluateSpf(opts: SpfEvaluateOptions): Promise<SpfCheck> {
  let domain = stripDot(opts.domain.trim());
  // RFC 8616 §4: an internationalized domain is checked in its A-label form
  if (/[^\x00-\x7f]/.test(domain)) domain = domainToASCII(domain) || domain;
  let sender = opts.sender;
  const at = sender.lastIndexOf('@');
  // §4.3: no local-part means "postmaster"
  if (at < 0) sender = `postmaster@${domain}`;
  else if (at === 0) sender = `postmaster${sender}`;

  const steps: Step[] = [];
  const check: SpfCheck = {
    identity: opts.identity,
    domain,
    sender,
    result: 'none',
    reason: '',
    lookups: { count: 0, limit: SPF_LOOKUP_LIMIT, void: 0, voidLimit: SPF_VOID_LIMIT },
    steps,
  };

  const ip = parseIp(opts.ip ?? '');
  if (!ip) {
    check.result = 'temperror';
    check.reason = `the client address "${opts.ip}" is not an IP address`;
    steps.push({ title: 'Client address', status: 'fail', detail: `${check.reason}; SPF needs the connecting IP.` });
    return check;
  }
  const ipText = formatIp(ip);
  if (ip.family === 4 && opts.ip.includes(':')) {
    steps.push({ title: `Client ${opts.ip} is treated as ${ipText}`, status: 'info', detail: 'An IPv4-mapped IPv6 address is an IPv4 client (RFC 7208 §5).' });
  }

  const problem = spfDomainProblem(domain);
  if (problem) {
    check.result = 'none';
    check.reason = `${problem}, so there is nothing to check (RFC 7208 §4.3)`;
    steps.push({ title: `Checked the ${opts.identity === 'helo' ? 'HELO name' : 'MAIL FROM domain'}`, status: 'info', detail: `${check.reason}.` });
    return check;
  }

  const run: Run = {
    ip,
    ipText,
    sender,
    helo: opts.helo ?? 'unknown',
    strict: (opts.mode ?? 'strict') === 'strict',
    resolver: opts.resolver,
    receivingHost: opts.receivingHost ?? 'unknown',
    now: opts.now ?? new Date(),
    lookups: 0,
    voids: 0,
    voidWarned: false,
    steps,
  };
  const out = await checkHost(run, domain, { kind: 'top' });
  check.result = out.result;
  check.reason = out.reason;
  check.tree = out.node;
  if (out.node.record !== undefined) check.record = out.node.record;
  if (out.decidingTerm !== undefined) check.decidingTerm = out.decidingTerm;
  check.lookups = { count: run.lookups, limit: SPF_LOOKUP_LIMIT, void: run.voids, voidLimit: SPF_VOID_LIMIT };

  if (out.result === 'fail' && out.exp) {
    const e = await explanation(run, out.exp);
    out.exp.term.detail = e.text !== undefined ? `explanation ${e.why}: "${e.text}"` : `no explanation: ${e.why}`;
    if (e.text !== undefined) {
      out.exp.term.status = 'matched';
      check.explanation = e.text;
      steps.push({ title: `Explanation (${out.exp.term.text})`, status: 'info', detail: `"${e.text}", ${e.why}. Text published by the domain owner.` });
    } else {
      out.exp.term.status = 'not-matched';
      steps.push({ title: `Explanation (${out.exp.term.text}) not used`, status: 'info', detail: `${e.why}; RFC 7208 §6.2 says to proceed as if there were no exp=.` });
    }
  }
  steps.push({ title: `SPF ${check.result}`, status: resultStatus(check.result), detail: `${check.reason}. ${run.lookups} of ${SPF_LOOKUP_LIMIT} DNS lookups used, ${run.voids} void.` });
  return check;
}
