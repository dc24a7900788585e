/** Recognising DynamoDB's expected failures by name, as the SDK reports them. */
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
