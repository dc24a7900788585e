/** Handing work to the `send` function asynchronously (Lambda's Event invocation). */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { lambdaClient } from '../aws/clients.ts';
import { requireEnv } from '../config.ts';

export type SendJob =
  | { type: 'wave.continue'; waveId: string }
  | { type: 'wave.start'; surveyId: string }
  | { type: 'invitation.send'; token: string }
  | { type: 'waves.resume' };

export async function invokeSend(job: SendJob): Promise<void> {
  await lambdaClient().send(
    new InvokeCommand({
      FunctionName: requireEnv('SEND_FUNCTION_ARN'),
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify(job)),
    }),
  );
}
