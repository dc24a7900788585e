/**
 * Splits a CSV file into uploadable chunks of whole records, each led by the header row, and maps
 * line numbers within a chunk back to the file.
 *
 * Records end at a line break (LF, CRLF or a lone CR) outside quotes (RFC 4180: a field that
 * starts with `"` runs to the next lone `"`, newlines included), and lines are counted as the
 * server's reader (shared/contact/csv.ts) counts them, so that its line numbers can be mapped. It works on bytes: `"`, `,` and `\n` are ASCII, and no byte of
 * a multi-byte UTF-8 sequence is below 0x80, so byte offsets are exact and sizes are wire sizes.
 *
 * Each chunk's records are one contiguous slice of the file, so a chunk's line L (header = line 1)
 * is line `firstLine + L - headerLines - 1` of the file: blank lines and quoted newlines included.
 */
export interface CsvChunk {
  /** The chunk's records, exactly as in the file (a view of it, not a copy). */
  records: Buffer;
  /** Non-blank records in the chunk. */
  rows: number;
  /** Line of the file (1-based) on which the chunk's first record starts. */
  firstLine: number;
}

export interface CsvPlan {
  /** The header row with its line break, without any BOM. */
  header: Buffer;
  /** Physical lines taken by the header row (more than 1 if a header field holds a newline). */
  headerLines: number;
  rows: number;
  chunks: CsvChunk[];
}

export interface ChunkLimits {
  rows: number;
  bytes: number;
}

export const defaultChunkLimits: ChunkLimits = { rows: 1000, bytes: 1024 * 1024 };

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const bom = Buffer.from([0xef, 0xbb, 0xbf]);

interface CsvRecord {
  start: number;
  /** Just past the record's line break (or the end of the file). */
  end: number;
  /** Line breaks inside and at the end of the record. */
  lineBreaks: number;
  blank: boolean;
}

/** Plans the chunks of a whole CSV file. A UTF-8 BOM is dropped (from the header of every chunk). */
export function planCsvChunks(data: Buffer, limits: ChunkLimits = defaultChunkLimits): CsvPlan {
  const start = data.subarray(0, 3).equals(bom) ? 3 : 0;
  const header = readRecord(data, start);
  if (header === undefined) return { header: Buffer.alloc(0), headerLines: 0, rows: 0, chunks: [] };
  const headerBytes = data.subarray(header.start, header.end);
  const headerLines = header.lineBreaks;

  const spans: Span[] = [];
  let rows = 0;
  let open: Span | undefined;
  let line = 1 + headerLines;
  for (let record = readRecord(data, header.end); record; record = readRecord(data, record.end)) {
    const size = record.end - record.start;
    const full =
      open !== undefined &&
      !record.blank &&
      open.rows > 0 &&
      (open.rows >= limits.rows || headerBytes.length + (open.end - open.start) + size > limits.bytes);
    if (full) open = undefined;
    if (open === undefined) {
      open = { start: record.start, end: record.end, rows: 0, firstLine: line };
      spans.push(open);
    }
    open.end = record.end;
    if (!record.blank) {
      open.rows++;
      rows++;
    }
    line += record.lineBreaks;
  }
  // Blank lines at the end form no chunk of their own: they stay with the chunk before them.
  const tail = spans.at(-1);
  const beforeTail = spans.at(-2);
  if (tail !== undefined && tail.rows === 0) {
    spans.pop();
    if (beforeTail !== undefined) beforeTail.end = tail.end;
  }
  const chunks = spans.map((span) => ({
    records: data.subarray(span.start, span.end),
    rows: span.rows,
    firstLine: span.firstLine,
  }));
  return { header: headerBytes, headerLines, rows, chunks };
}

interface Span {
  start: number;
  end: number;
  rows: number;
  firstLine: number;
}

/** What to upload for a chunk: the header row, then the chunk's records. */
export function chunkBody(plan: CsvPlan, chunk: CsvChunk): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(plan.header.length + chunk.records.length);
  body.set(plan.header);
  body.set(chunk.records, plan.header.length);
  return body;
}

/** The line of the file that a chunk's line number refers to (the header is line 1 of both). */
export function lineInFile(chunk: CsvChunk, headerLines: number, lineInChunk: number): number {
  if (lineInChunk <= headerLines) return lineInChunk;
  return chunk.firstLine + (lineInChunk - headerLines - 1);
}

/** Reads one record from `start`; undefined at the end of the data. */
function readRecord(data: Buffer, start: number): CsvRecord | undefined {
  if (start >= data.length) return undefined;
  let inQuotes = false;
  let fieldStart = true;
  let lineBreaks = 0;
  let blank = true;
  let i = start;
  while (i < data.length) {
    const byte = data[i];
    i++;
    if (inQuotes) {
      if (byte === QUOTE) {
        if (data[i] === QUOTE) i++;
        else inQuotes = false;
      } else if (byte === LF) {
        lineBreaks++;
      }
      continue;
    }
    if (byte === LF) return { start, end: i, lineBreaks: lineBreaks + 1, blank };
    if (byte === CR) {
      // CRLF ends at its LF; a lone CR (old Mac files) is a line break of its own, as on the server.
      if (data[i] === LF) continue;
      return { start, end: i, lineBreaks: lineBreaks + 1, blank };
    }
    blank = false;
    if (byte === QUOTE && fieldStart) inQuotes = true;
    fieldStart = byte === COMMA;
  }
  return { start, end: i, lineBreaks, blank };
}
