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
  const abbreviations = candidates.filter((c) => input.length >= 2 && isSubsequence(input, c)).sort((a, b) => a.length - b.length);
  const Fuse = lazy.fuse();
  const fuse = new Fuse(candidates, { includeScore: true, threshold: 0.5, ignoreLocation: true });
  const hits = fuse.search(input).filter((h) => (h.score ?? 1) <= 0.5);
  return [...new Set([...prefix, ...abbreviations, ...hits.map((h) => h.item)])].slice(0, limit);
}
