/**
 * DynamoDB Local as the local stack runs it (local/dynamodb.ts): do writes to a table with a stream
 * keep their speed as stream records pile up? They do not (measured 2026-12-03: 448 → 50 updates/s
 * over 14,000 records without the index by stream that local/StreamRecordsIndex.java adds), which
 * made the test suite and every large bench slower the longer it ran. DynamoDB Local keeps every
 * stream's records in one SQLite table with no index by stream, and each write to a table with a
 * stream runs `SELECT MIN(SequenceNumber) FROM us WHERE StreamID = ?` (its stream description): a
 * walk over every record written before that stream's first.
 *
 * Rounds on one database: each makes a table shaped like the invitations table (its stream and
 * indexes), puts 2,000 items and updates each once (4,000 stream records a round), and times the
 * updates. The baseline is the same run's second round (the first warms the JIT up); the figure is
 * the last round, after ~20,000 stream records, ÷ that baseline.
 */
import { startDynamoDbLocal } from '../local/dynamodb.ts';
import { freePort } from '../local/ports.ts';
import { tableDefinitions } from '../shared/tables.ts';
import { atLeast, type Figure, info, progress, round } from './lib/figure.ts';
import { createScratchTable } from './lib/scratch.ts';

const rounds = 6;
const items = 2_000;
const concurrency = 16;

export async function run(): Promise<Figure[]> {
  const db = await startDynamoDbLocal({ port: await freePort(), dbPath: '', inMemory: true });
  try {
    const rates: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // Kept, not dropped: a deleted table's stream records stay in the database as on a long run.
      const table = await createScratchTable(db.url, { like: tableDefinitions.invitations, items });
      rates.push(await table.updateRate(items, concurrency));
      progress(`dynamodb-local: round ${i + 1}: ${rates.at(-1)?.toFixed(0)} updates/s`);
    }
    const baseline = rates[1] as number;
    const last = rates.at(-1) as number;
    return [
      info(
        'dynamodb_local.stream_records_indexed',
        db.streamRecordsIndex === 'indexed' ? 1 : 0,
        db.streamRecordsIndex,
      ),
      info(
        'dynamodb_local.stream_table_updates_per_s',
        round(last, 1),
        `updates/s after ${(rounds - 1) * 2 * items} stream records`,
      ),
      atLeast(
        'dynamodb_local.stream_writes_late_over_early',
        round(last / baseline, 3),
        `ratio (${last.toFixed(0)} ÷ ${baseline.toFixed(0)} updates/s: after ${(rounds - 1) * 2 * items} stream records ÷ after ${2 * items})`,
        0.7,
      ),
    ];
  } finally {
    await db.stop();
  }
}
