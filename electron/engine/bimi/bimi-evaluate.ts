// BIMI (draft-brand-indicators-for-message-identification) for one message. mailauth's bimi()
// checks the DMARC prerequisites and looks up the Assertion Record: DNS only. It never downloads
// the logo (l=) or the mark certificate (a=); that is validateBimiVmc(), which is not called here
// because AuthLab works offline.

import { createRequire } from 'node:module';
import type { BIMIResult, DKIMVerifyResult, DMARCResult } from 'mailauth';
import type { BimiReport, Step, VerifyMode } from '../../../shared/report.ts';
import type { HeaderBlock } from '../input/headers.ts';
import { headerValues } from '../input/headers.ts';
import { toMailauthResolver, type MailauthResolver } from '../dns/mailauth-adapter.ts';
import type { Resolver } from '../dns/resolver.ts';

const require = createRequire(import.meta.url);
const bimiLib = require('mailauth/lib/bimi/index.js') as {
  bimi(opts: { dmarc?: DMARCResult; headers?: unknown; resolver: MailauthResolver; strict: boolean }): Promise<(BIMIResult & { preference?: string }) | false>;
};

export interface BimiEvaluateOptions {
  dmarcRaw: DMARCResult | false;
  headers: HeaderBlock;
  dkimRaw: DKIMVerifyResult;
  resolver: Resolver;
  mode: VerifyMode;
}

const PREREQUISITE = 'BIMI needs a DMARC pass for a domain whose policy is enforced: p=quarantine or p=reject applied to 100% of mail (no t=y, no sp=none, no pct below 100)';

/** Plain words for mailauth's BIMI comments. */
function explain(comment: string | undefined): string {
  switch (comment) {
    case 'multiple From addresses':
      return 'BIMI needs exactly one From address; this message has several, so no logo can be chosen.';
    case 'message failed DMARC':
      return `${PREREQUISITE}; this message did not pass DMARC.`;
    case 'DMARC not enabled':
      return `${PREREQUISITE}; the From domain publishes no DMARC policy.`;
    case 'too lax DMARC policy':
      return `${PREREQUISITE}; the policy that applies is not enforcing (p=none or testing with t=y).`;
    case 'too lax DMARC subdomain policy':
      return `${PREREQUISITE}; the record has sp=none.`;
    case 'DMARC policy applied to a percentage of messages':
      return `${PREREQUISITE}; the record applies quarantine to a percentage only (pct below 100).`;
    case 'Aligned DKIM signature required':
      return 'BIMI was asked to require an aligned DKIM signature, and none aligned.';
    case 'undersized DKIM signature':
      return 'The aligned DKIM signature covers only part of the body (l= tag): the unsigned rest could be anything, so BIMI is skipped.';
    case 'failed to resolve the DMARC policy of the organizational domain':
      return 'The DMARC policy of the organisational domain could not be looked up (DNS error), so the BIMI prerequisites are unknown.';
    case 'multiple BIMI-Selector headers':
      return 'The message has more than one BIMI-Selector header field; BIMI fails.';
    case 'missing bimi version in selector header':
      return 'The BIMI-Selector header field does not start with v=BIMI1; BIMI fails.';
    case 'missing bimi version in dns record':
      return 'The BIMI record does not have v=BIMI1; BIMI fails.';
    case 'missing location value in dns record':
      return 'The BIMI record has no l= (logo location); BIMI fails.';
    case 'invalid location value in dns record':
      return 'The BIMI record\'s l= is not an https: URL; BIMI fails.';
    case 'invalid authority value in dns record':
      return 'The BIMI record\'s a= (mark certificate) is not an https: URL; BIMI fails.';
    default:
      return comment ?? '';
  }
}

export async function evaluateBimiReport(opts: BimiEvaluateOptions): Promise<{ report: BimiReport; raw: BIMIResult | false }> {
  const steps: Step[] = [];
  const selectorFields = headerValues(opts.headers, 'bimi-selector');
  const selectorSource = selectorFields.map((f) => ({ start: f.start, end: f.end }));
  const dmarc = opts.dmarcRaw;

  if (!dmarc) {
    const reason = `${PREREQUISITE}; DMARC was not evaluated for this message.`;
    steps.push({ title: 'DMARC prerequisite', status: 'skip', detail: reason });
    return { report: { result: 'skipped', reason, steps }, raw: false };
  }

  const raw = await bimiLib.bimi({
    dmarc,
    headers: opts.dkimRaw.headers,
    resolver: toMailauthResolver(opts.resolver),
    strict: opts.mode === 'strict',
  });
  if (!raw) {
    const reason = `${PREREQUISITE}; DMARC was not evaluated for this message.`;
    steps.push({ title: 'DMARC prerequisite', status: 'skip', detail: reason });
    return { report: { result: 'skipped', reason, steps }, raw: false };
  }

  const status = raw.status;
  const result = (status.result === 'temperr' ? 'temperror' : status.result) as BimiReport['result'];
  const comment = typeof status.comment === 'string' ? status.comment : undefined;
  const header = (status.header ?? {}) as { selector?: string; d?: string };
  const selector = header.selector ?? (/(?:^|;)\s*s\s*=\s*([^;\s]+)/i.exec(selectorFields[0]?.value ?? '')?.[1] || 'default');

  const report: BimiReport = { result, reason: '', selector, steps };
  if (raw.rr) report.record = raw.rr;
  if (raw.location) report.location = raw.location;
  if (raw.authority) report.authority = raw.authority;

  if (result === 'skipped') {
    report.reason = explain(comment);
    steps.push({ title: 'DMARC prerequisite', status: 'skip', detail: report.reason });
    return { report, raw };
  }
  steps.push({
    title: 'DMARC prerequisite',
    status: 'pass',
    detail: `DMARC passed for ${dmarc.status?.header?.from} with an enforcing policy (${dmarc.policy}).`,
  });
  steps.push({
    title: 'Selector',
    status: selectorFields.length > 1 ? 'fail' : 'info',
    detail: selectorFields.length ? `BIMI-Selector: ${selectorFields.map((f) => f.value).join(' | ')}` : 'No BIMI-Selector header field: the selector is "default".',
    ...(selectorSource.length ? { source: selectorSource } : {}),
  });

  switch (result) {
    case 'pass':
      report.reason =
        `BIMI record found at ${selector}._bimi.${header.d}: logo at ${raw.location}` +
        (raw.authority ? `, mark certificate at ${raw.authority}` : ', no mark certificate (a=)') +
        '. The logo and certificate are not downloaded here (offline); a receiver fetches and validates them before showing the logo.';
      steps.push({ title: `Look up ${selector}._bimi.${header.d}`, status: 'pass', detail: raw.rr ?? '' });
      break;
    case 'none':
      report.reason = `No BIMI record for the selector "${selector}" at the From domain or its organisational domain.`;
      steps.push({ title: 'BIMI record', status: 'info', detail: report.reason });
      break;
    case 'declined':
      report.reason = `The domain publishes a declination to publish (empty l= and a=): it asks that no logo be shown.`;
      steps.push({ title: `Look up ${selector}._bimi.${header.d}`, status: 'info', detail: `${raw.rr ?? ''}: ${report.reason}` });
      break;
    case 'temperror':
      report.reason = `The BIMI lookup failed with a DNS error (${comment ?? 'temporary'}); try again later.`;
      steps.push({ title: 'BIMI record', status: 'fail', detail: report.reason });
      break;
    default:
      report.reason = explain(comment) || `BIMI ${result}.`;
      steps.push({ title: 'BIMI record', status: 'fail', detail: report.reason });
  }
  return { report, raw };
}
