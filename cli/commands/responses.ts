/**
 * `npswave responses export SURVEY_ID`: the survey's responses as one CSV on stdout. The API hands
 * the export out in parts of at most a few MB (a Lambda answer is at most 6 MB), each naming the
 * next in `Link: <…>; rel="next"`; the command follows them to the end.
 */
import { once } from 'node:events';
import type { Command } from '../command.ts';
import { CliError } from '../errors.ts';
import type { AdminApi } from '../http.ts';

/** A part whose body broke off is fetched again (whole parts only reach stdout, so nothing twice). */
const partAttempts = 3;

/** The cursor of the `rel="next"` link, if the answer has one. */
export function nextCursorOf(link: string | null): string | undefined {
  for (const entry of (link ?? '').split(',')) {
    const match = /<([^>]*)>\s*;\s*rel="?next"?/i.exec(entry);
    if (!match) continue;
    const cursor = new URL(match[1] as string, 'http://relative').searchParams.get('cursor');
    if (cursor) return cursor;
  }
  return undefined;
}

const exportResponses: Command = {
  words: ['responses', 'export'],
  args: ['SURVEY_ID'],
  options: {},
  summary: "Write a survey's responses to stdout as CSV",
  usage: 'responses export SURVEY_ID > responses.csv',
  help: `Fetches GET /api/surveys/SURVEY_ID/responses?format=csv part by part (following each part's
Link: rel="next") and writes one CSV, header row first, every answer once, to stdout. A part holds
at most a few MB, so memory stays small at any number of answers; a part that breaks off is fetched
again. On a terminal, stderr shows how many answers are written. --json does not apply.`,
  async run(ctx, { args: [surveyId = ''] }) {
    const path = `/api/surveys/${encodeURIComponent(surveyId)}/responses`;
    const bar = ctx.progress('Exporting', 'answers');
    let written = 0;
    let cursor: string | undefined;
    try {
      do {
        const { body, rows, next } = await fetchPart(ctx.api(), path, cursor);
        if (next !== undefined && next === cursor) {
          throw new CliError(`the server answered the same part of ${path} twice; stopping`);
        }
        if (!process.stdout.write(body)) await once(process.stdout, 'drain');
        written += rows;
        bar.update(written, 0);
        cursor = next;
      } while (cursor !== undefined);
      bar.finish();
    } catch (err) {
      bar.clear();
      throw err;
    }
  },
};

async function fetchPart(
  api: AdminApi,
  path: string,
  cursor: string | undefined,
): Promise<{ body: Uint8Array; rows: number; next: string | undefined }> {
  for (let attempt = 1; ; attempt++) {
    const response = await api.request('GET', path, {
      query: { format: 'csv', cursor },
      accept: 'text/csv',
      retry: true,
    });
    try {
      const body = new Uint8Array(await response.arrayBuffer());
      return {
        body,
        rows: Number(response.headers.get('x-npswave-rows')) || 0,
        next: nextCursorOf(response.headers.get('link')),
      };
    } catch (err) {
      if (attempt >= partAttempts) {
        throw new CliError(`the export broke off: ${(err as Error).message} (GET ${path})`);
      }
    }
  }
}

export const responseCommands: Command[] = [exportResponses];
