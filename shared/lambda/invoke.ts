/**
 * Handing work to a function asynchronously (Lambda's Event invocation): Lambda answers 202 once
 * the event is queued, retries a failed run twice and may deliver it more than once, so the event
 * must say where to go on and the work must be safe to repeat.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { lambdaClient } from '../aws/clients.ts';
import { requireEnv } from '../config.ts';

/** @param arnVariable the environment variable holding the function's ARN, e.g. `EXPIRE_FUNCTION_ARN`. */
export async function invokeAsync(arnVariable: string, event: unknown): Promise<void> {
  await lambdaClient().send(
    new InvokeCommand({
      FunctionName: requireEnv(arnVariable),
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
}
