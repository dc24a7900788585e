/**
 * A wave is a resumable job: choose the audience page by page, then email it page by page, each
 * step checkpointed on the wave. Any run may stop at any point (deadline, crash) and the next run
 * continues where the last checkpoint stands, without skipping or doubling anyone.
 */
import { randomUUID } from 'node:crypto';
import { nowIso, nowMs } from '../clock.ts';
import { optionalEnv } from '../config.ts';
import { scheduleName, scheduleOnce } from '../schedule/scheduler.ts';
import { requireSurvey } from '../survey/store.ts';
import type { Wave } from '../wave/schema.ts';
import {
  acquireWaveLease,
  clearWaveStall,
  getWave,
  markWaveActive,
  markWaveStalled,
  releaseWaveLease,
  setWavePhase,
} from '../wave/store.ts';
import type { DeliveryContext } from './delivery.ts';
import { inFlightLimitFor, type PendingInvitations, sendPage } from './pass.ts';
import { fanOutSegments } from './segments.ts';
import { pickPage, selectPage } from './selection.ts';
import { SesAccountError, sesPacer } from './ses.ts';

const leaseMs = 30_000;

/** How long a wave whose SES account cannot send waits before it tries again (local clock). */
const stallRetryMs = (): number => Number(optionalEnv('SEND_STALL_RETRY_SECONDS') ?? 300) * 1000;

/**
 * Renews the lease in the background while a run works. The loop renews it between pages, but one
 * page can outlast the lease (SES throttling: each email backs off up to ~90 s); another run would
 * then take the wave beside this live one and judge its claims stale: two emails to one contact.
 */
function keepLease(waveId: string, owner: string): { stop(): Promise<void> } {
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // The client retries conflicts; what still fails is logged: the next renewal or the loop's own
    // (between pages) tries again long before the lease runs out.
    renewing = acquireWaveLease(waveId, owner, leaseMs).catch((err: unknown) => {
      console.error('send: renewing the lease of', waveId, 'failed:', (err as Error).name);
    });
  }, leaseMs / 3);
  timer.unref?.();
  return {
    // A renewal still in flight must land before the release, or it would take the lease again.
    stop: async () => {
      clearInterval(timer);
      await renewing;
    },
  };
}

/**
 * done: sent; more: the deadline came first; busy: another run holds it; stalled: SES keeps failing,
 * or a page holds claims of a run that may have died (the sweeper resumes the wave later);
 * waiting: the rest waits for a send window, and a schedule will resume the wave then;
 * selecting: the audience is being chosen by scan segments' jobs, and the last one continues the wave.
 */
export type RunResult = 'done' | 'more' | 'busy' | 'stalled' | 'waiting' | 'selecting';

/** One schedule per distinct opening (not per contact): the wave resumes when the window opens. */
async function scheduleWindowOpening(wave: Wave, nextDue: string): Promise<void> {
  const at = new Date(Math.max(Date.parse(nextDue), nowMs() + 1000));
  await scheduleOnce(scheduleName('window', wave.id, String(Math.floor(at.getTime() / 60_000))), at, 'send', {
    type: 'wave.continue',
    waveId: wave.id,
  });
}

/**
 * The account cannot send: the wave says why (`stalled`), an alert goes to the log, and the wave
 * tries again later on a schedule of its own.
 */
async function stall(wave: Wave, reason: string): Promise<'stalled'> {
  console.error(`ALERT send: wave ${wave.id} stalled: ${reason}`);
  await markWaveStalled(wave.id, reason, nowIso());
  const at = new Date(nowMs() + stallRetryMs());
  await scheduleOnce(
    scheduleName('stalled', wave.id, String(Math.floor(at.getTime() / 60_000))),
    at,
    'send',
    {
      type: 'wave.continue',
      waveId: wave.id,
    },
  );
  return 'stalled';
}

/**
 * Works on a wave until it is sent or the real-time deadline passes.
 * Steps: take the lease → select pages → send pages → mark the wave open.
 */
export async function runWave(waveId: string, deadline: number, stopBy?: number): Promise<RunResult> {
  const owner = randomUUID();
  if (!(await acquireWaveLease(waveId, owner, leaseMs))) {
    if (await getWave(waveId)) return 'busy';
    // An active marker whose wave was never made (its start failed half-way): nothing to resume.
    await markWaveActive(waveId, false);
    return 'done';
  }
  const heartbeat = keepLease(waveId, owner);
  try {
    let wave = await getWave(waveId);
    if (!wave) return 'done';
    if (wave.status === 'closed') {
      // Closed while still sending (its expiry came first): the sweeper need not come back.
      await markWaveActive(waveId, false);
      return 'done';
    }
    let pacer: DeliveryContext['pacer'];
    try {
      pacer = await sesPacer();
    } catch (err) {
      if (err instanceof SesAccountError) return stall(wave, err.message);
      throw err;
    }
    const pending: PendingInvitations = new Map();
    const inFlight = inFlightLimitFor(pacer);
    // At least one step per invocation, however short its time: a run that only handed over would
    // hand over for ever.
    for (let step = 0; wave.phase !== 'sent'; step++) {
      if (step > 0 && Date.now() >= deadline) return 'more';
      if (!(await acquireWaveLease(waveId, owner, leaseMs))) return 'busy';
      // Read for every page: an unpublish (or an edit) takes effect at the next page.
      const survey = await requireSurvey(wave.surveyId);
      if (wave.phase === 'selecting' && wave.cursor !== undefined && !wave.segments) {
        // Begun before selection was split into scan segments: its one cursor goes on.
        await selectPage(wave, survey);
      } else if (wave.phase === 'selecting') {
        // The segments' jobs select; the last one done moves the wave on and continues it.
        if (!(await fanOutSegments(wave, survey))) return 'selecting';
      } else if (wave.phase === 'picking') {
        await pickPage(wave, survey);
      } else {
        const ctx: DeliveryContext = { pacer, deadline, inFlight, ...(stopBy !== undefined && { stopBy }) };
        const progress = await sendPage(wave, survey, ctx, pending);
        if (progress.state === 'stalled') return progress.reason ? stall(wave, progress.reason) : 'stalled';
        if (wave.stalled) await clearWaveStall(waveId);
        if (progress.state === 'waiting') {
          await scheduleWindowOpening(wave, progress.until);
          return 'waiting';
        }
        if (progress.state === 'complete') {
          await setWavePhase(waveId, 'sending', {
            phase: 'sent',
            status: 'open',
            at: { field: 'sentAt', value: nowIso() },
          });
          await markWaveActive(waveId, false);
        }
      }
      const reloaded = await getWave(waveId);
      if (!reloaded) return 'done';
      wave = reloaded;
    }
    return 'done';
  } finally {
    await heartbeat.stop();
    await releaseWaveLease(waveId, owner);
  }
}
