/**
 * Runs `work` over items with at most `limit` in flight; results keep the input order. The limit
 * may move while the work runs (a function read before each start: shared/send/in-flight.ts). After
 * a failure nothing more is started, and the first failure is what the call rejects with.
 */
export function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number | (() => number),
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const limitNow = typeof limit === 'number' ? () => limit : limit;
  const results = new Array<R>(items.length);
  let next = 0;
  let active = 0;
  let failed = false;
  return new Promise<R[]>((resolve, reject) => {
    const startMore = () => {
      if (failed) return;
      if (next >= items.length && active === 0) return resolve(results);
      while (next < items.length && active < Math.max(1, limitNow())) {
        const index = next++;
        active++;
        Promise.resolve()
          .then(() => work(items[index] as T))
          .then(
            (result) => {
              results[index] = result;
              active--;
              startMore();
            },
            (err: unknown) => {
              failed = true;
              reject(err);
            },
          );
      }
    };
    startMore();
  });
}
