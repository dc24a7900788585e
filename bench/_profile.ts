import { Agent, request } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { getInvitationWithSurvey, putInvitationOnce } from '../shared/invitation/store.ts';
import { recordResponse } from '../shared/response/record.ts';
import { randomToken } from '../shared/ids.ts';
import { timedPool } from './lib/load.ts';
import { createScratchTable } from './lib/scratch.ts';
import { benchStack, stopBenchStack } from './lib/stack.ts';

const b = await benchStack();
const port = new URL(b.stack.dynamoUrl).port;
const javaPid = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).find((p) => {
  try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`-port\0${port}\0`); } catch { return false; }
});
const javaCpu = () => { const f = readFileSync(`/proc/${javaPid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const survey = await b.api<{ id: string }>('POST', '/api/surveys', { kind: 'nps', name: 'p', companyName: 'P' });
await b.api('POST', `/api/surveys/${survey.id}/publish`);
const N = 400;
const tokens = Array.from({ length: N }, () => randomToken(survey.id));
b.consumer.close();
await timedPool(tokens, 16, async (token, i) => {
  await putInvitationOnce({ token, surveyId: survey.id, waveId: 'w_x', contactId: `c${i}`, kind: 'nps', scale: { min: 0, max: 10 }, status: 'sent', createdAt: new Date().toISOString(), closesAt: '2999-01-01T00:00:00.000Z', locale: 'en' });
});
const scratch = await createScratchTable(b.stack.dynamoUrl);
const { handler } = await import('../functions/respond/handler.ts');
let round = 0;
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const event = (token: string, i: number) => ({
  version: '2.0', routeKey: 'POST /r/{token}', rawPath: `/r/${token}`, rawQueryString: '', pathParameters: { token },
  headers: { 'content-type': 'application/x-www-form-urlencoded', host: '127.0.0.1' }, isBase64Encoded: false,
  body: `score=${(i + round) % 11}&comment=r${round}`, requestContext: { http: { method: 'POST', path: `/r/${token}`, sourceIp: '127.0.0.1' }, domainName: '127.0.0.1' },
}) as never;
const stages: Record<string, (t: string, i: number) => Promise<unknown>> = {
  bare: async () => {},
  batchGet: (t) => getInvitationWithSurvey(t),
  record: (t, i) => recordResponse(t, { score: (i + round) % 11, comment: `r${round}` }),
  handler: async (t, i) => { const r = await handler(event(t, i)); if ((r as { statusCode: number }).statusCode !== 200) throw new Error(String((r as {body:string}).body).slice(0, 300)); },
  noopFetch: async () => { const r = await fetch(`${b.stack.url}/h/not-a-token`); await r.text(); if (r.status !== 204) throw new Error(String(r.status)); },
  noopHttp: () => new Promise<void>((resolve, reject) => { const req = request(`${b.stack.url}/h/not-a-token`, { agent }, (res) => { res.resume(); res.on('end', () => res.statusCode === 204 ? resolve() : reject(new Error(String(res.statusCode)))); }); req.on('error', reject); req.end(); }),
  http: async (t, i) => { const r = await fetch(`${b.stack.url}/r/${t}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `score=${(i + round) % 11}&comment=h${round}` }); await r.text(); if (r.status !== 200) throw new Error(String(r.status)); },
};
for (let rep = 0; rep < 2; rep++) {
  for (const [name, fn] of Object.entries(stages)) {
    round++;
    const c0 = process.cpuUsage(); const j0 = javaCpu(); const t0 = performance.now();
    if (name === 'bare') await scratch.updateRate(N, 16); else await timedPool(tokens, 16, fn);
    const ms = performance.now() - t0; const c = process.cpuUsage(c0); const j = javaCpu() - j0;
    console.error(`${name.padEnd(9)} ${(N / (ms / 1000)).toFixed(0).padStart(5)}/s  node ${((c.user + c.system) / 1000 / N).toFixed(2)} ms/op  java ${(j / N).toFixed(2)} ms/op`);
  }
}
await scratch.drop();
b.consumer.open();
await stopBenchStack();
process.exit(0);
