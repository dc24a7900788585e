/**
 * Erasure (GDPR): the contact's personal data goes from contacts, invitations and responses; the
 * anonymous counts in the aggregates stay, since they never held anything personal.
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { tableName } from '../config.ts';
import { notFound } from '../errors.ts';
import { erasedContactId } from '../ids.ts';
import { invitationsOfContactInWave } from '../invitation/store.ts';
import { mapConcurrent } from '../send/concurrency.ts';
import { listSurveys } from '../survey/store.ts';
import { listWaves } from '../wave/store.ts';
import { getContact } from './store.ts';

export async function eraseContact(id: string): Promise<void> {
  const contact = await getContact(id);
  if (!contact) throw notFound(`contact ${id} not found`);
  // Every wave of every survey: the byWave index is sorted by contact, so each wave answers with a
  // single key lookup. The cost grows with the number of waves (a few hundred in years of weekly
  // surveys), never with the number of invitations, and no second index has to be kept up to date
  // by every answer just for this rare request.
  const surveys = await listSurveys();
  const waves = await mapConcurrent(surveys, 8, (survey) => listWaves(survey.id));
  await mapConcurrent(waves.flat(), 8, (wave) => eraseFromWave(wave.id, id));
  await dynamo().send(new DeleteCommand({ TableName: tableName('contacts'), Key: { id } }));
}

/** Removes the contact's personal data from its invitations in one wave, if it has any. */
async function eraseFromWave(waveId: string, contactId: string): Promise<void> {
  for (const invitation of await invitationsOfContactInWave(waveId, contactId)) {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('invitations'),
        Key: { token: invitation.token },
        // The score stays counted (countedScore/countedVersion) and listed; who gave it and what
        // they wrote go. A stand-in id keeps the answer in the byWave index, which lists it.
        UpdateExpression: 'REMOVE #comment, locale, reportProps SET erased = :true, contactId = :erased',
        ExpressionAttributeNames: { '#comment': 'comment' },
        ExpressionAttributeValues: { ':true': true, ':erased': erasedContactId() },
      }),
    );
  }
}
