/** Handing work to the `send` function asynchronously (shared/lambda/invoke.ts). */
import { envNames } from '../config.ts';
import { invokeAsync } from '../lambda/invoke.ts';

export type SendJob =
  | { type: 'wave.continue'; waveId: string }
  /** One scan segment of a wave's selection (shared/send/segments.ts). */
  | { type: 'wave.select'; waveId: string; segment: number }
  | { type: 'wave.start'; surveyId: string; scheduledAt?: string }
  | { type: 'invitation.send'; token: string }
  | { type: 'waves.resume' };

export const invokeSend = (job: SendJob): Promise<void> => invokeAsync(envNames.sendFunctionArn, job);
