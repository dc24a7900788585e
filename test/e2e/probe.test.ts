import { afterAll, beforeAll, expect, test } from 'vitest';
import { type E2E, emailLinks, seedNpsWave, startE2E } from './support.ts';

let e2e: E2E;
beforeAll(async () => {
  const t = Date.now();
  e2e = await startE2E('probe');
  console.log('start ms', Date.now() - t);
});
afterAll(async () => {
  const t = Date.now();
  await e2e?.stop();
  console.log('stop ms', Date.now() - t);
});

test('probe', async () => {
  const t = Date.now();
  const seeded = await seedNpsWave(e2e, [
    { email: 'sv@example.com', name: 'Sven', locale: 'sv' },
    { email: 'en@example.com', name: 'Ann', locale: 'en' },
  ], { followUp: { promoter: 'What do you love?', passive: 'What would make it a 10?', detractor: 'What went wrong?' }, locales: { sv: { followUp: { promoter: 'Vad gillar du?', passive: 'Vad saknas?', detractor: 'Vad gick fel?' } } } });
  console.log('seed ms', Date.now() - t);
  console.log(JSON.stringify(seeded.contacts, null, 1));
  const email = seeded.emails.get('sv@example.com')!;
  console.log(email.subject, email.headers, email.body.html?.length);
  const links = emailLinks(email, e2e.url);
  console.log(links);
  const page = await e2e.fetchPublic(new URL(links.scores.get(9)!).pathname + '?score=9');
  console.log(page.status, [...page.headers.entries()], page.text.length);
  console.log(page.text);
  console.log(JSON.stringify((await e2e.api(`/api/waves/${seeded.waveId}`)).json));
  console.log(JSON.stringify((await e2e.api(`/api/surveys/${seeded.surveyId}/score`)).json));
  expect(1).toBe(1);
});
