import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_SETTINGS, type EvaluationResult } from '../shared/ipc/contract.ts';
import { createServices, type EngineLike } from '../electron/services/services.ts';
import { RECENT_LIMIT } from '../electron/services/stores.ts';
import { reportToHtml } from '../electron/services/export/html.ts';
import { mdCode } from '../electron/services/export/markdown.ts';
import { HOSTILE_SUBJECT, fixtureReport } from './ipc-report-fixture.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'authlab-services-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Records what it was given; throws like the engine's InputError for an empty message. */
function fakeEngine() {
  const calls: { bytes: Uint8Array; opts: unknown; dns: unknown }[] = [];
  const engine: EngineLike = {
    async evaluate(bytes, opts, dns) {
      calls.push({ bytes, opts, dns });
      if (bytes.length === 0) throw Object.assign(new Error('the input is empty'), { code: 'empty' });
      const result: EvaluationResult = { container: 'message', messages: [{ ok: true, ...fixtureReport() }] };
      return result;
    },
  };
  return { engine, calls };
}

test('evaluate hands the exact bytes to the engine', async (t) => {
  const { engine, calls } = fakeEngine();
  const s = createServices({ engine, dataDir: tempDir(t) });
  // Bytes no text decoding would preserve: a lone CR, invalid UTF-8, NUL.
  const bytes = Buffer.from([0x46, 0x72, 0x6f, 0x6d, 0x3a, 0x20, 0xff, 0xfe, 0x0d, 0x00, 0x0a]);
  const res = await s.evaluate({ messageBase64: bytes.toString('base64'), options: { mode: 'lenient' }, dns: { offline: true } });
  assert.equal(res.messages.length, 1);
  assert.deepEqual(Buffer.from(calls[0]!.bytes), bytes);
  assert.deepEqual(calls[0]!.opts, { mode: 'lenient' });
  assert.deepEqual(calls[0]!.dns, { offline: true });
  await assert.rejects(s.evaluate({ messageBase64: '', options: {}, dns: {} }), { code: 'empty' });
});

test('settings: defaults, atomic save, corrupt file reported and left alone', async (t) => {
  const dir = tempDir(t);
  const s = createServices({ engine: fakeEngine().engine, dataDir: dir });
  assert.deepEqual(await s.getSettings(), DEFAULT_SETTINGS);
  const mine = { ...DEFAULT_SETTINGS, dnsServers: ['127.0.0.1:5353'], theme: 'dark' as const };
  await s.setSettings(mine);
  assert.deepEqual(await s.getSettings(), mine);
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')), mine);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');

  // A file from an older version without a field still loads, with the default for it.
  const { theme: _theme, ...older } = mine;
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(older));
  assert.equal((await s.getSettings()).theme, 'system');

  writeFileSync(path.join(dir, 'settings.json'), '{ "dnsServers": [');
  await assert.rejects(s.getSettings(), (e: { code?: string; message?: string }) => e.code === 'store-corrupt' && /not valid JSON/.test(e.message ?? ''));
  await assert.rejects(s.setSettings(DEFAULT_SETTINGS), { code: 'store-corrupt' });
  assert.equal(readFileSync(path.join(dir, 'settings.json'), 'utf8'), '{ "dnsServers": [', 'corrupt file not overwritten');

  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...mine, mode: 'sloppy' }));
  await assert.rejects(s.getSettings(), (e: { code?: string; message?: string }) => e.code === 'store-corrupt' && /settings\.mode/.test(e.message ?? ''));
});

test('recent: newest first, deduplicated, capped, paths only from main', async (t) => {
  const dir = tempDir(t);
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const s = createServices({ engine: fakeEngine().engine, dataDir: dir, now: () => new Date((clock += 1000)) });
  assert.deepEqual(await s.listRecent(), []);
  await s.addRecentFile('/home/u/a.eml', { fileName: 'a.eml', size: 10 });
  await s.addRecent({ fileName: 'b.eml' });
  // The page reports the verdict for a.eml after evaluating it: merged into main's entry.
  const list = await s.addRecent({ fileName: 'a.eml', size: 10, verdict: 'fail', headline: 'DKIM fails' });
  assert.deepEqual(
    list.map((i) => [i.fileName, i.path, i.verdict]),
    [
      ['a.eml', '/home/u/a.eml', 'fail'],
      ['b.eml', undefined, undefined],
    ],
  );
  for (let i = 0; i < RECENT_LIMIT + 5; i++) await s.addRecent({ fileName: `m${i}.eml` });
  const all = await s.listRecent();
  assert.equal(all.length, RECENT_LIMIT);
  assert.equal(all[0]!.fileName, `m${RECENT_LIMIT + 4}.eml`);

  writeFileSync(path.join(dir, 'recent.json'), 'garbage');
  await assert.rejects(s.addRecent({ fileName: 'x.eml' }), { code: 'store-corrupt' });
  assert.equal(readFileSync(path.join(dir, 'recent.json'), 'utf8'), 'garbage');
});

test('concurrent writes do not lose entries', async (t) => {
  const s = createServices({ engine: fakeEngine().engine, dataDir: tempDir(t) });
  await Promise.all(Array.from({ length: 8 }, (_, i) => s.addRecent({ fileName: `c${i}.eml` })));
  assert.equal((await s.listRecent()).length, 8);
});

test('export: JSON round-trips, Markdown and HTML escape message text', async (t) => {
  const s = createServices({ engine: fakeEngine().engine, dataDir: tempDir(t) });
  const report = fixtureReport();

  const json = await s.exportReport({ format: 'json', report });
  assert.equal(json.mime, 'application/json');
  assert.equal(json.fileName, 'authlab-2026-01-02-invoice-script-alert-1-script-click-http-evil-ex.json');
  assert.deepEqual(JSON.parse(json.content), report);

  const md = await s.exportReport({ format: 'markdown', report });
  assert.match(md.fileName, /\.md$/);
  assert.ok(!md.content.includes('<script>'), 'raw HTML from the subject');
  assert.ok(!md.content.includes('[click](http'), 'a live link from the subject');
  assert.match(md.content, /## DKIM/);
  assert.match(md.content, /signature did not verify/);
  // table cells stay in their column
  const dnsRow = md.content.split('\n').find((l) => l.startsWith('| 1 |'));
  assert.ok(dnsRow);
  assert.equal(dnsRow.split(/(?<!\\)\|/).length - 2, 7);

  const html = await s.exportReport({ format: 'html', report });
  assert.equal(html.mime, 'text/html; charset=utf-8');
  assert.ok(!/<script/i.test(html.content), 'no script element at all');
  assert.ok(html.content.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.content.includes('&lt;b&gt;the&lt;/b&gt;'), 'step detail escaped');
  assert.ok(!/(src|href)=["']?https?:/i.test(html.content), 'no external resources');
  assert.match(html.content, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
  assert.ok(html.content.includes(`${'Invoice &lt;script&gt;'}`));
  assert.ok(HOSTILE_SUBJECT.includes('<script>'));
});

test('export survives a report with missing parts', () => {
  const partial = { ...fixtureReport(), spf: {} as never, summary: {} as never, dns: [{}] as never };
  assert.doesNotThrow(() => reportToHtml(partial));
});

test('mdCode fences cannot be closed by the content', () => {
  const block = mdCode('a ``` b ```` c');
  assert.ok(block.startsWith('`````text\n'));
  assert.ok(block.endsWith('\n`````'));
});

test('appInfo reports the shell, node and package version', async (t) => {
  const s = createServices({ engine: fakeEngine().engine, dataDir: tempDir(t), shell: 'web' });
  const info = await s.appInfo();
  assert.equal(info.shell, 'web');
  assert.equal(info.node, process.versions.node);
  assert.equal(info.version, JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  assert.deepEqual(await s.openFileDialog(), { supported: false });
  assert.deepEqual(await s.saveFile({ fileName: 'a', content: '' }), { supported: false });
});
