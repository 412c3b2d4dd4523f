// A hand-made MessageReport for the contract, export and web-host tests (they must not depend on
// the engine's verdicts). Message text carries markup, to prove the exporters escape it.

import type { MessageReport } from '../shared/report.ts';

export const HOSTILE_SUBJECT = 'Invoice <script>alert(1)</script> | [click](http://evil.example) `x`';

export function fixtureReport(overrides: Partial<MessageReport> = {}): MessageReport {
  return {
    schema: 1,
    index: 0,
    evaluatedAt: '2026-01-02T03:04:05.000Z',
    mode: 'strict',
    input: {
      kind: 'message',
      index: 0,
      size: 1234,
      lineEndings: 'crlf',
      normalized: false,
      evaluatedBytes: 1234,
      headerCount: 9,
      subject: HOSTILE_SUBJECT,
      from: '"Eve" <eve@example.com>',
      limitations: [],
    },
    envelope: { ip: '192.0.2.1', helo: 'mx.example.com', mailFrom: 'eve@example.com', origin: { ip: 'given', helo: 'given', mailFrom: 'given' }, hops: [] },
    spf: { result: 'pass', domain: 'example.com', ip: '192.0.2.1' },
    dkim: [
      {
        index: 1,
        domain: 'example.com',
        selector: 's1',
        algorithm: 'rsa-sha256',
        canonicalization: { header: 'relaxed', body: 'relaxed' },
        tags: [],
        source: { start: 0, end: 10 },
        headers: { list: ['from'], analysis: [], unsignedImportant: ['subject'] },
        time: { evaluatedAt: '2026-01-02T03:04:05.000Z' },
        headerSignature: 'invalid',
        result: 'fail',
        reason: 'signature did not verify',
        steps: [{ title: 'Header signature', status: 'fail', detail: 'b= does not match <b>the</b> key' }],
      },
    ],
    dmarc: {
      result: 'pass',
      fromDomain: 'example.com',
      fromDomains: ['example.com'],
      discovery: [],
      tags: [],
      alignment: { spfMode: 'relaxed', dkimMode: 'relaxed', dkim: [] },
      reason: 'SPF aligned',
      steps: [],
    },
    arc: { result: 'none', reason: 'no ARC headers', instances: [], steps: [] },
    bimi: { result: 'skipped', reason: 'DMARC policy none', steps: [] },
    stored: { headers: [], differences: [] },
    authenticationResults: 'Authentication-Results: authlab; spf=pass smtp.mailfrom=example.com',
    summary: { verdict: 'partial', headline: 'SPF passes, DKIM fails', lines: ['DKIM: signature did not verify'] },
    modeDifferences: [],
    dns: [{ seq: 1, name: 'example.com', type: 'TXT', rcode: 'NOERROR', records: [], answers: ['"v=spf1 ip4:192.0.2.1 -all"'], source: 'zone', ms: 0 }],
    ...overrides,
  };
}
