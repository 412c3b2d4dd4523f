// DMARC (RFC 9989, formerly RFC 7489) for one message, step by step. mailauth's evaluateDmarc
// decides the verdict exactly as authenticate() does; this module watches its DNS Tree Walk and
// explains the record, the alignment of every identifier, the policy and the disposition.

import type { ARCResult, DKIMVerifyResult, DMARCResult } from 'mailauth';
import type { AlignmentCheck, AuthResult, DmarcReport, Step, VerifyMode } from '../../../shared/report.ts';
import { txtValue } from '../../../shared/dns.ts';
import { toMailauthResolver } from '../dns/mailauth-adapter.ts';
import type { Resolver } from '../dns/resolver.ts';
import { WatchingResolver, logSeqFinder } from './dns-watch.ts';
import { explainDmarcTags } from './dmarc-tags.ts';
import {
  DMARC_VERSION_RE,
  createRecordLookup,
  evaluateDmarc,
  formatDomain,
  getAuthorDomain,
  getOrgDomain,
  getPolicyTags,
  parseDmarcRecord,
  type AuthorDomainReason,
} from './mailauth-dmarc.ts';

export interface DmarcDkimInput {
  /** 1-based signature number. */
  index: number;
  domain?: string;
  result: AuthResult;
  /** Body bytes an l= tag leaves unsigned. */
  unsignedBytes?: number;
}

export interface DmarcEvaluateOptions {
  /** mailauth's dkimVerify result: headerFrom and fromFields are read. */
  dkimRaw: DKIMVerifyResult;
  /** The SPF identity that counts: MAIL FROM's domain, or the HELO name for the null sender. */
  spf: { result: AuthResult | null; domain?: string };
  dkim: DmarcDkimInput[];
  arcRaw?: ARCResult | false;
  resolver: Resolver;
  mode: VerifyMode;
}

type Policy = 'none' | 'quarantine' | 'reject';
const POLICIES = new Set(['none', 'quarantine', 'reject']);
const ONE_LEVEL_LESS: Record<Policy, Policy> = { reject: 'quarantine', quarantine: 'none', none: 'none' };
const asPolicy = (v: unknown): Policy | undefined => (typeof v === 'string' && POLICIES.has(v) ? (v as Policy) : undefined);

function notEvaluatedReason(reason: AuthorDomainReason | undefined, domains: string[], fromFields: number): string {
  switch (reason) {
    case 'multiple-from-fields':
      return `RFC 9989 §5.3.1: the message has ${fromFields} From header fields. RFC 5322 allows exactly one, and a verifier cannot know which one the reader is shown, so DMARC cannot be evaluated. That is an error in the message; RFC 9989 §11.5 suggests treating such mail as suspicious.`;
    case 'multiple-author-domains':
      return `RFC 9989 §5.3.1: the From field lists mailboxes in different domains (${domains.join(', ')}). DMARC needs exactly one Author Domain, so it cannot be evaluated. That is an error in the message; RFC 9989 §11.5 suggests treating such mail as suspicious.`;
    case 'invalid-author-domain':
      return `RFC 9989 §5.3.1: a From mailbox has no usable domain${domains.length ? ` (besides ${domains.join(', ')})` : ''}, so the Author Domain is unknown and DMARC cannot be evaluated. That is an error in the message.`;
    default:
      return 'RFC 9989 §5.3.1: no From address with a domain was found, so there is no Author Domain to look up and DMARC cannot be evaluated. That is an error in the message (RFC 5322 requires a From field with an address).';
  }
}

function describeAnswer(q: { answer?: { rcode: string; records: { type: string }[]; error?: string } }): string {
  const a = q.answer;
  if (!a) return 'no answer';
  if (a.rcode === 'NXDOMAIN') return 'no such name (NXDOMAIN)';
  if (a.rcode !== 'NOERROR') return `DNS error ${a.rcode}${a.error ? `: ${a.error}` : ''}`;
  if (!a.records.length) return 'no TXT records';
  return '';
}

export async function evaluateDmarcReport(opts: DmarcEvaluateOptions): Promise<{ report: DmarcReport; raw: DMARCResult | false }> {
  const { dkimRaw, mode } = opts;
  const strict = mode === 'strict';
  const watch = new WatchingResolver(opts.resolver);
  const resolver = toMailauthResolver(watch);
  const steps: Step[] = [];
  const seqOf = logSeqFinder(opts.resolver);

  const author = getAuthorDomain(dkimRaw.headerFrom, dkimRaw.fromFields);
  const spfDomains = opts.spf.result === 'pass' && opts.spf.domain ? [opts.spf.domain] : [];
  const dkimDomains = opts.dkim
    .filter((d) => d.result === 'pass' && d.domain)
    .map((d) => ({ id: String(d.index), domain: d.domain as string, underSized: d.unsignedBytes || undefined }));

  const outcome = await evaluateDmarc({
    headerFrom: dkimRaw.headerFrom,
    fromFields: dkimRaw.fromFields,
    spfDomains,
    dkimDomains,
    arcResult: opts.arcRaw || undefined,
    resolver,
    strict,
  });
  const raw = outcome.response;

  const base: DmarcReport = {
    result: null,
    fromDomains: author.authorDomain ? [author.authorDomain] : (outcome.authorDomains ?? author.domains ?? []),
    discovery: [],
    tags: [],
    alignment: { spfMode: 'relaxed', dkimMode: 'relaxed', dkim: [] },
    reason: '',
    steps,
  };

  if (!raw) {
    const why = notEvaluatedReason(outcome.reason ?? author.reason, base.fromDomains, dkimRaw.fromFields);
    steps.push({ title: 'Author Domain (From)', status: 'fail', detail: why });
    return { report: { ...base, notEvaluated: why, reason: why }, raw };
  }

  const fromDomain = raw.status?.header?.from ?? author.domain;
  const authorDomain = formatDomain(author.authorDomain ?? fromDomain ?? '');
  base.fromDomain = fromDomain;
  steps.push({
    title: 'Author Domain (From)',
    status: 'pass',
    detail: `The From domain is ${fromDomain}${author.mailboxes > 1 ? ` (${author.mailboxes} mailboxes, all in this domain)` : ''}; DMARC protects this domain.`,
  });

  // ---------------------------------------------------------------- discovery: the author's Tree Walk
  const isSuffix = (name: string) => authorDomain === name || authorDomain.endsWith(`.${name}`);
  const dmarcQueries = watch.queries.filter((q) => q.type === 'TXT' && q.name.startsWith('_dmarc.'));
  for (const q of dmarcQueries) {
    const owner = q.name.slice('_dmarc.'.length);
    if (!isSuffix(owner)) continue;
    const texts = (q.answer?.records ?? []).map(txtValue).filter((t): t is string => t !== undefined).map((t) => t.trim());
    const dmarcTexts = texts.filter((t) => DMARC_VERSION_RE.test(t));
    const found = dmarcTexts.length === 1;
    const seq = seqOf(q.name, 'TXT');
    base.discovery.push({ name: q.name, found, ...(dmarcTexts.length ? { record: dmarcTexts.join(' | ') } : {}), ...(seq !== undefined ? { dns: seq } : {}) });
    const noRecord = describeAnswer(q);
    steps.push({
      title: `Look up ${q.name}`,
      status: q.answer && q.answer.rcode !== 'NOERROR' && q.answer.rcode !== 'NXDOMAIN' ? 'fail' : found ? 'pass' : 'info',
      detail: found
        ? `DMARC record found: ${dmarcTexts[0]}`
        : dmarcTexts.length > 1
          ? `${dmarcTexts.length} DMARC records: a set of several counts as none (RFC 9989 §4.10)`
          : noRecord || `no DMARC record (${texts.length} other TXT record${texts.length === 1 ? '' : 's'})`,
      ...(seq !== undefined ? { dns: [seq] } : {}),
    });
  }

  const record = raw.rr;
  const recordDomain = raw.policyDomain ?? undefined;
  base.orgDomain = raw.domain;
  if (record) {
    base.record = record;
    base.recordDomain = recordDomain;
    base.tags = explainDmarcTags(record, mode);
  }
  const tagProblems = base.tags.filter((t) => t.problem);
  if (raw.warnings?.length) {
    steps.push({ title: 'Lenient parsing', status: 'warn', detail: `mailauth accepted what RFC 9989 would not: ${raw.warnings.join(', ')}` });
  }

  const result = raw.status.result as AuthResult;
  base.result = result;

  if (result === 'temperror' && !record) {
    const detail = `The DNS Tree Walk for ${authorDomain} failed (${raw.error ?? 'DNS error'}), so the policy is unknown (RFC 9989 §4.10).`;
    steps.push({ title: 'Policy discovery', status: 'fail', detail });
    return { report: { ...base, reason: detail }, raw };
  }
  if (!record) {
    const detail = `Neither ${authorDomain} nor its organisational domain publishes a DMARC record, so DMARC does not apply (result none).`;
    steps.push({ title: 'Policy discovery', status: 'info', detail });
    return { report: { ...base, disposition: 'none', reason: detail }, raw };
  }

  const parsed = parseDmarcRecord(record, { strict });
  const policyTags = parsed ? getPolicyTags(parsed) : null;
  steps.push({
    title: 'DMARC record',
    status: tagProblems.length ? 'warn' : 'pass',
    detail:
      `Using the record at _dmarc.${recordDomain}` +
      (recordDomain !== authorDomain ? ` (inherited: ${authorDomain} has none of its own)` : '') +
      `: ${record}` +
      (tagProblems.length ? `. Problems: ${tagProblems.map((t) => `${t.name || t.value}: ${t.problem}`).join('; ')}` : ''),
  });
  base.steps.push({
    title: 'Organisational domain',
    status: 'info',
    detail: `The Tree Walk (RFC 9989 §4.10.2) gives ${raw.domain} as the organisational domain of ${authorDomain}.`,
  });

  if (!policyTags) {
    const detail = `The record has no valid p= (and no valid rua= to fall back to p=none), so it gets no DMARC processing (RFC 9989 §4.10.1): result none.`;
    steps.push({ title: 'Policy', status: 'warn', detail });
    return { report: { ...base, disposition: 'none', reason: detail }, raw };
  }
  if (!asPolicy(parsed?.p)) {
    steps.push({
      title: 'Policy',
      status: 'warn',
      detail: 'p= is missing or invalid, but the record asks for aggregate reports (rua=), so it is applied as p=none (RFC 9989 §4.10.1).',
    });
  }

  // ---------------------------------------------------------------- which of p / sp / np applies
  let policy: Policy = asPolicy(policyTags.p) ?? 'none';
  let policyWhy = `p=${policy}: the record is the From domain's own`;
  if (recordDomain !== authorDomain) {
    policy = asPolicy(policyTags.sp) ?? policy;
    policyWhy = policyTags.sp ? `sp=${policy}: ${authorDomain} is a subdomain that inherits the record of ${recordDomain}` : `p=${policy}: inherited from ${recordDomain}, which has no sp=`;
    if (policyTags.np) {
      const exists = existence(watch, authorDomain);
      if (exists === false) {
        policy = asPolicy(policyTags.np) ?? policy;
        policyWhy = `np=${policy}: ${authorDomain} does not exist in the DNS (NXDOMAIN), so the policy for non-existent subdomains applies (RFC 9989 §4.10.1)`;
      } else if (exists === true) {
        policyWhy += ` (np= does not apply: ${authorDomain} exists)`;
      } else {
        policyWhy += ` (whether ${authorDomain} exists could not be determined, so np= may apply instead)`;
      }
    }
  }
  base.policy = policy;
  const testing = parsed?.t === 'y';
  base.testing = testing;

  // ---------------------------------------------------------------- alignment
  const aspfStrict = raw.alignment.spf.strict;
  const adkimStrict = raw.alignment.dkim.strict;
  base.alignment.spfMode = aspfStrict ? 'strict' : 'relaxed';
  base.alignment.dkimMode = adkimStrict ? 'strict' : 'relaxed';
  const orgOf = orgDomainExplainer(watch, strict);
  const alignedDkim = outcome.dkimAligned ?? new Set<string>();

  if (opts.spf.domain) {
    const spfDomain = formatDomain(opts.spf.domain);
    const aligned = !!raw.alignment.spf.result && formatDomain(raw.alignment.spf.result) === spfDomain;
    const check: AlignmentCheck = {
      domain: spfDomain,
      authResult: opts.spf.result,
      mode: base.alignment.spfMode,
      aligned,
      reason: aligned
        ? alignedReason(spfDomain, authorDomain, raw.domain, aspfStrict, 'aspf')
        : opts.spf.result !== 'pass'
          ? `SPF did not pass (${opts.spf.result ?? 'not evaluated'}), so it cannot align`
          : await unalignedReason(spfDomain, authorDomain, raw.domain, aspfStrict, 'aspf', 'SPF domain', orgOf),
    };
    base.alignment.spf = check;
    steps.push({ title: `SPF alignment (${spfDomain})`, status: aligned ? 'pass' : 'fail', detail: check.reason });
  } else {
    steps.push({ title: 'SPF alignment', status: 'skip', detail: 'No SPF identity was evaluated (no client IP or no MAIL FROM/HELO domain).' });
  }

  for (const sig of opts.dkim) {
    if (!sig.domain) continue;
    const d = formatDomain(sig.domain);
    const aligned = sig.result === 'pass' && alignedDkim.has(d);
    const check: AlignmentCheck = {
      domain: d,
      authResult: sig.result,
      mode: base.alignment.dkimMode,
      aligned,
      signature: sig.index,
      reason: aligned
        ? alignedReason(d, authorDomain, raw.domain, adkimStrict, 'adkim') +
          (sig.unsignedBytes ? `; note: its l= tag leaves ${sig.unsignedBytes} body bytes unsigned` : '')
        : sig.result !== 'pass'
          ? `signature did not pass (${sig.result}), so it cannot align`
          : await unalignedReason(d, authorDomain, raw.domain, adkimStrict, 'adkim', 'd=', orgOf),
    };
    base.alignment.dkim.push(check);
    steps.push({ title: `DKIM alignment, signature ${sig.index} (d=${d})`, status: aligned ? 'pass' : 'fail', detail: check.reason });
  }
  if (!opts.dkim.some((s) => s.domain)) {
    steps.push({ title: 'DKIM alignment', status: 'skip', detail: 'The message has no DKIM signature with a d= domain.' });
  }

  // ---------------------------------------------------------------- policy, disposition, verdict
  const pct = typeof parsed?.pct === 'number' ? parsed.pct : undefined;
  let disposition: Policy | undefined;
  let dispositionWhy = '';
  if (result === 'pass') {
    disposition = 'none';
  } else if (result === 'fail') {
    disposition = policy;
    if (testing) {
      disposition = ONE_LEVEL_LESS[policy];
      dispositionWhy = ` t=y (testing) lowers it one level to ${disposition}.`;
    } else if (pct !== undefined && pct < 100) {
      if (strict) {
        dispositionWhy = ` pct=${pct} is ignored: RFC 9989 removed pct.`;
      } else if (pct === 0) {
        disposition = ONE_LEVEL_LESS[policy];
        dispositionWhy = ` pct=0 (RFC 7489): no message gets the policy, all get the next lower one, ${disposition}.`;
      } else {
        dispositionWhy = ` pct=${pct} (RFC 7489): only ${pct}% of failing messages get ${policy}, the rest get ${ONE_LEVEL_LESS[policy]}.`;
      }
    }
  }
  base.disposition = disposition;

  steps.push({
    title: 'Policy that applies',
    status: 'info',
    detail: `${policyWhy}.${testing ? ' The record has t=y: the domain is testing its policy.' : ''}`,
  });

  const passedBy = [
    ...(base.alignment.spf?.aligned ? [`SPF (${base.alignment.spf.domain})`] : []),
    ...base.alignment.dkim.filter((c) => c.aligned).map((c) => `DKIM signature ${c.signature} (d=${c.domain})`),
  ];
  let reason: string;
  if (result === 'pass') {
    reason = `DMARC passes: ${passedBy.join(' and ')} passed and aligned with ${authorDomain}.`;
  } else if (result === 'fail') {
    reason = `DMARC fails: no SPF or DKIM identifier both passed and aligned with ${authorDomain}. The policy is ${policy}; a receiver following it would ${
      disposition === 'reject' ? 'reject the message' : disposition === 'quarantine' ? 'quarantine the message' : 'take no action'
    }.${dispositionWhy}`;
  } else if (result === 'temperror') {
    reason = `DMARC could not be decided: ${raw.error ?? 'a DNS lookup failed'}; an identifier might have aligned (RFC 9989 §4.10). Try again later.`;
  } else {
    reason = `DMARC result ${result}.`;
  }
  steps.push({ title: 'Result', status: result === 'pass' ? 'pass' : result === 'fail' || result === 'temperror' ? 'fail' : 'info', detail: reason });
  return { report: { ...base, reason }, raw };
}

/** RFC 9989 A.4 domain existence, from the A/CNAME answers mailauth's check received. */
function existence(watch: WatchingResolver, domain: string): boolean | undefined {
  const a = watch.answerFor(domain, 'A');
  if (!a) return undefined;
  if (a.rcode === 'NOERROR') return true;
  if (a.rcode !== 'NXDOMAIN') return undefined;
  const cname = watch.answerFor(domain, 'CNAME');
  if (!cname) return undefined;
  if (cname.rcode === 'NOERROR') return cname.records.length > 0;
  return cname.rcode === 'NXDOMAIN' ? false : undefined;
}

type OrgOf = (domain: string) => Promise<{ org?: string; error?: string }>;

/** Finds an identifier's organisational domain by the same Tree Walk, from the answers already seen. */
function orgDomainExplainer(watch: WatchingResolver, strict: boolean): OrgOf {
  const lookup = createRecordLookup(toMailauthResolver(watch), { strict });
  return async (domain) => {
    try {
      return { org: await getOrgDomain(domain, lookup) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
}

function alignedReason(id: string, author: string, org: string, strictMode: boolean, tag: string): string {
  if (id === author) return `${id} is the From domain itself`;
  return `${id} and ${author} share the organisational domain ${org} (${tag}=r, relaxed)`;
}

async function unalignedReason(id: string, author: string, org: string | undefined, strictMode: boolean, tag: string, label: string, orgOf: OrgOf): Promise<string> {
  if (strictMode) {
    const relaxedWouldAlign = !!org && (id === org || id.endsWith(`.${org}`)) && (await orgOf(id)).org === org;
    return `strict mode (${tag}=s) requires ${label === 'd=' ? 'd=' : 'the SPF domain'} to equal the From domain exactly: ${id} is not ${author}${
      relaxedWouldAlign ? ` (it would align in relaxed mode: same organisational domain ${org})` : ''
    }`;
  }
  const shown = label === 'd=' ? `d=${id}` : id;
  if (!org) return `${shown} could not be compared: the Tree Walk for ${author} failed`;
  if (id !== org && !id.endsWith(`.${org}`)) {
    return `${shown} is not ${author} or a subdomain of its organisational domain ${org} (relaxed)`;
  }
  const own = await orgOf(id);
  if (own.error) return `${shown}: its own Tree Walk failed (${own.error}), so alignment is unknown`;
  if (own.org !== org) return `${shown} is below ${org}, but its own Tree Walk gives the organisational domain ${own.org}, not ${org} (relaxed)`;
  return `${shown} was not checked: mailauth stops after 10 Tree Walks per message`;
}
