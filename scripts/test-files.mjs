// The test files for `npm test`, the longest first: files run three at a time, and a long one that
// starts last would finish alone. The order changes only when the suite ends, never what runs.
import { readdirSync } from 'node:fs';

const LONGEST_FIRST = [
  'integration/projects.test.ts',
  'integration/wizard.test.ts',
  'integration/hardening.test.ts',
  'integration/warm.test.ts',
  'integration/gate.test.ts',
  'integration/dev.test.ts',
  'integration/workers.test.ts',
  'integration/install.test.ts',
  'integration/recipes.test.ts',
  'integration/monitor.test.ts',
  'integration/tour.test.ts',
];

const all = ['unit', 'integration'].flatMap((dir) =>
  readdirSync(new URL(`../test/${dir}`, import.meta.url))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `${dir}/${f}`)
    .sort(),
);
const ordered = [...LONGEST_FIRST.filter((f) => all.includes(f)), ...all.filter((f) => !LONGEST_FIRST.includes(f))];
console.log(ordered.map((f) => `test/${f}`).join(' '));
