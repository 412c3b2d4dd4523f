// The app's services: AuthlabApi implemented in plain Node, shared by Electron main (which adds the
// native dialogs) and the loopback web host. Never imports `electron`.

import type { DnsSettings } from '../../shared/dns.ts';
import type { EvaluateOptions } from '../../shared/evaluate-options.ts';
import type { AppInfo, AuthlabApi, EvaluationResult, MessageSlice, RecentEntry, RecentItem } from '../../shared/ipc/contract.ts';
import { packageVersion } from './app-paths.ts';
import { exportReport } from './export/export.ts';
import { createInputCache, type InputCacheLimits } from './input-cache.ts';
import { createSigningLab, type SigningLabDeps } from './signing.ts';
import { createRecentStore, createSettingsStore } from './stores.ts';

/** The engine as services use it (electron/engine/engine.ts's Engine). */
export interface EngineLike {
  evaluate(bytes: Uint8Array, opts?: EvaluateOptions, dns?: DnsSettings, slice?: MessageSlice): Promise<EvaluationResult>;
}

export interface ServicesDeps {
  engine: EngineLike;
  /** Where settings.json and recent.json live (Electron: app.getPath('userData')). */
  dataDir: string;
  shell?: AppInfo['shell'];
  /** Default: the version in the nearest authlab package.json. */
  version?: string;
  electronVersion?: string;
  now?: () => Date;
  /** How much of the inputs being evaluated slice by slice is kept (input-cache.ts). */
  inputCacheLimits?: InputCacheLimits;
  /** The signing lab's key protection (Electron: safeStorage) and live DNS; default a passphrase. */
  keys?: Pick<SigningLabDeps, 'protection' | 'liveResolver'>;
}

export interface AuthlabServices extends AuthlabApi {
  /** For Electron main: a file it opened from disk, remembered with its path for Open Recent. */
  addRecentFile(filePath: string, entry: RecentEntry): Promise<RecentItem[]>;
  /** Locks the signing lab's key store (forgets the key derived from its passphrase). */
  close(): void;
}

export function createServices(deps: ServicesDeps): AuthlabServices {
  const settings = createSettingsStore(deps.dataDir);
  const recent = createRecentStore(deps.dataDir, deps.now);
  const version = deps.version ?? packageVersion();
  const inputs = createInputCache(deps.inputCacheLimits);
  const lab = createSigningLab({
    engine: deps.engine,
    dataDir: deps.dataDir,
    settings: () => settings.get(),
    ...(deps.now ? { clock: deps.now } : {}),
    ...deps.keys,
  });

  return {
    async evaluate(req) {
      let bytes: Uint8Array;
      let ref = req.inputRef;
      if (ref !== undefined) {
        const kept = inputs.get(ref);
        if (!kept) throw Object.assign(new Error('the input of the earlier slices is no longer held: send its bytes again'), { code: 'input-expired' });
        bytes = kept;
      } else {
        // Buffer decodes straight to bytes: the message never passes through a JS string.
        const buf = Buffer.from(req.messageBase64 ?? '', 'base64');
        bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      }
      const result = await deps.engine.evaluate(bytes, req.options, req.dns, req.slice);
      // kept while slices remain, named by the result; let go with the last slice
      const more = result.slice !== undefined && result.slice.start + result.messages.length < result.slice.total && result.messages.length > 0;
      if (more) return { ...result, inputRef: ref ?? inputs.put(bytes) };
      if (ref !== undefined) inputs.delete(ref);
      return result;
    },
    async exportReport(req) {
      return exportReport(req.format, req.report);
    },
    getSettings: () => settings.get(),
    setSettings: (s) => settings.set(s),
    listRecent: () => recent.list(),
    addRecent: (entry) => recent.add(entry),
    addRecentFile: (filePath, entry) => recent.add(entry, filePath),
    // Native dialogs exist only in Electron; main replaces these two.
    async openFileDialog() {
      return { supported: false };
    },
    async saveFile() {
      return { supported: false };
    },
    async appInfo() {
      const info: AppInfo = { version, shell: deps.shell ?? 'web', node: process.versions.node };
      const electron = deps.electronVersion ?? process.versions.electron;
      if (electron) info.electron = electron;
      return info;
    },
    keyStoreStatus: () => lab.keyStoreStatus(),
    unlockKeyStore: (req) => lab.unlockKeyStore(req),
    listKeys: () => lab.listKeys(),
    generateKey: (req) => lab.generateKey(req),
    importKey: (req) => lab.importKey(req),
    deleteKey: (req) => lab.deleteKey(req),
    checkPublished: (req) => lab.checkPublished(req),
    signMessage: (req) => lab.signMessage(req),
    exportPrivateKey: (req) => lab.exportPrivateKey(req),
    close: () => lab.close(),
  };
}
