/**
 * The SES stand-in: aws-ses-v2-local in this process (its outbox lives in memory and its page at `/`
 * lists every email), or, with NPSWAVE_SES_URL, one that is already running elsewhere.
 * GetAccount answers from the AWS_SES_ACCOUNT environment variable, which we fill with a realistic
 * production account so the send path paces itself at a real MaxSendRate.
 */
import type { Server } from 'node:http';
import { closeServer } from './http-util.ts';
import { loopback } from './ports.ts';

/** What the SES event feed reads of a message in the stand-in's outbox. */
export interface OutboxEmail {
  messageId: string;
  destination: { to: string[] };
  headers?: { name: string; value: string }[];
  /** Epoch seconds when the stand-in stored it. */
  at: number;
}

export interface SesStandIn {
  url: string;
  /** False when the stand-in belongs to someone else (NPSWAVE_SES_URL). */
  owned: boolean;
  /**
   * The outbox itself, when the stand-in runs in this process: read in place, it costs the feed
   * nothing, where `GET /store` serialises every recent message, bodies included, four times a second.
   */
  outbox?: () => readonly OutboxEmail[];
  stop(): Promise<void>;
}

/** The shape aws-ses-v2-local validates before answering GetAccount. */
export function sesAccount(maxSendRate: number): Record<string, unknown> {
  return {
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'MARKETING',
      ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
      UseCaseDescription: 'npswave local stack: customer satisfaction surveys',
      WebsiteURL: 'http://127.0.0.1',
    },
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: { Max24HourSend: 50_000, MaxSendRate: maxSendRate, SentLast24Hours: 0 },
    SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
  };
}

type StartSesServer = typeof import('aws-ses-v2-local').default;

/**
 * Loaded on demand (express and friends take a while). From ESM, Node hands over the CommonJS
 * exports object, so the start function is its `default`.
 */
async function sesServerStarter(): Promise<StartSesServer> {
  const loaded: unknown = (await import('aws-ses-v2-local')).default;
  if (typeof loaded === 'function') return loaded as StartSesServer;
  return (loaded as { default: StartSesServer }).default;
}

/** The stand-in's in-memory store: the same CommonJS module instance its server writes to. */
export async function outboxReader(): Promise<() => readonly OutboxEmail[]> {
  const store = (await import('aws-ses-v2-local/dist/store.js')) as unknown as {
    getStoreReadonly?: () => { emails: OutboxEmail[] };
    default?: { getStoreReadonly: () => { emails: OutboxEmail[] } };
  };
  const read = store.getStoreReadonly ?? store.default?.getStoreReadonly;
  if (!read) throw new Error('aws-ses-v2-local has no getStoreReadonly: its store module changed');
  return () => read().emails;
}

export async function startSes(options: {
  port: number;
  url?: string;
  maxSendRate: number;
}): Promise<SesStandIn> {
  if (options.url) return { url: options.url.replace(/\/$/, ''), owned: false, stop: async () => {} };
  process.env.AWS_SES_ACCOUNT = JSON.stringify(sesAccount(options.maxSendRate));
  const server: Server = await (await sesServerStarter())({ host: loopback, port: options.port });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${loopback}:${port}`,
    owned: true,
    outbox: await outboxReader(),
    stop: () => closeServer(server),
  };
}
