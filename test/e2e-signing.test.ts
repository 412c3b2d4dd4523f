// The signing lab end to end in Chromium against the web host and the real engine (DNS from an
// in-memory zone: no network): create the key store, generate RSA and Ed25519 keys, drop an
// unsigned message, sign it, and see the Signed output tab with the round-trip pass; a wrong
// passphrase on an existing store shows its error.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import type { Response } from 'playwright-core';
import { plainMessage } from './helpers/signed-message.ts';
import { browserSkip, dropFiles, externalRequests, openApp, screenshot, type AppUnderTest } from './helpers/browser.ts';
import { importPrivateKey } from '../electron/engine/keys/dkim-key.ts';
import { arcSeal } from '../electron/engine/signing/arc-seal.ts';

const skip = browserSkip;
const PASSPHRASE = 'correct horse battery staple';
const ZONE = ['$ORIGIN example.com.', '$TTL 300', '@ IN TXT "v=spf1 ip4:192.0.2.0/24 -all"', '_dmarc IN TXT "v=DMARC1; p=none"', ''].join('\n');

let app: AppUnderTest;
/** Bodies of every API response the page received, to prove no private key crossed. */
const apiBodies: Promise<string>[] = [];

function recordApi(r: Response): void {
  if (new URL(r.url()).pathname.startsWith('/api/')) apiBodies.push(r.text().catch(() => ''));
}

before(async () => {
  if (skip) return;
  app = await openApp({ zone: ZONE });
  app.page.on('response', recordApi);
});

after(async () => {
  await app?.close();
});

const enc = (s: string) => new TextEncoder().encode(s);

test('create the key store, generate keys, sign a dropped message: Signed output with DKIM-Signature and round-trip pass', { skip }, async () => {
  const { page } = app;
  await page.getByRole('button', { name: 'Signing lab' }).click();
  const lab = page.getByTestId('signing-lab');
  await lab.waitFor();
  const store = page.getByTestId('key-store');
  await page.locator('[data-testid="key-store"][data-state="absent"]').waitFor();
  assert.match(await store.innerText(), /scrypt/, 'the note says how keys are protected');
  await screenshot(page, '1x-signing-01-create-store');

  await page.getByLabel('New key store passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create key store' }).click();
  await page.locator('[data-testid="key-store"][data-state="unlocked"]').waitFor();

  // an RSA and an Ed25519 key for example.com: dual signatures
  await page.getByLabel('Domain (d=)').fill('example.com');
  await page.getByLabel('Selector (s=)').fill('lab1');
  await page.getByRole('button', { name: 'Generate key' }).click();
  await page.locator('[data-testid="key-item"][data-selector="lab1"]').waitFor({ timeout: 20000 });
  await page.getByLabel('Selector (s=)').fill('lab2');
  await page.getByLabel('Key type').selectOption('ed25519');
  await page.getByRole('button', { name: 'Generate key' }).click();
  await page.locator('[data-testid="key-item"][data-selector="lab2"]').waitFor({ timeout: 20000 });
  const records = await page.getByTestId('dns-record').allInnerTexts();
  assert.equal(records.length, 2);
  assert.match(records[0]!, /^lab1\._domainkey\.example\.com\. IN TXT "v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+" "/, 'RSA 2048 record split into 255-byte strings');
  assert.match(records[1]!, /^lab2\._domainkey\.example\.com\. IN TXT "v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}="$/);
  assert.equal(await page.getByRole('checkbox', { name: 'Sign with lab1._domainkey.example.com' }).isChecked(), true, 'a new key is ticked for signing');
  assert.equal(await page.getByTestId('sign-needs-message').count(), 1, 'no message loaded yet');

  // an unsigned message
  await dropFiles(page, [{ name: 'unsigned.eml', bytes: enc(plainMessage({ subject: 'Signed in the lab' })) }]);
  await page.getByTestId('sign-form').waitFor({ timeout: 15000 });
  await page.getByRole('tab', { name: 'Raw message' }).waitFor();
  await page.getByRole('group', { name: 'Over-sign (an added copy of the field breaks the signature)' }).getByLabel('From').check();
  await screenshot(page, '1x-signing-02-keys-and-form');

  await page.getByRole('button', { name: 'Sign message' }).click();
  const output = page.getByTestId('signed-output');
  await output.waitFor({ timeout: 20000 });
  assert.equal(await page.getByRole('tab', { name: 'Signed output' }).getAttribute('aria-selected'), 'true', 'the Signed output tab opens');
  await page.getByTestId('signed-editor').locator('.view-lines').waitFor();
  await page.waitForFunction(() => /DKIM-Signature:/.test(document.querySelector('[data-testid="signed-editor"] .view-lines')?.textContent ?? ''));
  const text = (await page.getByTestId('signed-editor').locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
  assert.match(text, /^DKIM-Signature: v=1; a=rsa-sha256;/m);
  assert.match(text, /a=ed25519-sha256/);
  assert.match(text, /Subject: Signed in the lab/);

  const verdict = page.getByTestId('roundtrip-zone');
  assert.equal(await verdict.getAttribute('data-pass'), 'true');
  const results = await page.getByTestId('roundtrip-signature').evaluateAll((els) => els.map((e) => e.getAttribute('data-result')));
  assert.deepEqual(results, ['pass', 'pass'], 'both signatures verify against the keys’ records');
  assert.match(await verdict.innerText(), /s=lab1[\s\S]*s=lab2/);
  assert.match(await page.getByTestId('sign-summary').innerText(), /round trip pass/);
  await screenshot(page, '1x-signing-03-signed-output');

  await page.getByRole('button', { name: 'Diff against original' }).click();
  await page.waitForFunction(() => /DKIM-Signature/.test(document.querySelector('[data-testid="signed-diff"]')?.textContent ?? ''));
  // the diff is computed in Monaco's worker: the added fields get marked as inserted lines
  await page.locator('[data-testid="signed-diff"] .line-insert').first().waitFor({ timeout: 15000 });
  await screenshot(page, '1x-signing-04-diff');

  // Save .eml downloads the exact signed bytes
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save .eml' }).click()]);
  assert.equal(download.suggestedFilename(), 'unsigned.signed.eml');
  const saved = await download.path().then((p) => import('node:fs').then((fs) => fs.readFileSync(p, 'latin1')));
  assert.ok(saved.startsWith('DKIM-Signature: v=1; a=rsa-sha256;'));
  assert.ok(saved.endsWith(plainMessage({ subject: 'Signed in the lab' })), 'the original follows untouched');

  const bodies = await Promise.all(apiBodies);
  assert.ok(bodies.some((b) => b.includes('signedBase64')), 'the API responses were recorded');
  for (const b of bodies) assert.doesNotMatch(b, /PRIVATE KEY/, 'no private key in any response the page received');
  assert.deepEqual(externalRequests(app.requests), []);
  assert.deepEqual(app.consoleErrors, []);
});

test('ARC sealing: cv= starts as what the chain on the selected message says', { skip }, async () => {
  const { page } = app;
  // a message already sealed once by a list whose key is not in the zone: its chain fails
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const listKey = importPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { domain: 'lists.example.org', selector: 'gone' });
  const sealed = await arcSeal(Buffer.from(plainMessage({ subject: 'Through a list' })), { key: listKey, authResults: 'lists.example.org; spf=pass smtp.mailfrom=example.com' });
  await dropFiles(page, [{ name: 'through-list.eml', bytes: sealed.sealed }]);
  await page.locator('.message-item[data-file="through-list.eml"]:not([data-status="evaluating"])').waitFor({ timeout: 15000 });
  await page.locator('.message-item[data-file="through-list.eml"] .message-button').click();
  // the lab is still open from the test before (its button toggles it)
  if (!(await page.getByTestId('signing-lab').isVisible())) await page.getByRole('button', { name: 'Signing lab' }).click();
  await page.getByTestId('sign-form').waitFor();
  await page.getByLabel('Also ARC-seal, as a forwarding intermediary would').check();
  const note = page.getByTestId('arc-chain-found');
  await page.locator('[data-testid="arc-chain-found"][data-result="fail"]').waitFor();
  assert.match(await note.innerText(), /^The ARC chain on this message: fail\. .*no key record for the ARC-Seal of set i=1.* The new seal writes cv=fail\.$/);
  assert.equal(await page.getByLabel('Chain validation (cv=)').inputValue(), 'fail');
  await screenshot(page, '1x-signing-05-arc-chain-fail');

  // what the seal vouches for: AuthLab's own results, or the message's own fields of one authserv-id, merged
  const listResults =
    'Authentication-Results: lists.example.org; spf=pass smtp.mailfrom=example.com\r\n' +
    'Authentication-Results: other.example; dmarc=fail\r\n' +
    'Authentication-Results: lists.example.org;\r\n  dkim=pass (2048-bit key; ok) header.d=example.com\r\n' +
    plainMessage({ subject: 'Results from the list' });
  await dropFiles(page, [{ name: 'list-results.eml', bytes: enc(listResults) }]);
  await page.locator('.message-item[data-file="list-results.eml"]:not([data-status="evaluating"])').waitFor({ timeout: 15000 });
  await page.locator('.message-item[data-file="list-results.eml"] .message-button').click();
  const vouch = page.getByLabel('Vouch for');
  const payload = page.getByLabel('Authentication-Results the sealer vouches for');
  await page.waitForFunction(() => /^authlab\.local; /.test((document.querySelector('textarea[id$="-ar"]') as HTMLTextAreaElement | null)?.value ?? ''));
  assert.deepEqual(await vouch.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), ['', 'lists.example.org', 'other.example']);
  await vouch.selectOption('lists.example.org');
  assert.equal(await payload.inputValue(), 'lists.example.org; spf=pass smtp.mailfrom=example.com; dkim=pass (2048-bit key; ok) header.d=example.com');
  await screenshot(page, '1x-signing-05b-arc-vouch-for');
  await vouch.selectOption('');
  assert.match(await payload.inputValue(), /^authlab\.local; /);

  // the unsigned message from before: no chain, cv=none
  await page.locator('.message-item[data-file="unsigned.eml"] .message-button').click();
  await page.locator('[data-testid="arc-chain-found"][data-result="none"]').waitFor();
  assert.match(await note.innerText(), /No ARC set on this message yet/);
  assert.equal(await page.getByLabel('Chain validation (cv=)').inputValue(), 'none');
  assert.deepEqual(app.consoleErrors, []);
});

test('a wrong passphrase on an existing key store shows its error; the right one unlocks the same keys', { skip }, async () => {
  // the store written above, copied into a second app's data folder (both paths are shown in the UI)
  const second = await openApp({ zone: ZONE });
  try {
    const source = (await app.page.getByTestId('key-store').locator('code').innerText()).trim();
    const { page } = second;
    await page.getByRole('button', { name: 'Signing lab' }).click();
    await page.locator('[data-testid="key-store"][data-state="absent"]').waitFor();
    const target = (await page.getByTestId('key-store').locator('code').innerText()).trim();
    assert.notEqual(source, target);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(source, target);
    await page.reload();
    await page.getByRole('button', { name: 'Signing lab' }).click();
    await page.locator('[data-testid="key-store"][data-state="locked"]').waitFor();

    await page.getByLabel('Key store passphrase').fill('not the passphrase');
    await page.getByRole('button', { name: 'Unlock' }).click();
    const error = page.getByTestId('unlock-error');
    await error.waitFor();
    assert.equal(await error.getAttribute('data-code'), 'wrong-passphrase');
    assert.match(await error.innerText(), /wrong passphrase/);
    assert.equal(await page.getByTestId('key-store').getAttribute('data-state'), 'locked');
    await screenshot(page, '1x-signing-06-wrong-passphrase');

    // a slow key listing must not show an unlocked store with no keys in between: the list is
    // read when the state says unlocked
    await page.route('**/api/listKeys*', async (route) => {
      await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
    await page.getByLabel('Key store passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.locator('[data-testid="key-store"][data-state="unlocked"]').waitFor();
    assert.deepEqual(await page.getByTestId('key-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-selector'))), ['lab1', 'lab2']);
    assert.deepEqual(externalRequests(second.requests), []);
  } finally {
    await second.close();
  }
});
