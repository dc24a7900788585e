/**
 * Page weight: the bytes of every public page a recipient can meet, each fetched through the local
 * gateway from the real respond handler. A page is one self-contained HTML document (styles inline,
 * no other host, see shared/pages/layout.ts), so its body is all a browser downloads; API Gateway's
 * HTTP API does not compress, so these are the bytes on the wire, less the headers. The survey has an
 * accent colour, so the pages carry its extra style, and English texts (the default locale).
 *
 * The closed page comes last: the local clock moves past the wave's one-day window, the expire
 * schedule fires, and a link never answered shows 410. The clock only moves forward, and later
 * benchmarks in the same run seed their own surveys from the new "now".
 */
import { atMost, type Figure, progress } from './lib/figure.ts';
import { type Answered, closeHttpClient, getText, postForm } from './lib/http.ts';
import { seedOpenWave } from './lib/seed.ts';
import { benchStack } from './lib/stack.ts';

/** 15 KiB: a page that fits the first round trips of a slow mobile connection. */
const goalBytes = 15_360;
const windowDays = 1;

export async function run(): Promise<Figure[]> {
  const bench = await benchStack();
  const url = bench.stack.url;
  const wave = await seedOpenWave(bench, 3, 'pages', {
    windowDays,
    reminders: { count: 0 },
    link: { enabled: true },
    branding: { accentColor: '#1a7f5a' },
  });
  const [answering, unsubscribing, closing] = wave.tokens;
  if (!answering || !unsubscribing || !closing) throw new Error('expected three invitations');

  const figures: Figure[] = [];
  const measure = async (state: string, expected: number, request: () => Promise<Answered>) => {
    const { status, body } = await request();
    if (status !== expected) {
      throw new Error(`${state}: expected ${expected}, answered ${status}: ${body.slice(0, 200)}`);
    }
    const bytes = Buffer.byteLength(body, 'utf8');
    progress(`pages: ${state} (${status}): ${bytes} bytes`);
    figures.push(atMost(`pages.bytes.${state}`, bytes, 'bytes', goalBytes));
  };

  try {
    await measure('response', 200, () => getText(`${url}/r/${answering}`));
    await measure('response_with_score', 200, () => getText(`${url}/r/${answering}?score=9`));
    await measure('bad_request', 400, () => postForm(`${url}/r/${answering}`, 'score=42'));
    const comment = encodeURIComponent(
      'The export to CSV saves me an hour every Monday. More of that, please.',
    );
    await measure('thank_you', 200, () => postForm(`${url}/r/${answering}`, `score=9&comment=${comment}`));
    // Opening the link again shows the answer given, ready to be changed.
    await measure('response_answered', 200, () => getText(`${url}/r/${answering}`));
    await measure('not_found', 404, () => getText(`${url}/r/not-a-token`));
    await measure('unsubscribe', 200, () => getText(`${url}/u/${unsubscribing}`));
    await measure('unsubscribed', 200, () =>
      postForm(`${url}/u/${unsubscribing}`, 'List-Unsubscribe=One-Click'),
    );
    await measure('link', 200, () => getText(`${url}/l/${wave.surveyId}`));
    await measure('link_thank_you', 200, () => postForm(`${url}/l/${wave.surveyId}`, 'score=9'));

    await bench.api('POST', '/_local/clock', { advanceSeconds: windowDays * 86_400 + 60 });
    await measure('closed', 410, () => getText(`${url}/r/${closing}`));
  } finally {
    closeHttpClient();
  }
  return figures;
}
