/** The SES events function: bounces and complaints from the configuration set, via EventBridge. */
import { eventHandler } from '../../shared/lambda/handler.ts';
import { handleSesEvent, sesEventSchema } from '../../shared/send/ses-events.ts';

export const handler = eventHandler(
  {
    name: 'sesEvents',
    event: sesEventSchema,
    // A malformed event would fail the same way on every retry: log it and move on.
    malformed: () => ({ outcome: 'malformed' as const }),
  },
  async (event) => ({ outcome: await handleSesEvent(event) }),
);
