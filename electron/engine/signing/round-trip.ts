// Proof that a signed message passes: verified at once by the engine against a what-if zone
// holding the keys' records (offline, so it works before anything is published), and
// optionally against live DNS ("would it pass at the receiver today?").

import type { DnsSettings } from '../../../shared/dns.ts';
import type { AuthResult } from '../../../shared/report.ts';
import type { KeyInfo } from '../keys/dkim-key.ts';
import type { Engine } from '../engine.ts';

export interface RoundTripSignature {
  domain: string;
  selector: string;
  result: AuthResult;
  reason: string;
}

export interface RoundTrip {
  /** 'zone': the lab's keys as if published; 'live': today's DNS. */
  against: 'zone' | 'live';
  /** Every signature made passes (and the ARC chain, when sealed). */
  pass: boolean;
  signatures: RoundTripSignature[];
  arc?: { result: string; reason: string };
  dmarc?: { result: AuthResult | null; reason: string };
}

export interface RoundTripRequest {
  signed: Buffer;
  /** The signatures to look for, by d= and s=. */
  made: { domain: string; selector: string }[];
  /** Keys whose records make up the what-if zone (DKIM and ARC keys). */
  keys: KeyInfo[];
  /** More what-if records the zone round trip reads (the keys of ARC sets already on the message). */
  zones?: { name: string; text: string }[];
  arcSealed?: boolean;
  /** Evaluation time; should not be before the signature's t=. */
  at: Date;
  ip?: string;
}

export function zoneText(keys: KeyInfo[]): string {
  return [...new Set(keys.map((k) => k.dnsRecord))].join('\n') + '\n';
}

export async function roundTrip(engine: Engine, req: RoundTripRequest, against: 'zone' | 'live' = 'zone', live: DnsSettings = {}): Promise<RoundTrip> {
  const dns: DnsSettings = against === 'zone' ? { offline: true, zones: [{ name: 'signing-lab', text: zoneText(req.keys) }, ...(req.zones ?? [])] } : live;
  const res = await engine.evaluate(req.signed, { at: req.at.toISOString(), ip: req.ip, mode: 'strict' }, dns);
  const m = res.messages[0];
  if (!m || !m.ok) {
    const reason = m && !m.ok ? m.error.message : 'no message evaluated';
    return { against, pass: false, signatures: req.made.map((s) => ({ ...s, result: 'permerror', reason })) };
  }
  const signatures = req.made.map((s) => {
    const r = m.dkim.find((d) => d.domain?.toLowerCase() === s.domain && d.selector?.toLowerCase() === s.selector);
    return { ...s, result: r?.result ?? 'none', reason: r?.reason ?? 'signature not found by the verifier' } as RoundTripSignature;
  });
  const arc = req.arcSealed ? { result: m.arc.result, reason: m.arc.reason } : undefined;
  return {
    against,
    pass: signatures.every((s) => s.result === 'pass') && (!arc || arc.result === 'pass'),
    signatures,
    ...(arc ? { arc } : {}),
    dmarc: { result: m.dmarc.result, reason: m.dmarc.reason },
  };
}
