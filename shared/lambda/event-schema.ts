/**
 * Validating a function's event at the edge, before the handler: a valibot schema, the parsed
 * output in place of the raw event, and a malformed event either thrown (Lambda retries it, and the
 * failure destination keeps it) or answered at once when retrying could never help.
 */
import type { MiddlewareObj } from '@middy/core';
import * as v from 'valibot';
import { describeIssues } from '../http.ts';

export interface EventSchemaOptions<R> {
  /** The answer to a malformed event instead of an error (it is logged). */
  malformed?: (issues: string) => R;
}

export function eventSchema<R>(
  functionName: string,
  schema: v.GenericSchema,
  options: EventSchemaOptions<R> = {},
): MiddlewareObj<unknown, R> {
  return {
    before: (request) => {
      const parsed = v.safeParse(schema, request.event);
      if (parsed.success) {
        request.event = parsed.output;
        return undefined;
      }
      const issues = describeIssues(parsed.issues);
      if (!options.malformed) throw new Error(`${functionName}: bad event: ${issues}`);
      console.error(`${functionName}: ignoring malformed event`, issues);
      return options.malformed(issues);
    },
  };
}
