/**
 * The demo a first start seeds (local/demo/): `local/start.ts` in a child process, on an empty data
 * folder, makes a year of history through the product's own paths, checked here through the admin
 * API the way the dashboard reads it. A second start on the same folder seeds nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildStack, freePorts, startChildStack } from './setup/child-stack.ts';
import { type ApiOptions, api } from './setup/helpers.ts';

const demoDone = /demo: open the dashboard .*\n|demo seeding stopped/;
const dayMs = 86_400_000;

type CountName =
  | 'sent'
  | 'bounced'
  | 'responded'
  | 'expired'
  | 'reminded'
  | 'unsubscribed'
  | 'automated'
  | 'complained';
interface WaveView {
  id: string;
  status: string;
  startedAt: string;
  closesAt: string;
  counts: Record<CountName, number>;
}
interface WaveScore {
  waveId: string;
  responses: number;
  nps: number | null;
  promoters: number;
  passives: number;
  detractors: number;
}
interface Score {
  kind: string;
  responses: number;
  waves: WaveScore[];
  segments?: Record<string, { responses: number }>;
}
interface ResponseView {
  waveId: string;
  contactId?: string;
  score: number;
  comment?: string;
  respondedAt: string;
  firstRespondedAt: string;
}
interface OutboxEmail {
  destination: { to: string[] };
  body: { html?: string };
  at: number;
}

/** The standard error of an NPS in points: 100 · sqrt((p + d − (p − d)²) / n). */
function npsStandardError(w: WaveScore): number {
  const n = w.promoters + w.passives + w.detractors;
  const p = w.promoters / n;
  const d = w.detractors / n;
  return 100 * Math.sqrt((p + d - (p - d) ** 2) / n);
}

/** Characters written differently in Simplified and Traditional Chinese, in pairs (们/們, 这/這, …). */
const hanziPairs = [
  ...'们們这這说說问問题題报報价價团團队隊发發让讓终終还還觉覺应應设設户戶愿願简簡导導联聯错錯误誤总總对對来來',
  ...'时時间間样樣个個么麼无無为為书書买買单單见見试試体體读讀转轉边邊选選码碼显顯欢歡务務员員长長门門开開关關',
  ...'车車线線级級结結给給经經统統续續网網页頁标標签籤载載仪儀盘盤满滿谢謝气氣费費处處币幣钟鐘响響调調评評获獲',
  ...'图圖帮幫专專业業轻輕记記录錄后後决決释釋两兩复複于於荐薦伙夥',
];
const simplifiedOnly = new Set(hanziPairs.filter((_, i) => i % 2 === 0));
const traditionalOnly = new Set(hanziPairs.filter((_, i) => i % 2 === 1));

/** Which language a comment is in, by its script: the four the demo's contacts speak. */
function languageOf(text: string): string {
  const simplified = [...text].some((c) => simplifiedOnly.has(c));
  const traditional = [...text].some((c) => traditionalOnly.has(c));
  if (simplified && !traditional) return 'zh-CN';
  if (traditional && !simplified) return 'zh-TW';
  if (/[\u4e00-\u9fff]/.test(text)) return 'zh-?';
  if (/[åäöÅÄÖ]/.test(text)) return 'sv';
  if (/^[\x20-\x7e]+$/.test(text) && /\b(the|and|to|is|our|we|it|with|for|you|my|in|of)\b/i.test(text))
    return 'en';
  return '?';
}

describe('the demo of a first start (local/start.ts in a child process)', () => {
  let dataDir = '';
  let env: Record<string, string> = {};
  let first: ChildStack;
  let options: ApiOptions;
  let npsId = '';
  let csatId = '';
  const get = async <T>(path: string): Promise<T> => {
    const answer = await api<T>(path, options);
    if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${answer.text}`);
    return answer.json;
  };
  const waves = async () => (await get<{ waves: WaveView[] }>(`/api/surveys/${npsId}/waves`)).waves;
  const responses = async () => {
    const all: ResponseView[] = [];
    let cursor: string | undefined;
    do {
      const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
      const page = await get<{ responses: ResponseView[]; cursor?: string }>(
        `/api/surveys/${npsId}/responses${query}`,
      );
      all.push(...page.responses);
      cursor = page.cursor;
    } while (cursor);
    return all;
  };
  const clock = async (url: string) => {
    const response = await fetch(`${url}/_local/clock`, { method: 'POST', body: '{"advanceSeconds":0}' });
    return Date.parse(((await response.json()) as { now: string }).now);
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'npswave-demo-'));
    env = { ...(await freePorts()), NPSWAVE_DATA_DIR: dataDir };
    first = await startChildStack(env);
    // About a minute alone; on a 2-core machine beside other test projects it has taken 88 s.
    const deadline = Date.now() + 150_000;
    while (!demoDone.test(first.stdout() + first.stderr())) {
      if (Date.now() > deadline) throw new Error(`no end of the demo within 150 s: ${first.stdout()}`);
      if (first.child.exitCode !== null) throw new Error(`the stack exited: ${first.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    options = { baseUrl: first.url, key: first.adminKeyLine.split(' ')[0] ?? '' };
    const { surveys } = await get<{ surveys: { id: string; name: string }[] }>('/api/surveys');
    npsId = surveys.find((s) => s.name === 'Quarterly NPS')?.id ?? '';
    csatId = surveys.find((s) => s.name === 'Support CSAT')?.id ?? '';
  }, 180_000);

  afterAll(async () => {
    await first?.stop('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('finishes without a warning and says how to sign in and where to click', () => {
    expect(first.stderr()).not.toContain('demo seeding stopped');
    expect(first.stdout()).toMatch(
      /^ {2}dashboard {3}http:\/\/127\.0\.0\.1:\d+\/admin {3}\(sign in with the admin key below\)$/m,
    );
    const last = /demo: open the dashboard .*/.exec(first.stdout())?.[0] ?? '';
    expect(last).toContain(`${first.url}/admin`);
    expect(last).toContain('sign in with the admin key');
    expect(last).toContain(`outbox ${first.sesUrl}/`);
    expect(last).toContain('click a score in one of the newest emails');
    // Its time is reported (about 40 s here, most of it SES's 14 emails/s); the wait above bounds it.
    expect(first.stdout()).toMatch(/demo: 42 contacts, \d+ answers, 12 support tickets; made in [\d.]+ s/);
  });

  it('leaves the clock at the real time', async () => {
    expect(Math.abs((await clock(first.url)) - Date.now())).toBeLessThan(5 * 60_000);
    const saved = JSON.parse(await readFile(join(dataDir, 'clock.json'), 'utf8')) as { offsetMs: number };
    expect(Math.abs(saved.offsetMs)).toBeLessThan(5_000);
  });

  it('makes a published quarterly NPS survey with at least four waves over nine months, the newest still open', async () => {
    const survey = await get<Record<string, unknown>>(`/api/surveys/${npsId}`);
    expect(survey).toMatchObject({
      kind: 'nps',
      state: 'published',
      companyName: 'Acme',
      reportBy: ['plan', 'region'],
      cadence: { every: '3 months' },
      reminders: { count: 1, afterDays: 3 },
      windowDays: 14,
    });
    const list = await waves();
    expect(list.length).toBeGreaterThanOrEqual(4);
    const starts = list.map((w) => Date.parse(w.startedAt));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect((starts.at(-1) as number) - (starts[0] as number)).toBeGreaterThanOrEqual(270 * dayMs);
    const now = await clock(first.url);
    for (const start of starts) expect(start).toBeLessThan(now);
    for (const wave of list.slice(0, -1)) {
      expect(wave.status).toBe('closed');
      expect(wave.counts.responded).toBeGreaterThan(0);
      expect(wave.counts.expired).toBeGreaterThan(0);
      expect(wave.counts.reminded).toBeGreaterThan(0);
    }
    const newest = list.at(-1) as WaveView;
    expect(newest.status).toBe('open');
    expect(Date.parse(newest.closesAt)).toBeGreaterThan(now);
    expect(newest.counts.sent - newest.counts.bounced - newest.counts.responded).toBeGreaterThan(0);
    // The funnel has something in each of its side branches.
    for (const count of ['bounced', 'unsubscribed', 'automated', 'complained'] as const) {
      expect(
        list.some((w) => (w.counts[count] ?? 0) > 0),
        count,
      ).toBe(true);
    }
  });

  it('scores every wave, with one significant change between consecutive waves and one that is not', async () => {
    const score = await get<Score>(`/api/surveys/${npsId}/score`);
    const list = await waves();
    expect(score.kind).toBe('nps');
    expect(score.waves.map((w) => w.waveId)).toEqual(list.map((w) => w.id));
    expect(score.responses).toBe(score.waves.reduce((n, w) => n + w.responses, 0));
    expect(score.responses).toBe(list.reduce((n, w) => n + w.counts.responded, 0));
    const rates: number[] = [];
    for (const [i, w] of score.waves.entries()) {
      expect(typeof w.nps).toBe('number');
      const sent = (list[i]?.counts.sent ?? 0) - (list[i]?.counts.bounced ?? 0);
      rates.push(w.responses / sent);
    }
    for (const rate of rates.slice(0, -1)) {
      expect(rate).toBeGreaterThanOrEqual(0.4);
      expect(rate).toBeLessThanOrEqual(0.7);
    }
    const z = score.waves.slice(1).map((w, i) => {
      const before = score.waves[i] as WaveScore;
      const difference = (w.nps as number) - (before.nps as number);
      return Math.abs(difference) / Math.hypot(npsStandardError(before), npsStandardError(w));
    });
    expect(z.some((value) => value > 1.96)).toBe(true);
    expect(z.some((value) => value < 1.96)).toBe(true);
    // The trend is up over the year.
    expect(score.waves.at(-2)?.nps as number).toBeGreaterThan(score.waves[0]?.nps as number);
    const byPlan = await get<Score>(`/api/surveys/${npsId}/score?by=plan`);
    expect(Object.keys(byPlan.segments ?? {}).sort()).toEqual(['enterprise', 'free', 'pro']);
  });

  it('holds answers spread over the days of each wave, some edited, with comments in each contact’s language', async () => {
    const answers = await responses();
    for (const wave of (await waves()).slice(0, -1)) {
      const reminder = Date.parse(wave.startedAt) + 3 * dayMs;
      const times = answers.filter((r) => r.waveId === wave.id).map((r) => Date.parse(r.firstRespondedAt));
      expect(times.some((t) => t < reminder)).toBe(true);
      expect(times.some((t) => t > reminder)).toBe(true);
    }
    expect(answers.some((r) => r.respondedAt > r.firstRespondedAt)).toBe(true);
    const commented = answers.filter((r) => r.comment !== undefined);
    expect(commented.length).toBeGreaterThan(answers.length / 3);
    const locales = new Map<string, string>();
    const seen = new Set<string>();
    for (const r of commented) {
      const id = r.contactId ?? '';
      if (!locales.has(id)) locales.set(id, (await get<{ locale: string }>(`/api/contacts/${id}`)).locale);
      const language = languageOf(r.comment ?? '');
      expect(language, r.comment).toBe(locales.get(id));
      seen.add(language);
    }
    expect([...seen].sort()).toEqual(['en', 'sv', 'zh-CN', 'zh-TW']);
    const csv = await api(`/api/surveys/${npsId}/responses?format=csv`, options);
    for (const r of commented.slice(0, 5)) expect(csv.text).toContain((r.comment ?? '').split('\n')[0]);
  });

  it('makes a second survey, answered after support tickets', async () => {
    const score = await get<Score>(`/api/surveys/${csatId}/score`);
    expect(score.kind).toBe('csat');
    expect(score.responses).toBeGreaterThanOrEqual(5);
  });

  it('lets a new user click a score in one of the newest emails and see it counted', async () => {
    const newest = (await waves()).at(-1) as WaveView;
    const answered = new Set(
      (await responses()).filter((r) => r.waveId === newest.id).map((r) => r.contactId),
    );
    const store = (await (await fetch(`${first.sesUrl}/store`)).json()) as { emails: OutboxEmail[] };
    let link: string | undefined;
    for (const email of store.emails.slice().reverse()) {
      const found = new RegExp(`/r/(${npsId}\\.[^?"]+)\\?score=9`).exec(email.body.html ?? '')?.[1];
      if (!found) continue;
      const contact = await get<{ id: string }>(
        `/api/contacts?email=${encodeURIComponent(email.destination.to[0] ?? '')}`,
      );
      if (answered.has(contact.id)) continue;
      link = found;
      break;
    }
    expect(link).toBeDefined();
    const before = await get<Score>(`/api/surveys/${npsId}/score?wave=${newest.id}`);
    const page = await fetch(`${first.url}/r/${link}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'score=9',
    });
    expect(page.status).toBe(200);
    const after = await get<Score>(`/api/surveys/${npsId}/score?wave=${newest.id}`);
    expect(after.responses).toBe(before.responses + 1);
  });

  it('seeds nothing on a second start, and catches up a clock that an interrupted seeding left behind', async () => {
    const before = await waves();
    expect(await first.stop('SIGINT')).toEqual({ code: 0, signal: null });
    // As if the seeding had stopped midway: the clock file still says a month back.
    await writeFile(join(dataDir, 'clock.json'), JSON.stringify({ offsetMs: -30 * dayMs }));
    const second = await startChildStack(env);
    try {
      options = { ...options, baseUrl: second.url };
      await expect.poll(() => second.stdout(), { timeout: 30_000 }).toContain('caught up to now');
      expect(second.stdout()).toContain('clock: 30.0 days behind the real time');
      const behind = Date.now() - (await clock(second.url));
      expect(Math.abs(behind)).toBeLessThan(60_000);
      const { surveys } = await get<{ surveys: unknown[] }>('/api/surveys');
      expect(surveys).toHaveLength(2);
      expect((await waves()).map((w) => w.id)).toEqual(before.map((w) => w.id));
      expect(second.stdout()).not.toContain('demo:');
    } finally {
      expect(await second.stop('SIGINT')).toEqual({ code: 0, signal: null });
    }
  });
});
