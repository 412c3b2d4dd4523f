// Benchmark corpus: realistic, distinct, DKIM-signed text messages and the offline zone that
// makes SPF, DKIM and DMARC pass for them. Generated fresh (seeded), never read from outside.

import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import { seededRandom } from '../../test/helpers/seeded-random.ts';

export const DOMAIN = 'example.com';
export const SELECTOR = 'bench';
export const ENVELOPE = { ip: '192.0.2.10', helo: 'mail.example.com', mailFrom: 'bounces@example.com' } as const;
/** Evaluation time: inside the signatures' validity, so runs are reproducible. */
export const AT = '2026-11-24T10:05:00Z';
const SIGN_TIME = new Date('2026-11-24T10:00:01Z');

export interface BenchKey {
  privateKeyPem: string;
  publicKeyB64: string;
}

export function makeKey(): BenchKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyB64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

/** RFC 1035 zone text: SPF for the envelope IP, DMARC p=reject, the DKIM key (255-byte strings). */
export function zoneText(key: BenchKey): string {
  const record = `v=DKIM1; k=rsa; p=${key.publicKeyB64}`;
  const strings = (record.match(/.{1,255}/g) ?? []).map((s) => `"${s}"`).join(' ');
  return [
    `$ORIGIN ${DOMAIN}.`,
    '$TTL 300',
    '@ IN TXT "v=spf1 ip4:192.0.2.0/24 -all"',
    '_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"',
    `${SELECTOR}._domainkey IN TXT ${strings}`,
    '',
  ].join('\n');
}



const WORDS = (
  'the quarterly figures show revenue growth across all regions while operating costs stayed flat ' +
  'our team reviewed the proposal and agreed to move the launch date to early next month pending ' +
  'approval from finance please find attached the updated schedule budget forecast and meeting notes ' +
  'customers reported faster delivery times after the warehouse migration although some invoices were ' +
  'delayed we expect the backlog to clear by friday thanks again for your patience and support regards ' +
  'project contract review deadline shipment account balance payment reminder invoice order status ' +
  'security update password policy server maintenance window network outage resolved incident report'
).split(' ');

/** A plain-text body of about `bytes` bytes: wrapped lines, paragraphs, CRLF line ends. */
export function textBody(bytes: number, seed: number): string {
  const rand = seededRandom(seed);
  const lines: string[] = [];
  let size = 0;
  let line = '';
  let sentenceStart = true;
  while (size < bytes) {
    let w = WORDS[Math.floor(rand() * WORDS.length)];
    if (sentenceStart) w = w[0].toUpperCase() + w.slice(1);
    sentenceStart = rand() < 0.08;
    if (sentenceStart) w += '.';
    if (line.length + w.length + 1 > 72) {
      lines.push(line);
      size += line.length + 2;
      line = '';
      if (rand() < 0.1) {
        lines.push('');
        size += 2;
      }
    }
    line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join('\r\n') + '\r\n';
}

export function plainMessage(bodyBytes: number, n: number): string {
  return [
    `Received: from ${ENVELOPE.helo} (${ENVELOPE.helo} [${ENVELOPE.ip}])`,
    '\tby mx.receiver.test (Postfix) with ESMTPS id 4Abc123',
    '\tfor <bob@receiver.test>; Tue, 24 Nov 2026 10:00:02 +0000 (UTC)',
    `Return-Path: <${ENVELOPE.mailFrom}>`,
    'From: Alice Example <alice@example.com>',
    'To: Bob <bob@receiver.test>',
    `Subject: Report ${n}: quarterly figures`,
    'Date: Tue, 24 Nov 2026 10:00:00 +0000',
    `Message-ID: <20261124100000.${n}@example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    textBody(bodyBytes, 0x5eed + n),
  ].join('\r\n');
}

/** A DKIM-signed message (rsa-sha256, relaxed/relaxed) of about `totalBytes` bytes. */
export async function signedMessage(key: BenchKey, totalBytes: number, n: number): Promise<Buffer> {
  const message = plainMessage(Math.max(0, totalBytes - 1200), n);
  const res = await dkimSign(message, {
    canonicalization: 'relaxed/relaxed',
    signTime: SIGN_TIME,
    signatureData: [{ signingDomain: DOMAIN, selector: SELECTOR, privateKey: key.privateKeyPem, algorithm: 'rsa-sha256' }],
  } as unknown as Parameters<typeof dkimSign>[1]);
  if (res.errors?.length || !res.signatures) throw new Error(`signing failed: ${JSON.stringify(res.errors)}`);
  return Buffer.from(res.signatures + message, 'utf8');
}
