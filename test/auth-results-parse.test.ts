import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseHeaderBlock } from '../electron/engine/input/headers.ts';
import { parseAuthResultsValue, parseReceivedSpfValue, parseStoredResults } from '../electron/engine/auth-results/parse.ts';
import { readInput } from '../electron/engine/input/message-input.ts';
import { sharedData } from './helpers/paths.ts';

test('RFC 8601: authserv-id, version, methods, reason, properties, comments anywhere, quoted strings', () => {
  const r = parseAuthResultsValue(
    'example.com 1 (the receiver); dkim/1 = pass (good sig) reason="body hash ok; key 2048" header.d=example.org header.i=@example.org header.b="a1B2c3D4";' +
      ' spf=fail (sender not permitted) smtp.mailfrom=bounce+x=y@example.org; dmarc=fail (p=reject dis=reject) header.from=example.org',
  );
  assert.equal(r.authservId, 'example.com');
  assert.equal(r.version, 1);
  assert.equal(r.parseError, undefined);
  assert.deepEqual(r.results, [
    { method: 'dkim', result: 'pass', reason: 'body hash ok; key 2048', properties: { 'header.d': 'example.org', 'header.i': '@example.org', 'header.b': 'a1B2c3D4' }, comment: 'good sig' },
    { method: 'spf', result: 'fail', properties: { 'smtp.mailfrom': 'bounce+x=y@example.org' }, comment: 'sender not permitted' },
    { method: 'dmarc', result: 'fail', properties: { 'header.from': 'example.org' }, comment: 'p=reject dis=reject' },
  ]);
});

test('"none", nested comments, a quoted authserv-id', () => {
  const none = parseAuthResultsValue('mx.example.net; none');
  assert.deepEqual([none.authservId, none.results, none.parseError], ['mx.example.net', [], undefined]);
  const nested = parseAuthResultsValue('"mx example"; arc=pass (i=2 (nested) ok) smtp.remote-ip=192.0.2.1');
  assert.equal(nested.authservId, 'mx example');
  assert.equal(nested.results[0].comment, 'i=2 (nested) ok');
  assert.equal(nested.results[0].properties['smtp.remote-ip'], '192.0.2.1');
});

test("Microsoft's form without an authserv-id", () => {
  const r = parseAuthResultsValue(
    'spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=example.com; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=example.com;compauth=pass reason=100',
  );
  assert.equal(r.authservId, undefined);
  assert.equal(r.parseError, undefined);
  assert.deepEqual(
    r.results.map((x) => [x.method, x.result]),
    [
      ['spf', 'pass'],
      ['dkim', 'none'],
      ['dmarc', 'none'],
      ['compauth', 'pass'],
    ],
  );
  assert.equal(r.results[0].comment, 'sender IP is 1.2.3.4');
  assert.equal(r.results[2].properties.action, 'none');
  assert.equal(r.results[3].reason, '100');
});

test('ARC-Authentication-Results: the i= instance first', () => {
  const r = parseAuthResultsValue('i=2; mx.microsoft.com 1; spf=pass (sender ip is 63.35.35.123) smtp.rcpttodomain=vger.kernel.org smtp.mailfrom=arm.com; arc=pass (0 oda=1 ltdi=1 spf=[1,1,smtp.mailfrom=arm.com])', true);
  assert.equal(r.instance, 2);
  assert.equal(r.authservId, 'mx.microsoft.com');
  assert.equal(r.version, 1);
  assert.deepEqual(r.results[0].properties, { 'smtp.rcpttodomain': 'vger.kernel.org', 'smtp.mailfrom': 'arm.com' });
  assert.equal(r.results[1].comment, '0 oda=1 ltdi=1 spf=[1,1,smtp.mailfrom=arm.com]');
  assert.match(parseAuthResultsValue('mx.example; spf=pass', true).parseError ?? '', /instance tag i=N/);
});

test('Received-SPF: result, comment, key=value pairs (with or without semicolons)', () => {
  const a = parseReceivedSpfValue(
    'pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 as permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1; envelope-from="myname@example.com"; helo=foo.example.com;',
  );
  assert.equal(a.authservId, 'mybox.example.org');
  assert.equal(a.parseError, undefined);
  assert.deepEqual(a.results, [
    {
      method: 'spf',
      result: 'pass',
      properties: { receiver: 'mybox.example.org', 'client-ip': '192.0.2.1', 'envelope-from': 'myname@example.com', helo: 'foo.example.com' },
      comment: 'mybox.example.org: domain of myname@example.com designates 192.0.2.1 as permitted sender',
    },
  ]);
  // Mailgun-style: pairs separated by a space, angle brackets around envelope-from
  const b = parseReceivedSpfValue('None (mx.ethereal.email: domain of x does not designate 141.193.32.12 as permitted sender) receiver=mx.ethereal.email; identity=helo; client-ip=141.193.32.12 helo=m32-12.eu.mailgun.net; envelope-from=<b@x.com>');
  assert.equal(b.results[0].result, 'none');
  assert.deepEqual(b.results[0].properties, { receiver: 'mx.ethereal.email', identity: 'helo', 'client-ip': '141.193.32.12', helo: 'm32-12.eu.mailgun.net', 'envelope-from': 'b@x.com' });
  // a receiver written as an address: its domain names the receiver
  assert.equal(parseReceivedSpfValue('Pass (sender SPF authorized) identity=mailfrom; receiver=test-1@mail-tester.com').authservId, 'mail-tester.com');
  assert.match(parseReceivedSpfValue('client-ip=1.2.3.4').parseError ?? '', /does not start with an SPF result/);
});

test('never throws: broken headers carry parseError and keep what could be read', () => {
  const cases = ['', ';;;', 'mx.example; dkim', 'mx.example; spf=pass (unclosed comment', 'mx.example; dkim="unclosed', 'mx.example extra words; spf=pass', '((((', '=', 'a=;b'];
  for (const c of cases) {
    const r = parseAuthResultsValue(c);
    assert.equal(typeof r.parseError, 'string', `parseError for ${JSON.stringify(c)}`);
  }
  assert.deepEqual(parseAuthResultsValue('mx.example; dkim; spf=pass').results.map((r) => r.method), ['spf']);
});

test('parseStoredResults: the three fields, top to bottom, with byte ranges', () => {
  const text = [
    'Authentication-Results: mx.example.net;',
    '\tspf=pass smtp.mailfrom=example.org',
    'ARC-Authentication-Results: i=1; mx.example.net; spf=pass smtp.mailfrom=example.org',
    'X-MS-Exchange-Authentication-Results: spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=example.org',
    'Received-SPF: pass client-ip=192.0.2.1;',
    'Subject: x',
    '',
    '',
  ].join('\r\n');
  const bytes = Buffer.from(text);
  const stored = parseStoredResults(parseHeaderBlock(bytes));
  assert.deepEqual(
    stored.map((s) => s.field),
    ['Authentication-Results', 'ARC-Authentication-Results', 'Received-SPF'],
  );
  assert.equal(bytes.subarray(stored[0].source.start, stored[0].source.end).toString(), 'Authentication-Results: mx.example.net;\r\n\tspf=pass smtp.mailfrom=example.org\r\n');
  assert.equal(stored[0].raw, 'Authentication-Results: mx.example.net;\r\n\tspf=pass smtp.mailfrom=example.org\r\n');
  assert.equal(stored[1].instance, 1);
  assert.equal(stored[2].results[0].properties['client-ip'], '192.0.2.1');
});

const ocamlArc = sharedData('samples/messages/ocaml-arc');
test('ocaml-dmarc expectations: stored results per authserv-id and method', { skip: ocamlArc.skip }, () => {
  const manifest = JSON.parse(readFileSync(path.join(ocamlArc.dir, 'manifest.json'), 'utf8')) as {
    files: Record<string, { expect: { stored_authentication_results?: Record<string, Record<string, string>> } }>;
  };
  let checked = 0;
  for (const [file, entry] of Object.entries(manifest.files)) {
    const expected = entry.expect.stored_authentication_results;
    if (!expected) continue;
    const [item] = readInput(readFileSync(path.join(ocamlArc.dir, file))).items;
    assert.ok(item.ok);
    const stored = parseStoredResults(item.headers).filter((h) => h.field === 'Authentication-Results');
    for (const h of stored) assert.equal(h.parseError, undefined, `${file}: ${h.raw}`);
    for (const [authserv, methods] of Object.entries(expected)) {
      for (const [method, result] of Object.entries(methods)) {
        const found = stored.filter((h) => h.authservId === authserv).flatMap((h) => h.results.filter((r) => r.method === method));
        assert.ok(found.length > 0, `${file}: ${authserv} ${method}`);
        assert.equal(found[0].result, result, `${file}: ${authserv} ${method}`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 30, `checked ${checked}`);
});

const messages = sharedData('samples/messages');
test('every A-R, ARC-A-R and Received-SPF in the samples parses without error', { skip: messages.skip }, () => {
  let n = 0;
  let odd = 0;
  for (const folder of readdirSync(messages.dir, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    const manifest = JSON.parse(readFileSync(path.join(messages.dir, folder.name, 'manifest.json'), 'utf8')) as {
      files: Record<string, { inventory?: { authentication_results?: { header: string; value: string }[] } }>;
    };
    for (const [file, entry] of Object.entries(manifest.files)) {
      const inventory = (entry.inventory?.authentication_results ?? []).filter((a) => /^(arc-)?authentication-results$|^received-spf$/i.test(a.header));
      if (inventory.length === 0) continue;
      const [item] = readInput(readFileSync(path.join(messages.dir, folder.name, file))).items;
      assert.ok(item.ok);
      const stored = parseStoredResults(item.headers);
      assert.equal(stored.length, inventory.length, `${folder.name}/${file}`);
      for (const h of stored) {
        if (/; smtp\.remote-ip=[\d.]+;/.test(h.raw)) {
          // webhostingserver.nl writes a property with no method before it (not RFC 8601)
          assert.match(h.parseError ?? '', /“smtp\.remote-ip=178\.250\.146\.69” is a property with no method before it/);
          assert.deepEqual(h.results.map((r) => r.method), ['iprev', 'auth', 'spf', 'dmarc', 'arc']);
          odd++;
        } else assert.equal(h.parseError, undefined, `${folder.name}/${file}: ${h.raw}`);
        if (h.field !== 'Received-SPF' && !/^\s*none\s*$/i.test(h.raw.split(';').pop() ?? '')) assert.ok(h.results.length > 0, h.raw);
        for (const r of h.results) assert.match(r.result, /^[a-z]+$/, `${folder.name}/${file}: ${r.method}`);
        n++;
      }
    }
  }
  assert.ok(n > 150, `parsed ${n}`);
  assert.ok(odd >= 1 && odd < 10, `${odd} headers with a property and no method`);
});

test('Gmail, Fastmail and Microsoft headers from real messages', { skip: messages.skip }, () => {
  const read = (f: string) => {
    const [item] = readInput(readFileSync(path.join(messages.dir, f))).items;
    assert.ok(item.ok);
    return parseStoredResults(item.headers);
  };
  const gmail = read('mailauth/arc-pass.eml');
  const gAr = gmail.find((h) => h.field === 'Authentication-Results' && h.authservId === 'mx.google.com');
  assert.ok(gAr);
  assert.deepEqual(
    gAr.results.map((r) => r.method),
    ['dkim', 'arc', 'spf', 'dmarc'].filter((m) => gAr.results.some((r) => r.method === m)),
  );
  const spf = gAr.results.find((r) => r.method === 'spf');
  assert.ok(spf?.properties['smtp.mailfrom']);
  assert.match(spf?.comment ?? '', /^google\.com: /);

  const fastmail = read('dkim_verifier/Fastmail from Fastmail - Welcome! Get set up in 3 steps..eml');
  const fm = fastmail.filter((h) => h.field === 'Authentication-Results');
  assert.ok(fm.length >= 1);
  assert.ok(fm.every((h) => h.authservId && /messagingengine\.com$/.test(h.authservId)), fm.map((h) => h.authservId).join());
  const rspf = fastmail.find((h) => h.field === 'Received-SPF');
  assert.equal(rspf?.results[0].properties.identity, 'mailfrom');

  const ms = read('ocaml-arc/005.mail').find((h) => h.field === 'Authentication-Results' && !h.authservId);
  assert.ok(ms, "Microsoft's A-R without authserv-id");
  assert.deepEqual(ms.results.map((r) => `${r.method}=${r.result}`), ['dkim=none', 'dmarc=none']);
});
