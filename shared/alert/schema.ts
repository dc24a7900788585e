/**
 * What alert rules produce: the event a webhook carries (CONTRACT.md, "Alerts and webhooks"), the
 * delivery record that makes sure it arrives, and the follow-up task that closes the loop.
 */
import type { Segment, SurveyKind } from '../scoring.ts';

export type AlertEventType = 'response.created' | 'response.updated';

export interface AlertContact {
  id: string;
  email: string;
  name: string | null;
  properties: Record<string, unknown>;
}

/** The `data` of a webhook body: one answer as it was when the rule fired. */
export interface AlertEventData {
  surveyId: string;
  surveyName: string;
  kind: SurveyKind;
  waveId: string;
  score: number;
  segment: Segment;
  comment: string | null;
  respondedAt: string;
  /** null for anonymous surveys and link answers. */
  contact: AlertContact | null;
  /** The answer in the dashboard (never its token: the link works only for a signed-in admin). */
  responseUrl: string;
}

export interface AlertEvent {
  type: AlertEventType;
  timestamp: string;
  data: AlertEventData;
}

export type DeliveryChannel = 'webhook' | 'email';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One try at delivering: when, what came back (HTTP status or an error), how long it took. */
export interface DeliveryAttempt {
  at: string;
  /** HTTP status, when the receiver answered. */
  status?: number;
  /** What went wrong without an answer: a timeout, a refused connection, a refused address. */
  error?: string;
  latencyMs: number;
  /** The first few hundred bytes of the receiver's answer. */
  response?: string;
}

export interface Delivery {
  id: string;
  /** `webhook-id`: the same on every retry, redelivery and replay of one event. */
  webhookId: string;
  channel: DeliveryChannel;
  surveyId: string;
  ruleId: string;
  /** The answer's reference (responseRef), never its token. */
  responseId: string;
  /** webhook: the target and its format; email: the addresses. */
  url?: string;
  format?: 'json' | 'slack';
  to?: string[];
  event: AlertEvent;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  /** How many attempts of the current schedule were made (a redelivery starts a new schedule). */
  tries: number;
  nextAttemptAt?: string;
  createdAt: string;
  deliveredAt?: string;
  failedAt?: string;
  /** Why it failed for good: "gone (410): hook disabled", "gave up after 10 attempts"… */
  failure?: string;
}

export type FollowUpStatus = 'open' | 'closed';

export interface FollowUpHistoryEntry {
  at: string;
  action: 'opened' | 'reopened' | 'updated' | 'closed' | 'assigned';
  note?: string;
}

export interface FollowUp {
  id: string;
  surveyId: string;
  surveyName: string;
  /** The answer's reference (responseRef): CONTRACT.md's "invitationId (or response reference)". */
  invitationId: string;
  responseUrl: string;
  /** None for anonymous surveys. */
  contactId?: string;
  contactEmail?: string;
  contactName?: string;
  score: number;
  segment: Segment;
  comment?: string;
  status: FollowUpStatus;
  assignee?: string;
  dueAt: string;
  note?: string;
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  history: FollowUpHistoryEntry[];
}
