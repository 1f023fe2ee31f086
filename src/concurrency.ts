// Runs async work over many items with a bound on how many run at once.
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const settled = await mapSettled(items, limit, fn);
  const failed = settled.find((s) => !s.ok);
  if (failed && !failed.ok) throw failed.error;
  return settled.map((s) => (s as { ok: true; value: R }).value);
}

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Like mapLimit, but one failing item does not stop the others: each item says how it went. */
export async function mapSettled<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<Settled<R>[]> {
  const out: Settled<R>[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = { ok: true, value: await fn(items[i] as T) };
      } catch (error) {
        out[i] = { ok: false, error };
      }
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Runs fn over items that arrive in batches (pages of a listing), at most `limit` at once, starting
 * on the first batch while later ones are still being fetched. Results keep the arrival order.
 * A pool of `limit` workers pulls items (racing the running calls instead would attach a reaction
 * to every running call per item: thousands of microtasks for a few hundred items).
 */
export async function mapLimitStream<T, R>(
  batches: AsyncIterable<T[]>,
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const iterator = batches[Symbol.asyncIterator]();
  const items: T[] = [];
  const out: R[] = [];
  let next = 0;
  let ended = false;
  let failed = false;
  let fetching: Promise<void> | undefined;
  const fetchMore = (): Promise<void> =>
    (fetching ??= iterator
      .next()
      .then((r) => {
        if (r.done) ended = true;
        else items.push(...r.value);
      })
      .finally(() => (fetching = undefined)));
  const worker = async (): Promise<void> => {
    while (!failed) {
      while (next >= items.length && !ended) await fetchMore();
      if (next >= items.length) return;
      const i = next++;
      try {
        out[i] = await fn(items[i] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: limit }, worker));
  } finally {
    if (!ended) await iterator.return?.();
  }
  return out;
}
