// The report's headline (electron/engine/report/summary.ts): each fact said once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize } from '../electron/engine/report/summary.ts';
import { fixtureReport } from './ipc-report-fixture.ts';

const dmarcFail = (reason: string, disposition: 'reject' | 'quarantine' | 'none') =>
  fixtureReport({
    dmarc: { ...fixtureReport().dmarc, result: 'fail', fromDomain: 'example.com', policy: 'reject', disposition, reason },
  });

test('a DMARC fail headline names the domain, the reason and the action once', () => {
  const reason = 'DMARC fails: no SPF or DKIM identifier both passed and aligned with example.com. The policy is reject; a receiver following it would reject the message.';
  const { verdict, headline } = summarize(dmarcFail(reason, 'reject'));
  assert.equal(verdict, 'fail');
  assert.equal(headline, 'Not authenticated: example.com fails DMARC — no SPF or DKIM identifier both passed and aligned with example.com. The policy is reject; a receiver following it would reject the message.');
});

test('a DMARC fail reason that does not say the action gets it added', () => {
  const { headline } = summarize(dmarcFail('DMARC fails: multiple From domains.', 'quarantine'));
  assert.equal(headline, 'Not authenticated: example.com fails DMARC — multiple From domains. A receiver following the policy would quarantine it.');
});
