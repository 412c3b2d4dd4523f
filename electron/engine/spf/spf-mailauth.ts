// mailauth's own SPF verdict for the same inputs, shown beside our trace as a cross-check.
// mailauth checks postmaster@<helo> itself when the sender is empty (the null sender).

import { createRequire } from 'node:module';
import type { SPFOptions } from 'mailauth';
import type { Resolver } from '../dns/resolver.ts';
import { toMailauthResolver } from '../dns/mailauth-adapter.ts';

// through require, as the engine's other mailauth modules: one copy of mailauth in every bundle
const { spf } = createRequire(import.meta.url)('mailauth') as typeof import('mailauth');

export interface MailauthSpfInput {
  ip: string;
  /** MAIL FROM; '' or undefined for the null sender (the HELO identity is then checked). */
  sender?: string;
  helo?: string;
  /** %{r} and the comment's host name; "unknown" rather than this machine's name. */
  mta?: string;
}

export interface MailauthSpfResult {
  result: string;
  comment?: string;
  lookups?: { count: number; limit: number; void: number };
  explanation?: string;
  warnings?: string[];
}

export async function mailauthSpf(opts: MailauthSpfInput, resolver: Resolver, strict: boolean): Promise<MailauthSpfResult> {
  const res = (await spf({
    sender: opts.sender ?? '',
    ip: opts.ip,
    helo: opts.helo ?? '',
    mta: opts.mta ?? 'unknown',
    // the adapter's answers are what mailauth reads at run time; its .d.ts types them narrowly
    resolver: toMailauthResolver(resolver) as NonNullable<SPFOptions['resolver']>,
    strict,
  })) as unknown as {
    status: { result: string; comment?: string };
    lookups?: { count: number; limit: number; void: number };
    explanation?: string;
    warnings?: string[];
  };
  const out: MailauthSpfResult = { result: res.status.result };
  if (res.status.comment) out.comment = res.status.comment;
  if (res.lookups) out.lookups = { count: res.lookups.count, limit: res.lookups.limit, void: res.lookups.void };
  if (res.explanation) out.explanation = res.explanation;
  if (res.warnings?.length) out.warnings = res.warnings;
  return out;
}
