/**
 * The demo a first start seeds on an empty data folder: a year of history, made through the product's
 * own paths as an admin and their customers would make it. The local clock starts about a year back
 * (`clockStartsAt`, applied by local/stack.ts before anything is written); contacts and two surveys
 * go in through the admin API; the "Quarterly NPS" cadence starts each wave on the local clock; the
 * answers, edits, unsubscribes and a mail scanner's clicks go through the public pages with the
 * tokens read from the SES outbox; SES's simulator addresses bounce and complain; support tickets
 * trigger "Support CSAT" invitations; `POST /_local/clock` moves the time (reminders after 3 days,
 * expiry after 14) until the clock is back at the real time. A seeded PRNG makes it the same every
 * time; only the calendar follows today's date.
 */
import type { Log } from '../log.ts';
import { type DemoCalendar, dayMs, hourMs, minuteMs } from './calendar.ts';
import { isSimulated, type Person, people } from './people.ts';
import { csatDelayMinutes, type DemoAction, planDemo } from './plan.ts';

// Carrying it out, through HTTP only.

export interface DemoTarget {
  url: string;
  sesUrl: string;
  adminKey: string;
}

interface OutboxEmail {
  messageId: string;
  destination: { to: string[] };
  body: { html?: string; text?: string };
  /** Epoch seconds (real time) when the stand-in stored it. */
  at: number;
}

/** What the demo reads of an email: whom it is for and its token (from the score links). */
interface Invitation {
  to: string;
  surveyId: string;
  token: string;
}

function invitationOf(email: OutboxEmail): Invitation | undefined {
  const body = `${email.body.html ?? ''}\n${email.body.text ?? ''}`;
  const link = /\/r\/([^/?"'\s<>]+)\?score=/.exec(body)?.[1];
  if (!link) return undefined;
  const token = decodeURIComponent(link);
  return { to: (email.destination.to[0] ?? '').toLowerCase(), surveyId: token.split('.')[0] ?? '', token };
}

interface WaveView {
  id: string;
  counts: Record<string, number>;
}

class DemoClient {
  private clockMs = 0;
  private clockReadAt = 0;
  /** Real epoch seconds: the outbox is read from here on (inclusive), with `seen` for that second. */
  private outboxSince = Math.floor(Date.now() / 1000) - 1;
  private readonly seen = new Set<string>();

  constructor(readonly target: DemoTarget) {}

  async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.target.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.target.adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** The stack's clock now, as last read (it runs on in real time between reads). */
  now(): number {
    return this.clockMs + (Date.now() - this.clockReadAt);
  }

  /** `POST /_local/clock`: moves the clock, living through every schedule due on the way. */
  async advance(seconds: number): Promise<void> {
    const response = await fetch(`${this.target.url}/_local/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: Math.max(0, seconds) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`the clock answered ${response.status}: ${text.slice(0, 200)}`);
    this.clockMs = Date.parse((JSON.parse(text) as { now: string }).now);
    this.clockReadAt = Date.now();
  }

  async moveTo(ms: number): Promise<void> {
    if (ms > this.now()) await this.advance((ms - this.now()) / 1000);
  }

  /** Moves the clock until it stands at the real time (each move takes a moment of real time itself). */
  async catchUp(): Promise<void> {
    for (let i = 0; i < 5 && Date.now() - this.now() > 100; i++) {
      await this.advance((Date.now() - this.now()) / 1000);
    }
  }

  /** A public page, as the recipient's browser (or their mail scanner) calls it. */
  async page(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<void> {
    const response = await fetch(`${this.target.url}${path}`, {
      method,
      redirect: 'manual',
      ...(form && {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      }),
    });
    await response.arrayBuffer();
    if (response.status >= 400) throw new Error(`${method} ${path} answered ${response.status}`);
  }

  /** The invitations that reached the SES outbox since the last look. */
  async newInvitations(): Promise<Invitation[]> {
    const response = await fetch(`${this.target.sesUrl}/store?since=${this.outboxSince}`);
    if (!response.ok) throw new Error(`the outbox answered ${response.status}`);
    const { emails } = (await response.json()) as { emails: OutboxEmail[] };
    const fresh: Invitation[] = [];
    const newest = Math.max(this.outboxSince, ...emails.map((e) => e.at));
    for (const email of emails) {
      if (this.seen.has(email.messageId)) continue;
      const invitation = invitationOf(email);
      if (invitation) fresh.push(invitation);
    }
    // Only the newest second can still gain messages: remember its ids, forget the rest.
    this.outboxSince = newest;
    this.seen.clear();
    for (const email of emails) if (email.at >= newest) this.seen.add(email.messageId);
    return fresh;
  }
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const form = (score: number, comment?: string) => ({
  score: String(score),
  ...(comment !== undefined && { comment }),
});

/** One seeding: the surveys it made, the tokens it read from the outbox, what it did so far. */
class DemoRun {
  step = 'reading the local clock';
  answers = 0;
  tickets = 0;
  private nps = '';
  private csat = '';
  /** Per wave: each contact's invitation token. */
  private readonly waveTokens: Map<string, string>[];
  private readonly seenTokens = new Set<string>();
  private readonly csatTokens = new Map<string, string>();
  private readonly contactIds = new Map<string, string>();

  constructor(
    readonly client: DemoClient,
    private readonly calendar: DemoCalendar,
    private readonly print: Log,
  ) {
    this.waveTokens = calendar.waveStarts.map(() => new Map());
  }

  async createSurveys(): Promise<void> {
    this.step = 'creating the surveys';
    const nps = await this.client.api<{ id: string }>('POST', '/api/surveys', {
      kind: 'nps',
      name: 'Quarterly NPS',
      companyName: 'Acme',
      reportBy: ['plan', 'region'],
      cadence: { every: '3 months' },
    });
    const csat = await this.client.api<{ id: string }>('POST', '/api/surveys', {
      kind: 'csat',
      name: 'Support CSAT',
      companyName: 'Acme',
      scale: { min: 1, max: 5 },
      reportBy: ['plan', 'region'],
    });
    this.nps = nps.id;
    this.csat = csat.id;
  }

  async run(action: DemoAction): Promise<void> {
    switch (action.kind) {
      case 'contacts':
        return this.addContacts(action.at, action.people);
      case 'wave':
        return this.waitForWave(action.wave, action.at);
      case 'scan': {
        this.step = `scanning an email of wave ${action.wave + 1}`;
        // A mail scanner opens every link: the hidden one marks its clicks as automated, and the
        // score links record nothing on a GET.
        const token = encodeURIComponent(this.tokenOf(action.wave, action.email));
        await this.client.page('GET', `/h/${token}`);
        await this.client.page('GET', `/r/${token}?score=0`);
        await this.client.page('GET', `/r/${token}?score=10`);
        return;
      }
      case 'answer': {
        this.step = `answering wave ${action.wave + 1}`;
        const token = encodeURIComponent(this.tokenOf(action.wave, action.email));
        await this.client.page('POST', `/r/${token}`, form(action.score, action.comment));
        this.answers++;
        return;
      }
      case 'unsubscribe': {
        this.step = `unsubscribing through wave ${action.wave + 1}`;
        const token = encodeURIComponent(this.tokenOf(action.wave, action.email));
        await this.client.page('POST', `/u/${token}`, { 'List-Unsubscribe': 'One-Click' });
        return;
      }
      case 'ticket':
        return this.openTicket(action.email);
      case 'csat-answer': {
        this.step = 'answering "Support CSAT"';
        if (!this.csatTokens.has(action.email)) await this.readOutbox();
        const token = this.csatTokens.get(action.email);
        if (!token) throw new Error(`no "Support CSAT" invitation reached ${action.email}`);
        await this.client.page('POST', `/r/${encodeURIComponent(token)}`, form(action.score, action.comment));
        this.answers++;
        return;
      }
    }
  }

  private async addContacts(at: number, joining: Person[]): Promise<void> {
    this.step = 'adding contacts';
    const result = await this.client.api<{ created: number; errors: unknown[] }>('POST', '/api/contacts', {
      contacts: joining.map((x, i) => ({
        email: x.email,
        name: x.name,
        locale: x.locale,
        timezone: x.timezone,
        // Customers for 1 to 24 months.
        customerSince: isoDay(at - (30 + ((i * 197) % 700)) * dayMs),
        properties: { plan: x.plan, region: x.region },
      })),
    });
    if (result.errors.length > 0) throw new Error(`contacts refused: ${JSON.stringify(result.errors[0])}`);
    if (at > this.calendar.clockStartsAt) {
      this.print(`demo: ${isoDay(at)}: ${result.created} new customers`);
      return;
    }
    this.step = 'publishing the surveys';
    await this.client.api('POST', `/api/surveys/${this.nps}/publish`);
    await this.client.api('POST', `/api/surveys/${this.csat}/publish`);
    this.print(
      `demo: ${isoDay(at)}: ${result.created} contacts in en, sv, zh-CN and zh-TW; "Quarterly NPS" ` +
        `(${this.nps}, every 3 months) and "Support CSAT" (${this.csat}) published`,
    );
  }

  /** The cadence's schedule starts the wave at 09:00; the clock route returns once it is sent. */
  private async waitForWave(wave: number, at: number): Promise<void> {
    this.step = `waiting for wave ${wave + 1}`;
    await this.client.moveTo(at + 2 * minuteMs);
    const { waves } = await this.client.api<{ waves: WaveView[] }>('GET', `/api/surveys/${this.nps}/waves`);
    const started = waves[wave];
    if (waves.length !== wave + 1 || !started) {
      throw new Error(`the cadence had started ${waves.length} waves by ${isoDay(at)}`);
    }
    await this.readOutbox();
    const emailed = [...(this.waveTokens[wave]?.keys() ?? [])];
    await this.waitForSesEvents(started.id, emailed.filter(isSimulated).length);
    this.print(
      `demo: ${isoDay(at)}: wave ${wave + 1} of ${this.calendar.waveStarts.length} emailed ${emailed.length} contacts`,
    );
  }

  /**
   * SES publishes a bounce or a complaint for its simulator addresses moments after it took the
   * email (local/ses-events.ts, in real time): the wave counts them before the clock moves on.
   */
  private async waitForSesEvents(waveId: string, expected: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const wave = await this.client.api<WaveView>('GET', `/api/waves/${waveId}`);
      if ((wave.counts.bounced ?? 0) + (wave.counts.complained ?? 0) >= expected) return;
      if (Date.now() > deadline)
        throw new Error(`SES's bounce and complaint events never reached wave ${waveId}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async openTicket(email: string): Promise<void> {
    this.step = 'inviting to "Support CSAT"';
    let id = this.contactIds.get(email);
    if (!id) {
      id = (await this.client.api<{ id: string }>('GET', `/api/contacts?email=${encodeURIComponent(email)}`))
        .id;
      this.contactIds.set(email, id);
    }
    await this.client.api('POST', `/api/surveys/${this.csat}/invitations`, {
      contactId: id,
      delayMinutes: csatDelayMinutes,
    });
    this.csatTokens.delete(email);
    this.tickets++;
  }

  /**
   * Files the outbox's new invitations, each by its first email (a reminder repeats the token): a
   * wave's under the newest wave started by now, a "Support CSAT" one under its contact.
   */
  private async readOutbox(): Promise<void> {
    const wave = this.calendar.waveStarts.filter((start) => start <= this.client.now()).length - 1;
    for (const invitation of await this.client.newInvitations()) {
      if (this.seenTokens.has(invitation.token)) continue;
      this.seenTokens.add(invitation.token);
      if (invitation.surveyId === this.csat) this.csatTokens.set(invitation.to, invitation.token);
      if (invitation.surveyId === this.nps) this.waveTokens[wave]?.set(invitation.to, invitation.token);
    }
  }

  private tokenOf(wave: number, email: string): string {
    const token = this.waveTokens[wave]?.get(email.toLowerCase());
    if (!token) throw new Error(`wave ${wave + 1} emailed no invitation to ${email}`);
    return token;
  }

  async summary(): Promise<string> {
    const score = await this.client.api<{ waves: { nps: number | null; responses: number }[] }>(
      'GET',
      `/api/surveys/${this.nps}/score`,
    );
    return score.waves.map((w) => `${w.nps ?? '–'} (${w.responses})`).join(', ');
  }
}

/** Seeds the demo; prints where to look, or one warning line if a step fails (the stack keeps running). */
export async function seedDemo(
  stack: DemoTarget,
  calendar: DemoCalendar,
  print: Log,
  warn: Log,
): Promise<boolean> {
  const began = performance.now();
  const client = new DemoClient(stack);
  const run = new DemoRun(client, calendar, print);
  try {
    await client.advance(0);
    if (client.now() > calendar.clockStartsAt + hourMs) throw new Error('the local clock was not set back');
    print(
      `demo: making a year of history: the local clock starts on ${isoDay(client.now())} and moves through ` +
        `${calendar.waveStarts.length} quarterly waves back to now`,
    );
    await run.createSurveys();
    for (const action of planDemo(calendar)) {
      // The history ends now: what would come later (the open wave's late answers) stays unanswered.
      if (action.at > Date.now() - minuteMs) break;
      await client.moveTo(action.at);
      await run.run(action);
    }
    run.step = 'moving the clock to the present';
    await client.catchUp();
    print(`demo: NPS by wave (answers): ${await run.summary()}; the newest wave is still open`);
    print(
      `demo: ${people.length} contacts, ${run.answers} answers, ${run.tickets} support tickets; made in ` +
        `${((performance.now() - began) / 1000).toFixed(1)} s, and the clock is back at the real time`,
    );
    print(
      `demo: open the dashboard ${stack.url}/admin and sign in with the admin key above; then open the ` +
        `outbox ${stack.sesUrl}/ and click a score in one of the newest emails`,
    );
    return true;
  } catch (err) {
    warn(
      `npswave: demo seeding stopped while ${run.step} (${err instanceof Error ? err.message : String(err)}); the stack keeps running`,
    );
    // What was made so far stays; the clock goes on to the real time, so the stack runs in the present.
    await client.catchUp().catch(() => undefined);
    return false;
  }
}
