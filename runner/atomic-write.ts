import { open, rename } from 'node:fs/promises';

/**
 * Writes through a temporary file and a rename, flushed to disk first, so a reader (or a runner
 * resumed after the node died) sees the old file or the new one, never half of one.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}
