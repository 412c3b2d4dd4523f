// Where AuthLab keeps its data, one place for the CLI, the web host and the desktop app: the folder
// Electron's app.getPath('userData') gives for productName "AuthLab", so keys made with
// `authlab keygen` are the keys the app shows. AUTHLAB_HOME (or AUTHLAB_DATA_DIR) overrides it.

import os from 'node:os';
import path from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  const override = env.AUTHLAB_HOME || env.AUTHLAB_DATA_DIR;
  if (override) return path.resolve(override);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'AuthLab');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'AuthLab');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'AuthLab');
}

/** The key store's folder inside the data folder (it holds keys.json). */
export function keyStoreDir(dataDir: string): string {
  return path.join(dataDir, 'keys');
}
