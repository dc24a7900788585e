/** The remind function: fired by a one-time schedule, sends reminder n of a wave. */

import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import * as v from 'valibot';
import { lambdaClient } from '../../shared/aws/clients.ts';
import { requireEnv } from '../../shared/config.ts';
import { describeIssues } from '../../shared/http.ts';
import { remindWave } from '../../shared/send/reminders.ts';
import { allowedSendRate } from '../../shared/send/ses.ts';
import { remindTriggered } from '../../shared/send/triggered-delivery.ts';

const reminder = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(5));
const event = v.union([
  v.object({ waveId: v.pipe(v.string(), v.regex(/^w_[a-z2-7]{16}$/)), reminder }),
  v.object({ token: v.pipe(v.string(), v.maxLength(100)), reminder }),
]);

const marginMs = 20_000;

export const handler = async (input: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
  const parsed = v.safeParse(event, input);
  if (!parsed.success) throw new Error(`remind: bad event: ${describeIssues(parsed.issues)}`);
  if ('token' in parsed.output) {
    await remindTriggered(parsed.output.token, parsed.output.reminder);
    return { token: parsed.output.token, reminder: parsed.output.reminder };
  }
  const { waveId, reminder } = parsed.output;
  const deadline = Date.now() + (context ? context.getRemainingTimeInMillis() - marginMs : 5 * 60_000);
  const result = await remindWave(waveId, reminder, deadline, await allowedSendRate());
  if (result === 'more') {
    await lambdaClient().send(
      new InvokeCommand({
        FunctionName: requireEnv('REMIND_FUNCTION_ARN'),
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ waveId, reminder })),
      }),
    );
  }
  return { waveId, reminder, result };
};
