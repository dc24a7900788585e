/**
 * A survey's dashboard page costs the same at 100 and at 100,000 answers: two surveys are seeded
 * with real answered invitations (the comment feed's index holds every one) and the aggregates that
 * count them, a session is opened through the sign-in form, and `GET /admin/surveys/{id}` is timed
 * through the local gateway, alternating the two, with the DynamoDB requests of each view counted in
 * the api handler's scope (in a round of their own: counting taxes every promise). Then the page's
 * weight with 20 comments, the bytes a browser downloads.
 */
import { gzipSync } from 'node:zlib';
import { seedAnsweredSurvey } from './lib/answered-survey.ts';
import { atMost, type Figure, info, median, progress, round } from './lib/figure.ts';
import { closeHttpClient, getText } from './lib/http.ts';
import { type BenchStack, benchStack, countRequests, stopBenchStack } from './lib/stack.ts';

const small = 100;
const large = 100_000;
const views = 30;
const warmUp = 5;
const maxPageBytes = 80 * 1024;

interface Side {
  id: string;
  answers: number;
  ms: number[];
  requests: number[];
  bytes: number;
  gzipBytes: number;
  comments: number;
}

async function signIn(bench: BenchStack): Promise<string> {
  const response = await fetch(`${bench.stack.url}/admin/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key: bench.stack.adminKey }).toString(),
    redirect: 'manual',
  });
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0];
  if (response.status !== 303 || !cookie) throw new Error(`sign-in answered ${response.status}`);
  return cookie;
}

async function view(bench: BenchStack, side: Side, cookie: string): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  const answer = await getText(`${bench.stack.url}/admin/surveys/${side.id}`, { cookie });
  const ms = performance.now() - started;
  if (answer.status !== 200)
    throw new Error(`survey page answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  if (
    !answer.body.includes(`n = ${side.answers.toLocaleString('en')}`) &&
    !answer.body.includes(`${side.answers.toLocaleString('en')} answers`)
  ) {
    throw new Error(`the survey page does not count ${side.answers} answers`);
  }
  return { ms, body: answer.body };
}

export async function run(): Promise<Figure[]> {
  const bench = await benchStack();
  const sides: [Side, Side] = [
    {
      id: await seedAnsweredSurvey(bench, small, 'small'),
      answers: small,
      ms: [],
      requests: [],
      bytes: 0,
      gzipBytes: 0,
      comments: 0,
    },
    {
      id: await seedAnsweredSurvey(bench, large, 'large'),
      answers: large,
      ms: [],
      requests: [],
      bytes: 0,
      gzipBytes: 0,
      comments: 0,
    },
  ];
  const cookie = await signIn(bench);
  try {
    // The first view lets the local stream poller pass over the seeded records (the consumer skips them).
    const t0 = performance.now();
    for (const side of sides) await view(bench, side, cookie);
    progress(`dashboard: stream caught up in ${Math.round(performance.now() - t0)} ms`);

    countRequests(false);
    for (let i = 0; i < warmUp + views; i++) {
      for (const side of i % 2 ? [...sides].reverse() : sides) {
        const { ms, body } = await view(bench, side, cookie);
        if (i < warmUp) continue;
        side.ms.push(ms);
        side.bytes = Buffer.byteLength(body);
        side.gzipBytes = gzipSync(body).length;
        side.comments = (body.match(/<li data-score=/g) ?? []).length;
      }
    }
    countRequests(true);
    for (let i = 0; i < 3; i++) {
      for (const side of sides) {
        bench.counter.reset();
        await view(bench, side, cookie);
        side.requests.push(bench.counter.total('api'));
      }
    }
    progress(
      `dashboard: DynamoDB commands of the last view: ${JSON.stringify(bench.counter.byCommand('api'))}`,
    );
  } finally {
    closeHttpClient();
    // 100,000 seeded answers (and their stream records) slow DynamoDB Local down for whatever runs
    // next in this process: the benches after this one get a fresh stack.
    await stopBenchStack();
  }
  const [s, l] = sides;
  const requests = [...s.requests, ...l.requests];
  progress(
    `dashboard: median survey page ${median(s.ms).toFixed(1)} / ${median(l.ms).toFixed(1)} ms at ${small} / ${large} answers; requests per view ${requests}`,
  );
  if (l.comments !== 20) throw new Error(`the large survey's page shows ${l.comments} comments, not 20`);
  return [
    atMost('dashboard.survey_page_latency_ratio', round(median(l.ms) / median(s.ms)), 'ratio', 1.2),
    info('dashboard.survey_page_ms_at_100', round(median(s.ms), 2), 'ms'),
    info('dashboard.survey_page_ms_at_100k', round(median(l.ms), 2), 'ms'),
    {
      name: 'dashboard.dynamodb_requests_per_view',
      value: requests[0] ?? Number.NaN,
      unit: 'requests',
      goal: 'the same at 100 and 100,000 answers, every view',
      pass: new Set(requests).size === 1,
    },
    atMost('dashboard.survey_page_bytes_20_comments', l.bytes, 'bytes', maxPageBytes),
    info('dashboard.survey_page_gzip_bytes', l.gzipBytes, 'bytes'),
    info('dashboard.survey_page_bytes_at_100', s.bytes, 'bytes'),
  ];
}
