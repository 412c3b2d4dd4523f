// Evaluates one message as a receiving server would, in the order a receiver works:
// envelope → DKIM → SPF (MAIL FROM and HELO) → ARC → DMARC → BIMI, then compares with what
// earlier receivers stored in the message, and writes a fresh Authentication-Results.

import type { DnsSettings } from '../../shared/dns.ts';
import type { EvaluateOptions } from '../../shared/evaluate-options.ts';
import type { AuthResult, MessageReport, SpfCheck, SpfReport, VerifyMode, InputSummary } from '../../shared/report.ts';
import type { CacheResolver } from './dns/cache-resolver.ts';
import type { Resolver } from './dns/resolver.ts';
import type { HeaderBlock } from './input/headers.ts';
import { buildResolver } from './dns/stack.ts';
import type { RecordingResolver } from './dns/recorder.ts';
import { memoize } from './dns/memo-resolver.ts';
import { deriveEnvelope } from './input/envelope.ts';
import { verifyDkim } from './dkim/dkim-verify.ts';
import { evaluateSpf } from './spf/spf-evaluate.ts';
import { mailauthSpf } from './spf/spf-mailauth.ts';
import { evaluateArcReport } from './arc/arc-evaluate.ts';
import { evaluateDmarcReport } from './dmarc/dmarc-evaluate.ts';
import { evaluateBimiReport } from './bimi/bimi-evaluate.ts';
import { parseStoredResults } from './auth-results/parse.ts';
import { compareStoredResults } from './auth-results/compare.ts';
import { formatAuthenticationResults } from './report/auth-results-header.ts';
import { summarize } from './report/summary.ts';
import { linkDnsToSteps } from './report/link-dns.ts';
import { compareModes } from './report/mode-compare.ts';

export interface MessageItem {
  index: number;
  bytes: Buffer;
  headers: HeaderBlock;
  summary: InputSummary;
}

export interface MessageContext {
  options: EvaluateOptions;
  dns: DnsSettings;
  cache?: CacheResolver;
  now: Date;
  mode: VerifyMode;
}

/** The verdict-bearing part of an evaluation, computed once per mode. */
export interface Verdicts {
  spf: SpfReport;
  dkim: MessageReport['dkim'];
  dmarc: MessageReport['dmarc'];
  arc: MessageReport['arc'];
  bimi: MessageReport['bimi'];
}

export async function evaluateMessage(item: MessageItem, ctx: MessageContext): Promise<Omit<MessageReport, never>> {
  const stack = buildResolver(ctx.dns, { cache: ctx.cache });
  try {
    return await evaluateWith(item, ctx, stack.recorder, memoize(stack.resolver));
  } finally {
    stack.close?.();
  }
}

async function evaluateWith(item: MessageItem, ctx: MessageContext, recorder: RecordingResolver, resolver: Resolver): Promise<MessageReport> {
  const envelope = deriveEnvelope(item.headers, {
    ip: ctx.options.ip,
    helo: ctx.options.helo,
    mailFrom: ctx.options.mailFrom,
    hop: ctx.options.hop,
  });
  const headersOnly = item.summary.kind === 'headers-only';

  const verdicts = await computeVerdicts(item, envelope, resolver, ctx.mode, ctx.now, headersOnly);

  // Modes can only disagree where the strict verdict is not a clean pass: lenient mode accepts a
  // superset of what strict mode accepts. Re-evaluating only then keeps the common case cheap.
  let modeDifferences: MessageReport['modeDifferences'] = [];
  if (needsOtherMode(verdicts)) {
    const other: VerifyMode = ctx.mode === 'strict' ? 'lenient' : 'strict';
    const otherVerdicts = await computeVerdicts(item, envelope, resolver, other, ctx.now, headersOnly);
    modeDifferences = compareModes(ctx.mode, verdicts, otherVerdicts);
  }

  const stored = parseStoredResults(item.headers);
  const differences = compareStoredResults(stored, {
    spf: verdicts.spf.result,
    dkim: verdicts.dkim.map((d) => ({
      domain: d.domain,
      selector: d.selector,
      b: d.b,
      result: d.result,
      reason: d.reason,
      headerSignature: d.headerSignature,
      bodyMatches: d.body?.matches,
    })),
    dmarc: verdicts.dmarc.result,
    arc: verdicts.arc.result,
    ip: envelope.ip,
    mailFrom: envelope.mailFrom,
  });

  const authservId = ctx.options.authservId ?? 'authlab.local';
  const authenticationResults = formatAuthenticationResults(authservId, verdicts, envelope);
  const report: MessageReport = {
    schema: 1,
    index: item.index,
    evaluatedAt: ctx.now.toISOString(),
    mode: ctx.mode,
    input: item.summary,
    envelope,
    ...verdicts,
    stored: { headers: stored, differences },
    authenticationResults,
    summary: { verdict: 'none', headline: '', lines: [] },
    modeDifferences,
    dns: recorder.log,
  };
  linkDnsToSteps(report);
  report.summary = summarize(report);
  return report;
}

async function computeVerdicts(
  item: MessageItem,
  envelope: MessageReport['envelope'],
  resolver: Resolver,
  mode: VerifyMode,
  now: Date,
  headersOnly: boolean,
): Promise<Verdicts> {
  const dkimOut = await verifyDkim({ message: item.bytes, headers: item.headers, resolver, now, mode, headersOnly });
  const spf = await checkSpf(envelope, resolver, mode, now);
  const arcOut = await evaluateArcReport({ dkimRaw: dkimOut.raw, headers: item.headers, resolver, mode, ip: envelope.ip });
  const dmarcOut = await evaluateDmarcReport({
    dkimRaw: dkimOut.raw,
    spf: { result: spf.result, domain: spf.domain },
    dkim: dkimOut.reports.map((d) => ({ index: d.index, domain: d.domain, result: d.result, unsignedBytes: d.body?.unsignedBytes })),
    arcRaw: arcOut.raw,
    resolver,
    mode,
  });
  for (const check of dmarcOut.report.alignment.dkim) {
    const sig = dkimOut.reports.find((d) => d.index === check.signature);
    if (sig) sig.aligned = check.aligned;
  }
  const bimi = await evaluateBimiReport({ dmarcRaw: dmarcOut.raw, headers: item.headers, dkimRaw: dkimOut.raw, resolver, mode });
  return { spf, dkim: dkimOut.reports, dmarc: dmarcOut.report, arc: arcOut.report, bimi: bimi.report };
}

/** SPF for MAIL FROM and for HELO (RFC 7208 §2.3, §2.4); the null sender is checked as postmaster@HELO. */
async function checkSpf(envelope: MessageReport['envelope'], resolver: Resolver, mode: VerifyMode, now: Date): Promise<SpfReport> {
  const ip = envelope.ip;
  if (!ip) {
    return {
      result: null,
      notEvaluated:
        'no client IP: give --ip, or a Received header at the receiving boundary with the connecting address (SPF is about the sending IP; nothing is guessed)',
    };
  }
  const helo = envelope.helo && !envelope.helo.startsWith('[') && !/^[\d.:]+$/.test(envelope.helo) ? envelope.helo : undefined;
  const heloCheck = helo
    ? await evaluateSpf({ ip, domain: helo, sender: `postmaster@${helo}`, helo, identity: 'helo', resolver, mode, now })
    : undefined;

  let mailfrom: SpfCheck | undefined;
  const mf = envelope.mailFrom;
  if (mf) {
    const at = mf.lastIndexOf('@');
    const domain = at >= 0 ? mf.slice(at + 1) : mf;
    const sender = at >= 0 ? mf : `postmaster@${mf}`;
    mailfrom = await evaluateSpf({ ip, domain, sender, helo: envelope.helo, identity: 'mailfrom', resolver, mode, now });
  }

  // The identity whose result counts: MAIL FROM; for the null sender (or an unknown one) the HELO.
  const counting = mailfrom ?? heloCheck;
  const report: SpfReport = {
    result: counting ? counting.result : null,
    domain: counting?.domain,
    ip,
    lookups: counting?.lookups,
    mailfrom,
    helo: heloCheck,
  };
  if (!counting) {
    report.notEvaluated =
      mf === ''
        ? 'null sender <> and no usable HELO name: RFC 7208 checks the HELO identity for bounces, and there is none'
        : 'no MAIL FROM (no --mail-from, Return-Path or envelope-from) and no usable HELO name';
  } else {
    // mailauth's verdict beside ours where a disagreement would matter: any result but a pass.
    // A pass is an explicit mechanism match, on which both agree across the RFC 7208 suites
    // (test/spf-conformance.test.ts runs both); skipping it keeps the common case cheap.
    if (counting.result !== 'pass') {
      // mailauth checks postmaster@HELO itself when the sender is empty
      const sender = counting.identity === 'mailfrom' ? counting.sender : '';
      const cross = await mailauthSpf({ ip, sender, helo: envelope.helo }, resolver, mode === 'strict');
      report.mailauth = { result: cross.result, comment: cross.comment };
    }
    if (mf === '') report.notEvaluated = undefined;
    if (mf === undefined && counting === heloCheck) {
      counting.steps.unshift({
        title: 'MAIL FROM unknown',
        status: 'info',
        detail: 'No MAIL FROM was given or found in Return-Path/Received; the HELO identity is the only one SPF can check.',
      });
    }
  }
  return report;
}

function needsOtherMode(v: Verdicts): boolean {
  const clean = (r: AuthResult | string | null) => r === 'pass';
  if (v.spf.result !== null && !clean(v.spf.result)) return true;
  if (v.dkim.some((d) => !clean(d.result))) return true;
  if (v.arc.instances.length > 0 && !clean(v.arc.result)) return true;
  if (v.dmarc.result !== null && !clean(v.dmarc.result)) return true;
  return false;
}
