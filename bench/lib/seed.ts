/** Seeding through the admin API, as a user would: contacts, a published survey, a wave. */
import { queryWaveInvitations } from '../../shared/invitation/store.ts';
import type { BenchStack } from './stack.ts';

export interface SeededWave {
  surveyId: string;
  waveId: string;
  tokens: string[];
}

const plans = ['free', 'pro', 'enterprise'];

/**
 * `contacts` new contacts through the API (1,000 a request), `<run>-<i>@example.com`, each carrying
 * the property `run`, so that a survey's audience can be exactly these contacts.
 */
export async function seedContacts(bench: BenchStack, contacts: number, run: string): Promise<void> {
  for (let from = 0; from < contacts; from += 1000) {
    await bench.api('POST', '/api/contacts', {
      contacts: Array.from({ length: Math.min(1000, contacts - from) }, (_, k) => {
        const i = from + k;
        return {
          email: `${run}-${i}@example.com`,
          name: `Contact ${i}`,
          locale: 'en',
          properties: { plan: plans[i % plans.length] ?? 'pro', run },
        };
      }),
    });
  }
}

/**
 * A published NPS survey whose first wave went to `contacts` new contacts; waits until it is open.
 * `settings` are more fields of the survey (e.g. `windowDays`, `link`), as the admin API takes them.
 */
export async function seedOpenWave(
  bench: BenchStack,
  contacts: number,
  label: string,
  settings: Record<string, unknown> = {},
): Promise<SeededWave> {
  const run = `${label}-${Date.now().toString(36)}`;
  await seedContacts(bench, contacts, run);
  const survey = await bench.api<{ id: string }>('POST', '/api/surveys', {
    kind: 'nps',
    name: `bench ${run}`,
    companyName: 'Bench',
    reportBy: ['plan'],
    audience: { where: [{ field: 'properties.run', equals: run }] },
    ...settings,
  });
  await bench.api('POST', `/api/surveys/${survey.id}/publish`);
  const { waveId } = await bench.api<{ waveId: string }>('POST', `/api/surveys/${survey.id}/waves`, {});
  const deadline = Date.now() + 180_000;
  for (;;) {
    const wave = await bench.api<{ status: string; counts: { sent: number } }>('GET', `/api/waves/${waveId}`);
    if (wave.status === 'open' && wave.counts.sent === contacts) break;
    if (Date.now() > deadline)
      throw new Error(`wave ${waveId} not open after 180 s: ${JSON.stringify(wave)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const tokens: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await queryWaveInvitations(waveId, ['sent'], start, 1000);
    tokens.push(...page.items.map((inv) => inv.token));
    start = page.next;
  } while (start);
  if (tokens.length !== contacts)
    throw new Error(`expected ${contacts} sent invitations, found ${tokens.length}`);
  return { surveyId: survey.id, waveId, tokens };
}
