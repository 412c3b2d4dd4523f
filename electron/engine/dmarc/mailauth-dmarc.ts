// Typed access to the parts of mailauth's DMARC code the report needs. They are CommonJS deep
// paths without type declarations of their own, so the shapes used here are written down once.

import { createRequire } from 'node:module';
import type { ARCResult, DMARCResult } from 'mailauth';
import type { MailauthResolver } from '../dns/mailauth-adapter.ts';

const require = createRequire(import.meta.url);

export type AuthorDomainReason = 'no-author-domain' | 'multiple-author-domains' | 'invalid-author-domain' | 'multiple-from-fields';

export interface EvaluateDmarcOptions {
  headerFrom: string | string[];
  fromFields?: number;
  spfDomains: string[];
  dkimDomains: { id?: string; domain: string; underSized?: number }[];
  arcResult?: ARCResult | false;
  resolver: MailauthResolver;
  strict: boolean;
}

export interface EvaluateDmarcOutcome {
  response: DMARCResult | false;
  /** Normalised signing domains that aligned. */
  dkimAligned?: Set<string>;
  reason?: AuthorDomainReason;
  authorDomains?: string[];
}

/** A record as mailauth parses it: tag → value (pct and ri as numbers), plus `rr`, the text. */
export type ParsedDmarcRecord = Record<string, string | number | undefined> & { rr: string };

type RecordLookup = (name: string) => Promise<ParsedDmarcRecord | false>;

const dmarcIndex = require('mailauth/lib/dmarc/index.js') as {
  evaluateDmarc(opts: EvaluateDmarcOptions): Promise<EvaluateDmarcOutcome>;
};
const recordTools = require('mailauth/lib/dmarc/get-dmarc-record.js') as {
  createRecordLookup(resolver: MailauthResolver, opts: { strict: boolean; warnings?: Set<string> }): RecordLookup;
  getOrgDomain(domain: string, lookup: RecordLookup): Promise<string>;
  parseDmarcRecord(txt: string, opts?: { strict?: boolean }): ParsedDmarcRecord | null;
  getPolicyTags(record: ParsedDmarcRecord): { p: string; sp?: string; np?: string } | null;
};
const authorTools = require('mailauth/lib/dmarc/author-domain.js') as {
  getAuthorDomain(
    headerFrom: string | string[],
    fromFields?: number,
  ): { domain?: string; authorDomain?: string; mailboxes: number; reason?: AuthorDomainReason; domains?: string[] };
};
const tools = require('mailauth/lib/tools.js') as { formatDomain(domain: string): string };

export const evaluateDmarc = dmarcIndex.evaluateDmarc;
export const createRecordLookup = recordTools.createRecordLookup;
export const getOrgDomain = recordTools.getOrgDomain;
export const parseDmarcRecord = recordTools.parseDmarcRecord;
export const getPolicyTags = recordTools.getPolicyTags;
export const getAuthorDomain = authorTools.getAuthorDomain;
export const formatDomain = tools.formatDomain;

/** mailauth's test for "this TXT record is a DMARC record" (RFC 9989 §4.7 "v", exact case of DMARC1). */
export const DMARC_VERSION_RE = /^[vV][ \t]*=[ \t]*DMARC1[ \t]*(?:;|$)/;
