/**
 * SES's configuration-set events, locally. On AWS, SES publishes an event for every message it takes
 * (Send) and for every bounce and complaint, through EventBridge to the `sesEvents` function.
 * aws-ses-v2-local publishes none, so this feed watches its outbox and publishes the same events:
 * a Send for each message (the invitation's token is read back from its List-Unsubscribe header,
 * since the stand-in keeps no message tags), and a Bounce or Complaint for SES's mailbox-simulator
 * addresses (bounce@simulator.amazonses.com, complaint@simulator.amazonses.com), as real SES does.
 * Any other event can be injected with `POST /_local/ses-event`.
 */
import { join } from 'node:path';
import type { FunctionRegistry } from './functions.ts';
import { jsonFileWriter, readJsonFile } from './json-file.ts';
import type { Log } from './log.ts';
import type { OutboxEmail } from './ses.ts';

const pollMs = 250;
/** How far behind the clock an idle feed's `since` stays. */
const settleSeconds = 5;

/** The EventBridge event SES would publish for one message and event type. */
export function sesEvent(
  eventType: 'Send' | 'Bounce' | 'Complaint',
  email: { messageId: string; to: string; token?: string; reminder?: string; at: number },
  configurationSet: string,
): Record<string, unknown> {
  const timestamp = new Date(email.at * 1000).toISOString();
  const detail: Record<string, unknown> = {
    eventType,
    mail: {
      timestamp,
      messageId: email.messageId,
      destination: [email.to],
      tags: {
        'ses:configuration-set': [configurationSet],
        ...(email.token && { invitation: [email.token] }),
        ...(email.reminder && { reminder: [email.reminder] }),
      },
    },
  };
  if (eventType === 'Bounce') {
    detail.bounce = {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: email.to, action: 'failed', status: '5.1.1' }],
      timestamp,
    };
  }
  if (eventType === 'Complaint') {
    detail.complaint = {
      complainedRecipients: [{ emailAddress: email.to }],
      complaintFeedbackType: 'abuse',
      timestamp,
    };
  }
  const detailType = { Send: 'Email Sent', Bounce: 'Email Bounced', Complaint: 'Complaint Received' }[
    eventType
  ];
  return { version: '0', source: 'aws.ses', 'detail-type': detailType, time: timestamp, detail };
}

const tokenOf = (email: OutboxEmail): string | undefined => {
  const header = email.headers?.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value ?? '';
  return /\/u\/([A-Za-z0-9_.-]+)>/.exec(header)?.[1];
};

/** Which reminder a message is (shared/send/compose.ts says so in a header), if it is one. */
const reminderOf = (email: OutboxEmail): string | undefined =>
  email.headers?.find((h) => h.name.toLowerCase() === 'x-npswave-reminder')?.value;

const simulated = (to: string): 'Bounce' | 'Complaint' | undefined => {
  const match = /^(bounce|complaint)(\+[^@]*)?@simulator\.amazonses\.com$/i.exec(to);
  return match ? (match[1]?.toLowerCase() === 'bounce' ? 'Bounce' : 'Complaint') : undefined;
};

export class SesEventFeed {
  private seen = new Set<string>();
  private since = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly file: string;
  private readonly write: (value: unknown) => Promise<void>;

  constructor(
    private readonly options: {
      sesUrl: string;
      /** The outbox read in place (an in-process stand-in); otherwise it is fetched from `sesUrl`. */
      outbox?: () => readonly OutboxEmail[];
      dataDir: string;
      configurationSet: string;
      functions: FunctionRegistry;
      log: Log;
    },
  ) {
    this.file = join(options.dataDir, 'ses-events.json');
    this.write = jsonFileWriter(this.file);
  }

  async start(): Promise<void> {
    const saved = (await readJsonFile(this.file)) as { since?: number; seen?: string[] } | undefined;
    this.since = saved?.since ?? 0;
    this.seen = new Set(saved?.seen ?? []);
    const tick = () => {
      // A poll in flight when stop() runs must not schedule another.
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.drain()
          .catch((err: unknown) => this.options.log(`ses events: ${(err as Error).message}`))
          .finally(tick);
      }, pollMs);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Publishes the events of every message in the outbox not yet seen. */
  drain(): Promise<void> {
    this.running ??= this.publishNew().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Hands one event to `sesEvents` as EventBridge would, answering what the function answered. */
  publish(event: unknown): Promise<unknown> {
    return this.options.functions.invoke('sesEvents', event);
  }

  /** The outbox's messages stored since `since` (inclusive, whole seconds). */
  private async recent(): Promise<OutboxEmail[]> {
    const since = this.since;
    if (this.options.outbox) return this.options.outbox().filter((e) => e.at >= since);
    const response = await fetch(`${this.options.sesUrl}/store?since=${since}`);
    if (!response.ok) throw new Error(`outbox answered ${response.status}`);
    return ((await response.json()) as { emails: OutboxEmail[] }).emails;
  }

  private async publishNew(): Promise<void> {
    const emails = await this.recent();
    let changed = false;
    for (const email of emails) {
      if (this.seen.has(email.messageId)) continue;
      const to = email.destination.to[0] ?? '';
      const reminder = reminderOf(email);
      const message = {
        messageId: email.messageId,
        to,
        at: email.at,
        token: tokenOf(email),
        ...(reminder && { reminder }),
      };
      await this.publish(sesEvent('Send', message, this.options.configurationSet));
      const simulation = simulated(to);
      if (simulation) await this.publish(sesEvent(simulation, message, this.options.configurationSet));
      this.seen.add(email.messageId);
      changed = true;
    }
    if (!changed) {
      // Nothing new: let `since` follow the clock, a few seconds behind (the stand-in stamps each
      // message with the second it stores it), so that an idle poll stops fetching the last burst
      // of messages again four times a second. Not saved: a restart rereads a little more, and the
      // saved `seen` covers that.
      const settled = Math.floor(Date.now() / 1000) - settleSeconds;
      if (settled > this.since) {
        this.since = settled;
        this.seen = new Set(emails.filter((e) => e.at >= settled).map((e) => e.messageId));
      }
    } else {
      // Keep only the last seconds' ids: `since` (inclusive, whole seconds) covers the rest.
      const latest = Math.max(this.since, ...emails.map((e) => e.at));
      this.since = Math.max(0, latest - 1);
      this.seen = new Set(emails.filter((e) => e.at >= this.since).map((e) => e.messageId));
      await this.write({ since: this.since, seen: [...this.seen] });
    }
  }
}
