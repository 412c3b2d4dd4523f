// The renderer end to end in Chromium against the web host and the real engine (DNS from an
// in-memory zone: no network). Messages are signed here with fresh keys.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { exampleZone, keyRecordLine, makeKey, plainMessage, signMessage, type TestKey } from './helpers/signed-message.ts';
import { browserSkip, dropFiles, externalRequests, openApp, screenshot, type AppUnderTest } from './helpers/browser.ts';
import { CONTENT_SECURITY_POLICY } from '../electron/web-host/security-headers.ts';

const skip = browserSkip;

let app: AppUnderTest;
let key: TestKey;
let otherKey: TestKey;
let signed: string;
let signedOther: string;

before(async () => {
  if (skip) return;
  key = makeKey('rsa', 2048);
  otherKey = makeKey('rsa', 2048);
  signed = await signMessage(plainMessage(), 'example.com', 'sel1', key);
  // signed with a selector whose key is not published: DKIM fails until the what-if zone adds it
  signedOther = await signMessage(plainMessage({ subject: 'Signed with an unpublished key' }), 'example.com', 'sel2', otherKey);
  app = await openApp({ zone: exampleZone('sel1', key) });
});

after(async () => {
  await app?.close();
});

const enc = (s: string) => new TextEncoder().encode(s);

test('a dropped DKIM-signed message passes DKIM, SPF and DMARC, with the alignment diagram', { skip }, async () => {
  const { page } = app;
  await dropFiles(page, [{ name: 'signed.eml', bytes: enc(signed) }]);
  const verdict = page.getByTestId('verdict');
  await verdict.waitFor();
  await page.locator('[data-testid="verdict"][data-verdict="pass"]').waitFor({ timeout: 15000 });
  assert.equal(await page.getByTestId('card-spf').getAttribute('data-result'), 'pass');
  assert.equal(await page.getByTestId('card-dkim-1').getAttribute('data-result'), 'pass');
  assert.equal(await page.getByTestId('card-dmarc').getAttribute('data-result'), 'pass');
  const diagram = page.getByTestId('alignment-diagram');
  await diagram.waitFor();
  assert.equal(await diagram.locator('.edge[data-aligned="true"]').count(), 2, 'SPF and DKIM both aligned');
  assert.match(await diagram.innerText(), /example\.com/);
  // the Raw tab shows the message in Monaco with the signed fields decorated
  await page.getByTestId('raw-editor').locator('.view-lines').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="raw-editor"] .signed-field').length > 0);
  await screenshot(page, '01-signed-pass');
});

test('the inspector tabs: canonical form, DNS log, stored vs recomputed A-R, signing placeholder; keyboard moves between tabs', { skip }, async () => {
  const { page } = app;
  const rawTab = page.getByRole('tab', { name: 'Raw message' });
  await rawTab.focus();
  await page.keyboard.press('ArrowRight');
  const canonical = page.getByRole('tab', { name: 'Canonicalized' });
  assert.equal(await canonical.getAttribute('aria-selected'), 'true', 'ArrowRight selects the next tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Canonicalized');
  await page.getByTestId('canonical-editor').locator('.view-lines').waitFor();
  const canonicalText = await page.getByTestId('canonical-editor').locator('.view-lines').innerText();
  assert.match(canonicalText, /dkim-signature:v=1;/i, 'relaxed canonical header block shown');
  await screenshot(page, '02-canonicalized');

  await page.keyboard.press('ArrowRight');
  const table = page.getByTestId('dns-table');
  await table.waitFor();
  const dnsText = await table.innerText();
  assert.match(dnsText, /sel1\._domainkey\.example\.com/);
  assert.match(dnsText, /_dmarc\.example\.com/);
  await screenshot(page, '03-dns');

  await page.getByRole('tab', { name: 'Authentication-Results' }).click();
  // the diff editor fills its models after computing the diff in the worker
  await page.waitForFunction(() => /dmarc=pass/.test(document.querySelector('[data-testid="ar-diff"]')?.textContent ?? ''));
  const modified = (await page.getByTestId('ar-diff').textContent()) ?? '';
  assert.match(modified, /dkim=pass/);
  assert.match(modified, /dmarc=pass/);
  await screenshot(page, '04-auth-results');

  await page.getByRole('tab', { name: 'Signed output' }).click();
  assert.equal(await page.getByTestId('signed-placeholder').innerText(), 'Sign a message in the signing lab to see its output here.');

  // a step with source lines reveals them in the Raw tab
  await page.getByRole('button', { name: 'Show signature in message' }).click();
  assert.equal(await rawTab.getAttribute('aria-selected'), 'true');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="raw-editor"] .reveal-highlight').length > 0);
});

test('hovering a DKIM-Signature tag explains it from the report', { skip }, async () => {
  const { page } = app;
  const line = page.getByTestId('raw-editor').locator('.view-line').filter({ hasText: /^DKIM-Signature:/ });
  const token = line.locator('span span', { hasText: /^d$/ }).first();
  await token.hover();
  const hover = page.locator('.monaco-hover-content').filter({ hasText: 'd=' });
  await hover.first().waitFor({ timeout: 10000 });
  const text = await hover.first().innerText();
  assert.match(text, /DKIM signature #1/);
  assert.match(text, /example\.com/);
  await screenshot(page, '05-tag-hover');
});

test('pasted headers only are evaluated with the headers-only limitation shown', { skip }, async () => {
  const { page } = app;
  const headers = signed.slice(0, signed.indexOf('\r\n\r\n')).replace(/\r\n/g, '\n');
  await page.getByRole('button', { name: 'Paste…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Paste a message' });
  await dialog.waitFor();
  await dialog.getByLabel('The raw message, or only its header section').fill(headers);
  await dialog.getByLabel('Headers only (no body to check)').check();
  await dialog.getByRole('button', { name: 'Evaluate' }).click();
  await page.locator('.message-item[data-file="pasted headers"]:not([data-status="evaluating"])').waitFor();
  const limits = page.getByTestId('limitations');
  await limits.waitFor();
  const text = await limits.innerText();
  assert.match(text, /Headers only/);
  assert.match(text, /body/i, 'the limitation names what cannot be checked');
  await screenshot(page, '06-headers-only');
});

test('the what-if zone turns a DKIM fail (key missing) into a pass, with the before/after diff', { skip }, async () => {
  const { page } = app;
  await dropFiles(page, [{ name: 'unpublished-key.eml', bytes: enc(signedOther) }]);
  await page.locator('.message-item[data-file="unpublished-key.eml"]:not([data-status="evaluating"])').waitFor();
  const dkim = page.getByTestId('card-dkim-1');
  await dkim.waitFor();
  assert.notEqual(await dkim.getAttribute('data-result'), 'pass', 'no key published for sel2');
  const before = await dkim.getAttribute('data-result');

  const zone = page.getByTestId('zone-editor');
  await zone.locator('.view-lines').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(`${keyRecordLine('sel2', 'example.com', otherKey)}\n`);
  await page.locator('[data-testid="card-dkim-1"][data-result="pass"]').waitFor({ timeout: 20000 });
  const diff = page.getByTestId('verdict-diff');
  await diff.waitFor();
  const diffText = await diff.innerText();
  assert.match(diffText, /DKIM #1/);
  assert.ok(diffText.includes(before!), `the diff shows the earlier DKIM result (${before})`);
  await screenshot(page, '07-what-if');
});

test('a broken file shows its own error in the list while the good one next to it works', { skip }, async () => {
  const { page } = app;
  const junk = new Uint8Array(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 256;
  await dropFiles(page, [
    { name: 'junk.eml', bytes: junk },
    { name: 'good.eml', bytes: enc(signed) },
  ]);
  const bad = page.locator('.message-item[data-file="junk.eml"]');
  await page.locator('.message-item[data-file="junk.eml"][data-status="error"]').waitFor({ timeout: 15000 });
  const badText = await bad.locator('.message-error').innerText();
  assert.ok(badText.length > 10, `a specific error message: ${badText}`);
  assert.match(badText, /binary|not a message|text/i);
  await page.locator('.message-item[data-file="good.eml"][data-status="pass"]').waitFor({ timeout: 15000 });
  // a header built to make the verifier work for minutes is refused with its figures
  const names = Array.from({ length: 4000 }, (_, i) => `x-f${i}`).join(':');
  const hostile = `DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=${names}; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\nFrom: a@example.com\r\n${Array.from({ length: 4000 }, (_, i) => `X-F${i}: y\r\n`).join('')}\r\nbody\r\n`;
  await dropFiles(page, [{ name: 'hostile.eml', bytes: enc(hostile) }]);
  await page.locator('.message-item[data-file="hostile.eml"][data-status="error"]').waitFor({ timeout: 15000 });
  assert.match(await page.locator('.message-item[data-file="hostile.eml"] .message-error').innerText(), /1 signature listing 4,000 header field names in h= over 4,002 header fields: checking them takes 1\.6e\+7 field comparisons/);
  await bad.getByRole('button', { name: /^junk\.eml/ }).click();
  await page.getByTestId('file-error').waitFor();
  await screenshot(page, '08-broken-file');
  await page.locator('.message-item[data-file="good.eml"]').getByRole('button', { name: /^good\.eml/ }).click();
  await page.locator('[data-testid="verdict"][data-verdict="pass"]').waitFor();
});

test('a Subject and From with bidi and control characters show them as marks, not as reordered text', { skip }, async () => {
  const { page } = app;
  const encoded = (text: string) => `=?utf-8?b?${Buffer.from(text).toString('base64')}?=`;
  const mbox =
    `From a@example.com Thu Jan  1 00:00:00 2026\nFrom: "${encoded('Pay\u202Epal\x1b[2J')}" <a@example.com>\nSubject: ${encoded('Invoice \u202Efdp.exe')}\n\nbody\n\n` +
    `From a@example.com Thu Jan  1 00:00:00 2026\nFrom: b@example.com\nSubject: plain\n\nbody\n\n` +
    // a raw (8-bit) header value reaches the checks as it is: here a selector with a bidi override
    `From a@example.com Thu Jan  1 00:00:00 2026\nDKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=se\u202Electorx; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\nFrom: c@example.com\nSubject: selector\n\n`;
  await dropFiles(page, [{ name: 'bidi.mbox', bytes: enc(mbox) }]);
  await page.locator('.message-item[data-file="bidi.mbox"]:not([data-status="evaluating"])').waitFor({ timeout: 15000 });
  const names = await page.locator('.message-item[data-file="bidi.mbox"] .message-name').allInnerTexts();
  assert.deepEqual(names, ['bidi.mbox', '#1 Invoice <U+202E>fdp.exe', '#2 plain', '#3 selector'], 'the file, then its messages');
  await page.locator('.message-item[data-file="bidi.mbox"] .message-button').first().click();
  const banner = await page.getByTestId('verdict').innerText();
  assert.ok(banner.includes('“Invoice <U+202E>fdp.exe” · From "Pay<U+202E>pal␛[2J" <a@example.com> · '), banner);
  assert.ok(!/[\u202E\x1b]/.test(banner + names.join('')), 'no raw control left');
  await screenshot(page, '08b-bidi-subject');
  await page.locator('.message-item[data-file="bidi.mbox"] .message-button', { hasText: '#3 selector' }).click();
  const card = page.getByTestId('card-dkim-1');
  await card.waitFor();
  const cardText = await card.innerText();
  assert.match(cardText, /s=se<U\+202E>lectorx/, 'the card title');
  assert.match(cardText, /se<U\+202E>lectorx\._domainkey\.example\.com/, 'the key lookup step');
  assert.match(await page.getByTestId('verdict').innerText(), /s=se<U\+202E>lectorx/, 'the summary lines');
  assert.ok(!(await page.getByTestId('results').innerText()).includes('\u202E'), 'no raw override anywhere in the results');
  await card.scrollIntoViewIfNeeded();
  await screenshot(page, '08c-bidi-selector');
});

test('a large mbox shows its first verdicts and its progress before the last message is evaluated; later slices send no bytes', { skip }, async () => {
  const { page, requests } = app;
  const N = 1500;
  let mbox = '';
  for (let i = 0; i < N; i++) mbox += `From a@example.com Thu Jan  1 00:00:00 2026\nFrom: b@example.com\nSubject: Bulk ${i + 1}\n\nbody ${i}\n\n`;
  // every state the list goes through, recorded in the page as it changes
  await page.evaluate(() => {
    const w = window as unknown as { __seen: { meta: string; listed: number; bar: boolean }[] };
    w.__seen = [];
    new MutationObserver(() => {
      const item = document.querySelector('.message-item[data-file="bulk.mbox"]');
      if (!item) return;
      w.__seen.push({ meta: item.querySelector('.message-meta')?.textContent ?? '', listed: item.querySelectorAll('.mbox-list li').length, bar: !!item.querySelector('progress.file-progress') });
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const before = requests.length;
  await dropFiles(page, [{ name: 'bulk.mbox', bytes: enc(mbox) }]);
  await page.locator('.message-item[data-file="bulk.mbox"]:not([data-status="evaluating"])').waitFor({ timeout: 60000 });
  const seen = (await page.evaluate(() => (window as unknown as { __seen: { meta: string; listed: number; bar: boolean }[] }).__seen)).filter((s) => /evaluated…/.test(s.meta));
  assert.ok(seen.length > 0, 'progress was shown');
  const first = seen[0]!;
  const done = Number(/([\d,]+) of 1,500 messages evaluated…/.exec(first.meta)?.[1]?.replace(/,/g, ''));
  assert.ok(done > 0 && done < N, first.meta);
  assert.equal(first.listed, done, 'the verdicts made so far are listed meanwhile');
  assert.ok(first.bar, 'with a progress bar');
  const meta = await page.locator('.message-item[data-file="bulk.mbox"] .message-meta').first().innerText();
  assert.match(meta, / · 1,500 messages: 1,500 (pass|partial|fail|none)$/, 'with how many have each verdict');
  assert.equal(await page.locator('.message-item[data-file="bulk.mbox"] .mbox-list li').count(), N);
  assert.equal(await page.locator('.message-item[data-file="bulk.mbox"] progress').count(), 0);
  // rows out of view are not rendered (content-visibility): their text is read from the DOM
  const names = await page.locator('.message-item[data-file="bulk.mbox"] .mbox-list .message-name').allTextContents();
  assert.deepEqual([names[0], names[799], names[N - 1]], ['#1 Bulk 1', '#800 Bulk 800', '#1500 Bulk 1500'], 'in mbox order, none twice');
  // the bytes went with the first slice only
  const calls = requests.slice(before).filter((r) => r.url().endsWith('/api/evaluate'));
  assert.ok(calls.length >= 2, `${calls.length} evaluate calls`);
  const later = calls.slice(1).map((r) => ({ size: r.postDataBuffer()?.length ?? 0, body: r.postDataJSON() as Record<string, unknown> }));
  for (const { size, body } of later) {
    assert.ok(typeof body.inputRef === 'string' && !('messageBase64' in body) && size < 2048, `a later request of ${size} bytes: ${Object.keys(body).join(', ')}`);
  }
});

test('removing a large mbox while it is evaluated stops its slices', { skip }, async () => {
  const { page, requests } = app;
  let mbox = '';
  for (let i = 0; i < 3000; i++) mbox += `From a@example.com Thu Jan  1 00:00:00 2026\nFrom: b@example.com\nSubject: Gone ${i + 1}\n\nbody ${i}\n\n`;
  const evaluateCalls = () => requests.filter((r) => r.url().endsWith('/api/evaluate')).length;
  await dropFiles(page, [{ name: 'removed.mbox', bytes: enc(mbox) }]);
  await page.locator('.message-item[data-file="removed.mbox"] progress.file-progress').waitFor({ timeout: 30000 });
  await page.getByRole('button', { name: 'Remove removed.mbox' }).click();
  const atRemoval = evaluateCalls();
  await page.waitForTimeout(2500);
  assert.ok(evaluateCalls() <= atRemoval + 1, `${evaluateCalls() - atRemoval} more evaluate calls after the file was removed`);
  assert.equal(await page.locator('.message-item[data-file="removed.mbox"]').count(), 0);
});

test('a message of an mbox too large to hold whole is read from the file: its source lines show and can be revealed', { skip }, async () => {
  const { page } = app;
  // message 1 takes the 4 MB the page keeps of a file; message 2 lies beyond it
  const big = plainMessage({ subject: 'A large attachment', body: 'x'.repeat(76) + '\n'.repeat(1) + ('y'.repeat(76) + '\n').repeat(70_000) });
  const beyond = await signMessage(plainMessage({ subject: 'Beyond the head' }), 'example.com', 'sel1', key);
  const mbox = `From a@example.com Tue Nov 24 10:00:00 2026\n${big.replace(/\r\n/g, '\n')}\nFrom b@example.com Tue Nov 24 10:00:00 2026\n${beyond.replace(/\r\n/g, '\n')}\n`;
  assert.ok(mbox.length > 4.5 * 1024 * 1024);
  await dropFiles(page, [{ name: 'large.mbox', bytes: enc(mbox) }]);
  await rawWithSignedFields('large.mbox', /#2 Beyond the head/, /Subject:\s+Beyond\s+the\s+head/);
});

/**
 * Opens a message of a dropped file in the Raw tab and waits until its signed header fields are
 * decorated: the page rebuilt the bytes the engine evaluated, so offsets line up.
 */
async function rawWithSignedFields(file: string, button: RegExp, subject: RegExp): Promise<void> {
  const { page } = app;
  await page.locator(`.message-item[data-file="${file}"]`).getByRole('button', { name: button }).click({ timeout: 30000 });
  await page.locator('[data-testid="verdict"][data-verdict="pass"]').waitFor({ timeout: 15000 });
  await page.getByRole('tab', { name: 'Raw message' }).click();
  await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('[data-testid="raw-editor"] .view-lines')?.textContent ?? ''), subject.source, { timeout: 15000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="raw-editor"] .signed-field').length > 0, null, { timeout: 15000 });
  assert.equal(await page.getByText('could not be reconstructed').count(), 0);
}

test('a message with empty lines above its header (as pasted into an mbox) still shows its signed lines decorated', { skip }, async () => {
  const { page } = app;
  const signed = await signMessage(plainMessage({ subject: 'After empty lines' }), 'example.com', 'sel1', key);
  const mbox = `From a@example.com Tue Nov 24 10:00:00 2026\n\n\n${signed.replace(/\r\n/g, '\n')}\nFrom b@example.com Tue Nov 24 10:00:00 2026\n${signed.replace(/\r\n/g, '\n')}\n`;
  await dropFiles(page, [{ name: 'empty-lines.mbox', bytes: enc(mbox) }]);
  await rawWithSignedFields('empty-lines.mbox', /#1 After empty lines/, /Subject:\s+After\s+empty\s+lines/);
  await screenshot(page, '08b-empty-lines-mbox');
});

test('export downloads the JSON report', { skip }, async () => {
  const { page } = app;
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export report as JSON' }).click()]);
  const file = await download.path();
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const text = JSON.stringify(json);
  assert.ok(/"dmarc"/.test(text) && /example\.com/.test(text), 'the exported JSON is the report');
  assert.match(download.suggestedFilename(), /\.json$/);
});

test('dark theme follows the toggle', { skip }, async () => {
  const { page } = app;
  await page.getByRole('button', { name: /Switch theme/ }).click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.waitForFunction(() => {
    const ed = document.querySelector('.monaco-editor');
    return ed ? getComputedStyle(ed).backgroundColor !== 'rgb(255, 255, 255)' : false;
  });
  await screenshot(page, '09-dark');
});

test('the page stays on loopback, logs no console errors and is served with the CSP', { skip }, async () => {
  assert.deepEqual(externalRequests(app.requests), []);
  assert.ok(app.requests.length > 5, 'requests were observed');
  // a rejected input (junk.eml) comes back as an error envelope with HTTP 200, so nothing is logged
  assert.deepEqual(app.consoleErrors, []);
  assert.equal(app.csp, CONTENT_SECURITY_POLICY);
  assert.match(app.csp!, /script-src 'self'(;|$)/);
});
