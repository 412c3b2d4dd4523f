// `authlab sign`: DKIM-sign (and optionally ARC-seal) a message, verify the result at once
// against the keys' records, and write the signed message to stdout or --out.

import { readFile, stat } from 'node:fs/promises';
import { UsageError } from './usage-error.ts';
import { openCliStore, parse, readText, STORE_OPTIONS, userErrors, type CliIo } from './keys.ts';
import { showControlsKeepingLines } from '../../shared/visible-controls.ts';
import type { SigningKey } from '../engine/keys/dkim-key.ts';
import type { Canonicalization } from '../engine/signing/sign-message.ts';

export const SIGN_USAGE = `Usage: authlab sign FILE|- [options]

Keys (one signature per key; dual RSA + Ed25519 by giving two):
  --key-id ID          a stored key (repeatable)
  --domain D --selector S
                       the stored key for this d= and s=; with --domain alone, the newest
                       RSA and Ed25519 keys of the domain
  --key FILE           a PEM private key file instead of the store (needs --domain, --selector)
  --algorithm A        rsa-sha256 or ed25519-sha256: only keys of this type
  --rules FILE         choose keys by signing rules (see below)
  --mail-from ADDR     envelope sender for the rules ('' for a bounce)
  --auth-user NAME     authenticated user for the rules
Signature:
  --canon C            relaxed/relaxed (default), relaxed/simple, simple/relaxed, simple/simple
  --headers LIST       header fields to sign, colon-separated (default: RFC 6376 §5.4.1 set)
  --over-sign LIST     sign these once more than they occur, e.g. From:Subject
  --body-length        add l= (risky: lets content be appended)
  --identity ADDR      i= (domain must be d= or below)
  --expire DURATION    x= after DURATION, e.g. 7d, 12h, 30m
  --sign-time TIME     t= (ISO 8601 or Unix seconds); default now
ARC:
  --arc-seal           add an ARC set (AAR, AMS, AS) after signing
  --auth-results TEXT  the Authentication-Results payload the seal vouches for
  --authserv-id ID     … or the message's own Authentication-Results fields of this
                       authserv-id, merged (what an intermediary's MTA added)
  --arc-key-id ID      the sealing key (default: the first signing key)
  --cv none|pass|fail|auto
                       chain validation status (default none, for a first set); auto
                       validates the ARC chain on the message first, as an intermediary
                       does (RFC 8617 §5.1), and refuses to seal a chain already cv=fail
  --arc-headers LIST   header fields the ARC-Message-Signature covers, colon-separated
  --zone FILE          what-if zone for --cv auto and the round trip, e.g. the earlier
                       sealers' keys (repeatable)
  --dns HOST[:PORT]    resolver for --cv auto (repeatable); default: the system's
  --offline            --cv auto asks no network: names not in a zone are NXDOMAIN
Output:
  --out FILE           write the signed message here (atomically) instead of stdout
  --live               also verify against live DNS
  --json               print the report (signatures, warnings, rule, round trip) as JSON on stderr
  --passphrase-file F  key store passphrase (else AUTHLAB_PASSPHRASE)

Rules file (JSON), first match wins:
  {"rules": [
    {"name": "brand", "match": {"fromDomain": "example.com"}, "sign": "from-domain"},
    {"match": {"envelopeDomain": "*.example.net"}, "sign": [{"domain": "example.net", "selector": "s1"}]},
    {"match": {"authUser": "alice"}, "sign": [{"keyId": "k_0123456789abcdef"}]}
  ]}
  match: fromDomain / envelopeDomain ("x.com", "*.x.com", "*") and authUser; all given must hold.
  sign: "from-domain" (the From domain's newest RSA and Ed25519 keys) or a list of keys.

Exit status: 0 signed and verified, 1 signed but the round trip failed, 2 bad usage or input.`;

export async function runSign(argv: string[], io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  const stderr = io.stderr ?? process.stderr;
  const { values: v, positionals } = parse(argv, {
    ...STORE_OPTIONS,
    domain: { type: 'string' },
    selector: { type: 'string' },
    key: { type: 'string' },
    'key-id': { type: 'string', multiple: true },
    algorithm: { type: 'string' },
    canon: { type: 'string' },
    headers: { type: 'string' },
    'over-sign': { type: 'string' },
    'body-length': { type: 'boolean' },
    identity: { type: 'string' },
    expire: { type: 'string' },
    'sign-time': { type: 'string' },
    rules: { type: 'string' },
    'mail-from': { type: 'string' },
    'auth-user': { type: 'string' },
    'arc-seal': { type: 'boolean' },
    'auth-results': { type: 'string' },
    'authserv-id': { type: 'string' },
    'arc-key-id': { type: 'string' },
    'arc-headers': { type: 'string' },
    cv: { type: 'string' },
    zone: { type: 'string', multiple: true },
    dns: { type: 'string', multiple: true },
    offline: { type: 'boolean' },
    out: { type: 'string' },
    live: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (v.help) {
    io.stdout.write(SIGN_USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `one input at a time (got ${positionals.length})` : 'no input: give a FILE or - for stdin');
  const s = (name: string) => v[name] as string | undefined;
  const canon = s('canon') ?? 'relaxed/relaxed';
  if (!['relaxed/relaxed', 'relaxed/simple', 'simple/relaxed', 'simple/simple'].includes(canon)) throw new UsageError(`--canon: "${canon}" is not relaxed/relaxed, relaxed/simple, simple/relaxed or simple/simple`);
  const algorithm = s('algorithm');
  if (algorithm && algorithm !== 'rsa-sha256' && algorithm !== 'ed25519-sha256') throw new UsageError(`--algorithm: "${algorithm}" is not rsa-sha256 or ed25519-sha256 (rsa-sha1 is obsolete, RFC 8301)`);
  const cv = s('cv');
  if (cv && !['none', 'pass', 'fail', 'auto'].includes(cv)) throw new UsageError(`--cv: "${cv}" is not none, pass, fail or auto`);
  if (v['arc-seal'] && !s('auth-results') === !s('authserv-id')) {
    throw new UsageError(s('auth-results') ? 'give --auth-results or --authserv-id, not both' : '--arc-seal needs --auth-results TEXT or --authserv-id ID (what the sealer vouches for)');
  }
  const arcOnly = ['auth-results', 'authserv-id', 'arc-key-id', 'arc-headers', 'cv', 'zone', 'dns', 'offline'].filter((o) => v[o] !== undefined);
  if (!v['arc-seal'] && arcOnly.length) throw new UsageError(`--${arcOnly[0]} goes with --arc-seal`);
  if ((v.dns || v.offline) && cv !== 'auto') throw new UsageError('--dns and --offline are for --cv auto (validating the chain on the message)');
  const keyIds = (v['key-id'] as string[] | undefined) ?? [];
  const sources = [s('key') ? 1 : 0, keyIds.length ? 1 : 0, s('rules') ? 1 : 0].reduce((a, b) => a + b, 0);
  if (sources > 1) throw new UsageError('choose keys one way: --key FILE, --key-id ID or --rules FILE');
  if (s('key') && (!s('domain') || !s('selector'))) throw new UsageError('--key FILE needs --domain and --selector (the d= and s= of the signature)');
  if (!sources && !s('domain')) throw new UsageError('no key: give --domain D --selector S, --key-id ID, --key FILE or --rules FILE');
  const now = new Date();
  const signTime = s('sign-time') ? parseTime(s('sign-time')!) : now;
  const expires = s('expire') ? new Date(signTime.getTime() + parseDuration(s('expire')!)) : undefined;
  const message = await readMessage(positionals[0], () => io.stdin);
  const list = (x: string | undefined) => (x ? x.split(':').map((h) => h.trim()).filter(Boolean) : undefined);
  const zones: { name: string; text: string }[] = [];
  if (v.zone) {
    // read and checked before anything is signed: a zone error is the user's to fix, named with its line
    const { parseZone } = await import('../engine/dns/zone-file.ts');
    for (const file of v.zone as string[]) {
      const text = await readText('--zone', file);
      try {
        parseZone(text, { name: file });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      zones.push({ name: file, text });
    }
  }

  const { createEngine } = await import('../engine/engine.ts');
  const engine = createEngine();
  const { SigningService } = await import('../engine/signing/signing-service.ts');
  const { signMessage } = await import('../engine/signing/sign-message.ts');

  return userErrors(async () => {
    // what the seal vouches for and its cv=, from the message as it came in (RFC 8617 §5.1)
    let arc: { authResults: string; cv?: 'none' | 'pass' | 'fail'; headerList?: string[] } | undefined;
    let chain: { result: 'none' | 'pass' | 'fail'; reason: string } | undefined;
    if (v['arc-seal']) {
      const headerList = list(s('arc-headers'));
      if (headerList && !headerList.some((h) => h.toLowerCase() === 'from')) {
        throw new UsageError('--arc-headers: From is not in the list; the ARC-Message-Signature must sign it (RFC 8617 §4.1.2, RFC 6376 §5.4)');
      }
      const { planIntermediarySeal } = await import('../engine/signing/arc-intermediary.ts');
      const plan = await planIntermediarySeal(engine, message, {
        dns: { servers: v.dns as string[] | undefined, offline: v.offline === true || undefined, zones },
        authservId: s('authserv-id'),
        authResults: s('auth-results'),
        cv: cv as 'none' | 'pass' | 'fail' | 'auto' | undefined,
        at: signTime,
      });
      if (plan.chain) chain = { result: plan.chain.cv, reason: plan.chain.report.reason };
      arc = { authResults: plan.authResults, cv: plan.cv, headerList };
    }
    let outcome;
    const common = {
      canonicalization: canon as Canonicalization,
      headers: list(s('headers')),
      overSign: list(s('over-sign')),
      bodyLength: !!v['body-length'],
      identity: s('identity'),
      signTime,
      expires,
    };
    if (s('key')) {
      // a key file: no store, so the ARC seal (if any) uses the same key
      const { importPrivateKey } = await import('../engine/keys/dkim-key.ts');
      const key: SigningKey = importPrivateKey(await readText('--key', s('key')!), { domain: s('domain')!, selector: s('selector')!, passphrase: env.AUTHLAB_KEY_PASSPHRASE });
      if (algorithm && key.info.algorithm !== algorithm) throw new UsageError(`--algorithm ${algorithm}: the key in ${s('key')} is ${key.info.type}`);
      if (s('arc-key-id')) throw new UsageError('--arc-key-id needs the key store; with --key the same key seals');
      const res = await signMessage(message, { keys: [{ key }], ...common });
      let signed = res.signed;
      let arcInfo;
      if (arc) {
        const { arcSeal } = await import('../engine/signing/arc-seal.ts');
        const sealed = await arcSeal(signed, { key, ...arc, signTime });
        signed = sealed.sealed;
        arcInfo = { instance: sealed.instance, cv: sealed.cv, headers: sealed.headers };
      }
      const { roundTrip } = await import('../engine/signing/round-trip.ts');
      const rt = { signed, made: res.signatures.map((x) => ({ domain: x.domain, selector: x.selector })), keys: [key.info], zones, arcSealed: !!arcInfo, at: new Date(Math.max(Date.now(), signTime.getTime())) };
      outcome = { signed, signatures: res.signatures, warnings: res.warnings, arc: arcInfo, roundTrip: await roundTrip(engine, rt), live: v.live ? await roundTrip(engine, rt, 'live') : undefined };
    } else {
      const store = await openCliStore(s('passphrase-file'), env);
      const service = new SigningService({ store, engine, clock: () => now });
      let ids = keyIds;
      let rules;
      if (s('rules')) {
        const { parseRules } = await import('../engine/signing/signing-rules.ts');
        rules = parseRules(await readText('--rules', s('rules')!));
      } else if (!ids.length) {
        const found = store.find(s('domain')!, s('selector')).filter((k) => !algorithm || k.algorithm === algorithm);
        if (!found.length) throw new UsageError(`no stored key for ${s('selector') ? s('selector') + '._domainkey.' : ''}${s('domain')}${algorithm ? ` (${algorithm})` : ''}: create one with authlab keygen or see authlab keys list`);
        ids = s('selector') ? [found[0].id] : ['rsa', 'ed25519'].flatMap((t) => found.filter((k) => k.type === t).slice(0, 1).map((k) => k.id));
      }
      if (algorithm && !s('rules')) for (const id of ids) if (store.get(id).algorithm !== algorithm) throw new UsageError(`--algorithm ${algorithm}: key ${id} is ${store.get(id).type}`);
      const arcKeyId = v['arc-seal'] ? (s('arc-key-id') ?? ids[0]) : undefined;
      if (v['arc-seal'] && !arcKeyId) throw new UsageError('--arc-seal with --rules needs --arc-key-id ID');
      outcome = await service.sign({
        message,
        keyIds: rules ? undefined : ids,
        rules,
        envelopeSender: s('mail-from'),
        authUser: s('auth-user'),
        ...common,
        arc: arcKeyId && arc ? { keyId: arcKeyId, ...arc } : undefined,
        zones,
        live: false,
      });
      if (v.live) {
        const { roundTrip } = await import('../engine/signing/round-trip.ts');
        const keys = outcome.signatures.map((x) => store.get(x.keyId));
        outcome.live = await roundTrip(engine, { signed: outcome.signed, made: outcome.signatures, keys, arcSealed: !!outcome.arc, at: now }, 'live');
      }
    }

    if (s('out')) {
      const { writeFileAtomic } = await import('../engine/keys/atomic-write.ts');
      await writeFileAtomic(s('out')!, outcome.signed, 0o644);
    } else {
      io.stdout.write(outcome.signed);
    }
    const { signed: _bytes, ...report } = outcome;
    // --cv auto: the chain as it came in, which the seal's cv= reports
    if (chain && report.arc) Object.assign(report.arc, { chain });
    if (v.json) {
      stderr.write(JSON.stringify(report) + '\n');
    } else {
      const lines: string[] = [];
      if ('rule' in report && report.rule) lines.push(`rule: ${report.rule.explanation}`, ...report.rule.alignment.map((a) => `  alignment: ${a.explanation}`));
      for (const w of report.warnings) lines.push(`${w.severity}: ${w.message}`);
      for (const sig of report.signatures) lines.push(`signed: ${sig.algorithm} d=${sig.domain} s=${sig.selector} (key ${sig.keyId})`);
      if (chain) lines.push(`chain on the message: ${chain.result}${chain.result === 'none' ? ' (no ARC set yet)' : ` (${chain.reason})`}`);
      if (report.arc) lines.push(`sealed: ARC i=${report.arc.instance} cv=${report.arc.cv}`);
      for (const rt of [report.roundTrip, report.live]) {
        if (!rt) continue;
        const where = rt.against === 'zone' ? 'the keys\' records' : 'live DNS';
        lines.push(`round trip against ${where}: ${rt.pass ? 'PASS' : 'FAIL'}`);
        for (const x of rt.signatures) lines.push(`  dkim ${x.selector}._domainkey.${x.domain}: ${x.result} (${x.reason})`);
        if (rt.arc) lines.push(`  arc: ${rt.arc.result} (${rt.arc.reason})`);
      }
      // reasons quote the message's ARC fields and DNS answers: shown, not obeyed (shared/visible-controls.ts)
      stderr.write(showControlsKeepingLines(lines.join('\n')) + '\n');
    }
    return outcome.roundTrip.pass && (!outcome.live || outcome.live.pass) ? 0 : 1;
  });
}

/** 7d, 12h, 30m, 45s, 2w; a bare number is seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*([smhdw]?)$/i.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw new UsageError(`--expire: "${text}" is not a duration like 7d, 12h or 30m`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2].toLowerCase() as '' | 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit * 1000;
}

function parseTime(text: string): Date {
  const t = /^\d+$/.test(text) ? new Date(Number(text) * 1000) : new Date(text);
  if (Number.isNaN(t.getTime())) throw new UsageError(`--sign-time: "${text}" is not an ISO 8601 time or Unix seconds`);
  return t;
}

/** `stdin` is a getter: process.stdin is built on first read, and only `-` needs it. */
async function readMessage(file: string, stdin: () => NodeJS.ReadableStream): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of stdin()) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
    return Buffer.concat(chunks);
  }
  try {
    if ((await stat(file)).isDirectory()) throw new UsageError(`${file} is a directory, not a message file`);
    return await readFile(file);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}
