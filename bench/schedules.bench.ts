/**
 * Schedules: a weekly survey with reminders and a Monday–Friday 09:00–17:00 send window, its
 * contacts spread over Stockholm, New York and Shanghai, lived through a simulated year on the local
 * clock, at 1,000 and at 10,000 contacts. Figures: the wall time of the year, and the EventBridge
 * Scheduler requests per wave (counted by a middleware on the handlers' own Scheduler client). The
 * goal: the requests per wave are the same at both sizes, since they follow waves, reminders and
 * distinct window openings, never contacts.
 *
 * A quarter year (13 weekly waves), not a whole one, by default: the local stack emails about 25–40
 * invitations a second, so each wave that reaches all 10,000 contacts (the first, then one every
 * 13 weeks under the default 90-day skip) takes about 11 minutes with its reminders, and a year at
 * 10,000 contacts (4 such waves) over 45. Calls per wave do not depend on the length either way.
 *
 * Options (environment): NPSWAVE_BENCH_SCHEDULE_SIZES (default "1000,10000"),
 * NPSWAVE_BENCH_SCHEDULE_WEEKS (default 13; 52 for the whole year).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '../local/stack.ts';
import { schedulerClient } from '../shared/aws/clients.ts';
import { type Figure, info, progress, round } from './lib/figure.ts';
import { stopBenchStack } from './lib/stack.ts';

const dayMs = 86_400_000;
const zones = ['Europe/Stockholm', 'America/New_York', 'Asia/Shanghai'];
const sizes = (process.env.NPSWAVE_BENCH_SCHEDULE_SIZES ?? '1000,10000').split(',').map(Number);
const weeks = Number(process.env.NPSWAVE_BENCH_SCHEDULE_WEEKS ?? 13);

interface SchedulerCall {
  command: string;
  name: string;
}

interface WaveView {
  id: string;
  startedAt: string;
  counts: Record<string, number>;
}

interface YearResult {
  contacts: number;
  waves: number;
  wallSeconds: number;
  importSeconds: number;
  calls: SchedulerCall[];
  sent: number;
  reminded: number;
}

/** POST/GET with node:http: a day of the clock may take longer than fetch's 300-second header timeout. */
function call<T>(stack: LocalStack, method: string, path: string, body?: unknown): Promise<T> {
  const url = new URL(path, stack.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${stack.adminKey}`,
          ...(payload !== undefined && { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 300)
            reject(new Error(`${method} ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`));
          else resolve((text === '' ? undefined : JSON.parse(text)) as T);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const advance = async (stack: LocalStack, seconds: number): Promise<number> =>
  Date.parse((await call<{ now: string }>(stack, 'POST', '/_local/clock', { advanceSeconds: seconds })).now);

/** The next Monday 06:00 UTC: Shanghai is inside its window then, Stockholm and New York open later. */
function nextMonday6(now: number): number {
  const d = new Date(now);
  const today6 = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 6);
  const daysAhead = (8 - d.getUTCDay()) % 7;
  const candidate = today6 + daysAhead * dayMs;
  return candidate > now ? candidate : candidate + 7 * dayMs;
}

async function simulateYear(
  stack: LocalStack,
  calls: SchedulerCall[],
  contacts: number,
): Promise<YearResult> {
  const label = `y${contacts}-${Date.now().toString(36)}`;
  const domain = `${label}.bench.test`;
  const importStart = performance.now();
  for (let from = 0; from < contacts; from += 1000) {
    const batch = Array.from({ length: Math.min(1000, contacts - from) }, (_, k) => ({
      email: `c${from + k}@${domain}`,
      locale: 'en',
      timezone: zones[(from + k) % zones.length],
    }));
    await call(stack, 'POST', '/api/contacts', { contacts: batch });
  }
  const importSeconds = (performance.now() - importStart) / 1000;

  const survey = await call<{ id: string }>(stack, 'POST', '/api/surveys', {
    kind: 'nps',
    name: `bench ${label}`,
    companyName: 'Bench',
    cadence: { every: '1 week' },
    reminders: { count: 1, afterDays: 3 },
    sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' },
    audience: { where: [{ field: 'email', endsWith: `@${domain}` }] },
  });
  // Both sizes start on the same weekday and hour, so their calendars of openings match.
  const now = await advance(stack, 0);
  await advance(stack, (nextMonday6(now) - now) / 1000);
  const firstCall = calls.length;
  const started = performance.now();
  const publishedAt = await advance(stack, 0);
  await call(stack, 'POST', `/api/surveys/${survey.id}/publish`);
  // The year in days: each request runs everything due that day (waves, openings, reminders, expiries).
  const end = publishedAt + weeks * 7 * dayMs + 4 * dayMs; // the last wave's reminder included
  for (let day = 1; ; day++) {
    const target = Math.min(end, publishedAt + day * dayMs);
    const dayStart = performance.now();
    const at = await advance(stack, Math.max(0, target - (await advance(stack, 0))) / 1000);
    const dayMsTaken = performance.now() - dayStart;
    if (dayMsTaken > 5_000)
      progress(
        `schedules: ${contacts} contacts: day ${day} (${new Date(at).toISOString().slice(0, 10)}) took ${(dayMsTaken / 1000).toFixed(1)} s`,
      );
    // The SES stand-in keeps every message in memory; nothing here reads them.
    await fetch(`${stack.sesUrl}/clear-store`, { method: 'POST' });
    if (day % 28 === 0) {
      const elapsed = (performance.now() - started) / 1000;
      progress(
        `schedules: ${contacts} contacts: day ${day}, ${new Date(at).toISOString()}, ${elapsed.toFixed(0)} s`,
      );
    }
    if (target >= end) break;
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const { waves } = await call<{ waves: WaveView[] }>(stack, 'GET', `/api/surveys/${survey.id}/waves`);
  await call(stack, 'POST', `/api/surveys/${survey.id}/unpublish`);
  // Only the requests that name one of this survey's waves: a wave's timers, windows and reminders.
  const mine = calls.slice(firstCall).filter((c) => waves.some((w) => c.name.includes(w.id)));
  return {
    contacts,
    waves: waves.length,
    wallSeconds,
    importSeconds,
    calls: mine,
    sent: waves.reduce((n, w) => n + (w.counts.sent ?? 0), 0),
    reminded: waves.reduce((n, w) => n + (w.counts.reminded ?? 0), 0),
  };
}

/** `remind-w_…-1-29123456` → `remind (window)`; schedule kinds, for the breakdown. */
function kindOf(c: SchedulerCall): string {
  const prefix = c.name.split('-')[0] ?? '';
  const windowed = prefix === 'remind' && /-\d+-\d+$/.test(c.name);
  return `${c.command}:${prefix}${windowed ? '-window' : ''}`;
}

function breakdown(result: YearResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of result.calls) out[kindOf(c)] = (out[kindOf(c)] ?? 0) + 1;
  return out;
}

export async function run(): Promise<Figure[]> {
  // One stack per process (the handlers read process.env): the shared bench stack must not run beside it.
  await stopBenchStack();
  const dataDir = await mkdtemp(join(tmpdir(), 'npswave-bench-schedules-'));
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    sesPort: 0,
    dynamoPort: 0,
    inMemory: true,
    sesMaxSendRate: 1000,
    log: (line) => {
      if (process.env.NPSWAVE_BENCH_LOG === '1') progress(`stack: ${line}`);
    },
  });
  // The stack resets the shared clients when it starts: the counter goes on the client used now.
  const calls: SchedulerCall[] = [];
  schedulerClient().middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Name?: string };
      calls.push({ command: context.commandName ?? 'unknown', name: input.Name ?? '' });
      return next(args);
    },
    { step: 'initialize', name: 'benchSchedulerCounter' },
  );
  try {
    const results: YearResult[] = [];
    for (const contacts of sizes) {
      progress(`schedules: ${weeks} weeks of a weekly survey over ${contacts} contacts`);
      const result = await simulateYear(stack, calls, contacts);
      results.push(result);
      progress(
        `schedules: ${contacts} contacts: ${result.waves} waves, ${result.sent} sent, ${result.reminded} reminded, ` +
          `${result.calls.length} scheduler requests ${JSON.stringify(breakdown(result))}, ` +
          `${result.wallSeconds.toFixed(1)} s (import ${result.importSeconds.toFixed(1)} s)`,
      );
    }
    const perWave = results.map((r) => r.calls.length / Math.max(1, r.waves));
    const figures: Figure[] = [];
    for (const [i, r] of results.entries()) {
      figures.push(
        info(`schedules.wall_s.${weeks}_weeks.${r.contacts}_contacts`, round(r.wallSeconds, 1), 's'),
      );
      figures.push(info(`schedules.emails.${r.contacts}_contacts`, r.sent + r.reminded, 'emails'));
      figures.push(
        info(`schedules.scheduler_calls_per_wave.${r.contacts}_contacts`, round(perWave[i] ?? 0), 'calls'),
      );
    }
    const first = perWave[0] ?? 0;
    const last = perWave.at(-1) ?? 0;
    const sameWaves = results.every((r) => r.waves === results[0]?.waves);
    figures.push({
      name: 'schedules.scheduler_calls_per_wave_ratio',
      value: round(first > 0 ? last / first : 0),
      unit: `ratio (${sizes.at(-1)} / ${sizes[0]} contacts)`,
      goal: '== 1',
      pass: sameWaves && first > 0 && last === first,
    });
    return figures;
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
