import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../shared/contact/csv.ts';

describe('CSV reader', () => {
  it('reads quoted commas, quotes and newlines, and keeps each record’s first line', () => {
    const { records, problems } = parseCsv(
      'email,name\r\na@x.test,"Doe, Ann"\r\nb@x.test,"Line\nbreak ""quoted"""\r\nc@x.test,C\r\n',
    );
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ['email', 'name'] },
      { line: 2, fields: ['a@x.test', 'Doe, Ann'] },
      { line: 3, fields: ['b@x.test', 'Line\nbreak "quoted"'] },
      { line: 5, fields: ['c@x.test', 'C'] },
    ]);
  });

  it('drops a BOM and blank lines, and reads a last line without newline', () => {
    const { records } = parseCsv('\uFEFFemail\n\na@x.test\nb@x.test');
    expect(records.map((r) => r.fields[0])).toEqual(['email', 'a@x.test', 'b@x.test']);
    expect(records.map((r) => r.line)).toEqual([1, 3, 4]);
  });

  it('reports a quote that never closes', () => {
    const { problems } = parseCsv('email,name\na@x.test,"open\n');
    expect(problems).toEqual([{ line: 2, message: 'a quoted field is never closed' }]);
  });

  it('keeps empty fields', () => {
    expect(parseCsv('a,,c\n').records[0]?.fields).toEqual(['a', '', 'c']);
  });
});
