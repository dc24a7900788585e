/**
 * Erasure (GDPR): the contact's personal data goes from contacts, invitations (its answers, those
 * of anonymous surveys included, and what SES said about its address), a sample's candidates and
 * triggered invitations' throttle locks, and its follow-ups (which name it and quote its comments);
 * the anonymous counts in the aggregates stay, since they never held anything personal.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { followUpKey, followUpsOfContact } from '../alert/followups.ts';
import { dynamo } from '../aws/clients.ts';
import { tableName } from '../config.ts';
import { notFound } from '../errors.ts';
import { erasedContactId } from '../ids.ts';
import { sealContactId } from '../invitation/sealed-contact.ts';
import { eraseInvitationContact, invitationsOfContactInWave } from '../invitation/store.ts';
import { deleteCandidate } from '../send/candidates.ts';
import { mapConcurrent } from '../send/concurrency.ts';
import { listSurveys } from '../survey/store.ts';
import type { Wave } from '../wave/schema.ts';
import { listWaves } from '../wave/store.ts';
import { triggerLockKey } from '../wave/triggered.ts';
import { getContact } from './store.ts';

export async function eraseContact(id: string): Promise<void> {
  const contact = await getContact(id);
  if (!contact) throw notFound(`contact ${id} not found`);
  // Every wave of every survey: the byWaveKeys index is sorted by contact, so each wave answers with a
  // couple of key lookups. The cost grows with the number of waves (a few hundred in years of weekly
  // surveys), never with the number of invitations, and no second index has to be kept up to date
  // by every answer just for this rare request.
  const surveys = await listSurveys();
  const waves = await mapConcurrent(surveys, 8, (survey) => listWaves(survey.id));
  await mapConcurrent(waves.flat(), 8, (wave) => eraseFromWave(wave, id));
  // A triggered invitation's throttle lock names the contact until it expires.
  await mapConcurrent(surveys, 8, (survey) =>
    dynamo().send(new DeleteCommand({ TableName: tableName('system'), Key: triggerLockKey(survey.id, id) })),
  );
  for (const followUp of await followUpsOfContact(id, Number.POSITIVE_INFINITY)) {
    await dynamo().send(new DeleteCommand({ TableName: tableName('alerts'), Key: followUpKey(followUp.id) }));
  }
  await dynamo().send(new DeleteCommand({ TableName: tableName('contacts'), Key: { id } }));
}

/** Removes the contact's personal data from one wave: its invitations and its sample candidacy. */
async function eraseFromWave(wave: Wave, contactId: string): Promise<void> {
  // An anonymous survey's answer is listed under the sealed id; the wave's secret makes it again.
  // Both lookups always: a survey may have been made anonymous, or not, after this wave.
  const found = [
    ...(await invitationsOfContactInWave(wave.id, contactId)),
    ...(await invitationsOfContactInWave(wave.id, sealContactId(wave.secret, contactId))),
  ];
  for (const invitation of found) await eraseInvitationContact(invitation.token, erasedContactId());
  // A fixed-count sample keeps every eligible contact as a candidate (email, properties) for weeks.
  await deleteCandidate(wave, contactId);
}
