// Crash-safe file replacement: readers see the old file or the new one, never a torn write.
// Write a temp file in the same directory, fsync it, rename it over the target, fsync the
// directory so the rename itself survives a power cut.

import { open, rename, unlink, readdir, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

const TMP_SUFFIX = '.tmp';

export async function writeFileAtomic(file: string, data: Buffer | string, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}${TMP_SUFFIX}`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await syncDir(dir);
}

export async function syncDir(dir: string): Promise<void> {
  let dh;
  try {
    dh = await open(dir, 'r');
    await dh.sync();
  } catch (err) {
    // some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await dh?.close();
  }
}

/** Removes temp files a killed writer left behind: those whose writer process is gone, or older than an hour (pid reused). */
export async function removeStaleTemps(file: string): Promise<number> {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  let removed = 0;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(TMP_SUFFIX)) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    const full = path.join(dir, name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (alive(pid)) {
      const age = await stat(full).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age < 3_600_000) continue;
    }
    await unlink(full).then(() => removed++, () => {});
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
