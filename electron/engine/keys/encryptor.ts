// Encryption of private keys at rest. The key store only sees an Encryptor: in the desktop app
// Electron's safeStorage (OS keychain) is injected, in the CLI and the web host a passphrase.

import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

export interface Encryptor {
  /** Recorded in the store file, so a store is never opened with the wrong kind of encryptor. */
  readonly kind: string;
  encrypt(plain: Buffer): Buffer | Promise<Buffer>;
  /** Throws DecryptError when the data was not encrypted under this encryptor's key. */
  decrypt(blob: Buffer): Buffer | Promise<Buffer>;
}

export class DecryptError extends Error {
  constructor(message = 'authentication failed') {
    super(message);
    this.name = 'DecryptError';
  }
}

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

// ~100 ms and 32 MiB on a laptop: OWASP's scrypt minimum is N=2^17 for passwords stored
// server-side; a local key file unlocked at every CLI call trades some of that for speed.
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const MIN_N = 2 ** 10;

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM under a key derived with scrypt. Blob layout: iv (12) | tag (16) | ciphertext.
 * A wrong passphrase is detected by the GCM tag, never by looking at garbage output.
 */
export function createPassphraseEncryptor(passphrase: string, salt: Buffer, params: ScryptParams = DEFAULT_SCRYPT): Encryptor {
  if (!passphrase) throw new Error('the key store passphrase is empty');
  if (salt.length < 16) throw new Error('scrypt salt must be at least 16 bytes');
  if (!Number.isInteger(Math.log2(params.N)) || params.N < MIN_N || params.r < 1 || params.p < 1) {
    throw new Error(`scrypt parameters N=${params.N} r=${params.r} p=${params.p} are out of range`);
  }
  const key = scryptSync(passphrase.normalize('NFC'), salt, 32, { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 });
  return {
    kind: 'passphrase',
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), data]);
    },
    decrypt(blob) {
      if (blob.length < IV_BYTES + TAG_BYTES) throw new DecryptError('encrypted data is truncated');
      const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV_BYTES));
      d.setAuthTag(blob.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([d.update(blob.subarray(IV_BYTES + TAG_BYTES)), d.final()]);
      } catch {
        throw new DecryptError();
      }
    },
  };
}

export function newSalt(): Buffer {
  return randomBytes(16);
}

/**
 * Wraps Electron's safeStorage (encryptString/decryptString) without importing electron here:
 * the main process passes the object in.
 */
export function createSafeStorageEncryptor(safeStorage: {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}): Encryptor {
  if (!safeStorage.isEncryptionAvailable()) throw new Error('the OS keychain (safeStorage) is not available; use a passphrase');
  return {
    kind: 'safe-storage',
    encrypt: (plain) => safeStorage.encryptString(plain.toString('base64')),
    decrypt: (blob) => {
      try {
        return Buffer.from(safeStorage.decryptString(blob), 'base64');
      } catch (err) {
        throw new DecryptError((err as Error).message);
      }
    },
  };
}
