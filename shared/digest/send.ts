/**
 * Sending the digests due at one firing: for each survey (in id order, so a run can say where it
 * stopped) whose digest is due, claim its sent marker, read its period, render the email in its
 * default locale and send one to each owner through SES at the account's shared rate. A survey
 * another run already sent (or is sending) is passed by, so two firings of a day send one digest.
 */
import { nowIso } from '../clock.ts';
import { SesAccountError, sesPacer } from '../send/ses.ts';
import { sendThroughSes } from '../send/ses-attempts.ts';
import type { Pacer } from '../send/ses-rate.ts';
import type { Survey } from '../survey/schema.ts';
import { listSurveys } from '../survey/store.ts';
import { renderDigestEmail } from './email.ts';
import {
  claimDigest,
  finishDigest,
  recordOwner,
  releaseDigest,
  renewDigestClaim,
  staleClaimMs,
} from './marker.ts';
import { type DigestPeriod, digestRecipients, dueDigest } from './period.ts';
import { readDigestContent } from './read.ts';

export type DigestOutcome =
  /** Every owner has it. */
  | 'sent'
  | 'already-sent'
  /** Another run holds the claim (or took it over from this one). */
  | 'in-progress'
  /** SES gave no answer for an owner: maybe sent, so left as it is (the claim stays until stale). */
  | 'unconfirmed'
  /** Nothing more could be sent for now (throttled, out of time): the claim was given back. */
  | 'deferred'
  /** The SES account cannot send: the claim was given back and the run stops. */
  | 'account';

export interface DigestRunOptions {
  /** The firing's time: which digests are due and which period they cover. */
  at: Date;
  /** Surveys up to this id were done by an earlier invocation of the same firing. */
  after?: string;
  /** Real-time epoch ms: no new survey is started after it (at least one is, whatever the time). */
  deadline: number;
  /** Real-time epoch ms: no SES call is started after it. */
  stopBy: number;
  /** The account's shared SES pacer (tests give their own). */
  pacer?: () => Promise<Pacer>;
}

export interface DigestRunResult {
  at: string;
  /** Survey id → what happened to its digest, for every survey whose digest was due. */
  outcomes: Record<string, DigestOutcome>;
  /** The last survey looked at when time ran out: a fresh invocation goes on after it. */
  next?: string;
  /** Surveys whose digest is still to be sent (SES refused for now, an error): the run should be tried again. */
  deferred: string[];
}

interface SendContext {
  pacer: () => Promise<Pacer>;
  deadline: number;
  stopBy: number;
}

export async function sendDigests(options: DigestRunOptions): Promise<DigestRunResult> {
  const surveys = (await listSurveys())
    .filter((s) => options.after === undefined || s.id > options.after)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let pacer: Promise<Pacer> | undefined;
  const context: SendContext = {
    // Asked for only when an email is about to go: a run with nothing due reads no SES account.
    pacer: () => {
      pacer ??= (options.pacer ?? sesPacer)();
      return pacer;
    },
    deadline: options.deadline,
    stopBy: options.stopBy,
  };
  const result: DigestRunResult = { at: options.at.toISOString(), outcomes: {}, deferred: [] };
  let started = 0;
  let last: string | undefined;
  for (const survey of surveys) {
    const period = dueDigest(survey, options.at);
    if (!period) {
      last = survey.id;
      continue;
    }
    if (started > 0 && Date.now() > options.deadline) return { ...result, ...(last && { next: last }) };
    started++;
    last = survey.id;
    let outcome: DigestOutcome;
    try {
      outcome = await sendSurveyDigest(survey, period, options.at, context);
    } catch (err) {
      console.error(`digest: ${survey.id} ${period.key}`, err);
      outcome = 'deferred';
    }
    result.outcomes[survey.id] = outcome;
    if (outcome === 'deferred') result.deferred.push(survey.id);
    if (outcome === 'account') {
      // Nobody's digest can go: the rest of the due ones wait for the retry with this one.
      result.deferred.push(
        survey.id,
        ...surveys.filter((s) => s.id > survey.id && dueDigest(s, options.at)).map((s) => s.id),
      );
      return result;
    }
  }
  return result;
}

/** One survey's digest for a period: claimed, read, rendered once, sent to each owner not yet emailed. */
async function sendSurveyDigest(
  survey: Survey,
  period: DigestPeriod,
  at: Date,
  context: SendContext,
): Promise<DigestOutcome> {
  const claim = await claimDigest(survey.id, period);
  if (!claim.claimed) return claim.status === 'sent' ? 'already-sent' : 'in-progress';
  const { claimId } = claim;
  try {
    const email = renderDigestEmail(await readDigestContent(survey, period, at), survey.defaultLocale);
    let claimedAtMs = claim.claimedAtMs;
    let messageId = Object.values(claim.sentTo).find((v) => v !== 'refused');
    let unconfirmed = false;
    for (const owner of digestRecipients(survey)) {
      // A run that took over a stale claim skips the owners its predecessor had SES take.
      if (claim.sentTo[owner.toLowerCase()]) continue;
      let pacer: Pacer;
      try {
        pacer = await context.pacer();
      } catch (err) {
        if (!(err instanceof SesAccountError)) throw err;
        console.error(`digest: ${survey.id}: ${err.message}`);
        await releaseDigest(survey.id, period.key, claimId);
        return 'account';
      }
      const answer = await sendThroughSes(
        { to: owner, ...email, headers: [], tags: { type: 'digest', survey: survey.id } },
        {
          pacer,
          deadline: context.deadline,
          stopBy: context.stopBy,
          // Renewed well before it could look stale to another run.
          claimIsOld: () => Date.now() - claimedAtMs > staleClaimMs / 2,
          renew: async () => {
            const nowMs = Date.now();
            const renewed = await renewDigestClaim(survey.id, period.key, claimId, nowMs);
            if (renewed) claimedAtMs = nowMs;
            return renewed;
          },
        },
      );
      if (answer.kind === 'sent') {
        await recordOwner(survey.id, period.key, owner, answer.messageId);
        messageId ??= answer.messageId;
      } else if (answer.kind === 'refused') {
        // SES will never take it (a rejected address): no retry would help; the others still get theirs.
        console.error(`digest: ${survey.id} ${period.key}: SES refused an owner's email: ${answer.reason}`);
        await recordOwner(survey.id, period.key, owner, 'refused');
      } else if (answer.kind === 'unknown') {
        // No answer from SES: the email may have gone. This run does not send it again; the claim stays
        // as it is, and only a run of the same period after it went stale would (at least once, here).
        console.error(`digest: ${survey.id} ${period.key}: no answer from SES, maybe sent: ${answer.reason}`);
        unconfirmed = true;
      } else if (answer.kind === 'claim-lost') {
        return 'in-progress';
      } else {
        if (answer.kind !== 'not-started')
          console.error(`digest: ${survey.id} ${period.key}: ${answer.reason}`);
        await releaseDigest(survey.id, period.key, claimId);
        return answer.kind === 'account' ? 'account' : 'deferred';
      }
    }
    if (unconfirmed) return 'unconfirmed';
    await finishDigest(survey.id, period.key, claimId, nowIso(), messageId);
    return 'sent';
  } catch (err) {
    // Nothing more went out: give the claim back so that the retry of this run can send the rest.
    await releaseDigest(survey.id, period.key, claimId).catch(() => {});
    throw err;
  }
}
