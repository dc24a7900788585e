/** The SES events function: bounces and complaints from the configuration set, via EventBridge. */
import * as v from 'valibot';
import { describeIssues } from '../../shared/http.ts';
import { handleSesEvent, sesEventSchema } from '../../shared/send/ses-events.ts';

export const handler = async (input: unknown) => {
  const parsed = v.safeParse(sesEventSchema, input);
  if (!parsed.success) {
    // A malformed event would fail the same way on every retry: log it and move on.
    console.error('sesEvents: ignoring malformed event', describeIssues(parsed.issues));
    return { outcome: 'malformed' };
  }
  return { outcome: await handleSesEvent(parsed.output) };
};
