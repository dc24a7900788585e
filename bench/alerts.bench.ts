/**
 * Closing the loop, timed: answers at a steady 20 a second for 60 s through the local gateway, each
 * matching a webhook rule, and the time from the answer's 200 to the signed webhook arriving at a
 * local receiver (through the invitations stream, the alerts function, its transaction and the
 * deliver function). Beside it, in the same run, the baseline: a bare POST of the same body to the
 * same receiver. Also counted: events lost (goal 0), and the DynamoDB requests the respond handler
 * makes per submit, which the alert rules must leave at 1 (they run on the stream, not on the answer).
 */
import { WebhookReceiver } from '../local/webhook-receiver.ts';
import { atMost, type Figure, info, median, percentile, progress, round } from './lib/figure.ts';
import { FormPoster } from './lib/load-client.ts';
import { seedOpenWave } from './lib/seed.ts';
import { benchStack, countRequests } from './lib/stack.ts';

const perSecond = 20;
const seconds = Number(process.env.NPSWAVE_BENCH_ALERTS_SECONDS || 60);
const counted = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function run(): Promise<Figure[]> {
  const bench = await benchStack();
  const receiver = await WebhookReceiver.start();
  const answers = perSecond * seconds;
  try {
    const wave = await seedOpenWave(bench, answers + counted + 1, 'alerts', {
      alerts: [{ when: { scoreAtLeast: 0 }, webhook: { url: receiver.url('/bench') } }],
    });
    progress(`alerts: ${wave.tokens.length} invitations sent`);
    const poster = new FormPoster(bench.stack.url);

    // The respond handler's DynamoDB requests per submit, counted in a round of their own, after a
    // first answer has warmed the function's survey cache (as on AWS, a container's first request
    // reads the survey).
    await poster.post(`/r/${wave.tokens[0]}`, 'score=5&comment=warm-up');
    bench.counter.reset();
    countRequests(true);
    for (const token of wave.tokens.slice(1, counted + 1)) {
      const answer = await poster.post(`/r/${token}`, 'score=5&comment=counted');
      if (answer.status !== 200) throw new Error(`POST /r/ answered ${answer.status}`);
    }
    const requestsPerSubmit = bench.counter.total('respond') / counted;
    const commands = bench.counter.byCommand('respond');
    countRequests(false);
    await receiver.waitFor((r) => r.length >= counted + 1, 60_000);
    receiver.clear();

    // The baseline: the same body posted straight to the receiver.
    const bare: number[] = [];
    const sample = JSON.stringify({ type: 'response.created', data: { comment: 'x'.repeat(200) } });
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      await fetch(receiver.url('/bare'), {
        method: 'POST',
        body: sample,
        headers: { 'content-type': 'application/json' },
      });
      bare.push(performance.now() - started);
    }

    // Open loop: answer i goes at i/20 s whatever the answers before it did.
    const answeredAt = new Map<string, number>();
    const tokens = wave.tokens.slice(counted + 1);
    const start = performance.now();
    const startEpoch = Date.now();
    const posts: Promise<void>[] = [];
    for (let i = 0; i < answers; i++) {
      const due = start + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const id = `bench-${i}`;
      posts.push(
        poster.post(`/r/${tokens[i]}`, `score=${i % 11}&comment=${id}`).then((answer) => {
          if (answer.status !== 200) throw new Error(`POST /r/ answered ${answer.status}`);
          answeredAt.set(id, startEpoch + (performance.now() - start));
        }),
      );
      if (i % (perSecond * 10) === 0)
        progress(`alerts: ${i}/${answers} answers, ${receiver.accepted('/bench').length} webhooks`);
    }
    await Promise.all(posts);
    const offered = answers / ((performance.now() - start) / 1000);
    // Each answer's event is known by its comment; a retry repeats its webhook-id.
    const commentOf = (body: string) => (JSON.parse(body) as { data: { comment: string } }).data.comment;
    const arrived = () =>
      new Set(
        receiver
          .accepted('/bench')
          .map((r) => commentOf(r.body))
          .filter((c) => answeredAt.has(c)),
      );
    try {
      await receiver.waitFor(() => arrived().size >= answers, 60_000);
    } catch {
      // counted as lost below
    }
    poster.close();

    const latencies: number[] = [];
    // Where the time goes: answer → rule fired (the stream and the alerts function), fired → received.
    const toFired: number[] = [];
    const toReceived: number[] = [];
    for (const request of receiver.accepted('/bench')) {
      const event = JSON.parse(request.body) as {
        timestamp: string;
        data: { comment: string; respondedAt: string };
      };
      const at = answeredAt.get(event.data.comment);
      if (at === undefined) continue; // the counting round's
      latencies.push(request.at - at);
      toFired.push(Date.parse(event.timestamp) - Date.parse(event.data.respondedAt));
      toReceived.push(request.at - Date.parse(event.timestamp));
    }
    const received = arrived().size;
    const missing = [...answeredAt.keys()].filter((c) => !arrived().has(c));
    if (missing.length) progress(`alerts: no webhook for ${missing.slice(0, 10).join(', ')}`);
    progress(
      `alerts: respond handler's DynamoDB commands in ${counted} submits: ${JSON.stringify(commands)}`,
    );
    progress(`alerts: ${received}/${answers} webhooks, offered ${offered.toFixed(1)} answers/s`);
    const p50 = percentile(latencies, 50);
    return [
      info('alerts.answers_per_s', round(offered, 1), 'answers/s'),
      info('alerts.webhook_latency_p50_ms', Math.round(p50), 'ms'),
      atMost('alerts.webhook_latency_p95_ms', Math.round(percentile(latencies, 95)), 'ms', 2000),
      info('alerts.webhook_latency_max_ms', Math.round(Math.max(...latencies)), 'ms'),
      info('alerts.answer_to_fired_p50_ms', Math.round(percentile(toFired, 50)), 'ms'),
      info('alerts.answer_to_fired_p95_ms', Math.round(percentile(toFired, 95)), 'ms'),
      info('alerts.fired_to_received_p50_ms', Math.round(percentile(toReceived, 50)), 'ms'),
      info('alerts.fired_to_received_p95_ms', Math.round(percentile(toReceived, 95)), 'ms'),
      info('alerts.bare_post_median_ms', round(median(bare), 1), 'ms'),
      info('alerts.latency_p50_over_bare_post', round(p50 / median(bare), 1), 'ratio'),
      atMost('alerts.webhooks_lost', answers - received, 'events', 0),
      atMost('alerts.respond_dynamodb_requests_per_submit', round(requestsPerSubmit), 'requests', 1),
    ];
  } finally {
    await receiver.stop();
  }
}
