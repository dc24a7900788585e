/** Recognising DynamoDB's expected failures by name, as the SDK reports them. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { backoffMs, sleep } from '../retry.ts';

export const isConditionFailure = (err: unknown): boolean =>
  (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** A cancelled transaction: `reasons` holds one code per action ("None", "ConditionalCheckFailed"…). */
export function transactionCancelReasons(err: unknown): string[] | undefined {
  const e = err as { name?: string; CancellationReasons?: { Code?: string }[] } | null;
  if (e?.name !== 'TransactionCanceledException') return undefined;
  return (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
}

export const isTransactionConflict = (err: unknown): boolean => {
  const reasons = transactionCancelReasons(err);
  return (
    (err as { name?: string } | null)?.name === 'TransactionConflictException' ||
    (reasons?.includes('TransactionConflict') ?? false)
  );
};

/**
 * Runs a write again when DynamoDB rejected it for a conflicting transaction: a cancelled
 * transaction, or a plain write to an item a transaction holds, applied nothing, so trying again is
 * safe. Writes that touch a wave's counts need this: every settle of a wave updates the same item,
 * several at once (DynamoDB Local never raises it; DynamoDB does). Up to 8 retries with jittered
 * backoff (20 ms doubling, at most 1 s); any other error, and the last conflict, are thrown.
 */
export async function retryOnTransactionConflict<T>(
  write: () => Promise<T>,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!isTransactionConflict(err) || attempt >= 8) throw err;
      await wait(backoffMs(attempt, 20, 1000));
    }
  }
}

const wireTypes = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);
const isWireValue = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  Object.keys(value).length === 1 &&
  wireTypes.has(Object.keys(value)[0] ?? '');

/**
 * The old item of a failed conditional write (ReturnValuesOnConditionCheckFailure: ALL_OLD). The SDK
 * leaves it in DynamoDB's wire form even behind the document client; accept either form.
 */
export function itemOfConditionFailure<T>(err: unknown): T | undefined {
  const raw = (err as { Item?: Record<string, unknown> } | null)?.Item;
  if (!raw) return undefined;
  const values = Object.values(raw);
  return (
    values.length > 0 && values.every(isWireValue) ? unmarshall(raw as Record<string, AttributeValue>) : raw
  ) as T;
}
