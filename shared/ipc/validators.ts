// Runtime validators for every method's request. Hand-written so shared/ stays dependency-free.
// Whatever crosses the boundary (IPC from a sandboxed page, HTTP from a browser) is untrusted input:
// unknown keys are refused so a typo is an error rather than a silently ignored option.

import { DEFAULT_MAX_BYTES } from '../evaluate-options.ts';
import {
  CANONICALIZATION_CHOICES,
  EXPORT_FORMATS,
  KEY_TYPES,
  RSA_KEY_BITS,
  THEMES,
  type ApiMethod,
  type ApiRequest,
  type AppSettings,
  type EvaluateRequest,
  type ExportKeyRequest,
  type ExportRequest,
  type GenerateKeyRequest,
  type ImportKeyRequest,
  type KeyIdRequest,
  type SignMessageRequest,
  type SigningRuleSpec,
  type UnlockRequest,
  type RecentEntry,
  type SaveFileRequest,
} from './contract.ts';

export type Validation<T> = { ok: true; value: T } | { ok: false; message: string };
export type Validator<T> = (input: unknown) => Validation<T>;

/** Longest base64 text of a message of `bytes` bytes (with padding). */
export function base64LengthFor(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

export const LIMITS = {
  messageBase64: base64LengthFor(DEFAULT_MAX_BYTES),
  fileName: 255,
  servers: 16,
  server: 300,
  zones: 64,
  zoneText: 4 * 1024 * 1024,
  replayEntries: 10_000,
  headline: 500,
  saveContent: 256 * 1024 * 1024,
  passphrase: 1024,
  pem: 64 * 1024,
  keyIds: 8,
  rules: 100,
  headerList: 100,
  headerName: 100,
  authResults: 8 * 1024,
  identity: 320,
  authUser: 320,
  /** Messages evaluated in one call of a slice. */
  sliceCount: 100_000,
  /** x= at most ten years after t=. */
  expiresSeconds: 10 * 366 * 24 * 3600,
} as const;

class Invalid extends Error {}

function fail(path: string, what: string): never {
  throw new Invalid(`${path}: ${what}`);
}

type Obj = Record<string, unknown>;

function object(v: unknown, path: string, allowed: readonly string[]): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(path, 'must be an object');
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) fail(path, `unknown field "${k}" (allowed: ${allowed.join(', ')})`);
  }
  return v as Obj;
}

function str(v: unknown, path: string, max: number, opts: { nonEmpty?: boolean; noControl?: boolean } = {}): string {
  if (typeof v !== 'string') fail(path, 'must be a string');
  if (v.length > max) fail(path, `is longer than ${max} characters`);
  if (opts.nonEmpty && v.length === 0) fail(path, 'must not be empty');
  if (opts.noControl && /[\u0000-\u001f\u007f]/.test(v)) fail(path, 'must not contain control characters');
  return v;
}

function optStr(v: unknown, path: string, max: number): string | undefined {
  return v === undefined ? undefined : str(v, path, max, { noControl: true });
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'must be true or false');
  return v;
}

function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(path, `must be an integer from ${min} to ${max}`);
  return v;
}

function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(path, `must be one of ${values.join(', ')}`);
  return v as T;
}

function array(v: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(v)) fail(path, 'must be an array');
  if (v.length > max) fail(path, `has more than ${max} items`);
  return v;
}

/** A bare file name: no directories, nothing a save dialog or a download could misread. */
function fileName(v: unknown, path: string): string {
  const s = str(v, path, LIMITS.fileName, { nonEmpty: true, noControl: true });
  if (/[\\/]/.test(s) || s === '.' || s === '..') fail(path, 'must be a file name without directories');
  return s;
}

const SERVER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]+)(?::\d{1,5})?$/;

function servers(v: unknown, path: string): string[] {
  return array(v, path, LIMITS.servers).map((s, i) => {
    const t = str(s, `${path}[${i}]`, LIMITS.server, { nonEmpty: true });
    if (!SERVER.test(t)) fail(`${path}[${i}]`, `"${t}" is not HOST, HOST:PORT or [IPv6]:PORT`);
    return t;
  });
}

function base64(v: unknown, path: string): string {
  const s = str(v, path, LIMITS.messageBase64);
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) fail(path, 'must be standard base64 (RFC 4648 §4, padded)');
  return s;
}

const OPTION_KEYS = ['ip', 'helo', 'mailFrom', 'hop', 'headersOnly', 'at', 'mode', 'maxBytes', 'authservId'] as const;
const DNS_KEYS = ['servers', 'zones', 'offline', 'replay', 'timeoutMs', 'tries', 'budget'] as const;

function evaluateOptions(v: unknown, path: string): EvaluateRequest['options'] {
  const o = object(v, path, OPTION_KEYS);
  const out: EvaluateRequest['options'] = {};
  if (o.ip !== undefined) out.ip = str(o.ip, `${path}.ip`, 64, { noControl: true });
  if (o.helo !== undefined) out.helo = str(o.helo, `${path}.helo`, 255, { noControl: true });
  if (o.mailFrom !== undefined) out.mailFrom = str(o.mailFrom, `${path}.mailFrom`, 320, { noControl: true });
  if (o.hop !== undefined) out.hop = int(o.hop, `${path}.hop`, 1, 1000);
  if (o.headersOnly !== undefined) out.headersOnly = bool(o.headersOnly, `${path}.headersOnly`);
  if (o.at !== undefined) out.at = str(o.at, `${path}.at`, 64, { noControl: true });
  if (o.mode !== undefined) out.mode = oneOf(o.mode, `${path}.mode`, ['strict', 'lenient'] as const);
  if (o.maxBytes !== undefined) out.maxBytes = int(o.maxBytes, `${path}.maxBytes`, 1, DEFAULT_MAX_BYTES);
  if (o.authservId !== undefined) out.authservId = str(o.authservId, `${path}.authservId`, 255, { noControl: true });
  return out;
}

function dnsSettings(v: unknown, path: string): EvaluateRequest['dns'] {
  const o = object(v, path, DNS_KEYS);
  const out: EvaluateRequest['dns'] = {};
  if (o.servers !== undefined) out.servers = servers(o.servers, `${path}.servers`);
  if (o.zones !== undefined) {
    out.zones = array(o.zones, `${path}.zones`, LIMITS.zones).map((z, i) => {
      const zo = object(z, `${path}.zones[${i}]`, ['name', 'text']);
      return {
        name: str(zo.name, `${path}.zones[${i}].name`, 255, { noControl: true }),
        text: str(zo.text, `${path}.zones[${i}].text`, LIMITS.zoneText),
      };
    });
  }
  if (o.offline !== undefined) out.offline = bool(o.offline, `${path}.offline`);
  if (o.replay !== undefined) {
    // The shape only; the engine checks every entry and reports `bad-replay`.
    const r = object(o.replay, `${path}.replay`, ['format', 'version', 'savedAt', 'entries']);
    if (r.format !== 'authlab-dns-replay') fail(`${path}.replay.format`, 'must be "authlab-dns-replay"');
    if (r.version !== 1) fail(`${path}.replay.version`, 'must be 1');
    const entries = array(r.entries, `${path}.replay.entries`, LIMITS.replayEntries);
    entries.forEach((e, i) => {
      if (!e || typeof e !== 'object' || Array.isArray(e)) fail(`${path}.replay.entries[${i}]`, 'must be an object');
    });
    out.replay = {
      format: 'authlab-dns-replay',
      version: 1,
      savedAt: str(r.savedAt, `${path}.replay.savedAt`, 64),
      entries: entries as NonNullable<EvaluateRequest['dns']['replay']>['entries'],
    };
  }
  if (o.timeoutMs !== undefined) out.timeoutMs = int(o.timeoutMs, `${path}.timeoutMs`, 50, 60_000);
  if (o.tries !== undefined) out.tries = int(o.tries, `${path}.tries`, 1, 10);
  if (o.budget !== undefined) out.budget = int(o.budget, `${path}.budget`, 1, 100_000);
  return out;
}

function evaluateRequest(v: unknown): EvaluateRequest {
  const o = object(v, 'request', ['messageBase64', 'inputRef', 'fileName', 'options', 'dns', 'slice']);
  const out: EvaluateRequest = {
    options: o.options === undefined ? {} : evaluateOptions(o.options, 'options'),
    dns: o.dns === undefined ? {} : dnsSettings(o.dns, 'dns'),
  };
  if (o.inputRef !== undefined) {
    if (o.messageBase64 !== undefined) fail('request', 'give messageBase64 or inputRef, not both');
    if (o.slice === undefined) fail('inputRef', 'is only for a slice');
    out.inputRef = str(o.inputRef, 'inputRef', 64, { nonEmpty: true });
    if (!/^[A-Za-z0-9_-]+$/.test(out.inputRef)) fail('inputRef', 'must be a reference the host gave');
  } else {
    out.messageBase64 = base64(o.messageBase64, 'messageBase64');
  }
  if (o.fileName !== undefined) out.fileName = fileName(o.fileName, 'fileName');
  if (o.slice !== undefined) {
    const s = object(o.slice, 'slice', ['start', 'count']);
    // an mbox within the size limit holds fewer messages than it has bytes
    out.slice = { start: int(s.start, 'slice.start', 0, DEFAULT_MAX_BYTES), count: int(s.count, 'slice.count', 1, LIMITS.sliceCount) };
  }
  return out;
}

function exportRequest(v: unknown): ExportRequest {
  const o = object(v, 'request', ['format', 'report']);
  const format = oneOf(o.format, 'format', EXPORT_FORMATS);
  const r = o.report;
  if (!r || typeof r !== 'object' || Array.isArray(r)) fail('report', 'must be a message report object');
  const rep = r as Obj;
  // Exporters read these; the rest is rendered defensively.
  if (rep.schema !== 1) fail('report.schema', 'must be 1');
  for (const k of ['input', 'envelope', 'spf', 'dmarc', 'arc', 'bimi', 'summary'] as const) {
    if (!rep[k] || typeof rep[k] !== 'object' || Array.isArray(rep[k])) fail(`report.${k}`, 'must be an object');
  }
  for (const k of ['dkim', 'dns', 'modeDifferences'] as const) {
    if (!Array.isArray(rep[k])) fail(`report.${k}`, 'must be an array');
  }
  return { format, report: r as ExportRequest['report'] };
}

function settings(v: unknown): AppSettings {
  const o = object(v, 'settings', ['dnsServers', 'offline', 'timeoutMs', 'mode', 'theme']);
  return {
    dnsServers: servers(o.dnsServers, 'settings.dnsServers'),
    offline: bool(o.offline, 'settings.offline'),
    timeoutMs: int(o.timeoutMs, 'settings.timeoutMs', 50, 60_000),
    mode: oneOf(o.mode, 'settings.mode', ['strict', 'lenient'] as const),
    theme: oneOf(o.theme, 'settings.theme', THEMES),
  };
}

function recentEntry(v: unknown): RecentEntry {
  const o = object(v, 'entry', ['fileName', 'size', 'verdict', 'headline']);
  const out: RecentEntry = { fileName: fileName(o.fileName, 'entry.fileName') };
  if (o.size !== undefined) out.size = int(o.size, 'entry.size', 0, Number.MAX_SAFE_INTEGER);
  if (o.verdict !== undefined) out.verdict = oneOf(o.verdict, 'entry.verdict', ['pass', 'fail', 'partial', 'none'] as const);
  const headline = optStr(o.headline, 'entry.headline', LIMITS.headline);
  if (headline !== undefined) out.headline = headline;
  return out;
}

function saveFileRequest(v: unknown): SaveFileRequest {
  const o = object(v, 'request', ['fileName', 'content']);
  return { fileName: fileName(o.fileName, 'fileName'), content: str(o.content, 'content', LIMITS.saveContent) };
}

// ---------------------------------------------------------------- the signing lab

// RFC 6376 §3.5 d= and §3.1 s=: DNS labels (letters, digits, hyphen inside, underscore common in
// selectors); a domain has at least two labels. The engine checks again (checkName).
const LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;
const KEY_ID = /^k_[0-9a-f]{16}$/;
const DOMAIN_PATTERN = /^(?:\*|(?:\*\.)?[A-Za-z0-9_.-]{1,253})$/;

function dnsName(v: unknown, path: string, what: 'domain' | 'selector'): string {
  const s = str(v, path, 253, { nonEmpty: true, noControl: true }).trim().replace(/\.$/, '');
  const labels = s.split('.');
  if (!s || labels.some((l) => !LABEL.test(l)) || (what === 'domain' && labels.length < 2)) {
    fail(path, what === 'domain' ? `"${s}" is not a domain name (e.g. example.com)` : `"${s}" is not a selector (DNS labels, e.g. s2026)`);
  }
  return s.toLowerCase();
}

function keyId(v: unknown, path: string): string {
  const s = str(v, path, 64, { nonEmpty: true });
  if (!KEY_ID.test(s)) fail(path, 'is not a key id (k_ and 16 hex digits)');
  return s;
}

function passphrase(v: unknown, path: string): string {
  return str(v, path, LIMITS.passphrase, { nonEmpty: true });
}

function headerList(v: unknown, path: string): string[] {
  return array(v, path, LIMITS.headerList).map((h, i) => {
    const s = str(h, `${path}[${i}]`, LIMITS.headerName, { nonEmpty: true });
    // RFC 5322 §3.6.8 field names: printable ASCII except colon
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(s)) fail(`${path}[${i}]`, `"${s}" is not a header field name`);
    return s;
  });
}

function unlockRequest(v: unknown): UnlockRequest {
  const o = object(v, 'request', ['passphrase']);
  return { passphrase: passphrase(o.passphrase, 'passphrase') };
}

function generateKeyRequest(v: unknown): GenerateKeyRequest {
  const o = object(v, 'request', ['domain', 'selector', 'type', 'bits']);
  const out: GenerateKeyRequest = {
    domain: dnsName(o.domain, 'domain', 'domain'),
    selector: dnsName(o.selector, 'selector', 'selector'),
    type: oneOf(o.type, 'type', KEY_TYPES),
  };
  if (o.bits !== undefined) {
    if (out.type !== 'rsa') fail('bits', 'applies to RSA keys only (Ed25519 keys are 256 bits)');
    if (!(RSA_KEY_BITS as readonly unknown[]).includes(o.bits)) fail('bits', `must be one of ${RSA_KEY_BITS.join(', ')}`);
    out.bits = o.bits as number;
  }
  return out;
}

function importKeyRequest(v: unknown): ImportKeyRequest {
  const o = object(v, 'request', ['pem', 'domain', 'selector', 'passphrase']);
  const out: ImportKeyRequest = {
    pem: str(o.pem, 'pem', LIMITS.pem, { nonEmpty: true }),
    domain: dnsName(o.domain, 'domain', 'domain'),
    selector: dnsName(o.selector, 'selector', 'selector'),
  };
  if (o.passphrase !== undefined && o.passphrase !== '') out.passphrase = passphrase(o.passphrase, 'passphrase');
  return out;
}

function keyIdRequest(v: unknown): KeyIdRequest {
  const o = object(v, 'request', ['id']);
  return { id: keyId(o.id, 'id') };
}

function exportKeyRequest(v: unknown): ExportKeyRequest {
  const o = object(v, 'request', ['id', 'confirm']);
  if (o.confirm !== true) fail('confirm', 'must be true: a private key is exported only on explicit request');
  return { id: keyId(o.id, 'id'), confirm: true };
}

function domainPattern(v: unknown, path: string): string {
  const s = str(v, path, 255, { nonEmpty: true, noControl: true });
  if (!DOMAIN_PATTERN.test(s)) fail(path, `"${s}" is not a domain, *.domain or *`);
  return s;
}

function signingRules(v: unknown, path: string): SigningRuleSpec[] {
  return array(v, path, LIMITS.rules).map((r, i) => {
    const p = `${path}[${i}]`;
    const o = object(r, p, ['name', 'match', 'sign']);
    const m = object(o.match, `${p}.match`, ['fromDomain', 'envelopeDomain', 'authUser']);
    const match: SigningRuleSpec['match'] = {};
    if (m.fromDomain !== undefined) match.fromDomain = domainPattern(m.fromDomain, `${p}.match.fromDomain`);
    if (m.envelopeDomain !== undefined) match.envelopeDomain = domainPattern(m.envelopeDomain, `${p}.match.envelopeDomain`);
    if (m.authUser !== undefined) match.authUser = str(m.authUser, `${p}.match.authUser`, LIMITS.authUser, { nonEmpty: true, noControl: true });
    if (!Object.keys(match).length) fail(`${p}.match`, 'needs at least one condition ({"fromDomain": "*"} matches everything)');
    let sign: SigningRuleSpec['sign'];
    if (o.sign === 'from-domain') sign = 'from-domain';
    else {
      const refs = array(o.sign, `${p}.sign`, LIMITS.keyIds);
      if (!refs.length) fail(`${p}.sign`, 'must be "from-domain" or a non-empty list of keys');
      sign = refs.map((x, j) => {
        const q = `${p}.sign[${j}]`;
        const ro = object(x, q, ['keyId', 'domain', 'selector']);
        const ref: { keyId?: string; domain?: string; selector?: string } = {};
        if (ro.keyId !== undefined) ref.keyId = keyId(ro.keyId, `${q}.keyId`);
        if (ro.domain !== undefined) ref.domain = dnsName(ro.domain, `${q}.domain`, 'domain');
        if (ro.selector !== undefined) ref.selector = dnsName(ro.selector, `${q}.selector`, 'selector');
        if (!ref.keyId && !ref.domain) fail(q, 'needs a keyId or a domain');
        return ref;
      });
    }
    const out: SigningRuleSpec = { match, sign };
    if (o.name !== undefined) out.name = str(o.name, `${p}.name`, 200, { noControl: true });
    return out;
  });
}

const SIGN_KEYS = [
  'messageBase64', 'keyIds', 'rules', 'envelopeSender', 'authUser', 'canonicalization', 'headers', 'overSign',
  'bodyLength', 'identity', 'expires', 'arc', 'live',
] as const;

function signMessageRequest(v: unknown): SignMessageRequest {
  const o = object(v, 'request', SIGN_KEYS);
  const out: SignMessageRequest = { messageBase64: base64(o.messageBase64, 'messageBase64') };
  if (!out.messageBase64) fail('messageBase64', 'must not be empty');
  if (o.keyIds !== undefined) {
    const ids = array(o.keyIds, 'keyIds', LIMITS.keyIds).map((id, i) => keyId(id, `keyIds[${i}]`));
    if (new Set(ids).size !== ids.length) fail('keyIds', 'names a key twice');
    out.keyIds = ids;
  }
  if (o.rules !== undefined) out.rules = signingRules(o.rules, 'rules');
  if (out.keyIds?.length && out.rules) fail('request', 'give keyIds or rules, not both');
  if (!out.keyIds?.length && !out.rules?.length) fail('request', 'choose at least one key (keyIds) or give signing rules');
  if (o.envelopeSender !== undefined) out.envelopeSender = str(o.envelopeSender, 'envelopeSender', 320, { noControl: true });
  if (o.authUser !== undefined) out.authUser = str(o.authUser, 'authUser', LIMITS.authUser, { noControl: true });
  if (o.canonicalization !== undefined) out.canonicalization = oneOf(o.canonicalization, 'canonicalization', CANONICALIZATION_CHOICES);
  if (o.headers !== undefined) out.headers = headerList(o.headers, 'headers');
  if (o.overSign !== undefined) out.overSign = headerList(o.overSign, 'overSign');
  if (o.bodyLength !== undefined) out.bodyLength = bool(o.bodyLength, 'bodyLength');
  if (o.identity !== undefined) {
    const id = str(o.identity, 'identity', LIMITS.identity, { nonEmpty: true, noControl: true });
    if (!/^[^\s@;]*@[A-Za-z0-9_.-]+$/.test(id)) fail('identity', 'must be [local-part]@domain (RFC 6376 i=)');
    out.identity = id;
  }
  if (o.expires !== undefined) out.expires = int(o.expires, 'expires', 1, LIMITS.expiresSeconds);
  if (o.arc !== undefined) {
    const a = object(o.arc, 'arc', ['keyId', 'authResults', 'cv']);
    out.arc = {
      keyId: keyId(a.keyId, 'arc.keyId'),
      authResults: str(a.authResults, 'arc.authResults', LIMITS.authResults, { nonEmpty: true }),
    };
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(out.arc.authResults)) fail('arc.authResults', 'must not contain control characters');
    if (a.cv !== undefined) out.arc.cv = oneOf(a.cv, 'arc.cv', ['none', 'pass', 'fail'] as const);
  }
  if (o.live !== undefined) out.live = bool(o.live, 'live');
  return out;
}

function noArgument(v: unknown): undefined {
  if (v !== undefined && v !== null) fail('request', 'this method takes no argument');
  return undefined;
}

function wrap<T>(check: (v: unknown) => T): Validator<T> {
  return (input) => {
    try {
      return { ok: true, value: check(input) };
    } catch (err) {
      if (err instanceof Invalid) return { ok: false, message: err.message };
      throw err;
    }
  };
}

export const VALIDATORS: { readonly [M in ApiMethod]: Validator<ApiRequest<M>> } = {
  evaluate: wrap(evaluateRequest),
  exportReport: wrap(exportRequest),
  getSettings: wrap(noArgument),
  setSettings: wrap(settings),
  listRecent: wrap(noArgument),
  addRecent: wrap(recentEntry),
  openFileDialog: wrap(noArgument),
  saveFile: wrap(saveFileRequest),
  appInfo: wrap(noArgument),
  keyStoreStatus: wrap(noArgument),
  unlockKeyStore: wrap(unlockRequest),
  listKeys: wrap(noArgument),
  generateKey: wrap(generateKeyRequest),
  importKey: wrap(importKeyRequest),
  deleteKey: wrap(keyIdRequest),
  checkPublished: wrap(keyIdRequest),
  signMessage: wrap(signMessageRequest),
  exportPrivateKey: wrap(exportKeyRequest),
};

/** Validates the (single) argument of `method`. */
export function validateRequest<M extends ApiMethod>(method: M, input: unknown): Validation<ApiRequest<M>> {
  return (VALIDATORS[method] as Validator<ApiRequest<M>>)(input);
}
