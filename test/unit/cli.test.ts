/**
 * The npswave CLI as users run it: a child process (`node cli/npswave.js …`) against a fake admin
 * API that records every request and answers as CONTRACT.md says.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The server's own CSV reader numbers the lines in the fake, so the CLI's mapping is checked against it.
import { parseCsv } from '../../shared/contact/csv.ts';

const cliPath = fileURLToPath(new URL('../../cli/npswave.js', import.meta.url));
const adminKey = 'test-admin-key';

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Answer {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
}

type Route = (req: Recorded) => Answer;

/** The admin API as the contract describes it, with routes each test fills in. */
class FakeAdminApi {
  readonly requests: Recorded[] = [];
  routes = new Map<string, Route>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const recorded: Recorded = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(recorded);
        const answer = this.answer(recorded);
        res.writeHead(answer.status, {
          'content-type': answer.contentType ?? 'application/json; charset=utf-8',
        });
        res.end(answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json)));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  reset(): void {
    this.requests.length = 0;
    this.routes.clear();
  }

  on(route: string, handler: Route): void {
    this.routes.set(route, handler);
  }

  requestsTo(method: string, path: string): Recorded[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  private answer(req: Recorded): Answer {
    const auth = req.headers.authorization;
    if (auth === undefined) return apiError(401, 'unauthorized', 'an admin key is required');
    if (auth !== `Bearer ${adminKey}`) return apiError(403, 'forbidden', 'the admin key is not valid');
    const route = this.routes.get(`${req.method} ${req.path}`);
    return route ? route(req) : apiError(404, 'not_found', `no such resource: ${req.path}`);
  }
}

const apiError = (status: number, code: string, message: string): Answer => ({
  status,
  json: { error: { code, message } },
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with a clean environment: only what the test passes reaches it. */
function runCli(
  args: string[],
  env: Record<string, string> = {},
  onSpawn?: (child: ReturnType<typeof spawn>) => void,
): Promise<Run> {
  const base: Record<string, string> = {};
  for (const [k, val] of Object.entries(process.env)) {
    if (val !== undefined && !k.startsWith('NPSWAVE_') && k !== 'NO_COLOR' && k !== 'FORCE_COLOR')
      base[k] = val;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...base, ...env } });
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
    onSpawn?.(child);
  });
}

/** The one-line failure the contract asks for. */
function expectOneLineError(run: Run, pattern: RegExp): void {
  expect(run.code).not.toBe(0);
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^npswave: /);
  expect(lines[0]).toMatch(pattern);
}

/** Each case starts Node and tsx at least once: seconds on a busy machine. */
const slow = { timeout: 60_000 };

const fake = new FakeAdminApi();
let dir = '';
let env: Record<string, string> = {};

beforeAll(async () => {
  await fake.start();
  dir = await mkdtemp(join(tmpdir(), 'npswave-cli-'));
});
afterAll(async () => {
  await fake.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.reset();
  env = { NPSWAVE_URL: fake.url, NPSWAVE_ADMIN_KEY: adminKey };
});

describe('connection and errors', slow, () => {
  it('sends the admin key as a Bearer token', async () => {
    fake.on('GET /api/surveys', () => ({ status: 200, json: [] }));
    const run = await runCli(['surveys', 'list']);
    expect(run.code).toBe(1); // no env: no key
    const ok = await runCli(['surveys', 'list'], env);
    expect(ok.code).toBe(0);
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${adminKey}`);
  });

  it('takes --url and --key over the environment', async () => {
    fake.on('GET /api/surveys', () => ({ status: 200, json: [] }));
    const run = await runCli(['surveys', 'list', '--url', fake.url, '--key', adminKey], {
      NPSWAVE_URL: 'http://127.0.0.1:1',
      NPSWAVE_ADMIN_KEY: 'other',
    });
    expect(run.code).toBe(0);
    expect(fake.requests).toHaveLength(1);
  });

  it('fails clearly without a key, before any request', async () => {
    const run = await runCli(['score', 'S1'], { NPSWAVE_URL: fake.url });
    expectOneLineError(run, /no admin key.*--key.*NPSWAVE_ADMIN_KEY/);
    expect(run.code).toBe(1);
    expect(fake.requests).toHaveLength(0);
  });

  it('maps a 401 to one line with a hint', async () => {
    fake.on('GET /api/surveys/S1/score', () =>
      apiError(401, 'unauthorized', 'the admin key has been revoked'),
    );
    const run = await runCli(['score', 'S1'], env);
    expectOneLineError(run, /^npswave: the admin key has been revoked \(HTTP 401 unauthorized\); pass --key/);
    expect(run.code).toBe(1);
  });

  it('maps a 403 (wrong key) to one line', async () => {
    const run = await runCli(['score', 'S1', '--key', 'wrong'], env);
    expectOneLineError(run, /the admin key is not valid \(HTTP 403 forbidden\)/);
  });

  it('maps a 404 to one line', async () => {
    const run = await runCli(['score', 'nope'], env);
    expectOneLineError(
      run,
      /^npswave: no such resource: \/api\/surveys\/nope\/score \(HTTP 404 not_found\)$/,
    );
  });

  it('maps a 409 to one line', async () => {
    fake.on('POST /api/surveys/S1/waves', () => apiError(409, 'conflict', 'survey S1 is not published'));
    const run = await runCli(['waves', 'send', 'S1'], env);
    expectOneLineError(run, /^npswave: survey S1 is not published \(HTTP 409 conflict\)$/);
  });

  it('keeps a multi-line server message on one line', async () => {
    fake.on('GET /api/surveys/S1/score', () => apiError(400, 'bad_request', 'first\nsecond'));
    const run = await runCli(['score', 'S1'], env);
    expectOneLineError(run, /first second/);
  });

  it('says so when the stack cannot be reached', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const run = await runCli(['score', 'S1'], { ...env, NPSWAVE_URL: url });
    expectOneLineError(run, new RegExp(`^npswave: cannot reach ${url} \\(is npm start running\\?\\)$`));
    expect(run.code).toBe(1);
  });

  it('exits 2 on an unknown command, flag or missing argument', async () => {
    const cases = [['frobnicate'], ['score', 'S1', '--bogus'], ['score'], ['surveys', 'nope'], []];
    const runs = await Promise.all(cases.map((args) => runCli(args, env)));
    for (const [i, run] of runs.entries()) {
      expectOneLineError(run, /./);
      expect(run.code, cases[i]?.join(' ')).toBe(2);
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('prints help and the version', async () => {
    const [help, commandHelp, version] = await Promise.all([
      runCli(['--help']),
      runCli(['contacts', 'import', '--help']),
      runCli(['--version']),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('contacts import');
    expect(commandHelp.code).toBe(0);
    expect(commandHelp.stdout).toMatch(/Exit status: 0 when any row was imported/);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

/** POST /api/contacts/import: upserts valid rows, reports the rest by line of the chunk. */
function importRoute(seen: Set<string>, bodies: string[]): Route {
  return (req) => {
    bodies.push(req.body);
    if (!req.headers['content-type']?.startsWith('text/csv')) {
      return apiError(415, 'unsupported_media_type', 'expected text/csv');
    }
    const [header, ...rows] = parseCsv(req.body).records;
    const emailAt = header?.fields.indexOf('email') ?? -1;
    if (emailAt < 0) return apiError(400, 'bad_request', 'the header row has no email column');
    let created = 0;
    let updated = 0;
    const errors: { line: number; message: string }[] = [];
    const inChunk = new Map<string, number>();
    for (const row of rows) {
      const email = row.fields[emailAt] ?? '';
      const first = inChunk.get(email);
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        errors.push({ line: row.line, message: `invalid email "${email}"` });
      } else if (first !== undefined) {
        errors.push({ line: row.line, message: `duplicate of line ${first} (the first one is kept)` });
      } else {
        inChunk.set(email, row.line);
        if (seen.has(email)) updated++;
        else {
          seen.add(email);
          created++;
        }
      }
    }
    return { status: 200, json: { created, updated, errors } };
  };
}

/**
 * 2,500 rows, some with quoted newlines (also at the chunk seams); bad emails on the first row,
 * line 1,703 and the last row; a duplicate email in the third chunk.
 */
function bigCsv(): { text: string; badLines: number[]; lineOfRow: number[] } {
  const parts = ['email,name,note\n'];
  const badLines: number[] = [];
  const lineOfRow: number[] = [];
  let line = 2;
  for (let i = 0; i < 2500; i++) {
    lineOfRow.push(line);
    const bad = i === 0 || line === 1703 || i === 2499;
    if (bad) badLines.push(line);
    // Row 2,400 repeats row 2,300's email: both in the third chunk.
    const email = bad ? `bad${i}@` : `user${i === 2400 ? 2300 : i}@example.test`;
    const multiLine = (i % 7 === 3 || i === 999 || i === 1000 || i === 1999) && line !== 1702;
    const note = multiLine ? `"first line\nsecond, with ""quotes"""` : `plain ${i}`;
    parts.push(`${email},"Name, ${i}",${note}\n`);
    line += multiLine ? 2 : 1;
  }
  return { text: parts.join(''), badLines, lineOfRow };
}

describe('contacts import', slow, () => {
  it('uploads a big file in chunks of whole records and maps error lines back to the file', async () => {
    const bodies: string[] = [];
    fake.on('POST /api/contacts/import', importRoute(new Set(), bodies));
    const { text, badLines, lineOfRow } = bigCsv();
    expect(badLines).toContain(1703);
    const file = join(dir, 'big.csv');
    await writeFile(file, text);

    const run = await runCli(['contacts', 'import', file, '--json'], {
      ...env,
      NPSWAVE_IMPORT_CHUNK_ROWS: '1000',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    expect(bodies).toHaveLength(3);
    const rowsPerChunk = bodies.map((body) => {
      expect(body.startsWith('email,name,note\n')).toBe(true);
      return parseCsv(body).records.length - 1;
    });
    expect(rowsPerChunk).toEqual([1000, 1000, 500]);
    // Nothing lost or duplicated at the seams: the chunks hold the file's records, in order.
    expect(bodies.map((b) => b.slice('email,name,note\n'.length)).join('')).toBe(text.slice(16));

    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ rows: 2500, created: 2496, updated: 0 });
    const [dupOf, dup] = [lineOfRow[2300], lineOfRow[2400]];
    expect(summary.errors).toEqual(
      [
        ...badLines.map((line) => ({ line, message: expect.stringMatching(/^invalid email "bad\d+@"$/) })),
        { line: dup, message: `duplicate of line ${dupOf} (the first one is kept)` },
      ].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
    );
    expect(summary.errors.map((e: { line: number }) => e.line)).toContain(1703);
  });

  it('prints a summary and a per-line report, and exits 0 when some rows were imported', async () => {
    fake.on('POST /api/contacts/import', importRoute(new Set(['old@example.test']), []));
    const file = join(dir, 'some.csv');
    await writeFile(
      file,
      'email,name\nold@example.test,Old\r\n"bob@",Bob\nnew@example.test,"New\nLine"\nann@x,Ann\n',
    );
    const run = await runCli(['contacts', 'import', file], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('4 rows, 1 created, 1 updated, 2 errors');
    expect(run.stdout).toContain('line 3: invalid email "bob@"');
    expect(run.stdout).toContain('line 6: invalid email "ann@x"');
  });

  it('strips a BOM so the header reaches the server clean', async () => {
    const bodies: string[] = [];
    fake.on('POST /api/contacts/import', importRoute(new Set(), bodies));
    const file = join(dir, 'bom.csv');
    await writeFile(file, '\uFEFFemail\na@example.test\n');
    const run = await runCli(['contacts', 'import', file], env);
    expect(run.code).toBe(0);
    expect(bodies).toEqual(['email\na@example.test\n']);
  });

  it('exits non-zero when no row could be imported, still listing the lines', async () => {
    fake.on('POST /api/contacts/import', importRoute(new Set(), []));
    const file = join(dir, 'bad.csv');
    await writeFile(file, 'email\nnope\nalso-nope\n');
    const run = await runCli(['contacts', 'import', file], env);
    expectOneLineError(run, /no contacts imported from .*bad\.csv \(2 of 2 rows rejected\)/);
    expect(run.stdout).toContain('line 2: invalid email "nope"');
    expect(run.stdout).toContain('line 3: invalid email "also-nope"');
  });

  it('exits non-zero when the server refuses a chunk', async () => {
    fake.on('POST /api/contacts/import', importRoute(new Set(), []));
    const file = join(dir, 'noemail.csv');
    await writeFile(file, 'name\nBob\n');
    const run = await runCli(['contacts', 'import', file], env);
    expectOneLineError(run, /the header row has no email column \(HTTP 400 bad_request\)/);
  });

  it('fails clearly on a missing file and on a file without rows', async () => {
    const missing = await runCli(['contacts', 'import', join(dir, 'nope.csv')], env);
    expectOneLineError(missing, /cannot read .*nope\.csv: no such file/);
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, 'email\n');
    const noRows = await runCli(['contacts', 'import', empty], env);
    expectOneLineError(noRows, /has no rows to import/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('surveys', slow, () => {
  it('creates a survey from a file and flags, flags winning, and prints its id', async () => {
    fake.on('POST /api/surveys', (req) => ({
      status: 201,
      json: { id: 'S9', state: 'draft', ...JSON.parse(req.body) },
    }));
    const file = join(dir, 'survey.json');
    await writeFile(
      file,
      JSON.stringify({ name: 'From file', windowDays: 7, reminders: { count: 1, afterDays: 3 } }),
    );
    const run = await runCli(
      ['surveys', 'create', '--kind', 'nps', '--name', 'Q3 NPS', '--company', 'Acme', '--file', file],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('S9\n');
    const [req] = fake.requestsTo('POST', '/api/surveys');
    expect(req?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(req?.body ?? '')).toEqual({
      kind: 'nps',
      name: 'Q3 NPS',
      companyName: 'Acme',
      windowDays: 7,
      reminders: { count: 1, afterDays: 3 },
    });
    const json = await runCli(['surveys', 'create', '--kind', 'csat', '--name', 'Support', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 'S9', kind: 'csat', state: 'draft' });
  });

  it('rejects a bad --kind as a usage error', async () => {
    const run = await runCli(['surveys', 'create', '--kind', 'xyz', '--name', 'N'], env);
    expectOneLineError(run, /--kind must be nps, csat or ces/);
    expect(run.code).toBe(2);
  });

  it('publishes, unpublishes and lists', async () => {
    fake.on('POST /api/surveys/S1/publish', () => ({ status: 200, json: { id: 'S1', state: 'published' } }));
    fake.on('POST /api/surveys/S1/unpublish', () => ({ status: 200, json: { id: 'S1', state: 'draft' } }));
    fake.on('GET /api/surveys', () => ({
      status: 200,
      json: {
        surveys: [
          { id: 'S1', kind: 'nps', name: 'Quarterly NPS', state: 'published' },
          { id: 'S2', kind: 'csat', name: 'Support', state: 'draft' },
        ],
      },
    }));
    const [published, unpublished, list, json] = await Promise.all([
      runCli(['surveys', 'publish', 'S1'], env),
      runCli(['surveys', 'unpublish', 'S1'], env),
      runCli(['surveys', 'list'], env),
      runCli(['surveys', 'list', '--json'], env),
    ]);
    expect(published.stdout).toContain('S1 is now published');
    expect(unpublished.stdout).toContain('S1 is now draft');
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+KIND\s+NAME\s+STATE$/);
    expect(list.stdout).toMatch(/S1\s+nps\s+Quarterly NPS\s+published/);
    expect(JSON.parse(json.stdout)).toHaveLength(2);
  });
});

describe('waves send', slow, () => {
  const counts = (selected: number, sent: number, failed = 0, suppressed = 0) => ({
    selected,
    sent,
    failed,
    bounced: 0,
    suppressed,
    reminded: 0,
    automated: 0,
    responded: 0,
    expired: 0,
  });

  it('prints the wave id', async () => {
    fake.on('POST /api/surveys/S1/waves', () => ({ status: 202, json: { waveId: 'W1' } }));
    const run = await runCli(['waves', 'send', 'S1'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('W1\n');
  });

  it('with --wait --json, polls the wave until it is no longer sending', async () => {
    fake.on('POST /api/surveys/S1/waves', () => ({ status: 202, json: { waveId: 'W1' } }));
    let polls = 0;
    fake.on('GET /api/waves/W1', () => {
      polls++;
      const status = polls < 4 ? 'sending' : 'open';
      const sent = Math.min(100, polls * 30);
      return {
        status: 200,
        json: {
          id: 'W1',
          surveyId: 'S1',
          status,
          startedAt: '2025-01-01T00:00:00Z',
          counts: counts(100, sent),
        },
      };
    });
    const run = await runCli(['waves', 'send', 'S1', '--wait', '--json'], { ...env, NPSWAVE_POLL_MS: '20' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(polls).toBe(4);
    expect(JSON.parse(run.stdout)).toMatchObject({ id: 'W1', status: 'open', counts: { sent: 100 } });
  });

  it('with --wait, prints the final counts', async () => {
    fake.on('POST /api/surveys/S1/waves', () => ({ status: 202, json: { waveId: 'W2' } }));
    fake.on('GET /api/waves/W2', () => ({
      status: 200,
      json: { id: 'W2', status: 'open', closesAt: '2025-01-15T00:00:00Z', counts: counts(10, 8, 1, 1) },
    }));
    const run = await runCli(['waves', 'send', 'S1', '--wait'], { ...env, NPSWAVE_POLL_MS: '20' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Wave W2 is open.*selected 10, sent 8, failed 1, bounced 0, suppressed 1/);
  });

  it('with --wait, says why a stalled wave cannot go on, and exits non-zero', async () => {
    fake.on('POST /api/surveys/S1/waves', () => ({ status: 202, json: { waveId: 'W4' } }));
    fake.on('GET /api/waves/W4', () => ({
      status: 200,
      json: {
        id: 'W4',
        status: 'sending',
        counts: counts(10, 0),
        stalled: { reason: 'SendingPausedException: Sending is paused', since: '2025-01-01T00:00:00Z' },
      },
    }));
    const run = await runCli(['waves', 'send', 'S1', '--wait'], { ...env, NPSWAVE_POLL_MS: '20' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'npswave: wave W4 is stalled since 2025-01-01T00:00:00Z: SendingPausedException: Sending is paused (it goes on by itself once that is fixed)\n',
    );
  });

  it('exits 130 on Ctrl-C, saying the wave continues', async () => {
    fake.on('POST /api/surveys/S1/waves', () => ({ status: 202, json: { waveId: 'W3' } }));
    let interrupt: () => void = () => {};
    const polled = new Promise<void>((resolve) => {
      interrupt = resolve;
    });
    fake.on('GET /api/waves/W3', () => {
      interrupt();
      return { status: 200, json: { id: 'W3', status: 'sending', counts: counts(100, 1) } };
    });
    const run = await runCli(
      ['waves', 'send', 'S1', '--wait'],
      { ...env, NPSWAVE_POLL_MS: '50' },
      (child) => {
        void polled.then(() => setTimeout(() => child.kill('SIGINT'), 30));
      },
    );
    expect(run.code).toBe(130);
    expect(run.stderr).toBe('npswave: stopped waiting; wave W3 continues on the server\n');
  });
});

const npsScore = {
  kind: 'nps',
  responses: 120,
  distribution: { '0': 2, '3': 4, '5': 6, '6': 8, '7': 10, '8': 20, '9': 30, '10': 40 },
  responseRate: 0.315,
  nps: 41.7,
  promoters: 70,
  passives: 30,
  detractors: 20,
  marginOfError: 9.8,
  waves: [
    {
      waveId: 'W2',
      startedAt: '2025-04-01T09:00:00Z',
      responses: 60,
      nps: 45,
      marginOfError: 12,
      responseRate: 0.3,
    },
    {
      waveId: 'W1',
      startedAt: '2025-01-01T09:00:00Z',
      responses: 60,
      nps: 38.3,
      marginOfError: 14,
      responseRate: 0.33,
    },
  ],
};

describe('score', slow, () => {
  it('--json passes the answer through', async () => {
    fake.on('GET /api/surveys/S1/score', () => ({
      status: 200,
      json: { ...npsScore, extra: { kept: true } },
    }));
    const run = await runCli(['score', 'S1', '--json', '--wave', 'W1'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ ...npsScore, extra: { kept: true } });
    expect(fake.requests[0]?.query.get('wave')).toBe('W1');
  });

  it('shows the NPS with its margin, segments, distribution, rate and waves', async () => {
    fake.on('GET /api/surveys/S1/score', () => ({ status: 200, json: npsScore }));
    const run = await runCli(['score', 'S1'], env);
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toContain('NPS 41.7 ±9.8 (n=120)');
    expect(out).toContain('promoters 70 (58.3%) · passives 30 (25.0%) · detractors 20 (16.7%)');
    expect(out).toContain('response rate 31.5%');
    expect(out).toMatch(/^10 │█{30} 40 {2}33\.3%$/m);
    expect(out).toMatch(/^ 1 │ {32}0 {3}0\.0%$/m);
    // Oldest wave first.
    expect(out.indexOf('W1')).toBeLessThan(out.indexOf('W2'));
    expect(out).toMatch(/2025-04-01\s+W2\s+.*NPS 45 ±12 \(n=60\)\s+rate 30.0%/);
    expect(out).not.toContain('\x1b['); // not a terminal: no colour
  });

  it('with --by, asks for the breakdown and shows a table per value', async () => {
    fake.on('GET /api/surveys/S1/score', () => ({
      status: 200,
      json: {
        ...npsScore,
        segments: {
          pro: { responses: 80, nps: 50, marginOfError: 10.1, promoters: 50, passives: 20, detractors: 10 },
          free: { responses: 40, nps: 25, marginOfError: 20.2, promoters: 20, passives: 10, detractors: 10 },
        },
      },
    }));
    const run = await runCli(['score', 'S1', '--by', 'plan'], env);
    expect(run.code).toBe(0);
    expect(fake.requests[0]?.query.get('by')).toBe('plan');
    expect(run.stdout).toMatch(/^PLAN\s+N\s+NPS\s+±\s+PROM\s+PASS\s+DETR\s+RATE$/m);
    expect(run.stdout).toMatch(/^pro\s+80\s+50\s+±10.1\s+50\s+20\s+10\s+–$/m);
  });

  it('shows CSAT as a mean and satisfied share', async () => {
    fake.on('GET /api/surveys/S2/score', () => ({
      status: 200,
      json: {
        kind: 'csat',
        responses: 10,
        distribution: { '5': 6, '4': 2, '1': 2 },
        mean: 4,
        satisfiedShare: 0.8,
      },
    }));
    const run = await runCli(['score', 'S2'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('CSAT 4 mean, 80.0% satisfied (n=10)');
    expect(run.stdout).toMatch(/^5 │█{30} 6 {2}60\.0%$/m);
  });
});

describe('responses export', slow, () => {
  it('streams the CSV to stdout', async () => {
    const csv = `submittedAt,score,comment\n${'2025-01-01T00:00:00Z,9,"great, really"\n'.repeat(5000)}`;
    fake.on('GET /api/surveys/S1/responses', (req) =>
      req.query.get('format') === 'csv'
        ? { status: 200, text: csv, contentType: 'text/csv; charset=utf-8' }
        : apiError(400, 'bad_request', 'expected format=csv'),
    );
    const run = await runCli(['responses', 'export', 'S1'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(csv);
  });
});
