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
 */
export async function mapLimitStream<T, R>(batches: AsyncIterable<T[]>, limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let index = 0;
  for await (const batch of batches) {
    for (const item of batch) {
      if (failure) break;
      const i = index++;
      const p: Promise<void> = fn(item).then(
        (value) => { out[i] = value; },
        (error: unknown) => { failure ??= { error }; },
      ).finally(() => running.delete(p));
      running.add(p);
      if (running.size >= limit) await Promise.race(running);
    }
    if (failure) break;
  }
  await Promise.all(running);
  if (failure) throw failure.error;
  return out;
}
