// The key store: one versioned JSON file under the data dir, private keys encrypted at rest.
// Every write replaces the file atomically, under a lock shared with other AuthLab processes.
// A file that is not ours, or that we cannot read, is reported and never overwritten: the store
// refuses to open, so nothing can save over it.

import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import path from 'node:path';
import { removeStaleTemps, writeFileAtomic } from './atomic-write.ts';
import { withRecord, type KeyInfo, type SigningKey } from './dkim-key.ts';
import { createPassphraseEncryptor, DecryptError, DEFAULT_SCRYPT, newSalt, type Encryptor, type ScryptParams } from './encryptor.ts';
import { CodedError } from '../../../shared/coded-error.ts';

export const STORE_FORMAT = 'authlab-keystore';
export const STORE_VERSION = 1;
export const STORE_FILE = 'keys.json';
const CHECK_PLAINTEXT = Buffer.from('authlab-keystore-check-v1');

export type KeyStoreErrorCode =
  | 'corrupt'
  | 'foreign'
  | 'unsupported-version'
  | 'wrong-passphrase'
  | 'wrong-encryptor'
  | 'changed-on-disk'
  | 'locked'
  | 'not-found'
  | 'duplicate';

export class KeyStoreError extends CodedError<KeyStoreErrorCode> {
  readonly file: string;
  constructor(code: KeyStoreErrorCode, file: string, message: string) {
    super('KeyStoreError', code, message);
    this.file = file;
  }
}

export type KeyStoreUnlock = { passphrase: string; scrypt?: ScryptParams } | { encryptor: Encryptor };

type StoredInfo = Omit<KeyInfo, 'dnsName' | 'dnsValue' | 'dnsRecord'>;
interface StoredKey extends StoredInfo {
  /** base64 of the encryptor's blob over the PKCS#8 PEM. */
  privateKey: string;
}
type EncryptionHeader = { kind: 'passphrase'; kdf: 'scrypt'; cipher: 'aes-256-gcm'; salt: string } & ScryptParams;
interface StoreFile {
  format: typeof STORE_FORMAT;
  version: typeof STORE_VERSION;
  encryption: EncryptionHeader | { kind: string };
  /** A known plaintext encrypted at creation: tells a wrong passphrase from a corrupt key. */
  check: string;
  keys: StoredKey[];
}

export async function openKeyStore(dir: string, unlock: KeyStoreUnlock): Promise<KeyStore> {
  const file = path.join(dir, STORE_FILE);
  const bytes = await readIfPresent(file);
  if (!bytes) {
    // a new store: nothing is written until the first key is saved
    let encryption: StoreFile['encryption'];
    let encryptor: Encryptor;
    if ('passphrase' in unlock) {
      const salt = newSalt();
      const params = unlock.scrypt ?? DEFAULT_SCRYPT;
      encryptor = createPassphraseEncryptor(unlock.passphrase, salt, params);
      encryption = { kind: 'passphrase', kdf: 'scrypt', cipher: 'aes-256-gcm', salt: salt.toString('base64'), ...params };
    } else {
      encryptor = unlock.encryptor;
      encryption = { kind: encryptor.kind };
    }
    const data: StoreFile = {
      format: STORE_FORMAT,
      version: STORE_VERSION,
      encryption,
      check: (await encryptor.encrypt(CHECK_PLAINTEXT)).toString('base64'),
      keys: [],
    };
    return new KeyStore(file, data, encryptor, null);
  }
  const data = parseStoreFile(file, bytes);
  let encryptor: Encryptor;
  if ('passphrase' in unlock) {
    const enc = data.encryption;
    if (enc.kind !== 'passphrase') {
      throw new KeyStoreError('wrong-encryptor', file, `the key store at ${file} is protected by ${enc.kind}, not a passphrase (open it from the desktop app)`);
    }
    const h = enc as EncryptionHeader;
    try {
      encryptor = createPassphraseEncryptor(unlock.passphrase, Buffer.from(h.salt, 'base64'), { N: h.N, r: h.r, p: h.p });
    } catch (err) {
      throw new KeyStoreError('corrupt', file, `the key store at ${file} has unusable encryption settings: ${(err as Error).message}`);
    }
  } else {
    encryptor = unlock.encryptor;
    if (data.encryption.kind !== encryptor.kind) {
      throw new KeyStoreError('wrong-encryptor', file, `the key store at ${file} is protected by ${data.encryption.kind}, not ${encryptor.kind}`);
    }
  }
  let check: Buffer;
  try {
    check = await encryptor.decrypt(Buffer.from(data.check, 'base64'));
  } catch (err) {
    if (!(err instanceof DecryptError)) throw err;
    throw new KeyStoreError(
      'wrong-passphrase',
      file,
      encryptor.kind === 'passphrase'
        ? `wrong passphrase for the key store at ${file}`
        : `the key store at ${file} cannot be decrypted with this user's ${encryptor.kind} key`,
    );
  }
  if (!check.equals(CHECK_PLAINTEXT)) throw new KeyStoreError('corrupt', file, `the key store at ${file} is damaged (its check value is wrong)`);
  await removeStaleTemps(file);
  return new KeyStore(file, data, encryptor, digest(bytes));
}

function parseStoreFile(file: string, bytes: Buffer): StoreFile {
  const corrupt = (why: string) =>
    new KeyStoreError('corrupt', file, `the key store at ${file} is damaged (${why}); it was left untouched — restore it from a backup or move it away`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw corrupt(bytes.length === 0 ? 'the file is empty' : 'not valid JSON');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json) || (json as { format?: unknown }).format !== STORE_FORMAT) {
    throw new KeyStoreError('foreign', file, `${file} is not an AuthLab key store (no "format": "${STORE_FORMAT}"); it was left untouched — move it away or set AUTHLAB_HOME`);
  }
  const d = json as Partial<StoreFile>;
  if (d.version !== STORE_VERSION) {
    throw new KeyStoreError('unsupported-version', file, `the key store at ${file} is version ${String(d.version)}; this AuthLab reads version ${STORE_VERSION} — update AuthLab`);
  }
  if (!d.encryption || typeof d.encryption.kind !== 'string') throw corrupt('no encryption settings');
  if (d.encryption.kind === 'passphrase') {
    const e = d.encryption as Partial<EncryptionHeader>;
    if (typeof e.salt !== 'string' || typeof e.N !== 'number' || typeof e.r !== 'number' || typeof e.p !== 'number') throw corrupt('bad scrypt settings');
  }
  if (typeof d.check !== 'string' || !Array.isArray(d.keys)) throw corrupt('missing fields');
  const ids = new Set<string>();
  for (const k of d.keys as unknown[]) {
    const s = k as Partial<StoredKey>;
    const ok =
      s && typeof s === 'object' &&
      [s.id, s.domain, s.selector, s.created, s.publicKey, s.privateKey, s.algorithm].every((v) => typeof v === 'string') &&
      (s.type === 'rsa' || s.type === 'ed25519') &&
      typeof s.bits === 'number';
    if (!ok) throw corrupt('a key entry is incomplete');
    if (ids.has(s.id!)) throw corrupt(`key id ${s.id} appears twice`);
    ids.add(s.id!);
  }
  return d as StoreFile;
}

/**
 * The store's cross-process lock (proper-lockfile: a keys.json.lock directory, refreshed every
 * second while held, taken over once its holder stopped refreshing it for 5 s, i.e. was killed).
 * Writes take milliseconds; a writer waits up to ~15 s (a dead holder's 5 s included) before
 * giving up with 'locked'.
 */
async function lockStore(file: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(file, {
      realpath: false, // the store may not exist yet
      stale: 5_000,
      update: 1_000,
      retries: { retries: 60, factor: 1.2, minTimeout: 10, maxTimeout: 400 },
      // a lock taken over while held: our write is atomic either way, and a throw here would be
      // an uncaught exception from proper-lockfile's timer
      onCompromised: () => {},
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'ELOCKED') {
      throw new KeyStoreError('locked', file, `the key store at ${file} is being written by another AuthLab; nothing was saved — try again in a moment`);
    }
    throw err;
  }
}

/** The file's bytes, or undefined when it does not exist (yet). */
async function readIfPresent(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return undefined;
  }
}

function digest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function publicInfo(k: StoredKey): KeyInfo {
  const { privateKey: _secret, ...info } = k;
  return withRecord({ ...info, origin: info.origin ?? 'imported' });
}

export class KeyStore {
  readonly file: string;
  #data: StoreFile;
  #encryptor: Encryptor;
  /** sha256 of the file as we last read or wrote it; null while it does not exist. */
  #diskDigest: string | null;
  /** Mutations run one at a time, so two saves never interleave. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: string, data: StoreFile, encryptor: Encryptor, diskDigest: string | null) {
    this.file = file;
    this.#data = data;
    this.#encryptor = encryptor;
    this.#diskDigest = diskDigest;
  }

  /** Ids, metadata and public parts: what the renderer may see. */
  list(): KeyInfo[] {
    return this.#data.keys.map(publicInfo);
  }

  get(id: string): KeyInfo {
    return publicInfo(this.#entry(id));
  }

  has(id: string): boolean {
    return this.#data.keys.some((k) => k.id === id);
  }

  /**
   * Takes in what another AuthLab saved since this store last read or wrote the file, so a listing
   * shows keys the CLI added while the app was open. A file that is no longer a store we can
   * continue is left alone here: the next save refuses and says why.
   */
  async refresh(): Promise<void> {
    await this.#mutate(async () => {
      try {
        await this.#takeInDiskChanges();
      } catch (err) {
        if (!(err instanceof KeyStoreError)) throw err;
      }
    });
  }

  /** Keys for a signing domain (and selector), newest first. */
  find(domain: string, selector?: string): KeyInfo[] {
    const d = domain.toLowerCase().replace(/\.$/, '');
    return this.list()
      .filter((k) => k.domain === d && (selector === undefined || k.selector === selector.toLowerCase()))
      .sort((a, b) => b.created.localeCompare(a.created));
  }

  /** The key with its private half, for the signer. Engine-internal: never hand this to the renderer. */
  async signingKey(id: string): Promise<SigningKey> {
    const entry = this.#entry(id);
    let pem: Buffer;
    try {
      pem = await this.#encryptor.decrypt(Buffer.from(entry.privateKey, 'base64'));
    } catch (err) {
      if (!(err instanceof DecryptError)) throw err;
      throw new KeyStoreError('corrupt', this.file, `key ${id} in ${this.file} cannot be decrypted (damaged entry)`);
    }
    return { info: publicInfo(entry), privateKeyPem: pem.toString('utf8') };
  }

  /** The private key as PKCS#8 PEM: only on the user's explicit request. */
  async exportPrivateKey(id: string): Promise<string> {
    return (await this.signingKey(id)).privateKeyPem;
  }

  async add(key: SigningKey): Promise<KeyInfo> {
    return this.#mutate(async () => {
      const { info } = key;
      const blob = await this.#encryptor.encrypt(Buffer.from(key.privateKeyPem, 'utf8'));
      const stored: StoredKey = {
        id: info.id,
        domain: info.domain,
        selector: info.selector,
        type: info.type,
        algorithm: info.algorithm,
        bits: info.bits,
        created: info.created,
        origin: info.origin,
        publicKey: info.publicKey,
        privateKey: blob.toString('base64'),
      };
      // checked against the store as it is on disk when written (another AuthLab may have added keys)
      await this.#commit((data) => {
        if (data.keys.some((k) => k.id === info.id)) throw new KeyStoreError('duplicate', this.file, `key id ${info.id} is already in the store`);
        const same = data.keys.find((k) => k.domain === info.domain && k.selector === info.selector);
        if (same) {
          throw new KeyStoreError('duplicate', this.file, `a key for ${info.dnsName} already exists (${same.id}); delete it first or use another selector`);
        }
        return { ...data, keys: [...data.keys, stored] };
      });
      return publicInfo(stored);
    });
  }

  async delete(id: string): Promise<void> {
    await this.#mutate(() =>
      this.#commit((data) => {
        if (!data.keys.some((k) => k.id === id)) throw new KeyStoreError('not-found', this.file, `no key with id ${id} in ${this.file}`);
        return { ...data, keys: data.keys.filter((k) => k.id !== id) };
      }),
    );
  }

  #entry(id: string): StoredKey {
    const e = this.#data.keys.find((k) => k.id === id);
    if (!e) throw new KeyStoreError('not-found', this.file, `no key with id ${id} in ${this.file}`);
    return e;
  }

  #mutate<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * Applies `change` to the store as it is on disk and writes the result atomically, holding the
   * store's lock (keys.json.lock) so that two AuthLab processes (the app and the CLI, say) write
   * one at a time. When another AuthLab saved since we last read, its version is taken first and
   * the change applied on top, so neither side's keys are lost. A file that is not a store with
   * our encryption (replaced, re-keyed, damaged) is never written over.
   */
  async #commit(change: (data: StoreFile) => StoreFile): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const release = await lockStore(this.file);
    try {
      await this.#takeInDiskChanges();
      const next = change(this.#data);
      const bytes = Buffer.from(JSON.stringify(next, null, 2) + '\n');
      await writeFileAtomic(this.file, bytes, 0o600);
      this.#data = next;
      this.#diskDigest = digest(bytes);
    } finally {
      await release();
    }
  }

  /** Takes in the file as another AuthLab left it, if it changed since we last read or wrote it; throws (changed-on-disk) if we cannot continue it. */
  async #takeInDiskChanges(): Promise<void> {
    const current = await readIfPresent(this.file);
    const now = current ? digest(current) : null;
    if (now === this.#diskDigest) return;
    this.#data = this.#adopt(current);
    this.#diskDigest = now;
  }

  /** The store another AuthLab wrote, if it is one we can continue: same encryption, same check value. */
  #adopt(current: Buffer | undefined): StoreFile {
    const refuse = (why: string) =>
      new KeyStoreError('changed-on-disk', this.file, `the key store at ${this.file} was ${why} since it was opened; nothing was saved — reopen it and try again`);
    // a store that was never written has nothing to lose: another process's first save is adopted
    if (!current) {
      if (this.#diskDigest === null) return this.#data;
      throw refuse('deleted');
    }
    let fresh: StoreFile;
    try {
      fresh = parseStoreFile(this.file, current);
    } catch {
      throw refuse('replaced by something that is not a readable AuthLab key store');
    }
    if (this.#diskDigest === null && this.#data.keys.length === 0 && fresh.encryption.kind === this.#data.encryption.kind && fresh.encryption.kind !== 'passphrase') {
      // both sides created the store with the same keychain encryptor: the first one written wins
      return fresh;
    }
    if (JSON.stringify(fresh.encryption) !== JSON.stringify(this.#data.encryption) || fresh.check !== this.#data.check) {
      throw refuse('re-created or re-encrypted by another program');
    }
    return fresh;
  }
}
