/**
 * Answering: submissions through the local gateway (the respond handler in-process) at concurrency
 * 16, against bare DynamoDB Local UpdateItem calls at the same concurrency in the same run, and the
 * DynamoDB requests the respond handler makes per submit (counted in the handler's own scope, so the
 * score consumer's work is not in it). The score consumer is paused while anything is timed, and
 * drained afterwards: on AWS it runs elsewhere; here it would share the two cores with the submits.
 *
 * Two baselines. The goal's: bare updates on a scratch table shaped like the invitations table (its
 * stream and its byWave index), so that the ratio measures what our request path adds to the one
 * write it must make. Beside it, for reference: bare updates on a plain table. DynamoDB Local spends
 * about as much CPU on a stream record and an index entry as on the whole plain update, so that
 * ratio is about DynamoDB Local's stream and index as much as about our code.
 *
 * CPU per operation (this process and the DynamoDB Local JVM) is reported beside the rates: on a
 * busy machine it says where the time goes more steadily than wall time does.
 */

import { tableDefinitions } from '../shared/tables.ts';
import { type CpuMeter, cpuMeter, cpuPerOp } from './lib/cpu.ts';
import { atLeast, atMost, type Figure, info, median, progress, round } from './lib/figure.ts';
import { timed, timedPool } from './lib/load.ts';
import { FormPoster } from './lib/load-client.ts';
import { createScratchTable, type ScratchTable } from './lib/scratch.ts';
import { type SeededWave, seedOpenWave } from './lib/seed.ts';
import { benchStack, countRequests } from './lib/stack.ts';

const contacts = 400;
const concurrency = 16;
const rounds = 5;

interface Measured {
  perSecond: number;
  cpu: { node: number; dynamodb: number };
}

/** Every token answers once, with content new in this round (an edit from the second round on). */
async function respondRound(
  poster: FormPoster,
  wave: SeededWave,
  meter: CpuMeter,
  n: number,
): Promise<Measured> {
  let ms = 0;
  const cpu = await cpuPerOp(meter, wave.tokens.length, async () => {
    ms = await timedPool(wave.tokens, concurrency, async (token, i) => {
      const form = `score=${(i + n) % 11}&comment=${encodeURIComponent(`round ${n}: answer ${i}`)}`;
      const answer = await poster.post(`/r/${token}`, form);
      if (answer.status !== 200) {
        throw new Error(`POST /r/${token} answered ${answer.status}: ${answer.body.slice(0, 200)}`);
      }
    });
  });
  return { perSecond: wave.tokens.length / (ms / 1000), cpu };
}

async function bareRound(scratch: ScratchTable, meter: CpuMeter): Promise<Measured> {
  let perSecond = 0;
  const cpu = await cpuPerOp(meter, contacts, async () => {
    perSecond = await scratch.updateRate(contacts, concurrency);
  });
  return { perSecond, cpu };
}

const medianOf = (runs: Measured[], pick: (m: Measured) => number) => median(runs.map(pick));

/** Median CPU per operation of each side, e.g. `respond.node_cpu_ms_per_submit`. */
const cpuFigures = (per: string, runs: Measured[]): Figure[] => [
  info(
    `respond.node_cpu_ms_per_${per}`,
    round(
      medianOf(runs, (m) => m.cpu.node),
      2,
    ),
    'ms',
  ),
  info(
    `respond.dynamodb_local_cpu_ms_per_${per}`,
    round(
      medianOf(runs, (m) => m.cpu.dynamodb),
      2,
    ),
    'ms',
  ),
];

export async function run(): Promise<Figure[]> {
  const bench = await benchStack();
  const seedStart = performance.now();
  const wave = await seedOpenWave(bench, contacts, 'respond');
  progress(`respond: ${contacts} invitations sent in ${Math.round(performance.now() - seedStart)} ms`);
  const shaped = await createScratchTable(bench.stack.dynamoUrl, {
    like: tableDefinitions.invitations,
    items: contacts,
  });
  const plain = await createScratchTable(bench.stack.dynamoUrl);
  const meter = cpuMeter(bench.stack.dynamoUrl);
  const poster = new FormPoster(bench.stack.url);
  const answered: Measured[] = [];
  const bare: Measured[] = [];
  const barePlain: Measured[] = [];
  let requests = Number.NaN;
  let commands: Record<string, number> = {};
  bench.consumer.close();
  try {
    // Warm-up: module imports, both JITs, connections.
    await respondRound(poster, wave, meter, 100);
    await bareRound(shaped, meter);
    await bareRound(plain, meter);
    // The requests are counted in a round of their own (edits, like the timed rounds): counting
    // needs async hooks, whose cost on every promise would otherwise be timed as the handler's.
    bench.counter.reset();
    await respondRound(poster, wave, meter, 200);
    requests = bench.counter.total('respond') / contacts;
    commands = bench.counter.byCommand('respond');
    countRequests(false);
    const sides = [
      async (n: number) => answered.push(await respondRound(poster, wave, meter, n)),
      async () => bare.push(await bareRound(shaped, meter)),
      async () => barePlain.push(await bareRound(plain, meter)),
    ];
    for (let n = 0; n < rounds; n++) {
      // Rotate the order so that no side always runs on the warmer (or quieter) machine.
      for (let k = 0; k < sides.length; k++) await sides[(n + k) % sides.length]?.(n);
      progress(
        `respond: round ${n + 1}/${rounds}: ${answered.at(-1)?.perSecond.toFixed(0)} answers/s, ${bare.at(-1)?.perSecond.toFixed(0)} bare updates/s (invitations-shaped table), ${barePlain.at(-1)?.perSecond.toFixed(0)} (plain table)`,
      );
    }
  } finally {
    countRequests(true);
    bench.consumer.open();
    await shaped.drop();
    await plain.drop();
    poster.close();
  }
  progress(`respond: DynamoDB commands of the handler in ${contacts} submits: ${JSON.stringify(commands)}`);
  // An admin read makes the local gateway drain the stream: the next benchmark starts with no backlog.
  const drainMs = await timed(() => bench.api('GET', `/api/surveys/${wave.surveyId}/score`));
  progress(
    `respond: the score consumer caught up with ${(rounds + 1) * contacts} answers in ${Math.round(drainMs)} ms`,
  );

  const answersPerSecond = medianOf(answered, (m) => m.perSecond);
  const barePerSecond = medianOf(bare, (m) => m.perSecond);
  const plainPerSecond = medianOf(barePlain, (m) => m.perSecond);
  return [
    atLeast('respond.throughput_ratio', round(answersPerSecond / barePerSecond), 'ratio', 0.5),
    info('respond.throughput_ratio_plain_table', round(answersPerSecond / plainPerSecond), 'ratio'),
    info('respond.answers_per_s', round(answersPerSecond, 1), 'answers/s'),
    info('respond.bare_updateitem_per_s', round(barePerSecond, 1), 'updates/s'),
    info('respond.bare_updateitem_plain_table_per_s', round(plainPerSecond, 1), 'updates/s'),
    atMost('respond.dynamodb_requests_per_submit', round(requests), 'requests', 2),
    ...cpuFigures('submit', answered),
    ...cpuFigures('bare_update', bare),
    ...cpuFigures('bare_update_plain_table', barePlain),
  ];
}
