/**
 * CPU time, which a busy 2-core machine distorts far less than wall time: this process (gateway,
 * handlers and load generator) and the DynamoDB Local JVM (found in /proc by its port; Linux only).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuMeter {
  /** Milliseconds of CPU used so far by this process and by DynamoDB Local (NaN when unknown). */
  read(): { node: number; dynamodb: number };
}

const ticksToMs = 10; // USER_HZ is 100 on Linux

function findJavaPid(port: string): string | undefined {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .find((pid) => {
        try {
          const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          return cmdline.includes('DynamoDBLocal.jar') && cmdline.includes(`-port\0${port}\0`);
        } catch {
          return false;
        }
      });
  } catch {
    return undefined;
  }
}

function processCpuMs(pid: string): number {
  try {
    // Fields after "(comm) ": state is index 0, utime 11, stime 12 (proc(5)).
    const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * ticksToMs;
  } catch {
    return Number.NaN;
  }
}

export function cpuMeter(dynamoUrl: string): CpuMeter {
  const pid = findJavaPid(new URL(dynamoUrl).port);
  return {
    read() {
      const own = process.cpuUsage();
      return { node: (own.user + own.system) / 1000, dynamodb: pid ? processCpuMs(pid) : Number.NaN };
    },
  };
}

/** Runs `task` and answers the CPU milliseconds it cost each side, per operation. */
export async function cpuPerOp(meter: CpuMeter, ops: number, task: () => Promise<unknown>) {
  const before = meter.read();
  await task();
  const after = meter.read();
  return { node: (after.node - before.node) / ops, dynamodb: (after.dynamodb - before.dynamodb) / ops };
}
