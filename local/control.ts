/**
 * The control server: one internal loopback port that speaks EventBridge Scheduler's REST-JSON API
 * and Lambda's Invoke API, so the handlers' own SDK clients (AWS_ENDPOINT_URL_SCHEDULER and
 * AWS_ENDPOINT_URL_LAMBDA) reach the local stand-ins. Anything else answers UnknownOperationException.
 */
import { createServer, type Server } from 'node:http';
import { closeServer, listen, sendJson } from './http-util.ts';
import type { LambdaService } from './lambda.ts';
import { describeError, type Log } from './log.ts';
import { loopback } from './ports.ts';
import type { ScheduleStore } from './schedule-store.ts';
import { handleSchedulerRequest } from './scheduler-api.ts';

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

const invokePath = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startControlServer(
  store: ScheduleStore,
  lambda: LambdaService,
  log: Log,
  port = 0,
): Promise<ControlServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://control.local');
    const handle = async () => {
      const invoke = invokePath.exec(url.pathname);
      if (invoke && req.method === 'POST') {
        await lambda.handleInvokeRequest(req, res, decodeURIComponent(invoke[1] ?? ''));
        return;
      }
      if (await handleSchedulerRequest(store, req, res, url)) return;
      req.resume();
      sendJson(
        res,
        404,
        { Message: `The local stack does not emulate ${req.method} ${url.pathname}` },
        { 'x-amzn-errortype': 'UnknownOperationException' },
      );
    };
    handle().catch((err: unknown) => {
      log(`control server: ${req.method} ${url.pathname} failed: ${describeError(err)}`);
      if (!res.headersSent) {
        sendJson(res, 500, { Message: 'internal error' }, { 'x-amzn-errortype': 'InternalServerException' });
      } else {
        res.end();
      }
    });
  });
  const bound = await listen(server, port, loopback);
  return { url: `http://${loopback}:${bound}`, close: () => closeServer(server) };
}
