/**
 * One SES rate for the whole account (shared/send/ses-rate.ts): with the account capped at 20
 * emails a second, two waves and a reminder send at once, each in its own Lambda invocation, and
 * every SendEmail call is timed as it leaves (a middleware on the SES client). Figures: the emails
 * achieved per second over the whole run ÷ the cap (goal 0.9 to 1.0), and the most calls in any
 * one-second window, sliding over every call (goal ≤ the cap). The baseline is the cap itself: the
 * rate SES would let us have.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { fakeCredentials, localRegion } from '../local/env.ts';
import { resetClients } from '../shared/aws/clients.ts';
import { resetConfigCache } from '../shared/config.ts';
import { resetSesAccountCache } from '../shared/send/ses.ts';
import { atMost, type Figure, info, progress, round } from './lib/figure.ts';
import { benchStack, recordSendTimes, stopBenchStack } from './lib/stack.ts';

const cap = 20;
const perWave = 200;
const reminded = 150;

interface WaveView {
  status: string;
  counts: Record<string, number>;
}

export async function run(): Promise<Figure[]> {
  // A stack of its own, so that the cap below is the only rate in force.
  await stopBenchStack();
  process.env.SES_MAX_SEND_RATE = String(cap);
  resetConfigCache();
  resetSesAccountCache();
  const bench = await benchStack();
  const sends = recordSendTimes();
  const run = Date.now().toString(36);
  const startWave = async (label: string, n: number): Promise<{ surveyId: string; waveId: string }> => {
    const domain = `${label}-${run}.pacing.test`;
    const contacts = Array.from({ length: n }, (_, i) => ({ email: `p${i}@${domain}` }));
    await bench.api('POST', '/api/contacts', { contacts });
    const survey = await bench.api<{ id: string }>('POST', '/api/surveys', {
      kind: 'nps',
      name: `pacing ${label}`,
      audience: { where: [{ field: 'email', endsWith: `@${domain}` }] },
    });
    await bench.api('POST', `/api/surveys/${survey.id}/publish`);
    const wave = await bench.api<{ waveId: string }>('POST', `/api/surveys/${survey.id}/waves`);
    return { surveyId: survey.id, waveId: wave.waveId };
  };
  const until = async (waveId: string, done: (w: WaveView) => boolean) => {
    for (;;) {
      const wave = await bench.api<WaveView>('GET', `/api/waves/${waveId}`);
      if (done(wave)) return wave;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  progress(`pacing: sending the wave to be reminded (${reminded} emails at ${cap}/s)`);
  const earlier = await startWave('reminded', reminded);
  await until(earlier.waveId, (w) => w.status === 'open');
  sends.length = 0;

  progress(`pacing: two waves of ${perWave} and a reminder of ${reminded}, all at once`);
  const lambda = new LambdaClient({
    endpoint: bench.stack.controlUrl,
    region: localRegion,
    credentials: fakeCredentials,
  });
  const remind = lambda.send(
    new InvokeCommand({
      FunctionName: 'remind',
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify({ waveId: earlier.waveId, reminder: 1 })),
    }),
  );
  const [a, b] = await Promise.all([startWave('a', perWave), startWave('b', perWave), remind]);
  await until(a.waveId, (w) => w.status === 'open');
  await until(b.waveId, (w) => w.status === 'open');
  await until(earlier.waveId, (w) => w.counts.reminded === reminded);
  lambda.destroy();

  const total = perWave * 2 + reminded;
  sends.sort((x, y) => x - y);
  // Every call at the rate would take (n − 1) intervals from the first to the last.
  const spanSeconds = ((sends.at(-1) ?? 0) - (sends[0] ?? 0)) / 1000;
  const achieved = (sends.length - 1) / spanSeconds;
  let most = 0;
  for (let i = 0, j = 0; i < sends.length; i++) {
    while ((sends[j] as number) <= (sends[i] as number) - 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  delete process.env.SES_MAX_SEND_RATE;
  resetConfigCache();
  resetSesAccountCache();
  // The next bench gets a stack without the cap.
  await stopBenchStack();
  resetClients();
  const ratio = achieved / cap;
  return [
    info('pacing_emails', sends.length, `SendEmail calls (expected ${total})`),
    {
      name: 'pacing_achieved_over_cap',
      value: round(ratio, 3),
      unit: `ratio (${round(achieved, 2)}/s achieved ÷ ${cap}/s cap)`,
      goal: '0.9 to 1.0',
      pass: ratio >= 0.9 && ratio <= 1.0,
    },
    atMost('pacing_most_in_any_second', most, 'SendEmail calls in a sliding 1-s window', cap),
  ];
}
