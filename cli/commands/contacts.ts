/**
 * `npswave contacts import FILE.csv`: reads the file, uploads it in chunks of whole records, and
 * reports what was created, updated and rejected, with the rejected rows' lines in the file.
 */
import { readFile } from 'node:fs/promises';
import * as v from 'valibot';
import type { Command, Context } from '../command.ts';
import {
  type ChunkLimits,
  type CsvChunk,
  type CsvPlan,
  chunkBody,
  defaultChunkLimits,
  lineInFile,
  planCsvChunks,
} from '../csv-chunks.ts';
import { CliError, UsageError } from '../errors.ts';
import { ApiError } from '../http.ts';
import { formatNumber } from '../terminal.ts';

const importAnswer = v.looseObject({
  created: v.optional(v.number(), 0),
  updated: v.optional(v.number(), 0),
  errors: v.optional(
    v.array(
      v.looseObject({
        line: v.optional(v.number()),
        email: v.optional(v.string()),
        message: v.optional(v.string(), 'rejected'),
      }),
    ),
    [],
  ),
});

export interface LineError {
  line: number;
  email?: string;
  message: string;
}

export interface ImportSummary {
  file: string;
  rows: number;
  created: number;
  updated: number;
  errors: LineError[];
}

const importContacts: Command = {
  words: ['contacts', 'import'],
  args: ['FILE.csv'],
  options: {},
  summary: 'Import contacts from a CSV file (upsert by email)',
  usage: 'contacts import FILE.csv',
  help: `Uploads a CSV file to POST /api/contacts/import. The header row names the columns: email
(required), name, locale, timezone (IANA), customerSince (ISO date); any other column becomes a
contact property. Contacts are matched by email, so importing the same file twice updates them.

Big files go up in chunks of whole records (about 1,000 rows or 1 MB each, the header row in
each), with a progress bar on a terminal. Rows the server rejects are listed with their line in
the file, e.g. \`line 17: invalid email "bob@"\`.

Exit status: 0 when any row was imported, even if other rows were rejected (they are listed);
non-zero when the file cannot be read, no row could be imported, or the server failed.

With --json: {"file", "rows", "created", "updated", "errors": [{"line", "message"}]}.`,
  async run(ctx, { args: [file] }) {
    if (file === undefined) throw new UsageError('missing FILE.csv');
    const plan = planCsvChunks(await readCsv(file), chunkLimits(ctx.env));
    if (plan.rows === 0) throw new CliError(`${file} has no rows to import after the header row`);
    const summary = await uploadChunks(ctx, file, plan);
    if (ctx.json) ctx.printJson(summary);
    else ctx.print(describeSummary(summary));
    if (summary.created + summary.updated === 0) {
      const rejected = `${formatNumber(summary.errors.length)} of ${formatNumber(summary.rows)} rows rejected`;
      throw new CliError(`no contacts imported from ${file} (${rejected})`);
    }
  },
};

export const contactCommands: Command[] = [importContacts];

async function readCsv(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${describeFsError(err)}`);
  }
}

async function uploadChunks(ctx: Context, file: string, plan: CsvPlan): Promise<ImportSummary> {
  const summary: ImportSummary = { file, rows: plan.rows, created: 0, updated: 0, errors: [] };
  const api = ctx.api();
  const bar = ctx.progress('Importing', 'rows');
  let done = 0;
  bar.update(0, plan.rows);
  for (const [i, chunk] of plan.chunks.entries()) {
    let raw: unknown;
    try {
      raw = await api.json('POST', '/api/contacts/import', {
        body: chunkBody(plan, chunk),
        contentType: 'text/csv; charset=utf-8',
        // An import is an upsert by email, so sending a chunk again is harmless.
        retry: true,
      });
    } catch (err) {
      bar.clear();
      throw failedChunk(err, i, plan, done);
    }
    const answer = v.safeParse(importAnswer, raw);
    if (!answer.success) throw new CliError('unexpected answer from POST /api/contacts/import');
    summary.created += answer.output.created;
    summary.updated += answer.output.updated;
    for (const error of answer.output.errors) {
      summary.errors.push(errorInFile(error, chunk, plan.headerLines));
    }
    done += chunk.rows;
    bar.update(done, plan.rows);
  }
  bar.finish();
  summary.errors.sort((a, b) => a.line - b.line);
  return summary;
}

/** A row error with the line numbers of the chunk turned into lines of the file. */
function errorInFile(
  error: { line?: number; email?: string; message: string },
  chunk: CsvChunk,
  headerLines: number,
): LineError {
  const toFile = (n: number) => lineInFile(chunk, headerLines, n);
  // The server names the first of two duplicate rows by its line in the chunk: map that one too.
  const message = error.message.replace(
    /^duplicate of line (\d+)/,
    (_, n: string) => `duplicate of line ${toFile(Number(n))}`,
  );
  const line = error.line === undefined ? chunk.firstLine : toFile(error.line);
  return error.email === undefined ? { line, message } : { line, email: error.email, message };
}

/** A chunk the server refused as a whole: say which rows, and what went in before it. */
function failedChunk(err: unknown, index: number, plan: CsvPlan, rowsDone: number): unknown {
  if (!(err instanceof ApiError) || plan.chunks.length === 1) return err;
  const chunk = plan.chunks[index];
  const where = chunk === undefined ? '' : ` at line ${chunk.firstLine}`;
  const before =
    rowsDone === 0 ? 'nothing imported' : `${formatNumber(rowsDone)} rows before it were imported`;
  return new CliError(
    `${err.message}; stopped at chunk ${index + 1} of ${plan.chunks.length}${where} (${before})`,
  );
}

export function describeSummary(summary: ImportSummary): string {
  const count = (n: number, word: string) => `${formatNumber(n)} ${word}${n === 1 ? '' : 's'}`;
  const head =
    `${summary.file}: ${count(summary.rows, 'row')}, ${formatNumber(summary.created)} created, ` +
    `${formatNumber(summary.updated)} updated, ${count(summary.errors.length, 'error')}`;
  return [head, ...summary.errors.map((e) => `line ${e.line}: ${e.message}`)].join('\n');
}

/** Chunk limits, overridable by NPSWAVE_IMPORT_CHUNK_ROWS and NPSWAVE_IMPORT_CHUNK_BYTES. */
function chunkLimits(env: NodeJS.ProcessEnv): ChunkLimits {
  return {
    rows: positiveInt(env.NPSWAVE_IMPORT_CHUNK_ROWS, 'NPSWAVE_IMPORT_CHUNK_ROWS') ?? defaultChunkLimits.rows,
    bytes:
      positiveInt(env.NPSWAVE_IMPORT_CHUNK_BYTES, 'NPSWAVE_IMPORT_CHUNK_BYTES') ?? defaultChunkLimits.bytes,
  };
}

function positiveInt(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${name} must be a positive whole number, not "${raw}"`);
  return n;
}

function describeFsError(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}
