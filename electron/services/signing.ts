// The signing lab behind the contract: the key store's lifecycle (locked, unlocked, absent,
// corrupt), the SigningService for keys and signing, and the translation of its results into
// what the page may see. Private key bytes leave only through exportPrivateKey.
//
// The store lives in `<dataDir>/keys/`. The web host opens it with the passphrase the user types
// (the derived key stays in this process's memory until close()); Electron main injects its
// safeStorage encryptor, and the store opens by itself.

import { keyStoreDir } from '../engine/keys/data-dir.ts';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DnsSettings } from '../../shared/dns.ts';
import type {
  AppSettings,
  ExportedPrivateKey,
  KeyProtection,
  KeyStoreStatus,
  PublicKeyInfo,
  PublishedCheckResult,
  RoundTripVerdict,
  SignMessageRequest,
  SignMessageResult,
} from '../../shared/ipc/contract.ts';
import type { MessageReport } from '../../shared/report.ts';
import type { Resolver } from '../engine/dns/resolver.ts';
import { LiveResolver } from '../engine/dns/live-resolver.ts';
import type { Encryptor, ScryptParams } from '../engine/keys/encryptor.ts';
import { KeyStoreError, openKeyStore, STORE_FILE, type KeyStore } from '../engine/keys/key-store.ts';
import { SigningService } from '../engine/signing/signing-service.ts';
import type { RoundTrip } from '../engine/signing/round-trip.ts';
import type { EngineLike } from './services.ts';
import { CodedError } from '../../shared/coded-error.ts';

/** How private keys are protected at rest. */
export type KeyProtectionSource =
  | { kind: 'passphrase'; scrypt?: ScryptParams; warning?: string }
  | { kind: 'encryptor'; protection: Exclude<KeyProtection, 'passphrase'>; warning?: string; encryptor: Encryptor };

export interface SigningLabDeps {
  engine: EngineLike;
  /** The store is `<dataDir>/keys/keys.json`. */
  dataDir: string;
  /** Default: a passphrase. A function is called once, at first use (Electron's safeStorage needs `ready`). */
  protection?: KeyProtectionSource | (() => KeyProtectionSource);
  /** The app's DNS settings, for "Check published" and the live round trip. */
  settings: () => Promise<AppSettings>;
  /** Live DNS for "Check published"; default a stub resolver over the settings' servers. */
  liveResolver?: (dns: DnsSettings) => Resolver;
  clock?: () => Date;
}

export interface SigningLab {
  keyStoreStatus(): Promise<KeyStoreStatus>;
  unlockKeyStore(req: { passphrase: string }): Promise<KeyStoreStatus>;
  listKeys(): Promise<PublicKeyInfo[]>;
  generateKey(req: { domain: string; selector: string; type: 'rsa' | 'ed25519'; bits?: number }): Promise<PublicKeyInfo>;
  importKey(req: { pem: string; domain: string; selector: string; passphrase?: string }): Promise<PublicKeyInfo>;
  deleteKey(req: { id: string }): Promise<PublicKeyInfo[]>;
  checkPublished(req: { id: string }): Promise<PublishedCheckResult>;
  signMessage(req: SignMessageRequest): Promise<SignMessageResult>;
  exportPrivateKey(req: { id: string; confirm: true }): Promise<ExportedPrivateKey>;
  /** Forgets the open store (and the key derived from the passphrase). */
  close(): void;
}

export class SigningLabError extends CodedError {
  constructor(code: string, message: string) {
    super('SigningLabError', code, message);
  }
}

/** Store damage of any kind is one code for the page; the message says which and that nothing was overwritten. */
const CORRUPT_CODES = new Set(['corrupt', 'foreign', 'unsupported-version']);

function translate(err: unknown): unknown {
  if (err instanceof KeyStoreError && CORRUPT_CODES.has(err.code)) return new SigningLabError('store-corrupt', err.message);
  return err;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** An encryptor that only lets openKeyStore parse the file: it can never encrypt or decrypt. */
const PROBE: Encryptor = {
  kind: 'authlab-status-probe',
  encrypt() {
    throw new SigningLabError('internal', 'the status probe cannot encrypt');
  },
  decrypt() {
    throw new SigningLabError('internal', 'the status probe cannot decrypt');
  },
};

export function createSigningLab(deps: SigningLabDeps): SigningLab {
  const dir = keyStoreDir(deps.dataDir);
  const file = path.join(dir, STORE_FILE);
  const clock = deps.clock ?? (() => new Date());
  let store: KeyStore | null = null;
  let protection: KeyProtectionSource | undefined;
  // Set when opening with the injected encryptor failed, so status says why instead of retrying blindly.
  let openError: { state: 'locked' | 'corrupt'; message: string } | undefined;

  const source = (): KeyProtectionSource => {
    if (!protection) {
      try {
        protection = typeof deps.protection === 'function' ? deps.protection() : (deps.protection ?? { kind: 'passphrase' });
      } catch (err) {
        protection = { kind: 'passphrase', warning: `The OS keychain could not be used (${(err as Error).message}); keys are protected by a passphrase instead.` };
      }
    }
    return protection;
  };

  /** The kind recorded in an existing, well-formed store file; throws KeyStoreError when it is damaged. */
  async function storedKind(): Promise<string | undefined> {
    if (!(await exists(file))) return undefined;
    try {
      await openKeyStore(dir, { encryptor: PROBE });
    } catch (err) {
      if (!(err instanceof KeyStoreError) || err.code !== 'wrong-encryptor') throw err;
    }
    const json = JSON.parse(await readFile(file, 'utf8')) as { encryption: { kind: string } };
    return json.encryption.kind;
  }

  async function openWithEncryptor(p: Extract<KeyProtectionSource, { kind: 'encryptor' }>): Promise<void> {
    try {
      store = await openKeyStore(dir, { encryptor: p.encryptor });
      openError = undefined;
    } catch (err) {
      const e = translate(err) as Error & { code?: string };
      openError = { state: e.code === 'store-corrupt' ? 'corrupt' : 'locked', message: e.message };
    }
  }

  async function status(): Promise<KeyStoreStatus> {
    const p = source();
    const out: KeyStoreStatus = { state: 'absent', protection: p.kind === 'passphrase' ? 'passphrase' : p.protection, path: file };
    if (p.warning) out.warning = p.warning;
    if (store) return { ...out, state: 'unlocked' };
    if (p.kind === 'encryptor') {
      // the desktop app: no passphrase, the OS keychain opens the store
      let kind: string | undefined;
      try {
        kind = await storedKind();
      } catch (err) {
        return { ...out, state: 'corrupt', error: (translate(err) as Error).message };
      }
      if (kind === 'passphrase') {
        return { ...out, state: 'locked', protection: 'passphrase', warning: joinWarnings(out.warning, 'This key store was created with a passphrase (by the CLI or the web host): enter it to unlock.') };
      }
      await openWithEncryptor(p);
      if (store) return { ...out, state: 'unlocked' };
      return { ...out, state: openError!.state, error: openError!.message };
    }
    try {
      const kind = await storedKind();
      if (kind === undefined) return out;
      if (kind !== 'passphrase') {
        return {
          ...out,
          state: 'locked',
          error: `The key store at ${file} is protected by the desktop app's OS keychain (${kind}), not a passphrase: open it from the desktop app.`,
        };
      }
      return { ...out, state: 'locked' };
    } catch (err) {
      return { ...out, state: 'corrupt', error: (translate(err) as Error).message };
    }
  }

  async function unlock(passphrase: string): Promise<KeyStoreStatus> {
    const p = source();
    if (!store) {
      if (p.kind === 'encryptor' && (await storedKind().catch(() => undefined)) !== 'passphrase') {
        // nothing to type: the keychain opens it (or status explains why it cannot)
        return status();
      }
      try {
        store = await openKeyStore(dir, { passphrase, ...(p.kind === 'passphrase' && p.scrypt ? { scrypt: p.scrypt } : {}) });
      } catch (err) {
        throw translate(err);
      }
    }
    return status();
  }

  function service(engine: EngineLike = deps.engine, live?: { resolver: Resolver; dns: DnsSettings }): SigningService {
    if (!store) {
      throw new SigningLabError('locked', source().kind === 'passphrase' ? 'the key store is locked: unlock it with its passphrase first' : 'the key store is not open');
    }
    return new SigningService({ store, engine, clock, ...(live ? { live } : {}) });
  }

  async function opened(): Promise<SigningService> {
    const p = source();
    if (!store && p.kind === 'encryptor') await status();
    return service();
  }

  async function liveDns(): Promise<DnsSettings | null> {
    const s = await deps.settings();
    if (s.offline) return null;
    return { servers: s.dnsServers.length ? s.dnsServers : undefined, timeoutMs: s.timeoutMs };
  }

  const guarded =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      try {
        return await fn(...a);
      } catch (err) {
        throw translate(err);
      }
    };

  return {
    keyStoreStatus: guarded(status),
    unlockKeyStore: guarded((req: { passphrase: string }) => unlock(req.passphrase)),
    listKeys: guarded(async () => {
      const s = await opened();
      await store!.refresh(); // keys the CLI added while the app was open
      return s.listKeys();
    }),
    generateKey: guarded(async (req) => (await opened()).generateKey(req)),
    importKey: guarded(async (req) => (await opened()).importKey(req)),
    deleteKey: guarded(async (req) => {
      const s = await opened();
      await s.deleteKey(req.id);
      return s.listKeys();
    }),
    checkPublished: guarded(async (req) => {
      const s = await opened();
      const info = s.getKey(req.id);
      const dns = await liveDns();
      if (!dns) {
        return { status: 'unavailable', name: info.dnsName, found: [], detail: 'live DNS is switched off (offline mode): nothing was looked up' };
      }
      const resolver = deps.liveResolver ? deps.liveResolver(dns) : new LiveResolver({ servers: dns.servers, timeoutMs: dns.timeoutMs });
      return service(deps.engine, { resolver, dns }).checkPublished(req.id);
    }),
    signMessage: guarded(async (req) => {
      await opened();
      let dns: DnsSettings | null = null;
      if (req.live) {
        dns = await liveDns();
        if (!dns) throw new SigningLabError('offline', 'live DNS is switched off (offline mode): turn it on to verify against live DNS');
      }
      // The round trip evaluates through this engine: keep its reports, so the page can show them.
      const reports: { zone?: MessageReport | null; live?: MessageReport | null } = {};
      const recording: EngineLike = {
        async evaluate(bytes, opts, d) {
          const res = await deps.engine.evaluate(bytes, opts, d);
          const m = res.messages[0];
          reports[d?.zones?.some((z) => z.name === 'signing-lab') && d.offline ? 'zone' : 'live'] = m && m.ok ? stripOutcome(m) : null;
          return res;
        },
      };
      const s = service(recording, dns ? { resolver: { query: () => Promise.reject(new Error('unused')) }, dns } : undefined);
      const message = Buffer.from(req.messageBase64, 'base64');
      const signTime = clock();
      const outcome = await s.sign({
        message,
        keyIds: req.keyIds,
        rules: req.rules,
        envelopeSender: req.envelopeSender,
        authUser: req.authUser,
        canonicalization: req.canonicalization,
        headers: req.headers,
        overSign: req.overSign,
        bodyLength: req.bodyLength,
        identity: req.identity,
        signTime,
        expires: req.expires !== undefined ? new Date(signTime.getTime() + req.expires * 1000) : undefined,
        arc: req.arc,
        live: req.live,
      });
      const result: SignMessageResult = {
        signedBase64: outcome.signed.toString('base64'),
        signatures: outcome.signatures.map((x) => ({ keyId: x.keyId, domain: x.domain, selector: x.selector, algorithm: x.algorithm, header: x.header })),
        warnings: outcome.warnings.map((w) => ({ code: w.code, severity: w.severity, message: w.message })),
        roundTrip: verdict(outcome.roundTrip, reports.zone ?? null),
      };
      if (outcome.rule) result.rule = outcome.rule;
      if (outcome.arc) result.arc = outcome.arc;
      if (outcome.live) result.live = verdict(outcome.live, reports.live ?? null);
      return result;
    }),
    exportPrivateKey: guarded(async (req) => {
      const s = await opened();
      const info = s.getKey(req.id);
      return { id: info.id, fileName: `${info.selector}._domainkey.${info.domain}.private.pem`, pem: await s.exportPrivateKey(req.id) };
    }),
    close() {
      store = null;
      openError = undefined;
    },
  };
}

function verdict(rt: RoundTrip, report: MessageReport | null): RoundTripVerdict {
  return { ...rt, report };
}

/** A MessageOutcome's report without the `ok` flag. */
function stripOutcome(m: MessageReport & { ok: true }): MessageReport {
  const { ok: _ok, ...report } = m;
  return report;
}

function joinWarnings(a: string | undefined, b: string): string {
  return a ? `${a} ${b}` : b;
}
