import { beforeAll, describe, expect, it } from 'vitest';
import { applyEnvironment, handlerEnvironment } from '../../local/env.ts';
import { inPercentSample, sampleRank } from '../../shared/audience/sample.ts';
import { resetClients } from '../../shared/aws/clients.ts';
import { setClockOffset } from '../../shared/clock.ts';
import { resetConfigCache } from '../../shared/config.ts';
import { contactIdFor } from '../../shared/ids.ts';
import { ensureSegments, runSegment, segmentsFor } from '../../shared/send/segments.ts';
import { requireSurvey } from '../../shared/survey/store.ts';
import { createWave } from '../../shared/wave/start.ts';
import { getWave } from '../../shared/wave/store.ts';
import { advanceClock, apiOk as ok, stack, waveInvitations } from './setup/helpers.ts';

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

beforeAll(async () => {
  const info = stack();
  applyEnvironment(
    handlerEnvironment({
      gatewayUrl: info.url,
      dynamoUrl: info.dynamoUrl,
      sesUrl: info.sesUrl,
      controlUrl: info.controlUrl,
      adminKeyHash: '0'.repeat(64),
    }),
  );
  // Small segments, so that the shared stack's few thousand contacts make several.
  process.env.SELECT_CONTACTS_PER_SEGMENT = '200';
  resetConfigCache();
  resetClients();
  setClockOffset((await advanceClock(0)).getTime() - Date.now());
});

const invitationsOf = (waveId: string) => waveInvitations(waveId);

describe('selection split into parallel scan segments', () => {
  it('splits by the contacts table size, one segment up to the size of one', () => {
    expect(segmentsFor(0)).toBe(1);
    expect(segmentsFor(200)).toBe(1);
    expect(segmentsFor(201)).toBe(2);
    expect(segmentsFor(1_000_000)).toBe(32);
  });

  it('invites every eligible contact once, whatever runs twice or hands over, and counts each once', async () => {
    const domain = `segments-${run}.test`;
    const contacts = Array.from({ length: 300 }, (_, i) => ({
      email: `c${i}@${domain}`,
      properties: { plan: i % 3 === 0 ? 'free' : 'pro' },
    }));
    await ok('/api/contacts', { body: { contacts } });
    const { id: surveyId } = await ok<{ id: string }>('/api/surveys', {
      body: {
        kind: 'nps',
        name: 'Segments',
        companyName: 'Acme',
        audience: {
          where: [
            { field: 'email', endsWith: `@${domain}` },
            { field: 'properties.plan', equals: 'pro' },
          ],
        },
      },
    });
    await ok(`/api/surveys/${surveyId}/publish`, { method: 'POST' });
    const wave = await createWave(surveyId, 'api');
    const segments = await ensureSegments(wave);
    expect(segments).toBeGreaterThan(1);
    // Decided once: a second run reads what the first decided.
    expect(await ensureSegments((await getWave(wave.id)) ?? wave)).toBe(segments);

    const survey = (id: string) => requireSurvey(id);
    const jobs = Array.from({ length: segments }, (_, segment) => {
      // Every other segment hands over after one page (its deadline already passed); every one is
      // started twice at once (a duplicate invocation): the lease lets one of them work.
      const deadline = segment % 2 ? 0 : Number.POSITIVE_INFINITY;
      return [runSegment(wave.id, segment, deadline, survey), runSegment(wave.id, segment, deadline, survey)];
    });
    const results = await Promise.all(jobs.flat());
    expect(results.filter((r) => r === 'busy').length).toBeGreaterThanOrEqual(segments - 1);

    // The handed-over segments go on in the stack's send function; the last one moves the wave on.
    const until = Date.now() + 120_000;
    let current = await getWave(wave.id);
    while (current?.phase === 'selecting' && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      current = await getWave(wave.id);
    }
    expect(current?.phase).not.toBe('selecting');
    expect(current?.segmentsDone).toBe(segments);

    const invitations = await invitationsOf(wave.id);
    const eligible = contacts.filter((c) => c.properties.plan === 'pro').length;
    expect(invitations).toHaveLength(eligible);
    expect(new Set(invitations.map((inv) => inv.contactId)).size).toBe(eligible);
    expect(current?.counts.selected).toBe(eligible);
  }, 180_000);

  it.each([
    ['percent', { percent: 40 }],
    ['count', { count: 37 }],
  ] as const)(
    'samples by %s over the whole base, whatever segment a contact is in',
    async (kind, sample) => {
      const domain = `segments-${kind}-${run}.test`;
      const contacts = Array.from({ length: 250 }, (_, i) => ({ email: `c${i}@${domain}` }));
      await ok('/api/contacts', { body: { contacts } });
      const { id: surveyId } = await ok<{ id: string }>('/api/surveys', {
        body: {
          kind: 'nps',
          name: `Segments ${kind}`,
          companyName: 'Acme',
          audience: { where: [{ field: 'email', endsWith: `@${domain}` }], sample },
        },
      });
      await ok(`/api/surveys/${surveyId}/publish`, { method: 'POST' });
      const wave = await createWave(surveyId, 'api');
      const segments = await ensureSegments(wave);
      expect(segments).toBeGreaterThan(1);
      await Promise.all(
        Array.from({ length: segments }, (_, segment) =>
          runSegment(wave.id, segment, Number.POSITIVE_INFINITY, (id) => requireSurvey(id)),
        ),
      );
      // The last segment moves the wave on (a fixed-count sample first picks its lowest ranks, in the
      // stack's send function); wait for the invitations to be there.
      const until = Date.now() + 120_000;
      let current = await getWave(wave.id);
      while ((current?.phase === 'selecting' || current?.phase === 'picking') && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        current = await getWave(wave.id);
      }
      const invited = (await invitationsOf(wave.id)).map((inv) => String(inv.contactId));
      expect(new Set(invited).size).toBe(invited.length);
      const everyone = contacts.map((c) => contactIdFor(c.email));
      const seed = current?.sampleSeed ?? wave.id;
      const ranked = [...everyone].sort((a, b) => sampleRank(seed, a) - sampleRank(seed, b));
      if ('percent' in sample) {
        // Exactly those whose rank falls under the percentage, as with one segment.
        expect(invited.sort()).toEqual(
          everyone.filter((id) => inPercentSample(seed, id, sample.percent)).sort(),
        );
      } else {
        // The `count` lowest ranks of the whole base, not of a segment.
        expect(invited.sort()).toEqual(ranked.slice(0, sample.count).sort());
      }
      expect(current?.counts.selected).toBe(invited.length);
    },
    180_000,
  );
});
