/**
 * The mail-scanner test. Security scanners in mail systems open every link of every email, in real
 * browsers with JavaScript on. Opening links must record no score and unsubscribe nobody; the hidden
 * honeypot link marks its invitation's clicks as automated, once per invitation, and the wave shows
 * how many invitations drew them.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type Contact,
  desktop,
  type E2E,
  type EmailLinks,
  emailLinks,
  expectStatus,
  foreignRequests,
  linksOf,
  pathOf,
  record,
  type Seeded,
  seedNpsWave,
  startE2E,
  type Wave,
  waitFor,
  waitForScore,
} from './support.ts';

const recipients = ['ada', 'bo', 'chen', 'dag', 'eli'].map((name, i) => ({
  email: `${name}@scanned.example`,
  name,
  locale: ['en', 'sv', 'zh-CN', 'zh-TW', 'en'][i],
}));

let e2e: E2E;
let seeded: Seeded;
let inboxes: { address: string; links: EmailLinks; html: string }[];

beforeAll(async () => {
  e2e = await startE2E('scanner');
  seeded = await seedNpsWave(e2e, recipients, {
    followUp: { detractor: 'What went wrong?' },
    reminders: { count: 0 },
  });
  inboxes = recipients.map(({ email: address }) => {
    const email = seeded.emails.get(address);
    if (!email?.body.html) throw new Error(`no invitation email to ${address}`);
    return { address, links: emailLinks(email, e2e.url), html: email.body.html };
  });
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
}, 60_000);

interface ScanReport {
  /** Status of every link's first response (the honeypot answers 204 and leaves no page). */
  statuses: Map<string, number>;
  /** Every request the scanner's pages made that was not a GET. */
  nonGet: string[];
  foreign: string[];
  errors: string[];
}

/** What a scanner does: a fresh browser context per email, every link opened with a GET, JS on. */
async function scanEmail(browser: Browser, html: string): Promise<ScanReport> {
  const context = await browser.newContext({ ...desktop, javaScriptEnabled: true });
  const report: ScanReport = { statuses: new Map(), nonGet: [], foreign: [], errors: [] };
  context.on('request', (request) => {
    if (request.method() !== 'GET') report.nonGet.push(`${request.method()} ${request.url()}`);
  });
  // One tab per email, as a scanner's worker would use (a new tab per link costs ~0.3 s here).
  const page: Page = await context.newPage();
  const recorder = record(page);
  try {
    for (const link of linksOf(html)) {
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url() === link),
        // A 204 (the honeypot) leaves no document: Chromium aborts that navigation.
        page.goto(link).catch((err: Error) => {
          if (!/ERR_ABORTED/.test(err.message)) throw err;
        }),
      ]);
      report.statuses.set(link, response.status());
    }
    report.foreign.push(...foreignRequests(recorder, e2e.url));
    report.errors.push(...recorder.errors);
  } finally {
    await context.close();
  }
  return report;
}

const wave = async (): Promise<Wave> =>
  expectStatus(await e2e.api<Wave>(`/api/waves/${seeded.waveId}`), 200, 'read wave');

test('a scanner that opens every link records nothing, unsubscribes nobody and is counted as automated', async () => {
  expect((await wave()).counts).toMatchObject({ sent: recipients.length, automated: 0, responded: 0 });

  const scanAll = async (which: typeof inboxes): Promise<void> => {
    for (const inbox of which) {
      const report = await scanEmail(e2e.browser, inbox.html);
      const { links } = inbox;
      // Every link: 11 scores, unsubscribe, honeypot.
      expect(report.statuses.size, inbox.address).toBe(13);
      for (const url of links.scores.values()) expect(report.statuses.get(url), url).toBe(200);
      expect(report.statuses.get(links.unsubscribe), links.unsubscribe).toBe(200);
      expect(report.statuses.get(links.honeypot), links.honeypot).toBe(204);
      expect(report.nonGet, `${inbox.address}: the scanner's pages sent something`).toEqual([]);
      expect(report.foreign, inbox.address).toEqual([]);
      expect(report.errors, inbox.address).toEqual([]);
    }
  };

  // Three of five emails scanned: three invitations drew automated clicks.
  await scanAll(inboxes.slice(0, 3));
  const afterThree = await waitFor('automated = 3', wave, (w) => (w.counts.automated ?? 0) >= 3);
  expect(afterThree.counts.automated).toBe(3);

  // The rest; then a second scanner fetches the first email's honeypot again: counted once per invitation.
  await scanAll(inboxes.slice(3));
  const again = await e2e.fetchPublic(pathOf(inboxes[0]?.links.honeypot ?? ''));
  expect(again.status).toBe(204);
  const afterFive = await waitFor(
    'automated = 5',
    wave,
    (w) => (w.counts.automated ?? 0) >= recipients.length,
  );
  expect(afterFive.counts).toMatchObject({
    selected: recipients.length,
    sent: recipients.length,
    automated: recipients.length,
    responded: 0,
    unsubscribed: 0,
  });

  // No score was recorded…
  const score = await waitForScore(e2e, seeded.surveyId, () => true);
  expect(score.responses).toBe(0);
  expect(Object.values(score.distribution).every((n) => n === 0)).toBe(true);

  // …and nobody was unsubscribed or given a rating.
  for (const contact of seeded.contacts) {
    const now = expectStatus(await e2e.api<Contact>(`/api/contacts/${contact.id}`), 200, 'read contact');
    expect(now.status, now.email).toBe('subscribed');
    expect(now.feedback?.nps?.lastRating, now.email).toBeUndefined();
  }
  // Each page still offers the answer as not yet given.
  const page = await e2e.fetchPublic(`/r/${inboxes[0]?.links.token}`);
  expect(page.status).toBe(200);
  expect(page.text).not.toMatch(/\schecked[\s>]/);
});
