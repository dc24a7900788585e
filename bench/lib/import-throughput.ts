/**
 * Contacts imported from CSV through the admin API, against a bare `BatchWriteItem` loop writing the
 * same items into the same table, measured in the same run on the bench stack.
 *
 * The import goes exactly as `npswave contacts import FILE.csv` sends it: the CLI's own chunking
 * (cli/csv-chunks.ts, its default limits of 1,000 rows or 1 MB per request, the header row in each)
 * and its own API client (cli/http.ts), one chunk after another, `Content-Type: text/csv`. The
 * baseline writes the items shared/contact/store.ts `upsertContacts` stores for new contacts (its
 * `newContact` is not exported, so the shape is built here the same way), in batches of 25 with 4 in
 * flight as it does, retrying UnprocessedItems, for fresh emails so nothing exists yet.
 *
 * Timed with request counting off (the counting scope taxes every promise of the process, the
 * baseline's too; see countRequests), and left off.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { chunkBody, defaultChunkLimits, planCsvChunks } from '../../cli/csv-chunks.ts';
import { AdminApi } from '../../cli/http.ts';
import { dynamo } from '../../shared/aws/clients.ts';
import { nowIso } from '../../shared/clock.ts';
import { tableName } from '../../shared/config.ts';
import type { Contact } from '../../shared/contact/schema.ts';
import { contactIdFor, normalizeEmail } from '../../shared/ids.ts';
import { backOff } from '../../shared/retry.ts';
import { mapConcurrent } from '../../shared/send/concurrency.ts';
import { atLeast, type Figure, info, progress, round } from './figure.ts';
import { type BenchStack, countRequests } from './stack.ts';

/** BatchWriteItem calls in flight in `upsertContacts` (shared/contact/store.ts: `mapConcurrent(batches, 4, …)`). */
const writeConcurrency = 4;
/** BatchWriteItem's own limit, and the batch `upsertContacts` writes. */
const batchSize = 25;
const warmUpContacts = 2_000;
/**
 * Chunks through the API before timing, as a warm Lambda has run them: the first loads the handler's
 * modules (~2.5 s), and the next few still run cold code (Node's JIT, and DynamoDB Local's JVM on
 * BatchGetItem, which the bare loop never calls): measured ~1,000, 800, 750, 700 ms a chunk, then
 * ~500 ms from about the sixth on. Timed from cold, a 20,000-contact import lost about a fifth.
 */
const warmUpImportContacts = 6_000;

const plans = ['free', 'pro', 'enterprise'];
const regions = ['emea', 'amer', 'apac', 'nordics'];
const locales = ['en', 'sv', 'zh-CN', 'zh-TW'];

interface Row {
  email: string;
  name: string;
  locale: string;
  plan: string;
  region: string;
  customerSince: string;
}

/** Contact `i` of a run: every column the bench imports, values that need no quoting or trimming. */
function row(prefix: string, i: number): Row {
  const day = new Date(Date.UTC(2018, 0, 1) + (i % 2_500) * 86_400_000);
  return {
    email: `${prefix}-${i}@import.bench.test`,
    name: `Contact ${i}`,
    locale: locales[i % locales.length] ?? 'en',
    plan: plans[i % plans.length] ?? 'pro',
    region: regions[i % regions.length] ?? 'emea',
    customerSince: day.toISOString().slice(0, 10),
  };
}

function csvOf(prefix: string, contacts: number): Buffer {
  const lines = ['email,name,locale,plan,region,customerSince'];
  for (let i = 0; i < contacts; i++) {
    const r = row(prefix, i);
    lines.push(`${r.email},${r.name},${r.locale},${r.plan},${r.region},${r.customerSince}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** The item `upsertContacts` writes for a new contact (store.ts `newContact`), for the same row. */
function itemOf(r: Row, now: string): Contact {
  return {
    id: contactIdFor(r.email),
    email: normalizeEmail(r.email),
    name: r.name,
    locale: r.locale,
    customerSince: r.customerSince,
    properties: { plan: r.plan, region: r.region },
    status: 'subscribed',
    feedback: {},
    surveyed: {},
    surveyedBy: {},
    createdAt: now,
    updatedAt: now,
  };
}

/** Calls `report(percent)` each time `done` of `total` passes another tenth. */
function tenths(total: number, report: (percent: number) => void): (done: number) => void {
  let reported = 0;
  return (done) => {
    const tenth = Math.floor((done * 10) / total);
    if (tenth > reported) {
      reported = tenth;
      report(tenth * 10);
    }
  };
}

/** A bare BatchWriteItem loop: contacts/s. */
async function bareBatchWrite(prefix: string, contacts: number, label: string): Promise<number> {
  const table = tableName('contacts');
  const now = nowIso();
  const batches: Contact[][] = [];
  for (let from = 0; from < contacts; from += batchSize) {
    batches.push(
      Array.from({ length: Math.min(batchSize, contacts - from) }, (_, k) =>
        itemOf(row(prefix, from + k), now),
      ),
    );
  }
  let written = 0;
  const tick = tenths(contacts, (percent) => progress(`${label}: ${percent}% (${written} contacts)`));
  const t0 = performance.now();
  await mapConcurrent(batches, writeConcurrency, async (batch) => {
    let requests: unknown[] = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 8) throw new Error('DynamoDB kept contact writes unprocessed');
      const result = await dynamo().send(
        new BatchWriteCommand({ RequestItems: { [table]: requests as never } }),
      );
      requests = result.UnprocessedItems?.[table] ?? [];
      if (requests.length) await backOff(attempt, 25, 2000);
    }
    written += batch.length;
    tick(written);
  });
  return contacts / ((performance.now() - t0) / 1000);
}

/** Uploads a CSV as the CLI does, one chunk after another: contacts/s, from the first request to the last answer. */
async function importThroughApi(
  bench: BenchStack,
  prefix: string,
  contacts: number,
  label: string,
): Promise<number> {
  const api = new AdminApi({ baseUrl: bench.stack.url, key: bench.stack.adminKey });
  const plan = planCsvChunks(csvOf(prefix, contacts), defaultChunkLimits);
  let created = 0;
  let done = 0;
  const tick = tenths(contacts, (percent) =>
    progress(`${label}: ${percent}% (${done} rows, ${plan.chunks.length} requests in all)`),
  );
  const t0 = performance.now();
  for (const chunk of plan.chunks) {
    const answer = (await api.json('POST', '/api/contacts/import', {
      body: chunkBody(plan, chunk),
      contentType: 'text/csv; charset=utf-8',
      retry: true,
    })) as { created: number; updated: number; errors: unknown[] };
    if (answer.errors.length || answer.updated)
      throw new Error(`import of fresh contacts answered ${JSON.stringify(answer).slice(0, 300)}`);
    created += answer.created;
    done += chunk.rows;
    tick(done);
  }
  const seconds = (performance.now() - t0) / 1000;
  if (created !== contacts) throw new Error(`imported ${created} of ${contacts} contacts`);
  return contacts / seconds;
}

/**
 * Imports `contacts` contacts from CSV through `POST /api/contacts/import`, and writes as many with
 * a bare BatchWriteItem loop; figures for both and their ratio (goal ≥ 0.7).
 */
export async function measureImport(bench: BenchStack, contacts: number): Promise<Figure[]> {
  countRequests(false);
  const run = Date.now().toString(36);
  progress(
    `import: warm-up (${warmUpContacts} bare BatchWriteItem, ${warmUpImportContacts} through the API)`,
  );
  await bareBatchWrite(`warm-${run}`, warmUpContacts, 'import: warm-up BatchWriteItem');
  await importThroughApi(bench, `warm-api-${run}`, warmUpImportContacts, 'import: warm-up API');

  // Four rounds, each a quarter through both, the order alternating: this machine's speed drifts
  // over minutes (other tenants' CPU), and the table grows as it goes; rounds side by side share both.
  const rounds = 4;
  let bareSeconds = 0;
  let apiSeconds = 0;
  progress(
    `import: ${contacts} contacts each way in ${rounds} rounds: bare BatchWriteItem (${batchSize} a call, ${writeConcurrency} in flight) and CSV through POST /api/contacts/import`,
  );
  for (let r = 0; r < rounds; r++) {
    const n = Math.floor(contacts / rounds) + (r < contacts % rounds ? 1 : 0);
    const bare = async () => {
      bareSeconds +=
        n / (await bareBatchWrite(`bare-${run}-${r}`, n, `import: round ${r + 1} BatchWriteItem`));
    };
    const api = async () => {
      apiSeconds += n / (await importThroughApi(bench, `api-${run}-${r}`, n, `import: round ${r + 1} API`));
    };
    if (r % 2 === 0) {
      await bare();
      await api();
    } else {
      await api();
      await bare();
    }
  }
  const baseline = contacts / bareSeconds;
  const imported = contacts / apiSeconds;
  progress(
    `import: bare BatchWriteItem ${baseline.toFixed(0)} contacts/s, through the API ${imported.toFixed(0)}`,
  );

  return [
    info(
      'send.import_contacts_per_s',
      round(imported, 1),
      `contacts/s (CSV through the API, ${contacts} contacts)`,
    ),
    info(
      'send.import_baseline_contacts_per_s',
      round(baseline, 1),
      `contacts/s (bare BatchWriteItem, ${batchSize} a call, ${writeConcurrency} in flight)`,
    ),
    atLeast(
      'send.import_over_batchwrite',
      round(imported / baseline, 3),
      `ratio (${imported.toFixed(0)}/s through the API ÷ ${baseline.toFixed(0)}/s bare BatchWriteItem, ${contacts} contacts)`,
      0.7,
    ),
  ];
}
