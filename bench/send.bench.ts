/**
 * Sending at SES's rate, at scale. With the account's rate lifted far above what the machine can do
 * (so that nothing but our own path sets the pace):
 * - a wave of 10,000 recipients (`NPSWAVE_BENCH_SEND_CONTACTS`) from its start to the last email,
 *   ÷ the baseline measured in the same run: a bare `SendEmail` loop to the same SES stand-in, the
 *   same emails, at the send function's own concurrency (goal ≥ 0.8);
 * - DynamoDB requests per email, counted over every function a wave wakes (send, the SES events,
 *   the stream consumers), in a wave of its own with counting on (the counting scope taxes every
 *   promise, so the timed wave runs with it off), and the writes to the wave's own item (goal 0
 *   per email: none of them may be per email);
 * - contacts imported from CSV through the API ÷ a bare `BatchWriteItem` loop (bench/lib/import-throughput.ts).
 */
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { sesClient } from '../shared/aws/clients.ts';
import { optionalEnv } from '../shared/config.ts';
import { mapConcurrent } from '../shared/send/concurrency.ts';
import { inFlightFor } from '../shared/send/ses-rate.ts';
import { tableDefinitions } from '../shared/tables.ts';
import { atLeast, atMost, type Figure, info, median, percentile, progress, round } from './lib/figure.ts';
import { createScratchTable } from './lib/scratch.ts';
import {
  type BenchStack,
  benchStack,
  countRequests,
  recordSendTimes,
  sendEmailFailures,
  stopBenchStack,
} from './lib/stack.ts';

const recipients = Number(process.env.NPSWAVE_BENCH_SEND_CONTACTS || 10_000);
const counted = Number(process.env.NPSWAVE_BENCH_SEND_COUNTED || 1_000);
const imported = Number(process.env.NPSWAVE_BENCH_IMPORT_CONTACTS || 100_000);
const baselineEmails = 3_000;
/**
 * "Lifted": no account limit anywhere near what one machine can send. `NPSWAVE_BENCH_SEND_RATE`
 * sets another (e.g. 300: 45 in flight instead of 128, to see what the in-flight count does).
 */
const liftedRate = Number(process.env.NPSWAVE_BENCH_SEND_RATE || 100_000);
/**
 * The floor of DynamoDB requests per email (README "The floor"): per email the claim, the contact's
 * stamp, the settle and the Send event's read; amortized, the selection's BatchWriteItem (1/25),
 * the fold's transaction (1/50), the listing's Query and BatchGetItem (2/100), and the few requests
 * of a wave whatever its size (the survey, the wave's item per page, the rate, the lease): 0.25 in
 * all at 1,000 recipients.
 */
const requestsFloor = 4.25;
/** What one send run keeps in flight at that rate: the bare loop runs at the same. */
const sendConcurrency = inFlightFor(liftedRate);
/** Emails a group of the batched floor loop claims and settles in one transaction each. */
const batchedGroup = 32;

interface WaveView {
  status: string;
  phase?: string;
  counts: Record<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function seedContacts(bench: BenchStack, n: number, domain: string): Promise<void> {
  for (let from = 0; from < n; from += 1000) {
    await bench.api('POST', '/api/contacts', {
      contacts: Array.from({ length: Math.min(1000, n - from) }, (_, k) => ({
        email: `r${from + k}@${domain}`,
        name: `Recipient ${from + k}`,
        locale: 'en',
      })),
    });
  }
}

/** Starts a wave to the domain's contacts; answers when every one is sent, with the times of each phase. */
async function timedWave(
  bench: BenchStack,
  n: number,
  domain: string,
  sends: number[],
): Promise<{
  waveId: string;
  seconds: number;
  sendSeconds: number;
  selectSeconds: number;
  /** At each look at the API while sending: how long the oldest email sent but not yet counted had been sent, in s. */
  countLags: number[];
  /** Looks the API did not answer. */
  slowLooks: number;
  /** How long each look at the API took while the wave sent, in ms. */
  lookMs: number[];
}> {
  const survey = await bench.api<{ id: string }>('POST', '/api/surveys', {
    kind: 'nps',
    name: `send ${domain}`,
    companyName: 'Bench',
    audience: { where: [{ field: 'email', endsWith: `@${domain}` }] },
  });
  await bench.api('POST', `/api/surveys/${survey.id}/publish`);
  sends.length = 0;
  sendEmailFailures(true);
  const started = performance.now();
  const { waveId } = await bench.api<{ waveId: string }>('POST', `/api/surveys/${survey.id}/waves`, {});
  let lastReport = 0;
  const countLags: number[] = [];
  let slowLooks = 0;
  const lookMs: number[] = [];
  for (;;) {
    let wave: WaveView;
    const asked = performance.now();
    try {
      wave = await bench.api<WaveView>('GET', `/api/waves/${waveId}`);
      if (sends.length > 0) lookMs.push(performance.now() - asked);
    } catch (err) {
      // A look the stack did not answer in time (fetch gives up after 300 s without headers): a
      // figure of its own (slowLooks), not the end of the wave.
      slowLooks++;
      progress(`send: a look at the wave failed (${String(err)}); looking again`);
      continue;
    }
    // When the answer came (the counts were read before: this errs on the late side).
    const looked = performance.now();
    const counted = wave.counts.sent ?? 0;
    const oldestUncounted = sends[counted];
    if (sends.length > 0)
      countLags.push(oldestUncounted === undefined ? 0 : (looked - oldestUncounted) / 1000);
    if (wave.status === 'open' && (wave.counts.sent ?? 0) >= n) break;
    // 30 minutes, or 20 emails a second for a larger wave (a 100,000 wave sends at ~50-80/s here).
    const patienceMs = Math.max(1_800_000, (n / 20) * 1000);
    if (performance.now() - started > patienceMs)
      throw new Error(`wave not sent in ${Math.round(patienceMs / 60_000)} min: ${JSON.stringify(wave)}`);
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      progress(
        `send: ${wave.phase ?? wave.status}, ${wave.counts.sent ?? 0}/${n} sent, ${sends.length} emails (counts ${(countLags.at(-1) ?? 0).toFixed(1)} s behind; the look took ${Math.round(performance.now() - asked)} ms)`,
      );
    }
    await sleep(100);
  }
  const seconds = (performance.now() - started) / 1000;
  const firstSend = sends[0] ?? started;
  return {
    waveId,
    seconds,
    selectSeconds: (firstSend - started) / 1000,
    sendSeconds: ((sends.at(-1) ?? firstSend) - firstSend) / 1000,
    countLags,
    slowLooks,
    lookMs,
  };
}

/** The baseline: the same email, sent with nothing but SendEmail, at the send function's concurrency. */
async function bareSendLoop(n: number, domain: string): Promise<number> {
  const emails = Array.from({ length: n }, (_, i) => i);
  const started = performance.now();
  await mapConcurrent(emails, sendConcurrency, (i) => sendBare(i, domain));
  return n / ((performance.now() - started) / 1000);
}

/** One email like an invitation, sent with SendEmail and nothing else. */
function sendBare(i: number, domain: string) {
  const from = optionalEnv('FROM_ADDRESS') ?? 'surveys@example.com';
  return sesClient().send(
    new SendEmailCommand({
      FromEmailAddress: from,
      Destination: { ToAddresses: [`bare${i}@${domain}`] },
      Content: {
        Simple: {
          Subject: { Data: 'How likely are you to recommend Bench to a friend or colleague?' },
          Body: {
            Html: { Data: `<p>${'Bench survey body. '.repeat(120)}</p>` },
            Text: { Data: 'Bench survey body. '.repeat(60) },
          },
        },
      },
      ...(optionalEnv('SES_CONFIGURATION_SET') && {
        ConfigurationSetName: optionalEnv('SES_CONFIGURATION_SET'),
      }),
      EmailTags: [{ Name: 'invitation', Value: `bare-${i}` }],
    }),
  );
}

/**
 * The floor's own speed here: per email, the three writes exactly once needs (two updates of an
 * invitation, the claim and the settle, on a scratch table shaped like the invitations table, with
 * its stream and indexes; one of a contact, on one shaped like the contacts table), the claim and the
 * contact's at once, then SendEmail, then the settle: what any exactly-once sender must pay on this
 * DynamoDB Local, with none of our code around it.
 */
async function floorLoop(
  bench: BenchStack,
  n: number,
  domain: string,
  writes: 'floor' | 'one' | 'batched' = 'floor',
): Promise<number> {
  const invitations = await createScratchTable(bench.stack.dynamoUrl, {
    like: tableDefinitions.invitations,
    items: n,
  });
  const contacts = await createScratchTable(bench.stack.dynamoUrl, {
    like: tableDefinitions.contacts,
    items: n,
  });
  try {
    const emails = Array.from({ length: n }, (_, i) => i);
    const started = performance.now();
    if (writes === 'batched') {
      // The same three writes an email, made in transactions of a group's worth (the claims and
      // stamps of 32 emails in one, their settles in another): the fewest requests exactly once
      // allows. As many groups at once as keep the same number of emails in flight.
      const groups: number[][] = [];
      for (let i = 0; i < n; i += batchedGroup) groups.push(emails.slice(i, i + batchedGroup));
      await mapConcurrent(groups, Math.max(1, Math.floor(sendConcurrency / batchedGroup)), async (group) => {
        await invitations.transact(
          group.flatMap((i) => [invitations.updateAction(i, 0), contacts.updateAction(i, 0)]),
        );
        await Promise.all(group.map((i) => sendBare(i, domain)));
        await invitations.transact(group.map((i) => invitations.updateAction(i, 1)));
      });
      return n / ((performance.now() - started) / 1000);
    }
    await mapConcurrent(emails, sendConcurrency, async (i) => {
      if (writes === 'one') {
        // The ceiling of any sender that writes anything at all per email on this DynamoDB Local.
        await sendBare(i, domain);
        await invitations.update(i);
        return;
      }
      await Promise.all([invitations.update(i), contacts.update(i)]);
      await sendBare(i, domain);
      await invitations.update(i);
    });
    return n / ((performance.now() - started) / 1000);
  } finally {
    await invitations.drop();
    await contacts.drop();
  }
}

export async function run(): Promise<Figure[]> {
  // The import on a stack of its own, quiet (after a wave its stream consumers and SES events are
  // still at work for a while), and whose 100,000 contacts the waves' selection must not scan.
  let importFigures: Figure[] = [];
  if (imported > 0) {
    const { measureImport } = await import('./lib/import-throughput.ts');
    importFigures = await measureImport(await benchStack({ sesMaxSendRate: 500 }), imported);
  }
  // The floor loop on a stack of its own too: DynamoDB Local's writes to tables with a stream slow
  // down as stream records pile up (measured: ~450 updates/s on a fresh stack, 54 on a table made
  // after ~15,000 records), so whichever ran second would pay for the first.
  const run = Date.now().toString(36);
  progress('send: the floor loop (three writes and SendEmail per email, nothing else), on a fresh stack');
  const floorStack = await benchStack({ sesMaxSendRate: liftedRate });
  // Beside them, bare SendEmail loops on the same stack, before and after: the ceilings' ratios.
  const floorBare = [await bareSendLoop(baselineEmails, `floorbare1-${run}.send.test`)];
  const floorRate = await floorLoop(floorStack, baselineEmails, `floor-${run}.send.test`);
  // And one write an email, SendEmail and a single update: what no sender that records anything per
  // email can beat here.
  const oneWriteRate = await floorLoop(floorStack, baselineEmails, `one-${run}.send.test`, 'one');
  // And the floor's writes made in transactions of 32 emails each: what batching them would buy.
  const batchedRate = await floorLoop(floorStack, baselineEmails, `batched-${run}.send.test`, 'batched');
  floorBare.push(await bareSendLoop(baselineEmails, `floorbare2-${run}.send.test`));
  const floorBareRate = median(floorBare);
  progress(
    `send: floor loop ${floorRate.toFixed(0)}/s, one-write loop ${oneWriteRate.toFixed(0)}/s, batched floor loop ${batchedRate.toFixed(0)}/s, bare loops beside them ${floorBare.map((b) => b.toFixed(0)).join(', ')}/s`,
  );
  await stopBenchStack();
  const bench = await benchStack({ sesMaxSendRate: liftedRate });
  const sends = recordSendTimes();
  countRequests(false);

  // Requests per email: a wave of its own, first (a wave's SES events and stream records go on for a
  // while after its last email, and would be counted with the next), every function's DynamoDB
  // requests counted (the counting scope taxes every promise, so the timed wave runs with it off).
  progress(`send: counting DynamoDB requests in a wave of ${counted}`);
  await seedContacts(bench, counted, `counted-${run}.send.test`);
  countRequests(true);
  bench.counter.reset();
  const countedWave = await timedWave(bench, counted, `counted-${run}.send.test`, sends);
  // The stream consumers and the SES events of the last emails may still be at work: wait for every
  // Send event (one read each), then for the last stream batch.
  for (const until = performance.now() + 60_000; performance.now() < until; ) {
    if ((bench.counter.byCommand('sesEvents').GetItemCommand ?? 0) >= counted) break;
    await sleep(250);
  }
  await sleep(3000);
  // Not the bench's own looks at the wave (GET /api/waves/{id} every 100 ms: the api function's reads).
  const perEmail = (bench.counter.grandTotal() - bench.counter.total('api')) / counted;
  const byFunction = bench.counter.byFunction();
  const waveItemWrites = bench.counter.waveItemWriteCount();
  const all = bench.counter.totalUnits();
  const looks = bench.counter.unitsOf('api');
  const units = { read: all.read - looks.read, write: all.write - looks.write };
  countRequests(false);
  progress(`send: DynamoDB requests in the counted wave, by function: ${JSON.stringify(byFunction)}`);
  progress(`send: DynamoDB latency by command: ${JSON.stringify(bench.counter.latencyByCommand())}`);
  progress(`send: counted wave ${countedWave.waveId} took ${countedWave.seconds.toFixed(1)} s`);
  // Its stream records and SES events, done before the timed wave starts.
  await sleep(10_000);

  // The timed wave, and the baselines in the same run (bare loop before and after; the median).
  progress(`send: seeding ${recipients} contacts`);
  await seedContacts(bench, recipients, `timed-${run}.send.test`);
  const bare: number[] = [];
  bare.push(await bareSendLoop(baselineEmails, `bare1-${run}.send.test`));
  progress(`send: bare SendEmail loop ${bare[0]?.toFixed(0)}/s; now the wave of ${recipients}`);
  const timed = await timedWave(bench, recipients, `timed-${run}.send.test`, sends);
  // What SES took during the wave (exactly one each, or an email went twice), and the calls that failed.
  const emailsTaken = sends.length;
  const failedCalls = sendEmailFailures();
  progress(
    `send: SES took ${emailsTaken} emails for ${recipients} recipients; failed calls ${JSON.stringify(failedCalls)}`,
  );
  await sleep(3000);
  bare.push(await bareSendLoop(baselineEmails, `bare2-${run}.send.test`));
  const bareRate = median(bare);

  const waveRate = recipients / timed.seconds;
  const sendRate = recipients / Math.max(timed.sendSeconds, 0.001);
  progress(
    `send: wave ${timed.seconds.toFixed(1)} s (selection until the first email ${timed.selectSeconds.toFixed(1)} s, ` +
      `first to last email ${timed.sendSeconds.toFixed(1)} s); bare loops ${bare.map((b) => b.toFixed(0)).join(', ')}/s`,
  );

  return [
    info(
      'send.wave_emails_per_s',
      round(waveRate, 1),
      `emails/s (${recipients} recipients, start to last email)`,
    ),
    info('send.wave_sending_emails_per_s', round(sendRate, 1), 'emails/s (first to last SendEmail)'),
    info(
      'send.api_looks_unanswered',
      timed.slowLooks,
      'GET /api/waves/{id} not answered within 300 s during the wave',
    ),
    info(
      'send.api_look_median_ms',
      timed.lookMs.length ? round(median(timed.lookMs), 0) : Number.NaN,
      `ms (GET /api/waves/{id} while the wave sent, median of ${timed.lookMs.length}; max ${round(Math.max(0, ...timed.lookMs), 0)} ms)`,
    ),
    atMost(
      'send.counts_lag_p95_s',
      // Too few looks say nothing (an API slow to answer under the wave's load): no figure, a miss.
      timed.countLags.length >= 10 ? round(percentile(timed.countLags, 95), 2) : Number.NaN,
      `s (the API's sent count behind SES: the oldest email sent and not yet counted, p95 of ${timed.countLags.length} looks; max ${round(Math.max(0, ...timed.countLags), 2)} s)`,
      5,
    ),
    atMost(
      'send.ses_emails_per_recipient',
      round(emailsTaken / recipients, 5),
      `emails SES took during the wave ÷ recipients (${emailsTaken} ÷ ${recipients}; ${Object.values(failedCalls).reduce((a, b) => a + b, 0)} calls failed: ${JSON.stringify(failedCalls)})`,
      1,
    ),
    info(
      'send.bare_sendemail_per_s',
      round(bareRate, 1),
      `SendEmail/s (bare loop, ${sendConcurrency} in flight)`,
    ),
    atLeast(
      'send.wave_over_bare_sendemail',
      round(waveRate / bareRate, 3),
      `ratio (${waveRate.toFixed(0)}/s wave ÷ ${bareRate.toFixed(0)}/s bare SendEmail)`,
      0.8,
    ),
    info(
      'send.floor_loop_emails_per_s',
      round(floorRate, 1),
      `emails/s (3 bare writes + SendEmail each, ${sendConcurrency} in flight)`,
    ),
    info(
      'send.one_write_loop_over_bare_sendemail',
      round(oneWriteRate / floorBareRate, 3),
      `ratio (${oneWriteRate.toFixed(0)}/s SendEmail + 1 UpdateItem each ÷ ${floorBareRate.toFixed(0)}/s bare SendEmail beside it: the ceiling of any sender that records anything per email on this DynamoDB Local)`,
    ),
    info(
      'send.floor_loop_over_bare_sendemail',
      round(floorRate / floorBareRate, 3),
      `ratio (${floorRate.toFixed(0)}/s floor loop ÷ ${floorBareRate.toFixed(0)}/s bare SendEmail beside it: the ceiling of an exactly-once sender here)`,
    ),
    info(
      'send.batched_floor_loop_over_bare_sendemail',
      round(batchedRate / floorBareRate, 3),
      `ratio (${batchedRate.toFixed(0)}/s floor loop with its writes in transactions of ${batchedGroup} emails ÷ ${floorBareRate.toFixed(0)}/s bare SendEmail beside it: batching does not lift the ceiling here)`,
    ),
    info(
      'send.wave_over_floor_loop',
      round(waveRate / floorRate, 3),
      `ratio (${waveRate.toFixed(0)}/s wave ÷ ${floorRate.toFixed(0)}/s floor loop on this DynamoDB Local)`,
    ),
    atMost(
      'send.dynamodb_requests_per_email',
      round(perEmail, 2),
      'requests (every function, per email sent; the floor: 3 writes + 1 read an email, plus pages and batches)',
      requestsFloor,
    ),
    info('send.dynamodb_write_units_per_email', round(units.write / counted, 2), 'WCU (DynamoDB Local)'),
    info('send.dynamodb_read_units_per_email', round(units.read / counted, 2), 'RCU (DynamoDB Local)'),
    atMost(
      'send.wave_item_writes_per_email',
      round(waveItemWrites / counted, 3),
      'writes to the wave item (per page of 100 and per stream batch, never per email)',
      0.1,
    ),
    ...importFigures,
  ];
}
