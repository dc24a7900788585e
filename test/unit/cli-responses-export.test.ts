/**
 * `npswave responses export` as users run it (a child process) against a fake admin API that hands
 * the export out in parts, each naming the next in `Link: rel="next"` as CONTRACT.md says: the
 * command writes one CSV, every part once, even when a part's body breaks off and is fetched again.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextCursorOf } from '../../cli/commands/responses.ts';

const cliPath = fileURLToPath(new URL('../../cli/npswave.js', import.meta.url));
const adminKey = 'test-admin-key';

const header = 'waveId,contactId,score,segment,comment,respondedAt,firstRespondedAt\r\n';
const row = (i: number) =>
  `w_a,c_${i},${i % 11},passive,"line one\r\nline ""two""",2025-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z,2025-01-01T00:00:00.000Z\r\n`;
/** Three parts: the first with the header row, cursors c1 and c2 for the next ones. */
const parts = [
  { cursor: undefined, body: header + Array.from({ length: 400 }, (_, i) => row(i)).join(''), next: 'c1' },
  { cursor: 'c1', body: Array.from({ length: 400 }, (_, i) => row(400 + i)).join(''), next: 'c2' },
  { cursor: 'c2', body: Array.from({ length: 150 }, (_, i) => row(800 + i)).join(''), next: undefined },
];

let server: Server;
let url = '';
const asked: (string | null)[] = [];
/** The cursor whose first answer breaks off halfway through its body. */
let breakOnce: string | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://fake').searchParams;
    if (req.headers.authorization !== `Bearer ${adminKey}` || query.get('format') !== 'csv') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"bad_request","message":"expected format=csv"}}');
      return;
    }
    const cursor = query.get('cursor');
    asked.push(cursor);
    const part = parts.find((p) => (p.cursor ?? null) === cursor);
    if (!part) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"bad_request","message":"cursor is not one this API gave out"}}');
      return;
    }
    const body = Buffer.from(part.body);
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-length': String(body.length),
      'x-npswave-rows': String(part.body.split('\r\nw_a').length - (part.cursor ? 0 : 1)),
      ...(part.next && {
        link: `</api/surveys/S1/responses?format=csv&cursor=${part.next}>; rel="next"`,
      }),
    });
    if (breakOnce !== undefined && cursor === breakOnce) {
      breakOnce = undefined;
      res.write(body.subarray(0, body.length >> 1), () => res.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function runExport(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('NPSWAVE_')) env[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'responses', 'export', 'S1'], {
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

describe('responses export', { timeout: 60_000 }, () => {
  it('follows the parts and writes one CSV, each part once', async () => {
    asked.length = 0;
    const run = await runExport();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(asked).toEqual([null, 'c1', 'c2']);
    expect(run.stdout).toBe(parts.map((p) => p.body).join(''));
  });

  it('fetches a part again when its body breaks off, writing none of it twice', async () => {
    asked.length = 0;
    breakOnce = 'c1';
    const run = await runExport();
    expect(run.code).toBe(0);
    expect(asked).toEqual([null, 'c1', 'c1', 'c2']);
    expect(run.stdout).toBe(parts.map((p) => p.body).join(''));
  });
});

describe('the next part in a Link header', () => {
  it('is the cursor of rel="next", wherever the link points', () => {
    expect(nextCursorOf('</api/surveys/s_1/responses?format=csv&cursor=abc_-1>; rel="next"')).toBe('abc_-1');
    expect(nextCursorOf('<https://x.example/prod/api/s?cursor=Zz&format=csv>; rel=next')).toBe('Zz');
    expect(nextCursorOf('</a?cursor=p>; rel="prev", </a?cursor=n>; rel="next"')).toBe('n');
    expect(nextCursorOf(null)).toBeUndefined();
    expect(nextCursorOf('</a?cursor=p>; rel="prev"')).toBeUndefined();
  });
});
