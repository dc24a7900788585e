/**
 * Upserting contacts in bulk, from JSON or CSV. Each bad row is reported with its index or line;
 * every good row is kept.
 */
import * as v from 'valibot';
import { AppError, badRequest } from '../errors.ts';
import { describeIssues } from '../http.ts';
import { normalizeEmail } from '../ids.ts';
import { parseCsv } from './csv.ts';
import { type ContactInput, contactInput } from './schema.ts';
import { upsertContacts } from './store.ts';

export const maxBatch = 1000;

export interface RowError {
  index?: number;
  line?: number;
  email?: string;
  message: string;
}

export interface ImportResult {
  created: number;
  updated: number;
  errors: RowError[];
}

interface Row {
  ref: { index: number } | { line: number };
  input: unknown;
}

async function upsertRows(rows: Row[]): Promise<ImportResult> {
  const result: ImportResult = { created: 0, updated: 0, errors: [] };
  const seen = new Map<string, string>();
  const valid: { ref: Row['ref']; contact: ContactInput }[] = [];
  for (const row of rows) {
    const parsed = v.safeParse(contactInput, row.input);
    if (!parsed.success) {
      result.errors.push({ ...row.ref, message: describeIssues(parsed.issues) });
      continue;
    }
    const email = normalizeEmail(parsed.output.email);
    const first = seen.get(email);
    if (first !== undefined) {
      result.errors.push({ ...row.ref, email, message: `duplicate of ${first} (the first one is kept)` });
      continue;
    }
    seen.set(email, 'line' in row.ref ? `line ${row.ref.line}` : `index ${row.ref.index}`);
    valid.push({ ref: row.ref, contact: parsed.output });
  }
  for (let i = 0; i < valid.length; i += 1000) {
    const { created, updated } = await upsertContacts(valid.slice(i, i + 1000).map((row) => row.contact));
    result.created += created;
    result.updated += updated;
  }
  const position = (e: RowError) => e.line ?? e.index ?? 0;
  result.errors.sort((a, b) => position(a) - position(b));
  return result;
}

/** The body of POST /api/contacts: one contact, or {"contacts": [...]} with up to 1,000. */
export async function importJson(body: unknown): Promise<ImportResult> {
  if (body !== null && typeof body === 'object' && 'contacts' in body) {
    const list = (body as { contacts: unknown }).contacts;
    if (!Array.isArray(list)) throw badRequest('contacts must be an array');
    if (list.length > maxBatch)
      throw new AppError('too_large', `at most ${maxBatch} contacts per request (got ${list.length})`);
    return upsertRows(list.map((input, index) => ({ ref: { index }, input })));
  }
  return upsertRows([{ ref: { index: 0 }, input: body }]);
}

const knownColumns = new Set(['email', 'name', 'locale', 'timezone', 'customerSince']);

/** A CSV body: header row with `email`; known columns map to fields, others become properties. */
export async function importCsv(text: string): Promise<ImportResult> {
  const { records, problems } = parseCsv(text);
  const header = records[0];
  if (!header) throw badRequest('the CSV is empty: expected a header row with an email column');
  const columns = header.fields.map((h) => h.trim());
  const canonical = columns.map((c) => {
    const lower = c.toLowerCase();
    return lower === 'customersince' ? 'customerSince' : knownColumns.has(lower) ? lower : c;
  });
  if (!canonical.includes('email')) {
    throw badRequest(`the CSV has no email column (header: ${columns.slice(0, 10).join(', ') || 'empty'})`);
  }
  const badNames = canonical.filter((c) => !knownColumns.has(c) && !/^[A-Za-z0-9_.-]{1,64}$/.test(c));
  if (badNames.length)
    throw badRequest(`unusable column names: ${badNames.join(', ')} (use letters, digits, _ . -)`);
  const rows: Row[] = [];
  const errors: RowError[] = problems.map((p) => ({ line: p.line, message: p.message }));
  for (const record of records.slice(1)) {
    if (record.fields.some((f) => f.includes('\uFFFD'))) {
      errors.push({ line: record.line, message: 'not valid UTF-8 (save the file as UTF-8)' });
      continue;
    }
    if (record.fields.length !== canonical.length) {
      errors.push({
        line: record.line,
        message: `expected ${canonical.length} fields, found ${record.fields.length}`,
      });
      continue;
    }
    const input: Record<string, unknown> = {};
    const properties: Record<string, string> = {};
    canonical.forEach((column, i) => {
      const value = (record.fields[i] ?? '').trim();
      if (value === '') return;
      if (knownColumns.has(column)) input[column] = value;
      else properties[column] = value;
    });
    if (Object.keys(properties).length) input.properties = properties;
    rows.push({ ref: { line: record.line }, input });
  }
  const result = await upsertRows(rows);
  result.errors = [...errors, ...result.errors].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return result;
}
