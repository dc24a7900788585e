/**
 * Small JSON state files in the data folder (schedules, stream checkpoints, the clock). Each write
 * goes to a temporary file that is then renamed over the old one, so a crash or `kill -9` leaves
 * either the old or the new content, never half of it.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function readJsonFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

let sequence = 0;

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${++sequence}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
  await rename(temporary, path);
}

/**
 * Serialises the writes of one file: each call waits for the previous write, so the last value
 * asked for is the one on disk.
 */
export function jsonFileWriter(path: string): (value: unknown) => Promise<void> {
  let last: Promise<void> = Promise.resolve();
  return (value) => {
    const snapshot = JSON.parse(JSON.stringify(value)) as unknown;
    const next = last.catch(() => undefined).then(() => writeJsonAtomic(path, snapshot));
    last = next;
    return next;
  };
}
