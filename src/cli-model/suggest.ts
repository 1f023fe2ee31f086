// "Did you mean …" and Tab completion: prefixes first, then abbreviations (the letters in order,
// `stld` → `stalled`), then typos ranked by fuse.js.
import { lazy } from '../lazy.js';

function isSubsequence(needle: string, hay: string): boolean {
  let i = 0;
  for (const c of hay) if (c === needle[i]) i++;
  return i === needle.length;
}

export function bestMatches(input: string, candidates: string[], limit = 3): string[] {
  if (!input) return [];
  const prefix = candidates.filter((c) => c.startsWith(input));
  const abbreviations = candidates
    .filter((c) => input.length >= 2 && isSubsequence(input, c))
    .sort((a, b) => a.length - b.length);
  const Fuse = lazy.fuse();
  const fuse = new Fuse(candidates, { includeScore: true, threshold: 0.5, ignoreLocation: true });
  // Fuse finds the candidates; edit distance (a swap counts once) orders them, so `wiat` is `wait`.
  const hits = fuse
    .search(input)
    .filter((h) => (h.score ?? 1) <= 0.5)
    .map((h) => ({
      item: h.item,
      d: Math.min(editDistance(input, h.item), editDistance(input, h.item.slice(0, input.length))),
      score: h.score ?? 1,
    }))
    .sort((a, b) => a.d - b.d || a.score - b.score);
  return [...new Set([...prefix, ...abbreviations, ...hits.map((h) => h.item)])].slice(0, limit);
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}
