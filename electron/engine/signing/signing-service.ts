// The signing lab as a service for the IPC layer and the CLI. Every method the renderer may
// call returns ids, metadata and public parts only; the private half of a key is decrypted
// inside `sign` and never returned — except by `exportPrivateKey`, on the user's explicit request.

import type { DnsSettings } from '../../../shared/dns.ts';
import type { Engine } from '../engine.ts';
import type { Resolver } from '../dns/resolver.ts';
import { generateKey, importPrivateKey, type KeyInfo, type KeyType, type SigningKey } from '../keys/dkim-key.ts';
import { checkPublished, type PublishedCheck } from '../keys/key-record.ts';
import type { KeyStore } from '../keys/key-store.ts';
import { arcSeal } from './arc-seal.ts';
import { headerEnd, type SignWarning } from './header-policy.ts';
import { roundTrip, type RoundTrip } from './round-trip.ts';
import { signMessage, SigningError, type SignatureMade, type SignOptions } from './sign-message.ts';
import { alignment, decide, type RuleDecision, type SigningContext, type SigningRule } from './signing-rules.ts';

export interface SigningServiceDeps {
  store: KeyStore;
  engine: Engine;
  clock?: () => Date;
  /** Live DNS for "is it published?" and the optional live round trip. */
  live?: { resolver: Resolver; dns: DnsSettings };
}

/** The signer's options (canonicalization, headers, over-signing, l=, i=, t=, x=), keys chosen by id or rules. */
export interface SignRequest extends Omit<SignOptions, 'keys'> {
  message: Uint8Array | string;
  /** Keys to sign with; or `rules` choose them. */
  keyIds?: string[];
  rules?: SigningRule[];
  /** Envelope sender ('' for a bounce) and authenticated user, for the rules. The From domain is read from the message. */
  envelopeSender?: string;
  authUser?: string;
  arc?: { keyId: string; authResults: string; cv?: 'none' | 'pass' | 'fail'; headerList?: string[] };
  /** What-if zones the round trip also reads (e.g. the keys of the ARC sets already on the message). */
  zones?: { name: string; text: string }[];
  /** Also verify against live DNS. */
  live?: boolean;
}

export interface SignOutcome {
  signed: Buffer;
  signatures: SignatureMade[];
  warnings: SignWarning[];
  rule?: RuleDecision;
  arc?: { instance: number; cv: string; headers: string[] };
  roundTrip: RoundTrip;
  live?: RoundTrip;
}

export class SigningService {
  readonly #store: KeyStore;
  readonly #engine: Engine;
  readonly #clock: () => Date;
  readonly #live: SigningServiceDeps['live'];

  constructor(deps: SigningServiceDeps) {
    this.#store = deps.store;
    this.#engine = deps.engine;
    this.#clock = deps.clock ?? (() => new Date());
    this.#live = deps.live;
  }

  listKeys(): KeyInfo[] {
    return this.#store.list();
  }

  getKey(id: string): KeyInfo {
    return this.#store.get(id);
  }

  async generateKey(req: { type?: KeyType; bits?: number; domain: string; selector: string }): Promise<KeyInfo> {
    return this.#store.add(await generateKey({ ...req, now: this.#clock() }));
  }

  async importKey(req: { pem: string; passphrase?: string; domain: string; selector: string }): Promise<KeyInfo> {
    return this.#store.add(importPrivateKey(req.pem, { ...req, now: this.#clock() }));
  }

  async deleteKey(id: string): Promise<void> {
    await this.#store.delete(id);
  }

  async checkPublished(id: string): Promise<PublishedCheck> {
    if (!this.#live) throw new Error('no live DNS configured');
    return checkPublished(this.#store.get(id), this.#live.resolver);
  }

  /** The private key as PEM. Only on the user's explicit request ("Export private key…"). */
  async exportPrivateKey(id: string): Promise<string> {
    return this.#store.exportPrivateKey(id);
  }

  async sign(req: SignRequest): Promise<SignOutcome> {
    const message = typeof req.message === 'string' ? Buffer.from(req.message, 'utf8') : Buffer.from(req.message);
    let rule: RuleDecision | undefined;
    let infos: KeyInfo[];
    if (req.rules) {
      const ctx: SigningContext = { fromDomain: fromDomainOf(message), envelopeSender: req.envelopeSender, authUser: req.authUser };
      rule = decide(req.rules, ctx, this.#store.list());
      infos = rule.keys;
      if (!infos.length) throw new SigningError('no-key-for-rule', rule.problems.join('; ') || rule.explanation);
    } else {
      if (!req.keyIds?.length) throw new SigningError('no-key', 'choose at least one key, or give signing rules');
      infos = req.keyIds.map((id) => this.#store.get(id));
    }
    const keys: SigningKey[] = [];
    for (const info of infos) keys.push(await this.#store.signingKey(info.id));
    const signTime = req.signTime ?? this.#clock();
    const { canonicalization, headers, overSign, bodyLength, identity, expires } = req;
    const res = await signMessage(message, { keys: keys.map((key) => ({ key })), canonicalization, headers, overSign, bodyLength, identity, signTime, expires });
    const warnings = [...res.warnings];
    if (rule) for (const p of rule.problems) warnings.push({ code: 'rule-problem', severity: 'error', message: p });
    const fromDomain = fromDomainOf(message);
    if (fromDomain && rule === undefined) {
      const aligned = infos.map((k) => alignment(k.id, k.domain, fromDomain));
      if (!aligned.some((a) => a.relaxed)) {
        warnings.push({ code: 'not-aligned', severity: 'warning', message: aligned[0].explanation });
      }
    }
    let signed = res.signed;
    let arc: SignOutcome['arc'];
    const zoneKeys = [...infos];
    if (req.arc) {
      const arcKey = await this.#store.signingKey(req.arc.keyId);
      const sealed = await arcSeal(signed, { key: arcKey, authResults: req.arc.authResults, cv: req.arc.cv, headerList: req.arc.headerList, signTime });
      signed = sealed.sealed;
      arc = { instance: sealed.instance, cv: sealed.cv, headers: sealed.headers };
      zoneKeys.push(arcKey.info);
    }
    const at = new Date(Math.max(this.#clock().getTime(), signTime.getTime()));
    const made = res.signatures.map((s) => ({ domain: s.domain, selector: s.selector }));
    const rt = { signed, made, keys: zoneKeys, zones: req.zones, arcSealed: !!arc, at };
    const outcome: SignOutcome = { signed, signatures: res.signatures, warnings, ...(rule ? { rule } : {}), ...(arc ? { arc } : {}), roundTrip: await roundTrip(this.#engine, rt) };
    if (req.live) {
      if (!this.#live) throw new Error('no live DNS configured');
      outcome.live = await roundTrip(this.#engine, rt, 'live', this.#live.dns);
    }
    return outcome;
  }
}

/** The domain of the (first) From header's address; undefined without one. */
export function fromDomainOf(message: Buffer): string | undefined {
  const head = message.subarray(0, headerEnd(message)).toString('utf8').replace(/\r?\n(?=[ \t])/g, '');
  const from = /^from[ \t]*:(.*)$/im.exec(head)?.[1];
  if (!from) return undefined;
  const addr = /<([^<>]*)>/.exec(from)?.[1] ?? from;
  const at = addr.lastIndexOf('@');
  if (at < 0) return undefined;
  return /^[^\s>;,()"]+/.exec(addr.slice(at + 1).trim())?.[0]?.toLowerCase().replace(/\.$/, '');
}
