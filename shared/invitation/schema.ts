/** An invitation: one contact in one wave. It also carries the response, if any. */
import type { Scale, Segment, SurveyKind } from '../scoring.ts';

export type InvitationStatus =
  | 'queued'
  | 'sending'
  | 'sent'
  | 'responded'
  | 'expired'
  | 'bounced'
  | 'suppressed'
  | 'failed';

export interface Invitation {
  token: string;
  surveyId: string;
  waveId: string;
  /**
   * A contact (`c_…`); for a link-survey answer, a respondent id of its own (`link_…`); `anon_…`
   * once an anonymous survey's invitation is answered (its `sealedContactId`, or a random id for an
   * invitation made before sealing); `erased_…` once the contact is erased.
   */
  contactId?: string;
  /**
   * Anonymous surveys: the contact id sealed under the wave's secret (shared/invitation/sealed-contact.ts),
   * made with the invitation. The answering write moves it into `contactId`, so the answer names no
   * one an admin can see, while unsubscribe and erasure can still reach the contact.
   */
  sealedContactId?: string;
  kind: SurveyKind;
  scale: Scale;
  status: InvitationStatus;
  createdAt: string;
  closesAt: string;
  /** The contact's locale when the wave chose it, so a page needs no contact read. */
  locale?: string;
  /** Anonymous surveys: the answer is never linked back to the contact. */
  anonymous?: boolean;
  /** The contact's values of the survey's `reportBy` properties when the wave chose them. */
  reportProps?: Record<string, string>;
  /** Real-time epoch ms of the claim before the SES call. */
  sendingAt?: number;
  /** With a send window: not before this time (the window's next opening in the contact's zone). */
  sendAfter?: string;
  sentAt?: string;
  /** When SES's Send event confirmed it took the message (the proof a crashed run needs). */
  sesAcceptedAt?: string;
  messageId?: string;
  failureReason?: string;
  reminders?: number;
  /** Reminder n claimed before SES is called (real-time epoch ms in `reminderClaimAt`). */
  reminderClaim?: number;
  reminderClaimAt?: number;
  /** The highest reminder SES's Send event confirmed: the proof a run that died needs. */
  reminderAccepted?: number;
  automatedAt?: string;
  unsubscribedAt?: string;
  complainedAt?: string;
  expiredAt?: string;
  bouncedAt?: string;
  // What the wave's counts already count for this invitation (maintained by the score function,
  // shared/wave/counts.ts): its facts as bits, and its reminders. Absent on invitations made before
  // counts were folded from the stream (their settles count them on the wave in one transaction).
  countedMask?: number;
  countedReminders?: number;
  /** Set by every write that adds a fact, removed when it is counted: the stream filter's mark. */
  uncounted?: boolean;
  // The response.
  score?: number;
  comment?: string;
  segment?: Segment;
  respondedAt?: string;
  firstRespondedAt?: string;
  responseVersion?: number;
  /** Hash of the last answer's content, so a retried POST changes nothing. */
  responseHash?: string;
  // What the alert rules already fired for (maintained by the alerts function, shared/alert/fire.ts):
  // the answer version they judged and the rules it matched then.
  alertedVersion?: number;
  alertMatches?: string[];
  // What the aggregates already count for this invitation (maintained by the score function).
  countedVersion?: number;
  countedScore?: number;
}
