// ARC sealing as an intermediary does it (RFC 8617 §5.1), from the message alone: the chain already
// on the message is validated first and its status becomes cv=, and the ARC-Authentication-Results
// carry the Authentication-Results that the intermediary's own ADMD (its authserv-id) added.

import type { DnsSettings } from '../../../shared/dns.ts';
import type { ArcReport } from '../../../shared/report.ts';
import { authResultsFields, mergedAuthResults } from '../../../shared/auth-results-payload.ts';
import type { Engine } from '../engine.ts';
import { parseStoredResults } from '../auth-results/parse.ts';
import { parseHeaderBlock } from '../input/headers.ts';
import { ArcSealError } from './arc-seal.ts';

/**
 * The AAR payload an intermediary seals: "authserv-id; result; result…", merged from every
 * Authentication-Results field of `authservId` (case-insensitive), top to bottom, results as
 * written (comments kept). Fields of other authserv-ids are not the sealer's to vouch for.
 */
export function authResultsOf(message: Buffer, authservId: string): string {
  const merged = mergedAuthResults(authResultsFields(parseStoredResults(parseHeaderBlock(message))), authservId);
  if (merged === undefined) {
    throw new ArcSealError('no-auth-results', `the message has no Authentication-Results field from ${authservId}: nothing for the seal to vouch for (give --auth-results TEXT instead)`);
  }
  return merged;
}

export interface ChainStatus {
  /** What the seal's cv= says: none (no chain yet), pass or fail. */
  cv: 'none' | 'pass' | 'fail';
  /** The engine's report of the chain as received. */
  report: ArcReport;
}

/**
 * Validates the ARC chain already on the message, as the intermediary receiving it would (strict),
 * for the next seal's cv=. A chain whose newest seal already says cv=fail is not sealed again
 * (RFC 8617 §5.1 step 2): an ArcSealError with code 'chain-failed'; nor one whose key records
 * could not be fetched ('chain-temperror').
 */
export async function chainStatus(engine: Engine, message: Buffer, dns: DnsSettings, at: Date): Promise<ChainStatus> {
  let res;
  try {
    res = await engine.evaluate(message, { at: at.toISOString(), mode: 'strict' }, dns);
  } catch (err) {
    // the whole input rejected (binary, empty, …): the engine's own words
    const e = err as Error & { code?: unknown };
    if (typeof e?.code !== 'string') throw err;
    throw new ArcSealError(e.code, `the ARC chain on the message could not be validated: ${e.message}`);
  }
  const m = res.messages[0];
  if (!m?.ok) throw new ArcSealError(m ? m.error.code : 'unreadable', `the ARC chain on the message could not be validated: ${m ? m.error.message : 'no message'}`);
  const newest = m.arc.instances.at(-1);
  if (newest?.seal.cv?.toLowerCase() === 'fail') {
    throw new ArcSealError('chain-failed', `the newest ARC-Seal (i=${newest.i}) already says cv=fail: a failed chain is not sealed again (RFC 8617 §5.1)`);
  }
  if (m.arc.result === 'fail') {
    // a key record that could not be fetched is not a broken chain: sealing cv=fail would break it
    // for good over a passing DNS failure, so the seal waits, as a receiving MTA would defer
    const keys = new Set(
      m.arc.instances
        .flatMap((i) => [i.seal, i.messageSignature])
        .filter((x) => x.domain && x.selector)
        .map((x) => `${x.selector}._domainkey.${x.domain}`.toLowerCase()),
    );
    const failed = m.dns.find((d) => TRANSIENT_RCODES.has(d.rcode) && keys.has(d.name.toLowerCase().replace(/\.$/, '')));
    if (failed) {
      throw new ArcSealError(
        'chain-temperror',
        `the ARC chain on the message could not be validated: the key record ${failed.name} could not be fetched (${failed.rcode}${failed.error ? `: ${failed.error}` : ''}); give it in a what-if zone, fix the DNS servers, or give cv= yourself`,
      );
    }
  }
  return { cv: m.arc.result, report: m.arc };
}

/** DNS outcomes that say nothing about the record itself (RFC 6376 §6.1.2: TEMPFAIL, try later). */
const TRANSIENT_RCODES = new Set<string>(['SERVFAIL', 'REFUSED', 'TIMEOUT', 'NETWORK', 'BUDGET', 'MALFORMED']);

export interface SealPlanOptions {
  /** DNS for validating the chain already on the message (the earlier sealers' keys). */
  dns: DnsSettings;
  /** The Authentication-Results of this authserv-id are what the seal vouches for … */
  authservId?: string;
  /** … or this payload, given as is ("authserv-id; dkim=pass …"). */
  authResults?: string;
  /** cv= as given; 'auto': what validating the chain on the message finds; absent: none for a first set (arcSeal refuses a later one without cv=). */
  cv?: 'none' | 'pass' | 'fail' | 'auto';
  /** Evaluation time of the validation (the seal's t=). */
  at: Date;
}

export interface SealPlan {
  /** The AAR payload: "authserv-id; result; …". */
  authResults: string;
  cv?: 'none' | 'pass' | 'fail';
  /** The chain as received, when cv was 'auto'. */
  chain?: ChainStatus;
}

/**
 * What an intermediary's next ARC set says (RFC 8617 §5.1): the results it vouches for, and cv=
 * as found by validating the chain on the message (chainStatus: a chain whose newest seal says
 * cv=fail is refused). arcSeal then adds the set; `authlab sign --arc-seal` and the ARC signing
 * suite both go this way.
 */
export async function planIntermediarySeal(engine: Engine, message: Buffer, opts: SealPlanOptions): Promise<SealPlan> {
  if (!opts.authResults && !opts.authservId) throw new ArcSealError('no-auth-results', 'sealing needs the authserv-id whose Authentication-Results the seal vouches for, or the results themselves');
  const authResults = opts.authResults ?? authResultsOf(message, opts.authservId!);
  if (opts.cv !== 'auto') return { authResults, cv: opts.cv };
  const chain = await chainStatus(engine, message, opts.dns, opts.at);
  return { authResults, cv: chain.cv, chain };
}
