// Builds realistic signed test messages and the zone that verifies them, with fresh keys,
// so tests never depend on third-party data or the network.

import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';

export interface TestKey {
  privateKeyPem: string;
  /** The p= value of the key record. */
  publicKeyB64: string;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
}

export function makeKey(type: 'rsa' | 'ed25519' = 'rsa', bits = 2048): TestKey {
  if (type === 'ed25519') {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    return {
      privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      // RFC 8463: p= is the raw 32-byte key, not SPKI
      publicKeyB64: spki.subarray(spki.length - 32).toString('base64'),
      algorithm: 'ed25519-sha256',
    };
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyB64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    algorithm: 'rsa-sha256',
  };
}

/** The key record as a zone-file line, split into 255-byte strings. */
export function keyRecordLine(selector: string, domain: string, key: TestKey): string {
  const value = `v=DKIM1; k=${key.algorithm === 'ed25519-sha256' ? 'ed25519' : 'rsa'}; p=${key.publicKeyB64}`;
  const parts = value.match(/.{1,255}/g) ?? [];
  return `${selector}._domainkey.${domain}. 300 IN TXT ${parts.map((p) => `"${p}"`).join(' ')}`;
}

export function plainMessage(opts: { from?: string; to?: string; subject?: string; body?: string; extraHeaders?: string[] } = {}): string {
  const from = opts.from ?? 'Alice Example <alice@example.com>';
  return [
    'Received: from mail.example.com (mail.example.com [192.0.2.10])',
    '\tby mx.receiver.test (Postfix) with ESMTPS id 4Abc123',
    '\tfor <bob@receiver.test>; Tue, 24 Nov 2026 10:00:02 +0000 (UTC)',
    'Return-Path: <bounces@example.com>',
    ...(opts.extraHeaders ?? []),
    `From: ${from}`,
    `To: ${opts.to ?? 'Bob <bob@receiver.test>'}`,
    `Subject: ${opts.subject ?? 'Quarterly report'}`,
    'Date: Tue, 24 Nov 2026 10:00:00 +0000',
    'Message-ID: <20261124100000.1234@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    ...(opts.body ?? 'Hello Bob,\n\nthe figures are attached.\n\n-- \nAlice').split('\n'),
    '',
  ].join('\r\n');
}

export async function signMessage(message: string, domain: string, selector: string, key: TestKey, extra: Record<string, unknown> = {}): Promise<string> {
  // mailauth's signer reads its keys from signatureData only (one entry per signature)
  const { expires, ...rest } = extra as { expires?: Date };
  const res = await dkimSign(message, {
    canonicalization: 'relaxed/relaxed',
    signTime: new Date('2026-11-24T10:00:01Z'),
    expires,
    signatureData: [{ signingDomain: domain, selector, privateKey: key.privateKeyPem, algorithm: key.algorithm, ...rest }],
  } as unknown as Parameters<typeof dkimSign>[1]);
  if (res.errors?.length || !res.signatures) throw new Error(`signing failed: ${JSON.stringify(res.errors)}`);
  return res.signatures + message;
}

/** A zone for example.com: SPF allowing 192.0.2.0/24, DMARC p=reject, and the DKIM key. */
export function exampleZone(selector: string, key: TestKey, dmarc = 'v=DMARC1; p=reject; rua=mailto:dmarc@example.com'): string {
  return [
    '$ORIGIN example.com.',
    '$TTL 300',
    '@            IN TXT "v=spf1 ip4:192.0.2.0/24 -all"',
    `_dmarc       IN TXT "${dmarc}"`,
    keyRecordLine(selector, 'example.com', key),
    '',
  ].join('\n');
}
