// How the desktop app protects signing keys at rest: Electron's safeStorage (macOS Keychain,
// Windows DPAPI, a Linux keyring). On Linux without a keyring safeStorage falls back to
// `basic_text`, a fixed obfuscation key: the keys are then effectively unprotected, and the
// user is told so rather than shown a lock that is not there. Kept free of `electron` so it
// can be tested with a stand-in.

import { createSafeStorageEncryptor } from '../engine/keys/encryptor.ts';
import type { KeyProtectionSource } from '../services/signing.ts';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

export const BASIC_TEXT_WARNING =
  'No keyring was found (Electron safeStorage uses "basic_text" here): your signing keys are stored with a fixed, well-known key and are NOT protected. ' +
  'Start AuthLab in a desktop session with GNOME Keyring or KWallet (or with --password-store=gnome-libsecret), or only keep test keys here.';

/** Call after the app's `ready` event: before it, safeStorage reports no encryption on Linux and Windows. */
export function safeStorageProtection(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): KeyProtectionSource {
  if (!safeStorage.isEncryptionAvailable()) {
    return { kind: 'passphrase', warning: 'The OS keychain (safeStorage) is not available: the key store is protected by a passphrase instead.' };
  }
  const encryptor = createSafeStorageEncryptor(safeStorage);
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
  if (backend === 'basic_text') return { kind: 'encryptor', protection: 'safeStorage-basic-text', warning: BASIC_TEXT_WARNING, encryptor };
  return { kind: 'encryptor', protection: 'safeStorage', encryptor };
}
