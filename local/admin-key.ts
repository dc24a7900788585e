/**
 * The admin key of the local stack: NPSWAVE_ADMIN_KEY when set; otherwise one generated on the first
 * start and kept (mode 0600) in `<dataDir>/admin-key`, so later starts accept the same key.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newAdminKey } from '../shared/ids.ts';

export interface AdminKey {
  key: string;
  /** Where the key is kept; undefined when it came from the environment. */
  file?: string;
  /** True when this start generated it. */
  generated: boolean;
}

export async function resolveAdminKey(dataDir: string, fromEnv: string | undefined): Promise<AdminKey> {
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { key: fromEnv.trim(), generated: false };
  const file = join(dataDir, 'admin-key');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored !== '') return { key: stored, file, generated: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = newAdminKey();
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { key, file, generated: true };
}
