// "Did you mean …": fuzzy matches with fuse.js (typos and partial words).
import { lazy } from '../lazy.js';

export function bestMatches(input: string, candidates: string[], limit = 3): string[] {
  if (!input) return [];
  const Fuse = lazy.fuse();
  const fuse = new Fuse(candidates, { includeScore: true, threshold: 0.5, ignoreLocation: true });
  const hits = fuse.search(input).filter((h) => (h.score ?? 1) <= 0.5);
  const prefix = candidates.filter((c) => c.startsWith(input));
  const ordered = [...prefix, ...hits.map((h) => h.item)];
  return [...new Set(ordered)].slice(0, limit);
}
