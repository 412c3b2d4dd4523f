// Where AuthLab keeps its data: AUTHLAB_HOME, else the platform's per-user config folder.

import os from 'node:os';
import path from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.AUTHLAB_HOME) return path.resolve(env.AUTHLAB_HOME);
  const home = os.homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'AuthLab');
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'AuthLab');
    default:
      return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'authlab');
  }
}
