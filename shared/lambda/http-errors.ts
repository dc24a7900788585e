/**
 * The one place where an HTTP function's errors become answers: whatever the handler (or a
 * middleware, or the early stop) throws is rendered by the function's own renderer (JSON for the
 * API, a page in the visitor's language for the public pages), so no error escapes as a Lambda
 * failure and a 5xx never shows its cause.
 */
import type { MiddlewareObj } from '@middy/core';
import type { HttpEvent, HttpResult } from '../http.ts';
import type { InvocationContext } from './budget.ts';

export type ErrorRenderer<C> = (err: unknown, event: HttpEvent, context: InvocationContext & C) => HttpResult;

export function httpErrors<C>(render: ErrorRenderer<C>): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: (request) => {
      request.response = render(request.error, request.event, request.context as InvocationContext & C);
    },
  };
}
