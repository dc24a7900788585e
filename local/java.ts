/** DynamoDB Local needs Java 17 or newer; say so in one line, with the command that installs it. */
import { spawn } from 'node:child_process';
import { StartupError } from './errors.ts';

export const javaMissingMessage =
  'Java 17+ is required for DynamoDB Local; install it with: sudo apt-get install -y openjdk-17-jre-headless (or brew install openjdk@17)';

/** The major version in `java -version` output: `"17.0.15"` → 17, `"1.8.0_392"` → 8. */
export function javaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

export async function assertJava17(): Promise<void> {
  const output = await new Promise<string | undefined>((resolve) => {
    let text = '';
    const child = spawn('java', ['-version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    child.once('error', () => resolve(undefined));
    child.once('close', (code) => resolve(code === 0 ? text : undefined));
  });
  const major = output === undefined ? undefined : javaMajorVersion(output);
  if (major === undefined || major < 17) throw new StartupError(javaMissingMessage);
}
