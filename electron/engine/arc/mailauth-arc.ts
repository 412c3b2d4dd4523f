// Typed access to mailauth's ARC validation pieces (CommonJS deep paths).

import { createRequire } from 'node:module';
import type { ARCChainEntry, ARCOptions, ARCResult } from 'mailauth';
import type { MailauthResolver } from '../dns/mailauth-adapter.ts';

const require = createRequire(import.meta.url);

/** A header row as mailauth's header parser keeps it. */
export interface MailauthHeaderRow {
  key: string;
  casedKey?: string;
  line: Buffer | string;
}

export interface KeyCache {
  resolver: MailauthResolver;
}

export interface ParsedTags {
  parsed?: Record<string, { value?: string | number } | undefined>;
}

const arcLib = require('mailauth/lib/arc/index.js') as {
  arc(data: unknown, opts: Omit<ARCOptions, 'resolver'> & { resolver: MailauthResolver }): Promise<ARCResult>;
  getARChain(headers: { parsed: MailauthHeaderRow[] }, opts: { strict: boolean; warnings?: string[] }): ARCChainEntry[] | false;
  verifyASChain(data: { chain: ARCChainEntry[] }, opts: { resolver: MailauthResolver; strict: boolean; keyCache?: KeyCache; warnings?: string[] }): Promise<boolean>;
};
const tools = require('mailauth/lib/tools.js') as {
  parseDkimHeaders(line: Buffer | string, opts?: { strict?: boolean }): ParsedTags;
};

export const arc = arcLib.arc;
export const getARChain = arcLib.getARChain;
export const verifyASChain = arcLib.verifyASChain;
export const parseDkimHeaders = tools.parseDkimHeaders;
