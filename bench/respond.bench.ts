/**
 * Answering: submissions through the local gateway (the respond handler in-process) at concurrency
 * 16, against bare DynamoDB Local UpdateItem calls at the same concurrency in the same run, and the
 * DynamoDB requests the respond handler makes per submit (counted in its own scope, so the score
 * consumer's work is not in it). The consumer is paused while submits are timed and drained after.
 */
import { atLeast, atMost, type Figure, info, median, progress, round } from './lib/figure.ts';
import { timedPool } from './lib/load.ts';
import { createScratchTable } from './lib/scratch.ts';
import { type SeededWave, seedOpenWave } from './lib/seed.ts';
import { type BenchStack, benchStack } from './lib/stack.ts';

const contacts = 400;
const concurrency = 16;
const rounds = 5;

interface RespondRound {
  perSecond: number;
  requests: number;
  submits: number;
}

async function submit(url: string, token: string, score: number, comment: string): Promise<void> {
  const response = await fetch(`${url}/r/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `score=${score}&comment=${encodeURIComponent(comment)}`,
  });
  const page = await response.text();
  if (response.status !== 200) throw new Error(`POST /r/${token} answered ${response.status}: ${page.slice(0, 200)}`);
}

/** Every token answers once, with content new in this round (an edit from the second round on). */
async function respondRound(bench: BenchStack, wave: SeededWave, n: number, live: boolean): Promise<RespondRound> {
  if (!live) bench.consumer.close();
  bench.counter.reset();
  const ms = await timedPool(wave.tokens, concurrency, (token, i) =>
    submit(bench.stack.url, token, (i + n) % 11, `round ${n}: answer ${i}`),
  );
  const requests = bench.counter.total('respond');
  if (n === 0)
    progress(`respond: DynamoDB commands by the handler: ${JSON.stringify(bench.counter.byCommand('respond'))}`);
  bench.consumer.open();
  // An admin read makes the local gateway drain the stream: the next round starts with no backlog.
  await bench.api('GET', `/api/surveys/${wave.surveyId}/score`);
  return { perSecond: wave.tokens.length / (ms / 1000), requests, submits: wave.tokens.length };
}

export async function run(): Promise<Figure[]> {
  const bench = await benchStack();
  const seedStart = performance.now();
  const wave = await seedOpenWave(bench, contacts, 'respond');
  progress(`respond: ${contacts} invitations sent in ${Math.round(performance.now() - seedStart)} ms`);
  const scratch = await createScratchTable(bench.stack.dynamoUrl);
  try {
    // Warm-up: module imports, the JIT of both processes, connections.
    await respondRound(bench, wave, 100, false);
    await scratch.updateRate(contacts, concurrency);

    const answered: RespondRound[] = [];
    const live: number[] = [];
    const bare: number[] = [];
    for (let n = 0; n < rounds; n++) {
      // Alternate the order so that neither side always runs on the warmer machine.
      const pair = async () => {
        answered.push(await respondRound(bench, wave, 2 * n, false));
        bare.push(await scratch.updateRate(contacts, concurrency));
      };
      if (n % 2 === 0) await pair();
      else {
        bare.push(await scratch.updateRate(contacts, concurrency));
        answered.push(await respondRound(bench, wave, 2 * n, false));
      }
      live.push((await respondRound(bench, wave, 2 * n + 1, true)).perSecond);
      const last = answered.at(-1)?.perSecond ?? 0;
      progress(
        `respond: round ${n + 1}/${rounds}: ${last.toFixed(0)} answers/s (consumer paused), ${live.at(-1)?.toFixed(0)} (consumer live), ${bare.at(-1)?.toFixed(0)} bare updates/s`,
      );
    }
    const answersPerSecond = median(answered.map((r) => r.perSecond));
    const barePerSecond = median(bare);
    const requests = answered.reduce((n, r) => n + r.requests, 0);
    const submits = answered.reduce((n, r) => n + r.submits, 0);
    return [
      atLeast('respond.throughput_ratio', round(answersPerSecond / barePerSecond), 'ratio', 0.5),
      info('respond.answers_per_s', round(answersPerSecond, 1), 'answers/s'),
      info('respond.bare_updateitem_per_s', round(barePerSecond, 1), 'updates/s'),
      info('respond.answers_per_s_consumer_live', round(median(live), 1), 'answers/s'),
      atMost('respond.dynamodb_requests_per_submit', round(requests / submits), 'requests', 2),
    ];
  } finally {
    await scratch.drop();
  }
}
