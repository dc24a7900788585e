/**
 * The CSV chunker of `npswave contacts import`: whole records only, header on each chunk, and line
 * numbers that map back to the file.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkBody, lineInFile, planCsvChunks } from '../../cli/csv-chunks.ts';

const plan = (text: string, rows: number, bytes = 1024 * 1024) =>
  planCsvChunks(Buffer.from(text), { rows, bytes });
const bodies = (text: string, rows: number, bytes?: number) => {
  const p = plan(text, rows, bytes);
  return p.chunks.map((c) => Buffer.from(chunkBody(p, c)).toString('utf8'));
};

describe('planCsvChunks', () => {
  it('splits by rows, with the header on every chunk', () => {
    expect(bodies('email\na@x.io\nb@x.io\nc@x.io\n', 2)).toEqual([
      'email\na@x.io\nb@x.io\n',
      'email\nc@x.io\n',
    ]);
  });

  it('never splits inside a quoted field, newlines and escaped quotes included', () => {
    const text = 'email,note\na@x.io,"one\ntwo"\nb@x.io,"say ""hi""\nthere, ok"\nc@x.io,plain\n';
    expect(bodies(text, 1)).toEqual([
      'email,note\na@x.io,"one\ntwo"\n',
      'email,note\nb@x.io,"say ""hi""\nthere, ok"\n',
      'email,note\nc@x.io,plain\n',
    ]);
  });

  it('keeps CRLF line ends and a last row without a line break', () => {
    expect(bodies('email\r\na@x.io\r\nb@x.io', 1)).toEqual(['email\r\na@x.io\r\n', 'email\r\nb@x.io']);
  });

  it('treats a quote inside an unquoted field as text', () => {
    const p = plan('email,note\na@x.io,5" screen\nb@x.io,ok\n', 1);
    expect(p.rows).toBe(2);
    expect(p.chunks.map((c) => c.firstLine)).toEqual([2, 3]);
  });

  it('splits by size, a single oversized record going alone', () => {
    const big = `big@x.io,${'x'.repeat(100)}\n`;
    const chunks = bodies(`email,n\na@x.io,1\nb@x.io,2\n${big}c@x.io,3\n`, 1000, 40);
    expect(chunks).toEqual(['email,n\na@x.io,1\nb@x.io,2\n', `email,n\n${big}`, 'email,n\nc@x.io,3\n']);
  });

  it('drops a UTF-8 BOM and counts multi-byte characters as bytes', () => {
    const p = plan('\uFEFFemail,name\nå@x.io,Åsa\n', 10);
    expect(Buffer.from(p.header).toString('utf8')).toBe('email,name\n');
    expect(p.rows).toBe(1);
  });

  it('counts no blank lines as rows and makes no chunk of trailing ones', () => {
    const p = plan('email\n\na@x.io\n\n\n', 1);
    expect(p.rows).toBe(1);
    expect(p.chunks).toHaveLength(1);
    expect(p.chunks[0]?.firstLine).toBe(2);
  });

  it('finds no rows in a header-only or empty file', () => {
    expect(plan('email\n', 10).rows).toBe(0);
    expect(plan('', 10).chunks).toEqual([]);
  });

  it('maps a chunk line to the file line, also under a multi-line header', () => {
    const text = 'email,"two\nline header"\na@x.io,1\nb@x.io,"x\ny"\nc@x.io,3\n';
    const p = plan(text, 1);
    expect(p.headerLines).toBe(2);
    expect(p.chunks.map((c) => c.firstLine)).toEqual([3, 4, 6]);
    const third = p.chunks[2];
    if (third === undefined) throw new Error('no third chunk');
    expect(lineInFile(third, p.headerLines, 3)).toBe(6); // the chunk's first record
    expect(lineInFile(third, p.headerLines, 1)).toBe(1); // the header
  });

  it('holds every record exactly once, in order, whatever the limits (property)', () => {
    const field = fc.oneof(
      fc.stringMatching(/^[a-z@. ]{0,8}$/),
      fc.stringMatching(/^[a-z,"\n ]{0,8}$/).map((s) => `"${s.replaceAll('"', '""')}"`),
    );
    const record = fc.array(field, { minLength: 1, maxLength: 3 }).map((fs) => `${fs.join(',')}\n`);
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 200 }),
        (records, rows, bytes) => {
          const header = 'h1,"h\n2"\n';
          const text = header + records.join('');
          const boundaries = new Set<number>();
          let offset = header.length;
          for (const r of records) {
            offset += r.length;
            boundaries.add(offset);
          }
          const p = plan(text, rows, bytes);
          const rest = text.slice(header.length);
          if (p.chunks.length === 0) {
            expect(rest).toMatch(/^\n*$/); // only blank lines: nothing to import
            return;
          }
          let start = header.length;
          for (const c of p.chunks) {
            const records = Buffer.from(c.records).toString('utf8');
            expect(Buffer.from(chunkBody(p, c)).toString('utf8')).toBe(header + records);
            expect(text.slice(start, start + records.length)).toBe(records);
            expect(c.firstLine).toBe(text.slice(0, start).split('\n').length);
            expect(c.rows).toBeLessThanOrEqual(rows);
            start += records.length;
            expect(boundaries.has(start)).toBe(true); // ends where a record ends
          }
          expect(start).toBe(text.length);
        },
      ),
    );
  });
});
