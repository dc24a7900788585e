/**
 * Stops the stack when whoever launched it is gone. `npm start` runs `sh -c "tsx local/start.ts"`;
 * a SIGTERM sent to npm reaches sh, which dies without passing it on, and the stack would keep
 * running, holding its ports, with nobody to stop it. So we watch the chain of processes up to the
 * npm that started us (on Linux, through /proc; elsewhere, our direct parent) and treat its end like
 * a SIGTERM.
 */
import { readFileSync } from 'node:fs';

interface Ancestor {
  pid: number;
  /** Start time in clock ticks since boot: tells a living process from a new one with its pid. */
  started: string;
}

function procStat(pid: number): { ppid: number; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), started: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The processes between us and the npm that launched us (inclusive), or just our parent. */
export function launcherChain(): Ancestor[] {
  const chain: Ancestor[] = [];
  let pid = process.ppid;
  for (let depth = 0; depth < 5 && pid > 1; depth++) {
    const stat = procStat(pid);
    if (!stat) break;
    chain.push({ pid, started: stat.started });
    if (/(^|[/\s])npm(-cli\.js)?(\s|$)/.test(commandLine(pid))) return chain;
    pid = stat.ppid;
  }
  return chain.slice(0, 1);
}

/** Calls `onGone` once when a launcher process has ended; answers a function that stops watching. */
export function watchLauncher(onGone: () => void, intervalMs = 1_000): () => void {
  const chain = launcherChain();
  const initialParent = process.ppid;
  const alive = (a: Ancestor) => procStat(a.pid)?.started === a.started;
  const timer = setInterval(() => {
    const gone = chain.length > 0 ? !chain.every(alive) : process.ppid !== initialParent;
    if (gone) {
      clearInterval(timer);
      onGone();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
