import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseHeaderBlock } from '../electron/engine/input/headers.ts';
import { deriveEnvelope, parseReceivedHops } from '../electron/engine/input/envelope.ts';
import { InputError } from '../electron/engine/input/input-error.ts';
import { readInput } from '../electron/engine/input/message-input.ts';
import { sharedData } from './helpers/paths.ts';

const block = (lines: string[]) => parseHeaderBlock(Buffer.from(`${lines.join('\r\n')}\r\n\r\nbody\r\n`));

// Postfix with a content filter on 127.0.0.1 in front, as delivered to a mailbox
const POSTFIX = [
  'Return-Path: <bounce-123@lists.example.org>',
  'Delivered-To: me@example.net',
  'Received: from localhost (localhost [127.0.0.1])',
  '\tby mx.example.net (Postfix) with ESMTP id 4T1XYZ2abc',
  '\tfor <me@example.net>; Tue,  2 Jan 2024 10:00:07 +0000 (UTC)',
  'Received: from mail.lists.example.org (mail.lists.example.org [198.51.100.25])',
  '\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))',
  '\t(No client certificate requested)',
  '\tby mx.example.net (Postfix) with ESMTPS id 4T1XYZ1def',
  '\tfor <me@example.net>; Tue,  2 Jan 2024 10:00:05 +0000 (UTC)',
  'From: a@example.org',
];

test('Postfix: the content-filter hop on 127.0.0.1 is passed over; Return-Path gives MAIL FROM', () => {
  const env = deriveEnvelope(block(POSTFIX), {});
  assert.equal(env.hops.length, 2);
  assert.equal(env.hop, 2);
  assert.equal(env.ip, '198.51.100.25');
  assert.equal(env.helo, 'mail.lists.example.org');
  assert.equal(env.mailFrom, 'bounce-123@lists.example.org');
  assert.deepEqual(env.origin, { ip: 'received', helo: 'received', mailFrom: 'return-path' });
  const [h1, h2] = env.hops;
  assert.equal(h1.index, 1);
  assert.equal(h1.ip, '127.0.0.1');
  assert.equal(h1.by, 'mx.example.net');
  assert.equal(h1.delaySeconds, 2);
  assert.equal(h2.delaySeconds, undefined);
  assert.equal(h2.with, 'ESMTPS');
  assert.equal(h2.date, 'Tue, 2 Jan 2024 10:00:05 +0000 (UTC)');
  const bytes = Buffer.from(`${POSTFIX.join('\r\n')}\r\n`);
  assert.match(bytes.subarray(h2.source.start, h2.source.end).toString(), /^Received: from mail\.lists\.example\.org [\s\S]*\(UTC\)\r\n$/);
  assert.equal(h2.raw, bytes.subarray(h2.source.start, h2.source.end).toString());
});

test('Gmail: the HELO is the from name, not the reverse-DNS name in the comment', () => {
  const env = deriveEnvelope(
    block([
      'Received: by 2002:a05:6358:b5c1:b0:17a:c0aa:1234 with SMTP id ab1csp123456rwe;',
      '        Tue, 2 Jan 2024 02:00:06 -0800 (PST)',
      'Received: from out.example.org (out-7.example.org. [203.0.113.7])',
      '        by mx.google.com with ESMTPS id x12-20020a05600c000000b0040e000000si1234567wmq.123.2024.01.02.02.00.05',
      '        for <me@gmail.com>',
      '        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);',
      '        Tue, 02 Jan 2024 02:00:05 -0800 (PST)',
      'Received-SPF: pass (google.com: domain of bounce@example.org designates 203.0.113.7 as permitted sender) client-ip=203.0.113.7;',
      'Return-Path: <bounce@example.org>',
    ]),
    {},
  );
  assert.equal(env.hop, 2);
  assert.equal(env.hops[0].ip, undefined, 'the internal Gmail hop has no client IP');
  assert.equal(env.ip, '203.0.113.7');
  assert.equal(env.helo, 'out.example.org');
  assert.equal(env.mailFrom, 'bounce@example.org');
  assert.equal(env.hops[0].delaySeconds, 1);
});

test('Exim: helo= in the comment is the HELO, envelope-from comes from the hop when there is no Return-Path', () => {
  const env = deriveEnvelope(
    block([
      'Received: from host-203-0-113-9.isp.example ([203.0.113.9] helo=laptop.local)',
      '\tby mail.example.net with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384',
      '\t(Exim 4.97)',
      '\t(envelope-from <alice@example.net>)',
      '\tid 1rKX5N-000ABC-2x',
      '\tfor bob@example.com; Tue, 02 Jan 2024 11:00:00 +0100',
    ]),
    {},
  );
  assert.equal(env.ip, '203.0.113.9');
  assert.equal(env.helo, 'laptop.local');
  assert.equal(env.hops[0].envelopeFrom, 'alice@example.net');
  assert.equal(env.mailFrom, 'alice@example.net');
  assert.deepEqual(env.origin, { ip: 'received', helo: 'received', mailFrom: 'received' });
});

test('Exim without reverse DNS: the address literal in front of the comment is the client', () => {
  const [hop] = parseReceivedHops(block(['Received: from [198.51.100.77] (helo=[192.168.1.5])', '\tby mx.example.com with esmtp (Exim 4.96)', '\tid 1abc-000; Tue, 02 Jan 2024 11:00:00 +0000']));
  assert.equal(hop.ip, '198.51.100.77');
  assert.equal(hop.helo, '[192.168.1.5]');
});

test('Microsoft 365: internal hops with public IPv6 are passed over for the frontend hop', () => {
  const env = deriveEnvelope(
    block([
      'Received: from SA1PR12MB1234.namprd12.prod.outlook.com (2603:10b6:806:1::5) by',
      ' SN7PR12MB5678.namprd12.prod.outlook.com with HTTPS; Tue, 2 Jan 2024 10:00:09',
      ' +0000',
      'Received: from BN9PR03CA0001.namprd03.prod.outlook.com (2603:10b6:408:1::10)',
      ' by SA1PR12MB1234.namprd12.prod.outlook.com (2603:10b6:806:1::5) with',
      ' Microsoft SMTP Server (version=TLS1_2,',
      ' cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7159.13; Tue, 2 Jan',
      ' 2024 10:00:08 +0000',
      'Received: from BN2PEPF000044A1.namprd04.prod.outlook.com',
      ' (2603:10b6:408:1:cafe::2) by BN9PR03CA0001.outlook.office365.com',
      ' (2603:10b6:408:1::10) with Microsoft SMTP Server (version=TLS1_2,',
      ' cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7159.13 via Frontend',
      ' Transport; Tue, 2 Jan 2024 10:00:08 +0000',
      'Received: from mail.sender.example (192.0.2.44) by',
      ' BN2PEPF000044A1.mail.protection.outlook.com (10.167.243.152) with Microsoft',
      ' SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.7159.9',
      ' via Frontend Transport; Tue, 2 Jan 2024 10:00:07 +0000',
      'Received: from [10.0.0.3] (unknown [10.0.0.3]) by mail.sender.example (Postfix) with ESMTPSA id 1A2B3C; Tue, 2 Jan 2024 10:00:06 +0000',
    ]),
    {},
  );
  assert.equal(env.hops.length, 5);
  assert.equal(env.hops[1].ip, '2603:10b6:408:1::10');
  assert.equal(env.hop, 4);
  assert.equal(env.ip, '192.0.2.44');
  assert.equal(env.helo, 'mail.sender.example');
  assert.equal(env.mailFrom, undefined);
  assert.equal(env.origin.mailFrom, 'none');
});

test('qmail: "(HELO name) (address)"', () => {
  const [hop] = parseReceivedHops(block(['Received: from unknown (HELO mail.example.org) (192.0.2.200)', '  by mx.example.net with SMTP; 2 Jan 2024 10:00:00 -0000']));
  assert.equal(hop.ip, '192.0.2.200');
  assert.equal(hop.helo, 'mail.example.org');
});

test('hop selection: --hop picks the boundary, out-of-range hops are refused', () => {
  const headers = block(POSTFIX);
  const env = deriveEnvelope(headers, { hop: 1 });
  assert.equal(env.hop, 1);
  assert.equal(env.ip, '127.0.0.1');
  assert.equal(env.helo, 'localhost');
  for (const hop of [0, 3, 1.5]) {
    assert.throws(
      () => deriveEnvelope(headers, { hop }),
      (e: unknown) => e instanceof InputError && e.code === 'bad-envelope' && new RegExp(`no Received hop ${hop}: the message has 2 Received headers`).test(e.message),
    );
  }
  assert.throws(() => deriveEnvelope(block(['From: a@example.org']), { hop: 1 }), /no Received headers/);
});

test('a given IP takes the HELO only from a hop of that same connection', () => {
  const headers = block(POSTFIX);
  const same = deriveEnvelope(headers, { ip: '198.51.100.25' });
  assert.equal(same.hop, 2);
  assert.equal(same.helo, 'mail.lists.example.org');
  assert.deepEqual(same.origin, { ip: 'given', helo: 'received', mailFrom: 'return-path' });
  const other = deriveEnvelope(headers, { ip: '[2001:db8::5]' });
  assert.equal(other.ip, '2001:db8::5');
  assert.equal(other.helo, undefined);
  assert.equal(other.hop, undefined);
  assert.equal(other.origin.helo, 'none');
  const given = deriveEnvelope(headers, { ip: '192.0.2.1', helo: 'client.example', mailFrom: '<x@example.com>' });
  assert.deepEqual([given.ip, given.helo, given.mailFrom], ['192.0.2.1', 'client.example', 'x@example.com']);
  assert.deepEqual(given.origin, { ip: 'given', helo: 'given', mailFrom: 'given' });
});

test('the null sender: given as "" or as Return-Path: <>', () => {
  const given = deriveEnvelope(block(POSTFIX), { mailFrom: '' });
  assert.equal(given.mailFrom, '');
  assert.equal(given.origin.mailFrom, 'given');
  const rp = deriveEnvelope(block(['Return-Path: <>', ...POSTFIX.slice(1)]), {});
  assert.equal(rp.mailFrom, '');
  assert.equal(rp.origin.mailFrom, 'return-path');
});

test('bad IPs and MAIL FROMs are refused with a specific message; no IP is invented', () => {
  const headers = block(POSTFIX);
  const bad = (opts: object, re: RegExp) =>
    assert.throws(
      () => deriveEnvelope(headers, opts),
      (e: unknown) => e instanceof InputError && e.code === 'bad-envelope' && re.test(e.message),
    );
  bad({ ip: '999.1.2.3' }, /“999\.1\.2\.3” is not an IP address: each of the four numbers of an IPv4 address must be 0 to 255/);
  bad({ ip: '10.1.2' }, /four numbers separated by dots/);
  bad({ ip: 'mail.example.org' }, /looks like a host name/);
  bad({ ip: '2001:db8:::1' }, /not a valid IPv6 address/);
  bad({ ip: '' }, /client IP is empty/);
  bad({ mailFrom: 'postmaster' }, /MAIL FROM “postmaster” has no domain/);
  bad({ helo: 'two words' }, /HELO name/);
  const none = deriveEnvelope(block(['From: a@example.org', 'Received: by mx.example.net (Postfix, from userid 0) id 1; Tue, 2 Jan 2024 10:00:00 +0000']), {});
  assert.equal(none.ip, undefined);
  assert.equal(none.hop, undefined);
  assert.deepEqual(none.origin, { ip: 'none', helo: 'none', mailFrom: 'none' });
});

const samples = sharedData('samples/messages');
test('real messages: the boundary is the receiver’s outside connection', { skip: samples.skip }, () => {
  const env = (f: string) => {
    const [item] = readInput(readFileSync(path.join(samples.dir, f))).items;
    assert.ok(item.ok);
    return deriveEnvelope(item.headers, {});
  };
  // Fastmail: LMTP, internal and 127.0.0.1 hops above the MX
  const cnn = env('dkim_verifier/Fastmail from CNN - Thanks for subscribing to 5 Things.eml');
  assert.equal(cnn.ip, '96.47.27.93');
  assert.equal(cnn.hop, 5);
  assert.match(cnn.mailFrom ?? '', /@newsletters\.cnn\.com$/);
  // the same address Received-SPF names
  const outlook = env('hamcrest-mail/message-outlook.txt');
  assert.equal(outlook.ip, '40.92.67.108');
  assert.equal(outlook.helo, 'EUR02-AM5-obe.outbound.protection.outlook.com');
  const arc = env('mailauth/arc-pass.eml');
  assert.equal(arc.ip, '209.85.220.41');
  assert.equal(arc.mailFrom, 'andris+caf_=andris.reinman=gmail.com@tr.ee');
});
