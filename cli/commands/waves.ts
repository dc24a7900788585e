/**
 * `npswave waves send SURVEY_ID [--wait]`: starts a wave, and with --wait follows it until it is sent.
 */
import * as v from 'valibot';
import { booleanValue, type Command, type Context } from '../command.ts';
import { CliError, exitCodes } from '../errors.ts';
import { sleep } from '../http.ts';
import { clearProgress } from '../progress.ts';
import { formatNumber } from '../terminal.ts';

const countNames = [
  'selected',
  'sent',
  'failed',
  'bounced',
  'suppressed',
  'reminded',
  'automated',
  'responded',
  'expired',
] as const;

const started = v.looseObject({ waveId: v.string() });

const wave = v.looseObject({
  id: v.string(),
  status: v.string(),
  startedAt: v.optional(v.nullable(v.string())),
  closesAt: v.optional(v.nullable(v.string())),
  counts: v.optional(v.record(v.string(), v.number()), {}),
  stalled: v.optional(v.looseObject({ reason: v.string(), since: v.optional(v.string()) })),
});
type Wave = v.InferOutput<typeof wave>;

const send: Command = {
  words: ['waves', 'send'],
  args: ['SURVEY_ID'],
  options: { wait: { type: 'boolean' } },
  summary: 'Start a wave of a published survey now',
  usage: 'waves send SURVEY_ID [--wait]',
  help: `Starts a wave now (POST /api/surveys/SURVEY_ID/waves) and prints its id. The survey must be
published.

  --wait    follow the wave until every selected contact is handled (sent, failed or
            suppressed), with a progress bar on a terminal, then print its counts. Ctrl-C
            stops waiting (exit 130); the wave carries on on the server. A wave that
            cannot go on (the SES account cannot send) ends the wait with its reason
            and exit 1.

With --json: {"waveId"}; with --wait, the final wave (GET /api/waves/ID).`,
  async run(ctx, { args: [surveyId = ''], values }) {
    const raw = await ctx.api().json('POST', `/api/surveys/${encodeURIComponent(surveyId)}/waves`);
    const answer = v.safeParse(started, raw);
    if (!answer.success) throw new CliError('unexpected answer from the server: no waveId');
    const waveId = answer.output.waveId;
    if (!booleanValue(values, 'wait')) {
      if (ctx.json) ctx.printJson(answer.output);
      else ctx.print(waveId);
      return;
    }
    const final = await waitForWave(ctx, waveId);
    if (ctx.json) ctx.printJson(final);
    else ctx.print(describeWave(final));
  },
};

export const waveCommands: Command[] = [send];

/** Polls the wave until it has left `sending`, drawing (sent + failed + suppressed) / selected. */
async function waitForWave(ctx: Context, waveId: string): Promise<Wave> {
  const stopWaiting = () => {
    clearProgress();
    process.stderr.write(`npswave: stopped waiting; wave ${waveId} continues on the server\n`);
    process.exit(exitCodes.interrupted);
  };
  process.once('SIGINT', stopWaiting);
  const bar = ctx.progress('Sending', 'contacts');
  const interval = pollInterval(ctx.env);
  try {
    for (;;) {
      const raw = await ctx.api().json('GET', `/api/waves/${encodeURIComponent(waveId)}`, { retry: true });
      const parsed = v.safeParse(wave, raw);
      if (!parsed.success) throw new CliError(`unexpected answer from GET /api/waves/${waveId}`);
      const current = parsed.output;
      const counts = current.counts;
      bar.update((counts.sent ?? 0) + (counts.failed ?? 0) + (counts.suppressed ?? 0), counts.selected ?? 0);
      if (current.status !== 'sending') {
        bar.finish();
        return current;
      }
      if (current.stalled) {
        // The wave cannot go on (the SES account cannot send): say why rather than wait for ever.
        bar.clear();
        throw new CliError(
          `wave ${waveId} is stalled since ${current.stalled.since ?? '?'}: ${current.stalled.reason} (it goes on by itself once that is fixed)`,
        );
      }
      await sleep(interval);
    }
  } catch (err) {
    bar.clear();
    throw err;
  } finally {
    process.removeListener('SIGINT', stopWaiting);
  }
}

export function describeWave(w: Wave): string {
  const counts = countNames
    .filter((name) => w.counts[name] !== undefined)
    .map((name) => `${name} ${formatNumber(w.counts[name] ?? 0)}`)
    .join(', ');
  const when = w.closesAt ? ` until ${w.closesAt}` : '';
  return `Wave ${w.id} is ${w.status}${w.status === 'open' ? when : ''}: ${counts || 'no counts yet'}`;
}

/** ~500 ms between polls; NPSWAVE_POLL_MS changes it (tests). */
function pollInterval(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.NPSWAVE_POLL_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 500;
}
