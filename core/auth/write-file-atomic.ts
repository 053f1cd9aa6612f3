import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** File mode of the new file. @default 0o600 */
  mode?: number;
  /**
   * Never replace an existing file: publish with `link()` (which fails if the name exists)
   * instead of `rename()`. Two processes racing to create the same file then agree on one.
   * @default false
   */
  exclusive?: boolean;
}

/**
 * Writes `data` to `path` so that a reader (or a restart after a crash) sees either the old
 * file or the complete new one, never a partial write: write a temp file in the same
 * directory, fsync it, publish it under the final name, then fsync the directory. Creates
 * missing parent directories with mode 0700.
 *
 * @returns true if this call published the file; false only with `exclusive` when it existed.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<boolean> {
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    // The umask may have narrowed the mode given to open(); chmod makes it exact.
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  let published = true;
  try {
    if (options.exclusive === true) {
      try {
        await link(tmp, path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        published = false;
      }
    } else {
      await rename(tmp, path);
    }
  } finally {
    await unlink(tmp).catch((err: NodeJS.ErrnoException) => {
      // After rename() the temp name is gone; that is the expected case.
      if (err.code !== 'ENOENT') throw err;
    });
  }
  await syncDirectory(dir);
  return published;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some filesystems (and platforms) refuse fsync on a directory; the data is already synced.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  } finally {
    await handle.close();
  }
}
