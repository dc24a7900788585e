/**
 * `npswave followups …` and `npswave webhooks …` as users run them (a child process) against a fake
 * admin API that answers as CONTRACT.md's alerts section says: pages with a cursor, PATCH of a
 * follow-up, redelivery, and a replay that hands the rest of its range back in `next`.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const cliPath = fileURLToPath(new URL('../../cli/npswave.js', import.meta.url));
const adminKey = 'test-admin-key';

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}
type Route = (req: Recorded) => { status: number; json?: unknown };

const requests: Recorded[] = [];
const routes = new Map<string, Route>();
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://fake');
      const recorded = {
        method: req.method ?? 'GET',
        path: u.pathname,
        query: u.searchParams,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const route = routes.get(`${recorded.method} ${recorded.path}`);
      const answer =
        req.headers.authorization !== `Bearer ${adminKey}`
          ? { status: 401, json: { error: { code: 'unauthorized', message: 'an admin key is required' } } }
          : route
            ? route(recorded)
            : {
                status: 404,
                json: { error: { code: 'not_found', message: `no such resource: ${u.pathname}` } },
              };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.json === undefined ? '' : JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  requests.length = 0;
  routes.clear();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<Run> {
  const env: Record<string, string> = {};
  for (const [k, val] of Object.entries(process.env)) {
    if (val !== undefined && !k.startsWith('NPSWAVE_') && k !== 'NO_COLOR' && k !== 'FORCE_COLOR')
      env[k] = val;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...env, NPSWAVE_URL: url, NPSWAVE_ADMIN_KEY: adminKey },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectOneLineError(run: Run, code: number, pattern: RegExp): void {
  expect(run.code).toBe(code);
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^npswave: /);
  expect(lines[0]).toMatch(pattern);
}

const slow = { timeout: 60_000 };

const hour = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const late = iso(Date.now() - 5 * hour);
const soon = iso(Date.now() + 20 * hour);

const followUp = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  surveyId: 's_q1',
  surveyName: 'Q1 NPS',
  invitationId: `r_${'0'.repeat(24)}`,
  responseUrl: 'http://127.0.0.1:3000/admin/responses/r_000000000000000000000000',
  score: 3,
  segment: 'detractor',
  comment: 'The export keeps timing out\nand support never answered',
  contactId: 'c_abc',
  contactEmail: 'ann@example.test',
  status: 'open',
  assignee: 'kim@example.test',
  dueAt: soon,
  createdAt: iso(Date.now() - 30 * hour),
  updatedAt: iso(Date.now() - 30 * hour),
  history: [],
  ...overrides,
});

/** Two pages: the first names the second by its cursor. */
function pagedFollowUps(first: unknown[], second: unknown[]): Route {
  return (req) =>
    req.query.get('cursor') === 'page2'
      ? { status: 200, json: { followUps: second } }
      : { status: 200, json: { followUps: first, cursor: 'page2' } };
}

describe('followups list', slow, () => {
  it('follows the cursor and shows a table with the overdue marked in words', async () => {
    routes.set(
      'GET /api/followups',
      pagedFollowUps(
        [followUp('fu_late', { dueAt: late, assignee: undefined })],
        [followUp('fu_soon', { segment: 'passive', score: 7, comment: undefined })],
      ),
    );
    const run = await runCli(['followups', 'list']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const gets = requests.filter((r) => r.path === '/api/followups');
    expect(gets.map((r) => [r.query.get('status'), r.query.get('cursor')])).toEqual([
      ['open', null],
      ['open', 'page2'],
    ]);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+SURVEY\s+SCORE\s+SEGMENT\s+ASSIGNEE\s+DUE\s+COMMENT$/);
    expect(lines).toHaveLength(3);
    const [lateRow, soonRow] = [lines[1] ?? '', lines[2] ?? ''];
    expect(lateRow).toMatch(/^fu_late\s+Q1 NPS\s+3\s+detractor\s+-\s+/);
    expect(lateRow).toContain(`${late.slice(0, 10)} ${late.slice(11, 16)}Z OVERDUE`);
    // The comment is one line, cut with an ellipsis.
    expect(lateRow).toContain('The export keeps timing out and support…');
    expect(soonRow).toMatch(/^fu_soon\s+Q1 NPS\s+7\s+passive\s+kim@example\.test\s+/);
    expect(soonRow).toContain(`${soon.slice(0, 10)} ${soon.slice(11, 16)}Z`);
    expect(soonRow).not.toContain('OVERDUE');
    expect(soonRow).toMatch(/\s-$/);
  });

  it('asks for closed follow-ups of one survey, and passes them through with --json', async () => {
    const closedAt = iso(Date.now() - hour);
    routes.set(
      'GET /api/followups',
      pagedFollowUps(
        [followUp('fu_a', { status: 'closed', closedAt, note: 'Called her' })],
        [followUp('fu_b', { status: 'closed', closedAt, dueAt: late })],
      ),
    );
    const [json, table] = await Promise.all([
      runCli(['followups', 'list', '--status', 'closed', '--survey', 's_q1', '--json']),
      runCli(['followups', 'list', '--status', 'closed']),
    ]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { id: string; note?: string }[];
    expect(parsed.map((f) => f.id)).toEqual(['fu_a', 'fu_b']);
    expect(parsed[0]?.note).toBe('Called her');
    const withSurvey = requests.filter((r) => r.query.get('surveyId') === 's_q1');
    expect(withSurvey).toHaveLength(2);
    expect(withSurvey.every((r) => r.query.get('status') === 'closed')).toBe(true);
    // Closed ones show when they were closed, and a closed one is never overdue.
    expect(table.stdout.split('\n')[0]).toMatch(/\sCLOSED\s/);
    expect(table.stdout).toContain(`${closedAt.slice(0, 10)} ${closedAt.slice(11, 16)}Z`);
    expect(table.stdout).not.toContain('OVERDUE');
  });

  it('says so when there are none, and refuses an unknown --status before any request', async () => {
    routes.set('GET /api/followups', () => ({ status: 200, json: { followUps: [] } }));
    const [none, bad] = await Promise.all([
      runCli(['followups', 'list']),
      runCli(['followups', 'list', '--status', 'overdue']),
    ]);
    expect(none.code).toBe(0);
    expect(none.stdout.trim()).toBe('No open follow-ups.');
    expectOneLineError(bad, 2, /--status must be open or closed, not "overdue"/);
    expect(requests.filter((r) => r.query.get('status') === 'overdue')).toHaveLength(0);
  });
});

describe('followups close and reopen', slow, () => {
  it('refuses to close without a note, in one line, sending nothing', async () => {
    const runs = await Promise.all([
      runCli(['followups', 'close', 'fu_1']),
      runCli(['followups', 'close', 'fu_1', '--note', '   ']),
    ]);
    for (const run of runs) expectOneLineError(run, 2, /followups close needs --note TEXT/);
    expect(requests).toHaveLength(0);
  });

  it('closes with the note and reopens', async () => {
    routes.set('PATCH /api/followups/fu_1', (req) => {
      const body = JSON.parse(req.body) as { status: string; note?: string };
      return {
        status: 200,
        json: followUp('fu_1', { ...body, ...(body.status === 'closed' && { closedAt: iso(Date.now()) }) }),
      };
    });
    const close = await runCli(['followups', 'close', 'fu_1', '--note', 'Called her; refund sent']);
    expect(close.stderr).toBe('');
    expect(close.stdout.trim()).toBe('Follow-up fu_1 is closed.');
    const reopen = await runCli(['followups', 'reopen', 'fu_1', '--json']);
    expect(reopen.code).toBe(0);
    expect((JSON.parse(reopen.stdout) as { status: string }).status).toBe('open');
    const patches = requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => JSON.parse(r.body))).toEqual([
      { status: 'closed', note: 'Called her; refund sent' },
      { status: 'open' },
    ]);
  });

  it("passes the server's refusal on as one line", async () => {
    routes.set('PATCH /api/followups/fu_gone', () => ({
      status: 404,
      json: { error: { code: 'not_found', message: 'no follow-up fu_gone' } },
    }));
    const run = await runCli(['followups', 'reopen', 'fu_gone']);
    expectOneLineError(run, 1, /no follow-up fu_gone \(HTTP 404 not_found\)/);
  });
});

const delivery = (id: string, status: string, overrides: Record<string, unknown> = {}) => ({
  id,
  webhookId: `msg_${id}`,
  channel: 'webhook',
  surveyId: 's_q1',
  ruleId: 'rule_1',
  responseId: `r_${'1'.repeat(24)}`,
  url: 'https://hooks.example.test/npswave',
  format: 'json',
  status,
  attempts: [],
  tries: 0,
  createdAt: iso(Date.now() - 2 * hour),
  ...overrides,
});

describe('webhooks', slow, () => {
  it('lists deliveries of a status page by page, with attempts, the last result and the next attempt', async () => {
    const next = iso(Date.now() + hour);
    routes.set('GET /api/webhook-deliveries', (req) => {
      if (req.query.get('status') !== 'pending') return { status: 200, json: { deliveries: [] } };
      return req.query.get('cursor') === 'p2'
        ? { status: 200, json: { deliveries: [delivery('d_2', 'pending', { nextAttemptAt: next })] } }
        : {
            status: 200,
            json: {
              deliveries: [
                delivery('d_1', 'pending', {
                  nextAttemptAt: next,
                  attempts: [
                    { at: iso(Date.now() - hour), status: 503, latencyMs: 120 },
                    { at: iso(Date.now() - 30 * 60_000), error: 'timeout after 10 s', latencyMs: 10_000 },
                  ],
                }),
              ],
              cursor: 'p2',
            },
          };
    });
    const run = await runCli(['webhooks', 'deliveries', '--status', 'pending']);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+SURVEY\s+TARGET\s+ATTEMPTS\s+LAST\s+NEXT ATTEMPT$/);
    expect(lines[1]).toMatch(
      /^d_1\s+pending\s+s_q1\s+hooks\.example\.test\/npswave\s+2\s+timeout after 10 s\s+/,
    );
    expect(lines[1]).toContain(`${next.slice(0, 10)} ${next.slice(11, 16)}Z`);
    expect(lines[2]).toMatch(/^d_2\s+pending\s+s_q1\s+hooks\.example\.test\/npswave\s+0\s+-\s+/);
    expect(requests.map((r) => r.query.get('cursor'))).toEqual([null, 'p2']);
  });

  it('without --status, lists pending, failed and delivered, and notes what --limit left out', async () => {
    routes.set('GET /api/webhook-deliveries', (req) => {
      const status = req.query.get('status') ?? '';
      const attempts = [
        { at: iso(Date.now() - hour), status: status === 'failed' ? 410 : 200, latencyMs: 80 },
      ];
      return {
        status: 200,
        json: {
          deliveries: [
            delivery(`d_${status}_1`, status, { attempts }),
            delivery(`d_${status}_2`, status, { attempts }),
          ],
          ...(status === 'delivered' && { cursor: 'more' }),
        },
      };
    });
    const run = await runCli(['webhooks', 'deliveries', '--limit', '2']);
    expect(run.code).toBe(0);
    expect(requests.map((r) => r.query.get('status'))).toEqual(['pending', 'failed', 'delivered']);
    const ids = run.stdout
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0])
      .filter((id) => id?.startsWith('d_'));
    expect(ids).toEqual([
      'd_pending_1',
      'd_pending_2',
      'd_failed_1',
      'd_failed_2',
      'd_delivered_1',
      'd_delivered_2',
    ]);
    expect(run.stdout).toMatch(/d_failed_1\s+failed\s+.*HTTP 410\s+-/);
    expect(run.stdout).toContain('more delivered deliveries than --limit 2 shows');
    const bad = await runCli(['webhooks', 'deliveries', '--status', 'sent']);
    expectOneLineError(bad, 2, /--status must be pending, delivered or failed, not "sent"/);
  });

  it('redelivers one delivery', async () => {
    const next = iso(Date.now() + 5000);
    routes.set('POST /api/webhook-deliveries/d_9/redeliver', () => ({
      status: 202,
      json: delivery('d_9', 'pending', { nextAttemptAt: next }),
    }));
    const run = await runCli(['webhooks', 'redeliver', 'd_9']);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(
      `Delivery d_9 is pending, next attempt ${next.slice(0, 10)} ${next.slice(11, 16)}Z.`,
    );
  });

  it("replays a range, going on from each answer's next until the range is done", async () => {
    const bodies: { from: string; to: string }[] = [];
    routes.set('POST /api/surveys/s_q1/webhooks/replay', (req) => {
      const body = JSON.parse(req.body) as { from: string; to: string };
      bodies.push(body);
      if (bodies.length === 1)
        return { status: 202, json: { replayed: 100, next: '2026-03-01T18:00:00.000Z' } };
      if (bodies.length === 2)
        return { status: 202, json: { replayed: 100, next: '2026-03-02T06:00:00.000Z' } };
      return { status: 202, json: { replayed: 17 } };
    });
    const run = await runCli([
      'webhooks',
      'replay',
      's_q1',
      '--from',
      '2026-03-01',
      '--to',
      '2026-03-02T12:00:00Z',
    ]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(
      'Replayed 217 webhook events of survey s_q1 from 2026-03-01T00:00:00.000Z to 2026-03-02T12:00:00.000Z.',
    );
    expect(bodies).toEqual([
      { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T12:00:00.000Z' },
      { from: '2026-03-01T18:00:00.000Z', to: '2026-03-02T12:00:00.000Z' },
      { from: '2026-03-02T06:00:00.000Z', to: '2026-03-02T12:00:00.000Z' },
    ]);
  });

  it('refuses a replay without a valid range before any request', async () => {
    const runs = await Promise.all([
      runCli(['webhooks', 'replay', 's_q1', '--from', '2026-03-01']),
      runCli(['webhooks', 'replay', 's_q1', '--from', 'yesterday', '--to', '2026-03-02']),
      runCli(['webhooks', 'replay', 's_q1', '--from', '2026-03-02', '--to', '2026-03-01']),
    ]);
    expectOneLineError(runs[0] as Run, 2, /needs --to ISO/);
    expectOneLineError(runs[1] as Run, 2, /--from must be an ISO 8601 date or time, not "yesterday"/);
    expectOneLineError(runs[2] as Run, 2, /--from must be before --to/);
    expect(requests).toHaveLength(0);
  });

  it('lists the new commands in the help', async () => {
    const [tool, group] = await Promise.all([runCli(['--help']), runCli(['webhooks', '--help'])]);
    expect(tool.stdout).toContain('followups list');
    expect(tool.stdout).toContain('webhooks replay');
    expect(group.stdout).toContain('npswave webhooks replay SURVEY_ID --from ISO --to ISO');
  });
});
