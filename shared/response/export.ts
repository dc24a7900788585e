/**
 * The CSV export, in parts: no Lambda answer may exceed 6 MB and no API Gateway request may take
 * 30 s, so a survey's answers leave in parts of at most `partBytes` (4 MB by default) and a bounded
 * read each. The first part starts with the header row; each part that is not the last names the
 * cursor of the next, and the parts concatenated are the whole export, every answer once.
 */
import { optionalEnv } from '../config.ts';
import type { Survey } from '../survey/schema.ts';
import {
  decodeAnswerCursor,
  encodeAnswerCursor,
  type ReadBudget,
  type ResponseView,
  readAnswers,
} from './list.ts';

export const csvColumns = [
  'waveId',
  'contactId',
  'score',
  'segment',
  'comment',
  'respondedAt',
  'firstRespondedAt',
] as const;

const csvField = (value: unknown): string => {
  const text = value === undefined || value === null ? '' : String(value);
  // Quote always when needed; neutralise spreadsheet formulas (=, +, -, @ at the start).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

const csvLine = (r: ResponseView): string => `${csvColumns.map((c) => csvField(r[c])).join(',')}\r\n`;

/**
 * What a line costs of Lambda's 6 MB: the answer travels as a JSON string, where quotes, line
 * breaks and control characters take two bytes or more (a comment of quotes doubles in size).
 */
const payloadBytes = (line: string): number => Buffer.byteLength(JSON.stringify(line)) - 2;

/** 4 MB: room under Lambda's 6 MB for headers and the JSON around the body. */
export const defaultPartBytes = 4 * 1024 * 1024;
/**
 * Reads of one part: a 4 MB part of short rows (~100 bytes) is ~40,000 answers, about 40 query
 * pages of 1,000; 12 s keeps a part well inside API Gateway's 30 s and the function's 28 s.
 */
const partBudget: ReadBudget = { reads: 60, ms: 12_000 };
/** The shortest row a part can hold (ids, a score, two times): sizes reads, not a limit. */
const shortestRowBytes = 80;

/**
 * The part size: `NPSWAVE_EXPORT_PART_BYTES` when set (tests make parts of a few rows with it),
 * else 4 MB.
 */
export function exportPartBytes(): number {
  const set = Number(optionalEnv('NPSWAVE_EXPORT_PART_BYTES'));
  return Number.isInteger(set) && set > 0 ? Math.min(set, defaultPartBytes) : defaultPartBytes;
}

export interface CsvPart {
  /** The rows, after the header row in the first part. */
  csv: string;
  /** Answers in this part. */
  rows: number;
  /** The next part's cursor; absent on the last part. */
  cursor?: string;
}

/**
 * One part of the export: the first without `cursor` (with the header row), the next ones with
 * the cursor the previous gave. At least one answer per part, however long, so parts always move on.
 */
export async function responsesCsvPart(
  survey: Survey,
  cursor: string | undefined,
  options: { partBytes?: number; header?: boolean } = {},
): Promise<CsvPart> {
  const limit = options.partBytes ?? exportPartBytes();
  const from = decodeAnswerCursor(cursor);
  const header = (options.header ?? from === undefined) ? `${csvColumns.join(',')}\r\n` : '';
  const lines: string[] = [header];
  let bytes = payloadBytes(header);
  let rows = 0;
  const next = await readAnswers(survey, from, partBudget, {
    take(answer) {
      const line = csvLine(answer);
      const cost = payloadBytes(line);
      if (rows > 0 && bytes + cost > limit) return false;
      lines.push(line);
      bytes += cost;
      rows++;
      return true;
    },
    room: () => Math.ceil((limit - bytes) / shortestRowBytes),
  });
  return { csv: lines.join(''), rows, ...(next && { cursor: encodeAnswerCursor(next) }) };
}
