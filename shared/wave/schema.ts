/** A wave: one send of a survey to its audience, with live counts. */
export type WaveStatus = 'sending' | 'open' | 'closed';
/**
 * Where the resumable send job stands: choosing the audience (`picking` the lowest-ranked
 * candidates of a fixed-count sample), emailing it, or done.
 */
export type WavePhase = 'selecting' | 'picking' | 'sending' | 'sent';

export const countNames = [
  'selected',
  'sent',
  'failed',
  'bounced',
  'suppressed',
  'reminded',
  'automated',
  'responded',
  'expired',
  'complained',
  'unsubscribed',
] as const;
export type CountName = (typeof countNames)[number];
export type WaveCounts = Record<CountName, number>;

export const zeroCounts = (): WaveCounts =>
  Object.fromEntries(countNames.map((name) => [name, 0])) as WaveCounts;

export interface Wave {
  id: string;
  surveyId: string;
  status: WaveStatus;
  phase: WavePhase;
  trigger: 'api' | 'schedule' | 'demo';
  startedAt: string;
  closesAt: string;
  /** Selection cursor: the contacts scan's LastEvaluatedKey, as JSON; absent before the first page. */
  cursor?: string;
  /**
   * The parallel scan segments the selection is split into (shared/send/segments.ts), each with its
   * own cursor, and how many are done. Absent on a wave that selects with the one `cursor` above
   * (begun before segments).
   */
  segments?: number;
  segmentsDone?: number;
  /** Sending cursor: the byWaveKeys query's LastEvaluatedKey, as JSON. */
  sendCursor?: string;
  /** Real-time lease (epoch ms) of the one run that may work on this wave. */
  leaseUntil?: number;
  leaseOwner?: string;
  /** Seed of the random sample, kept so the selection can be explained. */
  sampleSeed?: string;
  counts: WaveCounts;
  sentAt?: string;
  /** When a finished send pass found selected invitations unsettled and the wave was passed over again. */
  sendRecheckAt?: string;
  closedAt?: string;
  /** Why the wave cannot go on, and since when (CONTRACT.md): the SES account cannot send. */
  stalled?: { reason: string; since: string };
  /** Stored until the wave's expiry and reminder schedules are made (shared/wave/start.ts). */
  timersPending?: boolean;
  /** The selection page being written (`phase:cursor`): a page found here was started before. */
  pageStarted?: string;
  /** Never leaves the server: the HMAC key of this wave's invitation tokens. */
  secret: string;
}

/** The wave as the admin API shows it. */
export type PublicWave = Omit<
  Wave,
  'secret' | 'cursor' | 'sendCursor' | 'leaseUntil' | 'leaseOwner' | 'timersPending' | 'pageStarted'
>;
export const publicWave = ({
  secret: _s,
  cursor: _c,
  sendCursor: _sc,
  leaseUntil: _lu,
  leaseOwner: _lo,
  timersPending: _tp,
  pageStarted: _ps,
  ...wave
}: Wave): PublicWave => wave;
