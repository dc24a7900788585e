/**
 * The DynamoDB Streams event source mapping, locally: reads each consumed table's stream from
 * DynamoDB Local (following shard lineage, picking up new shards), hands records in order, in
 * batches of up to 100, to the consuming function in Lambda's event shape, and checkpoints the last
 * delivered sequence number per shard in `<dataDir>/stream-checkpoints.json` once the function
 * succeeded. Failed batches are retried from the first failed item (`batchItemFailures`). After a
 * restart reading resumes at the checkpoint; a record may be delivered twice, never skipped
 * (the consumer is idempotent by design).
 */
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { quietLogger } from '../shared/aws/clients.ts';
import type { FunctionName } from '../shared/routes.ts';
import type { TableId } from '../shared/tables.ts';
import { fakeCredentials, localRegion, localTableName } from './env.ts';
import type { FunctionRegistry } from './functions.ts';
import { jsonFileWriter, readJsonFile } from './json-file.ts';
import { describeError, type Log, logFailure } from './log.ts';
import { Mutex } from './mutex.ts';
import { lambdaRecord } from './stream-records.ts';

/**
 * Which function consumes which table's stream, and which records it is given: those whose new
 * image has one of `newImageHasAny` (the CDK stack wires the same pairs, with the same filters:
 * infra/stateless.ts `consumeAnswers`, checked in test/infra). As on AWS, a record no filter passes
 * never reaches the function and its batches are made of the others: a 100,000-contact wave's
 * selection writes 100,000 invitations the score function has nothing to do with, and handing them
 * over in batches of 100 kept its counts ~50 s behind the wave's emails.
 */
export const streamConsumers: { table: TableId; fn: FunctionName; newImageHasAny: string[] }[] = [
  { table: 'invitations', fn: 'score', newImageHasAny: ['responseVersion', 'uncounted'] },
  { table: 'invitations', fn: 'alerts', newImageHasAny: ['responseVersion'] },
];

const batchSize = 100;
/** Passes one drain() makes at most: the first delivers what was there, the rest what that wrote. */
const drainCycles = 5;
/** How long one poll pass reads before it lets go of its consumer's lock. */
const pollPassMs = 1_000;
/**
 * Waits before each retry of a batch that failed (thrown, or an item failure reported), as long as
 * the deployed mapping retries (infra/stateless.ts `retryAttempts: 10`, checked in test/infra): one
 * wait per retry. Past the last, the records are given up (logged), where AWS would send them to
 * the failures queue; a consumer that fails for a few seconds (a throttled table, a conflict) loses
 * nothing. A poison batch holds its shard for ~13 s here.
 */
export const streamRetryDelaysMs = [100, 200, 400, 800, 1600, 2000, 2000, 2000, 2000, 2000];

interface ShardState {
  id: string;
  parentId: string | undefined;
  iterator: string | undefined;
  /** The shard is closed and every record in it was read. */
  exhausted: boolean;
  pending: StreamRecord[];
  /** The last record read from the shard, delivered or dropped by the filter. */
  lastRead?: StreamRecord;
}

interface StreamState {
  arn: string;
  /** The consumer's filter: a record is given to it when its new image has one of these. */
  newImageHasAny: string[];
  /** Where its checkpoints are kept: each consumer of a stream reads it at its own pace. */
  key: string;
  fn: FunctionName;
  shards: Map<string, ShardState>;
}

type Checkpoints = Record<string, Record<string, string>>;

/** The consumer's module cannot be imported (yet): its records wait, unread, at the checkpoint. */
class ConsumerUnavailable extends Error {}

export interface StreamPollerOptions {
  dynamoUrl: string;
  dataDir: string;
  functions: FunctionRegistry;
  log: Log;
  pollIntervalMs?: number;
  /** `streamRetryDelaysMs` unless said (tests): its length is how many times a batch is retried. */
  retryDelaysMs?: number[];
}

export class StreamPoller {
  private readonly client: DynamoDBStreamsClient;
  private readonly streams: StreamState[] = [];
  private checkpoints: Checkpoints = {};
  private readonly writeCheckpoints: (value: unknown) => Promise<void>;
  /** One per consumer: its poll loop and drain() never read its shards at the same time. */
  private readonly locks = new Map<StreamState, Mutex>();
  private running = false;
  private readonly unavailable = new Set<FunctionName>();
  private loop: Promise<unknown> | undefined;

  constructor(private readonly options: StreamPollerOptions) {
    this.client = new DynamoDBStreamsClient({
      endpoint: options.dynamoUrl,
      region: localRegion,
      credentials: fakeCredentials,
      // Without it the SDK walks every GetRecords answer (up to 100 records' images) to mask it for a
      // log line nobody writes (in a send bench's CPU profile, that walk took 4.8 s of ~230 busy).
      logger: quietLogger,
    });
    const file = join(options.dataDir, 'stream-checkpoints.json');
    this.writeCheckpoints = jsonFileWriter(file);
  }

  async start(): Promise<void> {
    const saved = await readJsonFile(join(this.options.dataDir, 'stream-checkpoints.json'));
    if (saved && typeof saved === 'object') this.checkpoints = saved as Checkpoints;
    const tables = new DynamoDBClient({
      endpoint: this.options.dynamoUrl,
      region: localRegion,
      credentials: fakeCredentials,
    });
    try {
      for (const { table, fn, newImageHasAny } of streamConsumers) {
        const described = await tables.send(new DescribeTableCommand({ TableName: localTableName(table) }));
        const arn = described.Table?.LatestStreamArn;
        if (!arn) throw new Error(`table ${localTableName(table)} has no stream`);
        this.streams.push({ arn, key: checkpointKey(arn, fn), fn, newImageHasAny, shards: new Map() });
      }
    } finally {
      tables.destroy();
    }
    for (const stream of this.streams) this.locks.set(stream, new Mutex());
    this.running = true;
    this.loop = Promise.all(this.streams.map((stream) => this.pollForever(stream))).then(() => undefined);
  }

  /**
   * Resolves when every record in the streams right now has been delivered (or given up on), and
   * what delivering them wrote in turn, up to `drainCycles` links on (an answer, the score it moves,
   * the alert that fires). Bounded, not "until the streams are quiet": while a large wave sends they
   * never are, and every admin read waits on this (the gateway's read-your-writes): unbounded, a look
   * at a wave during a 100,000-contact send waited over 300 s. `maxMs` bounds it in time too: when
   * the consumers are behind (a wave writes faster than its counts are folded), a read answers with
   * what they have done by then, as it would on AWS, instead of waiting for them to catch up.
   */
  async drain(options: { maxMs?: number } = {}): Promise<void> {
    const until = options.maxMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.maxMs;
    for (let cycle = 0; cycle < drainCycles && Date.now() < until; cycle++) {
      if ((await this.cycle(until)) === 0) return;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.client.destroy();
  }

  /**
   * Polls while records flow every `pollIntervalMs`; when a pass finds nothing, waits twice as long
   * each time, up to a second: an idle stack (most of a test run, with several stacks at once) then
   * costs DynamoDB Local little, and `drain()` still delivers everything at once when asked.
   */
  private async pollForever(stream: StreamState): Promise<void> {
    const interval = this.options.pollIntervalMs ?? 150;
    let wait = interval;
    while (this.running) {
      try {
        // A pass of at most about a second, so that a drain() waiting on the lock is not held up
        // by a consumer far behind its stream.
        const handed = await this.cycleLocked(stream, Date.now() + pollPassMs);
        wait = handed > 0 ? interval : Math.min(wait * 2, Math.max(interval, 1000));
      } catch (err) {
        this.options.log(`stream poller: ${describeError(err)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /**
   * One pass over every shard; answers how many records were handed to consumers. Each consumer
   * reads at its own pace, as each event source mapping does on AWS: a slow one never holds up another.
   */
  private async cycle(until = Number.POSITIVE_INFINITY): Promise<number> {
    const counts = await Promise.all(this.streams.map((stream) => this.cycleLocked(stream, until)));
    return counts.reduce((a, b) => a + b, 0);
  }

  private cycleLocked(stream: StreamState, until = Number.POSITIVE_INFINITY): Promise<number> {
    return (this.locks.get(stream) as Mutex).run(() =>
      Date.now() < until ? this.cycleStream(stream, until) : Promise.resolve(0),
    );
  }

  private async cycleStream(stream: StreamState, until: number): Promise<number> {
    let handed = 0;
    await this.refreshShards(stream);
    for (const shard of stream.shards.values()) {
      if (shard.exhausted) continue;
      const parent = shard.parentId ? stream.shards.get(shard.parentId) : undefined;
      // A child shard waits until its parent is read to the end, so records stay in order.
      if (parent && !parent.exhausted) continue;
      handed += await this.readShard(stream, shard, until);
    }
    return handed;
  }

  private async refreshShards(stream: StreamState): Promise<void> {
    let start: string | undefined;
    do {
      const page = await this.client.send(
        new DescribeStreamCommand({ StreamArn: stream.arn, ExclusiveStartShardId: start }),
      );
      for (const shard of page.StreamDescription?.Shards ?? []) {
        if (!shard.ShardId || stream.shards.has(shard.ShardId)) continue;
        stream.shards.set(shard.ShardId, {
          id: shard.ShardId,
          parentId: shard.ParentShardId,
          iterator: undefined,
          exhausted: false,
          pending: [],
        });
      }
      start = page.StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }

  /** Reads a shard to its current end, delivering as it goes; answers how many records it handed over. */
  private async readShard(stream: StreamState, shard: ShardState, until: number): Promise<number> {
    let handed = 0;
    let renewed = false;
    try {
      shard.iterator ??= await this.iteratorFor(stream, shard);
      while (shard.iterator) {
        let page: GetRecordsCommandOutput;
        try {
          page = await this.client.send(
            new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: batchSize }),
          );
        } catch (err) {
          // DynamoDB Local: a TRIM_HORIZON iterator taken while the shard was empty points at sequence
          // 1; once records arrive (numbered across all tables) reading it fails as "trimmed".
          // A fresh iterator starts at the real horizon.
          if ((err as Error).name !== 'TrimmedDataAccessException' || renewed) throw err;
          renewed = true;
          shard.iterator = await this.iteratorFor(stream, shard);
          continue;
        }
        const checkpoint = this.checkpoints[stream.key]?.[shard.id];
        const records = (page.Records ?? []).filter((r) => isAfter(r.dynamodb?.SequenceNumber, checkpoint));
        const wanted = records.filter((r) =>
          stream.newImageHasAny.some((name) => r.dynamodb?.NewImage?.[name]),
        );
        shard.pending.push(...wanted);
        // Records the filter drops are passed, as handed over: the checkpoint moves past them below.
        handed += records.length - wanted.length;
        shard.lastRead = records.at(-1) ?? shard.lastRead;
        shard.iterator = page.NextShardIterator;
        if (!shard.iterator) shard.exhausted = true;
        if (shard.pending.length >= batchSize || records.length === 0)
          handed += await this.deliver(stream, shard);
        // A page short of the limit is the shard's end as it was when read: what comes after is the
        // next pass's (a shard written without pause would otherwise keep this pass, and the lock a
        // drain() waits on, for as long as the writing goes on).
        if ((page.Records ?? []).length < batchSize || Date.now() >= until) break;
      }
      handed += await this.deliver(stream, shard);
      // Everything read was delivered: the checkpoint goes past what the filter dropped after it,
      // so that a restart does not read those again.
      const read = shard.lastRead?.dynamodb?.SequenceNumber;
      if (read && shard.pending.length === 0 && isAfter(read, this.checkpoints[stream.key]?.[shard.id]))
        await this.checkpoint(stream, shard, shard.lastRead);
    } catch (err) {
      // An expired iterator, a hiccup, or a consumer that cannot be loaded yet: read again from the
      // checkpoint on a later pass.
      shard.iterator = undefined;
      shard.pending = [];
      shard.lastRead = undefined;
      shard.exhausted = false;
      if (!(err instanceof ConsumerUnavailable)) throw err;
    }
    return handed;
  }

  private async iteratorFor(stream: StreamState, shard: ShardState): Promise<string | undefined> {
    const checkpoint = this.checkpoints[stream.key]?.[shard.id];
    const request = checkpoint
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: checkpoint }
      : { ShardIteratorType: 'TRIM_HORIZON' as const };
    try {
      const answer = await this.client.send(
        new GetShardIteratorCommand({ StreamArn: stream.arn, ShardId: shard.id, ...request }),
      );
      return answer.ShardIterator;
    } catch (err) {
      if (!checkpoint) throw err;
      // The checkpointed record was trimmed: everything after it is at the horizon.
      const answer = await this.client.send(
        new GetShardIteratorCommand({
          StreamArn: stream.arn,
          ShardId: shard.id,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      return answer.ShardIterator;
    }
  }

  /** Hands the shard's pending records to the consumer, batch by batch; answers how many it handed. */
  private async deliver(stream: StreamState, shard: ShardState): Promise<number> {
    let handed = 0;
    let failures = 0;
    while (shard.pending.length > 0) {
      const batch = shard.pending.slice(0, batchSize);
      const delivered = await this.invoke(stream, batch);
      if (delivered > 0) {
        await this.checkpoint(stream, shard, batch[delivered - 1]);
        shard.pending.splice(0, delivered);
        handed += delivered;
        failures = 0;
      }
      if (delivered === batch.length) continue;
      failures += 1;
      const delay = (this.options.retryDelaysMs ?? streamRetryDelaysMs)[failures - 1];
      if (delay === undefined) {
        const skipped = batch.slice(delivered);
        this.options.log(
          `stream ${stream.fn}: giving up on ${skipped.length} record(s) after ${failures} attempts (sequence ${skipped[0]?.dynamodb?.SequenceNumber}); on AWS they would go to the failures queue`,
        );
        await this.checkpoint(stream, shard, batch.at(-1));
        shard.pending.splice(0, skipped.length);
        handed += skipped.length;
        failures = 0;
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    return handed;
  }

  /** Runs the consumer on a batch; answers how many leading records it handled. */
  private async invoke(stream: StreamState, batch: StreamRecord[]): Promise<number> {
    try {
      await this.options.functions.handler(stream.fn);
      this.unavailable.delete(stream.fn);
    } catch (err) {
      if (!this.unavailable.has(stream.fn)) {
        this.options.log(
          `stream ${stream.fn}: consumer cannot be loaded (${describeError(err)}); records wait`,
        );
      }
      this.unavailable.add(stream.fn);
      throw new ConsumerUnavailable();
    }
    const event = { Records: batch.map((record) => lambdaRecord(record, stream.arn)) };
    let result: unknown;
    try {
      result = await this.options.functions.invoke(stream.fn, event);
    } catch (err) {
      logFailure(this.options.log, `stream ${stream.fn}: batch of ${batch.length} failed`, err);
      return 0;
    }
    const failures = (result as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null | undefined)
      ?.batchItemFailures;
    if (!Array.isArray(failures) || failures.length === 0) return batch.length;
    const positions = failures.map((f) =>
      batch.findIndex((record) => record.dynamodb?.SequenceNumber === f?.itemIdentifier),
    );
    // An identifier that names no record fails the whole batch, as on AWS.
    if (positions.some((p) => p < 0)) return 0;
    this.options.log(
      `stream ${stream.fn}: ${failures.length} item failure(s) reported; retrying from the first`,
    );
    return Math.min(...positions);
  }

  private async checkpoint(stream: StreamState, shard: ShardState, record: StreamRecord | undefined) {
    const sequence = record?.dynamodb?.SequenceNumber;
    if (!sequence) return;
    const current = this.streams.map((s) => s.key);
    const next: Checkpoints = {};
    for (const key of current) next[key] = { ...this.checkpoints[key] };
    next[stream.key] = { ...next[stream.key], [shard.id]: sequence };
    this.checkpoints = next;
    await this.writeCheckpoints(next);
  }
}

/** The score consumer keeps the plain ARN (the key data folders made before a second consumer hold). */
const checkpointKey = (arn: string, fn: FunctionName): string => (fn === 'score' ? arn : `${fn}@${arn}`);

/** Whether a sequence number comes after the checkpoint (numeric strings of any length). */
function isAfter(sequence: string | undefined, checkpoint: string | undefined): boolean {
  if (sequence === undefined || checkpoint === undefined) return true;
  return BigInt(sequence) > BigInt(checkpoint);
}
